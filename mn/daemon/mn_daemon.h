#pragma once
// MnDaemon: the mobile node's Asio shell around MnCore (STYLE B1 layer 4). It owns the UDP
// transports on our IKE endpoint (500, and 4500 with the non-ESP marker), feeds the core
// datagrams and steady_clock time, keeps ONE steady_timer armed at MnCore::next_deadline(),
// answers the core's ResolveGateway through a HostResolver, appends every IKE SA's keys to an
// optional IkeKeylog, and hands every output other than datagrams to the event sink once it
// has been performed (the sink formats: JSON lines, logs).
// No data plane yet (ESP and the Mobility Header socket come with mip6-mn): a Binding Update
// the core wants sent is counted and logged as not sent, never sent in the clear (RFC 4877 4:
// BUs and BAs go through ESP); Child SAs reach the sink only.
//
// Single-threaded.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ike/base/log.h"
#include "ike/base/result.h"
#include "ike/io/ike_keylog.h"
#include "ike/io/udp_transport.h"
#include "mn/core/mn_core.h"
#include "mn/daemon/host_resolver.h"

namespace mn {

struct MnDaemonStats {
  std::uint64_t datagrams_in = 0;
  std::uint64_t dropped_no_transport = 0;      // a datagram for a local endpoint we do not hold
  std::uint64_t binding_updates_not_sent = 0;  // no ESP data plane
};

class MnDaemon {
 public:
  using EventSink = std::function<void(const MnCoreOutput&)>;

  // `env` references and `log` must outlive the daemon.
  MnDaemon(boost::asio::io_context& io, ike::engine::Environment env, const base::Logger& log);
  MnDaemon(const MnDaemon&) = delete;
  MnDaemon& operator=(const MnDaemon&) = delete;
  ~MnDaemon();

  // Opens a UDP socket on `local`: port 500, or 4500 with the non-ESP marker (the endpoint
  // actually bound: port 0 picks one).
  [[nodiscard]] base::Result<ike::engine::Endpoint, std::string> listen(
      const ike::engine::Endpoint& local, ike::io::Framing framing = ike::io::Framing::ByPort);
  // Creates the core and starts its bootstrap; config.local must be a listened endpoint.
  [[nodiscard]] base::Result<void, std::string> start(MnCoreConfig config);
  void set_sink(EventSink sink) { sink_ = std::move(sink); }
  void set_resolver(HostResolver resolver) { resolver_ = std::move(resolver); }
  // Not owned; must outlive the daemon; nullptr: off.
  void set_keylog(ike::io::IkeKeylog* keylog) { keylog_ = keylog; }

  [[nodiscard]] const MnCore* core() const { return core_.get(); }
  // A command on the core (delete_ike_sa, stop, ...), after which its outputs are performed.
  void with_core(const std::function<void(MnCore&, base::TimePoint)>& fn);
  [[nodiscard]] const MnDaemonStats& stats() const { return stats_; }
  // Closes the sockets and cancels the timer.
  void stop();

 private:
  void on_datagram(const ike::engine::Path& path, std::span<const std::uint8_t> bytes);
  // Performs the core's outputs (and those they lead to) and re-arms the timer.
  void drain();
  void perform(const MnCoreOutput& out);
  void resolve(const std::string& name);
  void send(const ike::engine::SendDatagram& d);
  void record_keys();
  void rearm();

  boost::asio::io_context& io_;
  ike::engine::Environment env_;
  const base::Logger& log_;
  ike::io::TransportSet transports_;
  std::unique_ptr<MnCore> core_;
  EventSink sink_;
  HostResolver resolver_;
  ike::io::IkeKeylog* keylog_ = nullptr;
  boost::asio::steady_timer timer_;
  base::TimePoint armed_ = base::kNever;
  MnDaemonStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mn
