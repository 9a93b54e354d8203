// mip6-load: the product's load generator.
//
//   mip6-load ike-init --target ADDR [--port N] [--source ADDR] [--duration S]
//                      [--window N | --rate R] [--timeout S] [--batch N]
//                      [--no-redirect-supported | --redirected-from ADDR] [--pid PID]
//                      [--no-gso] [--json FILE]
//
// ike-init sends well-formed IKE_SA_INIT requests (fresh SPIi and Ni each, X25519 KE computed
// once, N(REDIRECT_SUPPORTED) unless --no-redirect-supported) to ADDR:N (default 500) for
// --duration seconds (default 5), keeping --window requests in flight (default 64) or sending
// --rate per second, and counts the answers by kind: REDIRECT with our nonce, REDIRECT with a
// wrong nonce, IKE_SA_INIT response, COOKIE, error notify, none (no answer within --timeout,
// default 1 s). It prints one JSON object on stdout (or to --json FILE) and one human line on
// stderr. --pid adds that process's CPU use during the run. Exit 0 when the run completed
// (whatever the answers were), 1 when the socket could not be set up, 2 on a usage error.
// Requests leave in UDP GSO batches (one UDP_SEGMENT send per batch) and answers are read
// with UDP GRO, so the tool itself costs little kernel time; --no-gso sends one datagram per
// message.
// Only point it at a responder you run yourself (a namespace or loopback).
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "tools/mip6-load/ike_init_load.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

void usage() {
  std::cerr << "usage: mip6-load ike-init --target ADDR [--port N] [--source ADDR]\n"
               "                          [--duration S] [--window N | --rate R] [--timeout S]\n"
               "                          [--batch N] [--no-redirect-supported |\n"
               "                          --redirected-from ADDR] [--pid PID] [--no-gso]\n"
               "                          [--json FILE]\n";
}

int run_ike_init_command(int argc, char** argv) {
  const std::set<std::string> value_names{"target",  "port",  "source", "duration",
                                          "window",  "rate",  "timeout", "batch",
                                          "pid",     "json",  "redirected-from"};
  const std::set<std::string> flag_names{"no-redirect-supported", "no-gso"};
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : "";
    if (flag_names.count(name) != 0) {
      flags.insert(name);
    } else if (value_names.count(name) != 0 && i + 1 < argc) {
      values[name] = argv[++i];
    } else {
      std::cerr << "mip6-load: unknown option or missing value: " << arg << "\n";
      usage();
      return kExitUsage;
    }
  }
  if (values.count("target") == 0) {
    std::cerr << "mip6-load: --target is required\n";
    usage();
    return kExitUsage;
  }
  mip6load::IkeInitOptions o;
  try {
    const auto target = base::Ip6Addr::parse_v6_or_v4(values["target"]);
    if (!target) {
      throw std::invalid_argument("--target " + values["target"]);
    }
    o.target = *target;
    if (values.count("source") != 0) {
      o.source = base::Ip6Addr::parse_v6_or_v4(values["source"]);
      if (!o.source) {
        throw std::invalid_argument("--source " + values["source"]);
      }
    }
    if (values.count("redirected-from") != 0) {
      o.request.redirected_from = base::Ip6Addr::parse_v6_or_v4(values["redirected-from"]);
      if (!o.request.redirected_from) {
        throw std::invalid_argument("--redirected-from " + values["redirected-from"]);
      }
    }
    o.request.redirect_supported = flags.count("no-redirect-supported") == 0;
    o.gso = flags.count("no-gso") == 0;
    if (values.count("port") != 0) {
      const int port = std::stoi(values["port"]);
      if (port <= 0 || port > 65535) {
        throw std::invalid_argument("--port " + values["port"]);
      }
      o.port = static_cast<std::uint16_t>(port);
    }
    o.duration_s = values.count("duration") != 0 ? std::stod(values["duration"]) : 5.0;
    o.timeout_s = values.count("timeout") != 0 ? std::stod(values["timeout"]) : 1.0;
    if (values.count("window") != 0) {
      o.window = static_cast<std::size_t>(std::stoul(values["window"]));
    }
    if (values.count("rate") != 0) {
      o.rate = std::stod(values["rate"]);
    }
    if (values.count("batch") != 0) {
      o.batch = static_cast<std::size_t>(std::stoul(values["batch"]));
    }
    if (values.count("pid") != 0) {
      o.target_pid = std::stoi(values["pid"]);
    }
    if (!(o.duration_s > 0 && o.duration_s <= 86400) || !(o.timeout_s > 0 && o.timeout_s <= 60) ||
        o.window == 0 || o.window > (1u << 20) || o.rate < 0 || o.batch == 0 ||
        (values.count("window") != 0 && values.count("rate") != 0)) {
      throw std::invalid_argument("--duration, --timeout, --window, --rate or --batch");
    }
  } catch (const std::exception& e) {
    std::cerr << "mip6-load: bad value: " << e.what() << "\n";
    usage();
    return kExitUsage;
  }

  auto result = mip6load::run_ike_init(o);
  if (!result) {
    std::cerr << "mip6-load: " << result.error() << "\n";
    return kExitFailed;
  }
  const auto j = mip6load::report_json(result->info, result->counters, result->latency);
  if (values.count("json") != 0) {
    std::ofstream out(values["json"]);
    out << j.dump(2) << "\n";
    if (!out) {
      std::cerr << "mip6-load: cannot write " << values["json"] << "\n";
      return kExitFailed;
    }
  } else {
    std::cout << j.dump(2) << std::endl;
  }
  std::cerr << mip6load::report_line(result->info, result->counters, result->latency) << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      usage();
      return kExitUsage;
    }
    const std::string cmd = argv[1];
    if (cmd == "ike-init") {
      return run_ike_init_command(argc, argv);
    }
    usage();
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mip6-load: " << e.what() << "\n";
    return kExitFailed;
  }
}
