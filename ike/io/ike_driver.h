#pragma once
// The shell around IkeSa engines (STYLE B1): owns the SAs and their UDP transports, feeds the
// SAs datagrams and steady_clock time, performs their SendDatagram outputs, reports every
// output to an optional sink, and keeps ONE steady_timer armed at the earliest
// next_deadline() of all SAs (ngtcp2's expiry model). No protocol logic lives here: which SA
// a datagram belongs to is decided by its IKE SPIs only (R7296-06), and a responder SA is
// created for an IKE_SA_INIT request with a new initiator SPI when responding is enabled.
// Every request from an initiator goes through an engine::IkeResponder front, which decides
// before any DH whether to serve, redirect (RFC 5685) or refuse (accept_responders() without
// a decision serves every initiator) and owns the responder SAs. The driver's own initiator
// SAs are filed by (role, SPIi, SPIr) in an engine::IkeSaManager; both keep their SAs'
// deadlines in a heap, so rearming the timer after a datagram is O(1) and a timer event runs
// only the due SAs, whatever the number of SAs; so two initiators that chose the same SPIi never
// collide; an IKE_SA_INIT retransmission (SPIr still 0) finds its half-open SA by SPIi and the
// sender's address and port. When an SA's SPIs change (SPIr learnt, IKE SA rekey) it is
// re-filed after the drain; rekey() does it explicitly. Datagrams from a NAT-T socket
// (listen with port 4500 or Framing::NonEspMarker) are routed like any other, and the SAs'
// NAT keepalives go out on the NAT-T socket of their path without the marker (RFC 3948 4).
//
// Single-threaded: every method and handler runs on the io_context's thread. Exceptions never
// leave an Asio handler; they are logged.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ike/base/log.h"
#include "ike/base/result.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/ike_sa_manager.h"
#include "ike/io/ike_keylog.h"
#include "ike/io/udp_transport.h"

namespace ike::io {

struct DriverStats {
  std::uint64_t datagrams_in = 0;
  std::uint64_t dropped_no_sa = 0;        // SPIs of no SA we hold, and not a new INIT request
  std::uint64_t dropped_undecodable = 0;  // not even an IKE header
  std::uint64_t dropped_no_transport = 0;  // an SA asked to send from an address we do not own
  std::uint64_t sas_removed = 0;           // failed SAs destroyed
  std::uint64_t spi_collisions = 0;     // a new SA's (SPIi, SPIr) was taken: dropped
  std::uint64_t keepalives_sent = 0;    // RFC 3948 4
  std::uint64_t keylog_lines = 0;   // SAs whose keys went to the IKE keylog
  std::uint64_t keylog_errors = 0;  // keylog writes that failed (logged)
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
  // returns the bound endpoint. `framing` overrides the port rule (NAT-T on any port).
  [[nodiscard]] base::Result<engine::Endpoint, std::string> listen(
      const engine::Endpoint& local, Framing framing = Framing::ByPort);

  // Where an SA is filed (R7296-06).
  struct SaKey {
    engine::Role role = engine::Role::Initiator;
    std::uint64_t spi_i = 0;
    std::uint64_t spi_r = 0;  // 0 until the IKE_SA_INIT response names it
    friend auto operator<=>(const SaKey&, const SaKey&) = default;
  };
  [[nodiscard]] static SaKey key_of(const engine::IkeSa& sa);
  // Files the SA found under `from` under `to` instead (an IKE SA rekey brings new SPIs).
  // False when nothing is filed under `from` or something else already is under `to`.
  bool rekey(const SaKey& from, const SaKey& to);
  // Runs a command on one SA (IkeSa::request_delete(), redirect(), delete_child(), ...), the
  // driver's own or the responder front's, then performs its outputs. Closed and failed SAs
  // are destroyed afterwards, as after a datagram.
  [[nodiscard]] base::Result<void, std::string> with_sa(
      const SaKey& key,
      const std::function<base::Result<void>(engine::IkeSa&, base::TimePoint)>& command);
  // SPI pairs an SA still answers for after an in-place IKE SA rekey (engine::IkeSaRekeyed:
  // the old SA's Delete, a redundant SA of a collision), until engine::IkeSpisRetired.
  // The driver's own SAs' and the responder front's.
  [[nodiscard]] std::size_t alias_count() const {
    return aliases_.size() + (responder_ ? responder_->alias_count() : 0);
  }

  // Creates an initiator SA and sends its IKE_SA_INIT request on `path`; `path.local` must be
  // an endpoint passed to listen(). The pointer stays valid until the SA fails.
  [[nodiscard]] base::Result<engine::IkeSa*, std::string> initiate(engine::IkeSaConfig config,
                                                                    const engine::Path& path);

  // From now on an IKE_SA_INIT request with an unknown SPIi creates a responder SA from
  // `config` (its role is forced to Responder): a front that serves every initiator, with
  // neither cookies nor a half-open bound.
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
  // Every SA's keys go to `keylog` (not owned; must outlive the driver, nullptr: off) as soon
  // as they exist, i.e. after IKE_SA_INIT, so even a failing IKE_AUTH can be decrypted.
  void set_keylog(IkeKeylog* keylog) { keylog_ = keylog; }
  void set_responder_sink(ResponderSink sink) { responder_sink_ = std::move(sink); }
  [[nodiscard]] const engine::IkeResponder* responder() const { return responder_.get(); }
  // Benchmarks fill the front's table directly (no sockets, no per-datagram rearm).
  [[nodiscard]] engine::IkeResponder* responder_for_test() { return responder_.get(); }

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
  // The key of the SA a datagram with this header belongs to.
  [[nodiscard]] std::optional<SaKey> route(const wire::Header& header) const;
  void drain(engine::IkeSa& sa);
  // IkeSaRekeyed / IkeSpisRetired: keep the old SPIs routed to the rekeyed SA (aliases_).
  void note_rekey(const engine::Output& out);
  void drain_responder();
  void log_responder_output(const engine::ResponderOutput& out) const;
  void log_stateless(const engine::Path& path, bool cookie, bool rate_limited);
  void send(const engine::SendDatagram& d);
  // After a call into the SA filed under `key`: destroys it when it failed or closed, re-files
  // it when its SPIs changed (SPIr learnt, IKE SA rekey), and files its new deadline.
  void settle(const SaKey& key);
  void rearm();
  void on_timer_fired();
  // `name` says which SA (sa_name(), or the SPIr of a responder SA already removed).
  void log_output(const std::string& name, const engine::Output& out) const;
  void record_keys(const engine::IkeSa& sa);

  boost::asio::io_context& io_;
  engine::Environment env_;
  const base::Logger& log_;
  TransportSet transports_;
  engine::IkeSaManager<SaKey> sas_;
  std::map<SaKey, SaKey> aliases_;            // retiring SPIs -> the key the SA is filed under now
  base::RateLimiter log_limiter_{1.0, 10.0};  // sampled log lines for cookies / suppressions
  std::unique_ptr<engine::InitDecision> serve_all_;  // accept_responders(IkeSaConfig)
  std::unique_ptr<engine::IkeResponder> responder_;
  std::vector<engine::ResponderOutput> responder_outputs_;  // reused by drain_responder()
  EventSink sink_;
  ResponderSink responder_sink_;
  IkeKeylog* keylog_ = nullptr;
  boost::asio::steady_timer timer_;
  base::TimePoint armed_ = base::kNever;
  DriverStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ike::io
