#pragma once
// The shell around IkeSa engines (STYLE B1): owns the SAs and their UDP transports, feeds the
// SAs datagrams and steady_clock time, performs their SendDatagram outputs, reports every
// output to an optional sink, and keeps ONE steady_timer armed at the earliest
// next_deadline() of all SAs (ngtcp2's expiry model). No protocol logic lives here: which SA
// a datagram belongs to is decided by its IKE SPIs only (R7296-06), and a responder SA is
// created for an IKE_SA_INIT request with a new initiator SPI when responding is enabled.
// With an InitDecision (accept_responders with a decision) every request from an initiator
// goes through an engine::IkeResponder instead, which decides before any DH whether to serve,
// redirect (RFC 5685) or refuse; the driver holds only its own initiator SAs then.
//
// Single-threaded: every method and handler runs on the io_context's thread. Exceptions never
// leave an Asio handler; they are logged.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ike/base/log.h"
#include "ike/base/result.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/io/udp_transport.h"

namespace ike::io {

struct DriverStats {
  std::uint64_t datagrams_in = 0;
  std::uint64_t dropped_no_sa = 0;        // SPIs of no SA we hold, and not a new INIT request
  std::uint64_t dropped_undecodable = 0;  // not even an IKE header
  std::uint64_t dropped_no_transport = 0;  // an SA asked to send from an address we do not own
  std::uint64_t responders_created = 0;
  std::uint64_t sas_removed = 0;  // failed SAs destroyed
};

class IkeDriver {
 public:
  // Called for every output of every SA, after the driver performed it (SendDatagram sent).
  using EventSink = std::function<void(const engine::IkeSa&, const engine::Output&)>;

  // `env` (randomness, DH, credentials, CP addresses) is shared by all SAs of this driver.
  IkeDriver(boost::asio::io_context& io, engine::Environment env, const base::Logger& log);
  IkeDriver(const IkeDriver&) = delete;
  IkeDriver& operator=(const IkeDriver&) = delete;
  ~IkeDriver();

  // Binds a UDP socket on `local` (port 500, or 4500 with the non-ESP marker; 0 = any) and
  // returns the bound endpoint.
  [[nodiscard]] base::Result<engine::Endpoint, std::string> listen(const engine::Endpoint& local);

  // Creates an initiator SA and sends its IKE_SA_INIT request on `path`; `path.local` must be
  // an endpoint passed to listen(). The pointer stays valid until the SA fails.
  [[nodiscard]] base::Result<engine::IkeSa*, std::string> initiate(engine::IkeSaConfig config,
                                                                    const engine::Path& path);

  // From now on an IKE_SA_INIT request with an unknown SPIi creates a responder SA from
  // `config` (its role is forced to Responder).
  void accept_responders(engine::IkeSaConfig config);

  // Routes every request from an initiator through an IkeResponder asking `decision` (which
  // must outlive the driver) before any DH. The served SAs' outputs still reach the EventSink
  // while their SA exists; all front outputs reach the ResponderSink.
  void accept_responders(engine::IkeResponderConfig config, engine::InitDecision& decision);

  // Every non-datagram output of the IkeResponder front; `sa` is the served SA it concerns,
  // nullptr for decisions and for SAs already removed.
  using ResponderSink =
      std::function<void(const engine::ResponderOutput&, const engine::IkeSa* sa)>;
  void set_event_sink(EventSink sink) { sink_ = std::move(sink); }
  void set_responder_sink(ResponderSink sink) { responder_sink_ = std::move(sink); }
  [[nodiscard]] const engine::IkeResponder* responder() const { return responder_.get(); }

  // One received IKE message (the transports call this; tests may too).
  void on_datagram(const engine::Path& path, std::span<const std::uint8_t> bytes);

  // Initiator SAs plus the responder front's SAs.
  [[nodiscard]] std::size_t sa_count() const {
    return sas_.size() + (responder_ ? responder_->sa_count() : 0);
  }
  [[nodiscard]] const DriverStats& stats() const { return stats_; }
  [[nodiscard]] base::TimePoint armed_deadline() const { return armed_; }

  // Closes the sockets and cancels the timer; the io_context then runs out of work.
  void stop();

 private:
  struct Entry {
    std::unique_ptr<engine::IkeSa> sa;
  };
  void drain(engine::IkeSa& sa);
  void drain_responder();
  void log_responder_output(const engine::ResponderOutput& out) const;
  void send(const engine::SendDatagram& d);
  void remove_failed();
  void rearm();
  void on_timer_fired();
  void log_output(const engine::IkeSa& sa, const engine::Output& out) const;

  boost::asio::io_context& io_;
  engine::Environment env_;
  const base::Logger& log_;
  std::vector<std::unique_ptr<UdpTransport>> transports_;
  // Keyed by SPIi: ours for initiator SAs, the peer's for responder SAs.
  std::multimap<std::uint64_t, Entry> sas_;
  std::optional<engine::IkeSaConfig> responder_config_;
  std::unique_ptr<engine::IkeResponder> responder_;
  EventSink sink_;
  ResponderSink responder_sink_;
  boost::asio::steady_timer timer_;
  base::TimePoint armed_ = base::kNever;
  DriverStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ike::io
