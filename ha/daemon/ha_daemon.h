#pragma once
// The mip6-ha shell (STYLE B1 layer 4): one io_context with the IKEv2 driver (UDP 500/4500 on
// every configured address, the responder front deciding through HaCore's adapters), the
// control socket, and one steady_timer at HaCore::next_deadline(). Events go to `emit` as JSON
// lines; everything else is HaCore's.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ha/daemon/control_server.h"
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
  // status() plus the IKE front's and the driver's counters.
  [[nodiscard]] nlohmann::json status_json();

 private:
  class Redirector;
  HaDaemon(boost::asio::io_context& io, const HaDaemonConfig& config, const base::Logger& log,
           EventSink emit);
  void flush();
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
  std::unique_ptr<Redirector> redirector_;
  std::unique_ptr<::ike::io::IkeKeylog> keylog_;  // before driver_: it must outlive it
  std::unique_ptr<::ike::io::IkeDriver> driver_;
  std::unique_ptr<ControlServer> control_;
  boost::asio::steady_timer timer_;
  base::TimePoint armed_ = base::kNever;
  std::uint64_t data_plane_drops_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ha::daemon
