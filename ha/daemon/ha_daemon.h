#pragma once
// The mip6-ha shell (STYLE B1 layer 4): one io_context with the IKEv2 driver (UDP 500/4500 on
// every configured address, the responder front deciding through HaCore's IkeAdmission), the
// control socket, and one steady_timer at HaCore::next_deadline(). After every input it drains
// the core: each event becomes a JSON line for `emit`, a log line and an event count
// (event_format.h, event_metrics.h); each command (a gateway-initiated REDIRECT on an SA the
// driver holds) is carried out and its result given back to the core.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ha/daemon/control_protocol.h"
#include "ha/daemon/control_server.h"
#include "ha/daemon/event_metrics.h"
#include "ha/daemon/ha_config.h"
#include "ha/daemon/ha_core.h"
#include "ha/daemon/psk_table.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/io/ike_driver.h"
#include "ike/io/ike_keylog.h"

namespace ha::daemon {

class HaDaemon {
 public:
  using EventSink = std::function<void(const nlohmann::json&)>;

  // `log` must outlive the daemon.
  [[nodiscard]] static base::Result<std::unique_ptr<HaDaemon>, std::string> start(
      boost::asio::io_context& io, const HaDaemonConfig& config, const base::Logger& log,
      EventSink emit);
  ~HaDaemon();
  HaDaemon(const HaDaemon&) = delete;
  HaDaemon& operator=(const HaDaemon&) = delete;

  // Closes sockets and timers; the io_context runs out of work.
  void stop();
  [[nodiscard]] HaCore& core() { return *core_; }
  // The control protocol's status answer: the core's, the IKE front's and the driver's.
  [[nodiscard]] nlohmann::json status_json() const { return control_protocol_->status(); }

 private:
  HaDaemon(boost::asio::io_context& io, const HaDaemonConfig& config, const base::Logger& log,
           EventSink emit);
  // Publishes the core's events and carries out its commands until it has none left.
  void flush();
  void publish(const CoreEvent& event);
  void execute(const RedirectSa& command);
  void rearm();
  nlohmann::json on_control(const nlohmann::json& request);

  boost::asio::io_context& io_;
  HaDaemonConfig config_;
  const base::Logger& log_;
  EventSink emit_;
  ::ike::crypto::OpenSslRandom random_;
  ::ike::crypto::OpenSslKeyExchangeFactory kex_;
  PskTable credentials_;
  std::unique_ptr<HaCore> core_;
  EventMetrics metrics_;
  std::unique_ptr<ControlProtocol> control_protocol_;
  std::unique_ptr<::ike::io::IkeKeylog> keylog_;  // before driver_: it must outlive it
  std::unique_ptr<::ike::io::IkeDriver> driver_;
  std::unique_ptr<ControlServer> control_;
  boost::asio::steady_timer timer_;
  base::TimePoint armed_ = base::kNever;
  std::uint64_t data_plane_drops_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ha::daemon
