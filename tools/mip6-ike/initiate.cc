#include "tools/mip6-ike/initiate.h"

#include <boost/asio/post.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/io/ike_driver.h"
#include "ike/io/udp_transport.h"
#include "tools/mip6-ike/ike_json.h"
#include "tools/mip6-ike/tool_setup.h"

namespace mip6_ike {
namespace {

using namespace ike;

// What both runs set up: the driver on --local (500 and 4500: the SA floats there when it
// detects a NAT, R7296-56) and the initiator's configuration.
struct InitiatorRun {
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  std::unique_ptr<io::IkeKeylog> keylog;  // before the driver: it must outlive it
  std::unique_ptr<io::IkeDriver> driver;
  engine::IkeSaConfig cfg;
  engine::Path path;
};

// An exit code when the run cannot start.
std::optional<int> prepare(InitiatorRun& run, const Args& args, const InitiateTarget& target,
                           engine::PeerCredentials& creds, const LifecycleOptions* lifecycle,
                           const base::Logger& log) {
  auto keylog = open_keylog(args);
  if (!keylog) {
    return kExitUsage;
  }
  run.keylog = std::move(*keylog);
  run.driver = std::make_unique<io::IkeDriver>(
      run.io, engine::Environment{run.random, run.kex, creds, nullptr}, log);
  run.driver->set_keylog(run.keylog.get());
  run.cfg = initiator_config(args);
  if (lifecycle != nullptr) {
    apply_lifecycle(*lifecycle, run.cfg);
  }
  if (!apply_proposals(args, run.cfg)) {
    return kExitUsage;
  }
  run.path = engine::Path{{target.local, io::kIkePort}, {target.remote, io::kIkePort}};
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto ok = run.driver->listen({target.local, port}); !ok) {
      std::cerr << "mip6-ike: " << ok.error() << "\n";
      return kExitFailed;
    }
  }
  return std::nullopt;
}

}  // namespace

int run_initiate_lifecycle(const Args& args, const InitiateTarget& target,
                           engine::PeerCredentials& creds, const LifecycleOptions& lifecycle,
                           const base::Logger& log) {
  const bool dump_keys = args.flag("dump-keys");
  InitiatorRun run;
  if (const auto code = prepare(run, args, target, creds, &lifecycle, log)) {
    return *code;
  }
  auto& io = run.io;
  auto& driver = *run.driver;
  SaReport report;
  bool printed = false;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
  RunLimits limits(io, target.timeout_s);
  auto finish = [&] {
    driver.stop();
    limits.cancel();
    for (auto& t : timers) {
      t->cancel();
    }
  };
  driver.set_event_sink([&](const engine::IkeSa& s, const engine::Output& out) {
    if (printed) {
      if (auto line = lifecycle_event(s, out, dump_keys)) {
        std::cout << line->dump() << std::endl;
      }
    }
    const bool was_established = report.established;
    report.add(s, out, dump_keys);
    if (report.established && !was_established) {
      // After this drain, so the first Child SA is in the result line.
      boost::asio::post(io, [&] {
        report.j["result"] = "established";
        std::cout << report.j.dump() << std::endl;
        printed = true;
      });
      if (lifecycle.create_child_after) {
        schedule_create_child(io, driver, s, run.cfg.child, *lifecycle.create_child_after, timers);
      }
    }
    if (report.failed || std::holds_alternative<engine::SaDeleted>(out)) {
      boost::asio::post(io, finish);
    }
  });
  auto sa = driver.initiate(run.cfg, run.path);
  if (!sa) {
    std::cerr << "mip6-ike: " << sa.error() << "\n";
    return kExitFailed;
  }
  limits.arm(finish, finish);
  io.run();
  if (!printed) {
    report.j["result"] = "failed";
    if (!report.j.contains("reason")) {
      report.j["reason"] = "timeout";
    }
    std::cout << report.j.dump() << std::endl;
    return kExitFailed;
  }
  return report.failed ? kExitFailed : kExitEstablished;
}

int run_initiate_once(const Args& args, const InitiateTarget& target,
                      engine::PeerCredentials& creds, const base::Logger& log) {
  const bool dump_keys = args.flag("dump-keys");
  InitiatorRun run;
  if (const auto code = prepare(run, args, target, creds, nullptr, log)) {
    return *code;
  }
  auto& io = run.io;
  auto& driver = *run.driver;
  SaReport report;
  RunLimits limits(io, target.timeout_s);
  auto finish = [&] {
    driver.stop();
    limits.cancel();
  };
  driver.set_event_sink([&](const engine::IkeSa& s, const engine::Output& out) {
    report.add(s, out, dump_keys);
    if (report.established || report.failed) {
      // The Child SA output follows SaEstablished in the same drain: stop after it.
      boost::asio::post(io, finish);
    }
  });
  auto sa = driver.initiate(run.cfg, run.path);
  if (!sa) {
    std::cerr << "mip6-ike: " << sa.error() << "\n";
    return kExitFailed;
  }
  auto give_up = [&](const char* reason) {
    report.j["reason"] = reason;
    report.failed = true;
    finish();
  };
  limits.arm(
      [&] {
        if (!report.established && !report.failed) {
          give_up("timeout");
        }
      },
      [&] { give_up("interrupted"); });
  io.run();
  if (!report.established && !report.j.contains("state")) {
    report.j.update(sa_json(**sa, dump_keys));  // timeout: the SA is still held
  }
  report.j["result"] = report.established ? "established" : "failed";
  std::cout << report.j.dump(2) << std::endl;
  return report.established ? kExitEstablished : kExitFailed;
}

}  // namespace mip6_ike
