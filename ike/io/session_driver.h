#pragma once
// The shell around one engine::IkeInitiatorSession (STYLE B1): UDP transports on our address,
// steady_clock time in, the session's SendDatagram outputs out, ONE steady_timer armed at
// next_deadline(), and every other output reported to a sink. The session follows RFC 5685
// redirects (IKE_SA_INIT, IKE_AUTH and gateway-initiated) across gateways with several IKE
// SAs alive at once, which is why it is not an IkeDriver SA: it routes its own datagrams.
// FQDN redirect targets (RFC 5685 GW Ident Type 3) go to the injected resolver; without one,
// or when it finds nothing, ResolveGateway is answered as failed.
//
// Single-threaded, like IkeDriver.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/base/log.h"
#include "ike/base/result.h"
#include "ike/engine/ike_initiator_session.h"
#include "ike/io/ike_keylog.h"
#include "ike/io/udp_transport.h"

namespace ike::io {

class SessionDriver {
 public:
  using Sink = std::function<void(const engine::SessionOutput&)>;

  // `env` references must outlive the driver.
  SessionDriver(boost::asio::io_context& io, engine::Environment env, const base::Logger& log);
  SessionDriver(const SessionDriver&) = delete;
  SessionDriver& operator=(const SessionDriver&) = delete;
  ~SessionDriver();

  // As IkeDriver::listen: port 500, or 4500 with the non-ESP marker.
  [[nodiscard]] base::Result<engine::Endpoint, std::string> listen(
      const engine::Endpoint& local, Framing framing = Framing::ByPort);
  // Starts the session towards path.remote; path.local must be a listened endpoint.
  [[nodiscard]] base::Result<void, std::string> start(engine::InitiatorSessionConfig config,
                                                      const engine::Path& path);
  void set_sink(Sink sink) { sink_ = std::move(sink); }
  // Called synchronously for each FQDN redirect target; nullopt: it did not resolve.
  using Resolver = std::function<std::optional<base::Ip6Addr>(const std::string& fqdn)>;
  void set_resolver(Resolver resolver) { resolver_ = std::move(resolver); }
  // Every attempt's IKE SA keys go to `keylog` (not owned; must outlive the driver; nullptr:
  // off) once they exist, as IkeDriver::set_keylog does.
  void set_keylog(IkeKeylog* keylog) { keylog_ = keylog; }
  [[nodiscard]] const engine::IkeInitiatorSession* session() const { return session_.get(); }
  // A command on the session (e.g. delete_sa), after which its outputs are performed.
  void with_session(const std::function<void(engine::IkeInitiatorSession&, base::TimePoint)>& fn);
  // Closes the sockets and cancels the timer.
  void stop();

 private:
  // Appends the keys of the session's current and previous SA once they exist.
  void record_keys();
  void on_datagram(const engine::Path& path, std::span<const std::uint8_t> bytes);
  void drain();
  void send(const engine::SendDatagram& d);
  void rearm();

  boost::asio::io_context& io_;
  engine::Environment env_;
  const base::Logger& log_;
  TransportSet transports_;
  std::unique_ptr<engine::IkeInitiatorSession> session_;
  Sink sink_;
  Resolver resolver_;
  IkeKeylog* keylog_ = nullptr;
  boost::asio::steady_timer timer_;
  base::TimePoint armed_ = base::kNever;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ike::io
