// mip6-ha: the Mobile IPv6 home agent daemon, IKEv2 side (no data plane yet): the IKEv2
// responder deciding at IKE_SA_INIT and IKE_AUTH with the admission policy (serve with a
// reservation, redirect to a pool HA, refuse), the Binding Cache it admits against, the drain
// (gateway-initiated redirects, Home Agent Switch) and the control socket mip6ctl talks to.
//
//   mip6-ha --config FILE [--verbose]
//
// stdout: one JSON line per event (every admission decision with its reason, SA life, moves,
// admin changes); on SIGTERM/SIGINT a last {"event": "stopped", "status": ...} line, then
// exit 0. stderr: log lines. Exit 2 on a bad command line or configuration, 1 on a start-up
// failure (a socket that cannot be bound).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "ha/daemon/event_format.h"
#include "ha/daemon/ha_config.h"
#include "ha/daemon/ha_daemon.h"

namespace {

void usage() {
  std::cerr << "usage: mip6-ha --config FILE [--verbose]\n";
}

int run(int argc, char** argv) {
  std::string config_path;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a == "--verbose") {
      verbose = true;
    } else {
      usage();
      return 2;
    }
  }
  if (config_path.empty()) {
    usage();
    return 2;
  }
  auto config = ha::daemon::load_config(config_path);
  if (!config) {
    std::cerr << "mip6-ha: " << config.error() << "\n";
    return 2;
  }
  const std::string name = config->name;
  const base::Logger log(
      [name](base::LogLevel level, std::string_view component, std::string_view msg) {
        std::cerr << name << " " << to_string(level) << " " << component << ": " << msg
                  << std::endl;
      },
      verbose ? base::LogLevel::Debug : config->log_level);

  boost::asio::io_context io;
  auto emit = [](const nlohmann::json& e) { std::cout << e.dump() << std::endl; };
  auto daemon = ha::daemon::HaDaemon::start(io, *config, log, emit);
  if (!daemon) {
    std::cerr << "mip6-ha: " << daemon.error() << "\n";
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) {
      return;
    }
    emit(ha::daemon::stopped_json(name, (*daemon)->status_json()));
    (*daemon)->stop();
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // An exception escaping a handler is a bug (STYLE B4): say so and fail.
    std::cerr << "mip6-ha: fatal: " << e.what() << "\n";
    return 1;
  }
}
