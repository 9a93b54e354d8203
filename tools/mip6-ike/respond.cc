#include "tools/mip6-ike/respond.h"

#include <boost/asio/post.hpp>
#include <climits>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/io/ike_driver.h"
#include "ike/io/udp_transport.h"
#include "tools/mip6-ike/ike_json.h"
#include "tools/mip6-ike/lifecycle.h"
#include "tools/mip6-ike/tool_auth_decision.h"
#include "tools/mip6-ike/tool_credentials.h"
#include "tools/mip6-ike/tool_init_decision.h"
#include "tools/mip6-ike/tool_setup.h"

namespace mip6_ike {
namespace {

using namespace ike;

std::string_view decision_word(engine::InitOutcome o) {
  switch (o) {
    case engine::InitOutcome::Served: return "served";
    case engine::InitOutcome::Redirected: return "redirected";
    default: return "refused";
  }
}

}  // namespace

int run_respond(const Args& args) {
  const auto listen = io::parse_address(args.values.at("listen"));
  const std::string pool_text = args.values.at("pool");
  const auto slash = pool_text.find('/');
  std::optional<base::Ip6Addr> prefix;
  int prefix_len = -1;
  if (slash != std::string::npos) {
    prefix = base::Ip6Addr::parse(pool_text.substr(0, slash));
    try {
      prefix_len = std::stoi(pool_text.substr(slash + 1));
    } catch (const std::exception&) {
      prefix_len = -1;
    }
  }
  const auto timeout = timeout_option(args, 86400);
  auto creds = load_credentials(args);
  if (!listen || !prefix || prefix_len < 0 || prefix_len > 120 || !timeout || !creds) {
    std::cerr << "mip6-ike: bad --listen, --pool (PREFIX/LEN, LEN <= 120), --timeout or "
                 "credentials\n";
    return kExitUsage;
  }
  std::optional<base::Ip6Addr> redirect_to;
  if (auto it = args.values.find("redirect-to"); it != args.values.end()) {
    redirect_to = base::Ip6Addr::parse(it->second);
    if (!redirect_to) {
      std::cerr << "mip6-ike: bad --redirect-to " << it->second << " (an IPv6 address)\n";
      return kExitUsage;
    }
  }
  std::optional<long long> capacity;
  std::optional<long long> cookie_threshold;
  if (!int_option(args, "capacity", 0, LLONG_MAX, capacity) ||
      !int_option(args, "cookie-threshold", 0, 0xffffffffLL, cookie_threshold)) {
    return kExitUsage;
  }
  const bool dump_keys = args.flag("dump-keys");
  const bool once = args.flag("once");
  const bool quiet = args.flag("quiet");
  const base::Logger log = make_logger(args.flag("verbose"));
  // INFORMATIONAL / RFC 5685 5-6 options (see the header comment).
  ToolAuthDecision auth_decision;
  if (auto it = args.values.find("redirect-at-auth");
      it != args.values.end() && !auth_decision.parse(it->second)) {
    std::cerr << "mip6-ike: bad --redirect-at-auth " << it->second << " (ID=ADDR,...)\n";
    return kExitUsage;
  }
  std::optional<base::Ip6Addr> redirect_established_to;
  if (auto it = args.values.find("redirect-established-to"); it != args.values.end()) {
    redirect_established_to = io::parse_address(it->second);
    if (!redirect_established_to) {
      std::cerr << "mip6-ike: bad --redirect-established-to " << it->second << "\n";
      return kExitUsage;
    }
  }
  std::optional<int> redirect_after;
  std::optional<int> redirect_grace;
  std::optional<int> delete_after;
  std::optional<int> dpd;
  if (!seconds_options(args, {{"after", &redirect_after},
                              {"grace", &redirect_grace},
                              {"delete-after", &delete_after},
                              {"dpd", &dpd}})) {
    return kExitUsage;
  }
  const bool exit_when_closed = args.flag("exit-when-closed");

  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryAddressPool pool(*prefix, static_cast<std::uint8_t>(prefix_len), 256);
  auto keylog = open_keylog(args);  // before the driver: it must outlive it
  if (!keylog) {
    return kExitUsage;
  }
  engine::Environment env{random, kex, *creds, &pool};
  if (!auth_decision.empty()) {
    env.auth_decision = &auth_decision;
  }
  io::IkeDriver driver(io, env, log);
  driver.set_keylog(keylog->get());
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto ok = driver.listen({*listen, port}); !ok) {
      std::cerr << "mip6-ike: " << ok.error() << "\n";
      return kExitFailed;
    }
  }
  ToolDecision decision(capacity ? std::optional<std::uint64_t>(*capacity) : std::nullopt,
                        redirect_to);
  engine::IkeSaConfig sa_config = base_config(args.values.at("id"));
  const auto lifecycle = parse_lifecycle(args);
  if (!lifecycle || !apply_proposals(args, sa_config)) {
    return kExitUsage;
  }
  apply_lifecycle(*lifecycle, sa_config);
  std::vector<std::unique_ptr<boost::asio::steady_timer>> lifecycle_timers;
  if (dpd) {
    sa_config.dpd_interval = std::chrono::seconds(*dpd);
  }
  if (redirect_grace) {
    sa_config.auth_redirect_grace = std::chrono::seconds(*redirect_grace);
  }
  // Without a decision the driver's front serves everyone; its summary is not printed then.
  const bool decides = capacity || redirect_to || cookie_threshold;
  if (decides) {
    engine::IkeResponderConfig rc;
    rc.sa = sa_config;
    if (cookie_threshold) {
      rc.cookie_threshold = static_cast<std::uint32_t>(*cookie_threshold);
    }
    driver.accept_responders(std::move(rc), decision);
  } else {
    driver.accept_responders(sa_config);
  }

  int exit_code = kExitFailed;
  std::list<boost::asio::steady_timer> sa_timers;
  RunLimits limits(io, *timeout);
  auto finish = [&] {
    driver.stop();
    limits.cancel();
    for (auto& t : sa_timers) {
      t.cancel();
    }
  };
  // Commands on established SAs, timed from their establishment (--after, --delete-after).
  auto on_sa_event = [&](const engine::IkeSa* sa, wire::Spi spi_r, const engine::Output& out) {
    if (auto j = event_json(out)) {
      (*j)["spi_r"] = wire::to_string(spi_r);
      if (sa != nullptr) {
        (*j)["spi_i"] = wire::to_string(sa->spi_i());
      }
      std::cout << j->dump() << std::endl;
    }
    if (std::holds_alternative<engine::SaDeleted>(out) && exit_when_closed) {
      exit_code = kExitEstablished;
      boost::asio::post(io, finish);
    }
    if (sa == nullptr || !std::holds_alternative<engine::SaEstablished>(out)) {
      return;
    }
    const io::IkeDriver::SaKey key = io::IkeDriver::key_of(*sa);
    auto schedule = [&](int seconds,
                        std::function<base::Result<void>(engine::IkeSa&, base::TimePoint)> command,
                        std::string what) {
      auto& t = sa_timers.emplace_back(io, std::chrono::seconds(seconds));
      t.async_wait([&driver, key, command = std::move(command),
                    what = std::move(what)](const boost::system::error_code& ec) {
        if (ec) {
          return;
        }
        if (auto done = driver.with_sa(key, command); !done) {
          std::cerr << "mip6-ike: " << what << ": " << done.error() << "\n";
        }
      });
    };
    if (redirect_established_to) {
      const auto target = wire::GwIdentity::ipv6(*redirect_established_to);
      const auto grace = std::chrono::seconds(redirect_grace.value_or(30));
      schedule(
          redirect_after.value_or(0),
          [target, grace](engine::IkeSa& s, base::TimePoint now) {
            return s.redirect(target, grace, now);
          },
          "redirect");
    }
    if (delete_after) {
      schedule(
          *delete_after,
          [](engine::IkeSa& s, base::TimePoint now) { return s.request_delete(now); }, "delete");
    }
  };
  // Child SA and establishment arrive together for one SA; one line per SA when it settles.
  std::map<std::uint64_t, SaReport> reports;
  driver.set_event_sink([&](const engine::IkeSa& sa, const engine::Output& out) {
    on_sa_event(&sa, sa.spi_r(), out);
    if (lifecycle->any()) {
      if (auto line = lifecycle_event(sa, out, dump_keys)) {
        std::cout << line->dump() << std::endl;
      }
      if (lifecycle->create_child_after && std::holds_alternative<engine::SaEstablished>(out)) {
        schedule_create_child(io, driver, sa, sa_config.child, *lifecycle->create_child_after,
                              lifecycle_timers);
      }
    }
    auto& r = reports[sa.spi_i().value()];
    r.add(sa, out, dump_keys);
    const bool settled = std::holds_alternative<engine::SaEstablished>(out) ||
                         std::holds_alternative<engine::SaFailed>(out);
    if (!settled) {
      return;
    }
    // The Child SA output follows SaEstablished in the same drain; print after the drain.
    boost::asio::post(io, [&, spi = sa.spi_i().value()] {
      auto it = reports.find(spi);
      if (it == reports.end()) {
        return;
      }
      it->second.j["result"] = it->second.established ? "established" : "failed";
      std::cout << it->second.j.dump() << std::endl;
      const bool ok = it->second.established;
      reports.erase(it);
      if (once) {
        exit_code = ok ? kExitEstablished : kExitFailed;
        finish();
      }
    });
  });
  driver.set_responder_sink([&](const engine::ResponderOutput& out, const engine::IkeSa* sa) {
    if (const auto* d = std::get_if<engine::InitDecided>(&out)) {
      if (quiet || !decides) {
        return;
      }
      json j;
      j["decision"] = std::string(decision_word(d->outcome));
      j["outcome"] = std::string(engine::to_string(d->outcome));
      j["reason"] = d->outcome == engine::InitOutcome::RedirectForbidden
                        ? std::string("peer did not announce redirect support")
                        : decision.last_reason();
      j["peer"] = io::address_to_string(d->path.remote.address);
      j["spi_i"] = wire::to_string(d->spi_i);
      j["redirect_supported"] = d->redirect_supported;
      if (d->target) {
        j["target"] = gw_text(*d->target);
      }
      if (d->notify) {
        j["notify"] = std::string(wire::to_string(*d->notify));
      }
      std::cout << j.dump() << std::endl;
      return;
    }
    // A failed SA is gone before its outputs are reported: print its line here.
    const auto* e = std::get_if<engine::ResponderSaEvent>(&out);
    if (sa != nullptr || e == nullptr) {
      return;
    }
    on_sa_event(nullptr, e->spi_r, e->output);
    if (const auto* f = std::get_if<engine::SaFailed>(&e->output)) {
      json j;
      j["role"] = "responder";
      j["spi_r"] = wire::to_string(e->spi_r);
      j["reason"] = std::string(engine::to_string(f->reason));
      if (!f->detail.empty()) {
        j["detail"] = std::string(f->detail);
      }
      j["result"] = "failed";
      std::cout << j.dump() << std::endl;
      if (once) {
        exit_code = kExitFailed;
        boost::asio::post(io, finish);
      }
    }
  });
  limits.arm(finish, [&] {
    exit_code = kExitEstablished;  // a stopped long-running responder is not a failure
    finish();
  });
  io.run();
  if (const auto* front = driver.responder(); front != nullptr && decides) {
    // What the front still holds at exit (a redirecting gateway must hold nothing).
    json j;
    j["summary"] = true;
    j["sa_count"] = front->sa_count();
    j["half_open"] = front->half_open();
    for (std::size_t i = 0; i < static_cast<std::size_t>(engine::ResponderCounter::kCount); ++i) {
      const auto c = static_cast<engine::ResponderCounter>(i);
      j["counters"][std::string(engine::to_string(c))] = front->counters().get(c);
    }
    std::cout << j.dump() << std::endl;
  }
  return exit_code;
}

}  // namespace mip6_ike
