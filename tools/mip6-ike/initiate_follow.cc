#include "tools/mip6-ike/initiate_follow.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <functional>
#include <iostream>
#include <list>
#include <string>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/io/udp_transport.h"
#include "mn/daemon/mn_daemon.h"
#include "tools/mip6-ike/ike_json.h"
#include "tools/mip6-ike/tool_setup.h"

namespace mip6_ike {
namespace {

using namespace ike;

// The session's JSON line for an output other than establishment, failure and deletion
// (which also decide the run's end); nullopt for outputs without a line.
std::optional<json> session_event_json(const engine::SessionOutput& out) {
  json j;
  if (const auto* r = std::get_if<engine::Redirected>(&out)) {
    j["event"] = "redirected";
    j["point"] = std::string(engine::to_string(r->point));
    j["from"] = gw_text(r->from);
    j["to"] = gw_text(r->to);
    j["count"] = r->count;
  } else if (const auto* g = std::get_if<engine::IkeGatewayChanged>(&out)) {
    j["event"] = "gateway_changed";
    j["from"] = io::address_to_string(g->from.remote.address);
    j["to"] = io::address_to_string(g->to.remote.address);
    // R5685-33: an IKE-level move only.
    j["note"] = "IKE gateway only; Mobile IPv6 state unchanged (RFC 5685 8)";
  } else if (const auto* m = std::get_if<engine::GatewayMoveFailed>(&out)) {
    j["event"] = "move_failed";
    j["to"] = gw_text(m->to);
    j["error"] = std::string(engine::to_string(m->error));
    if (m->sa_reason) {
      j["reason"] = std::string(engine::to_string(*m->sa_reason));
    }
  } else if (const auto* ret = std::get_if<engine::ReturnedToOriginal>(&out)) {
    j["event"] = "returned_to_original";
    j["gateway"] = io::address_to_string(ret->original);
  } else if (const auto* c = std::get_if<engine::ChildSaDeleted>(&out)) {
    return event_json(engine::Output{*c});
  } else if (const auto* gr = std::get_if<engine::GatewayRedirectReceived>(&out)) {
    return event_json(engine::Output{*gr});
  } else if (const auto* n = std::get_if<engine::InformationalNote>(&out)) {
    return event_json(engine::Output{*n});
  } else {
    return std::nullopt;
  }
  return j;
}

// --stay, --delete-after, --dpd, --move-jitter and --until-moved (initiate_follow.h).
struct FollowOptions {
  std::optional<int> stay;
  std::optional<int> delete_after;
  std::optional<int> dpd;
  std::optional<int> move_jitter;
  bool until_moved = false;
};

std::optional<FollowOptions> parse_follow_options(const Args& args) {
  FollowOptions o;
  if (!seconds_options(args, {{"stay", &o.stay},
                              {"delete-after", &o.delete_after},
                              {"dpd", &o.dpd},
                              {"move-jitter", &o.move_jitter}})) {
    return std::nullopt;
  }
  o.until_moved = args.flag("until-moved");
  return o;
}

}  // namespace

int run_initiate_follow(const Args& args, const InitiateTarget& target,
                        engine::PeerCredentials& creds, const base::Logger& log) {
  const auto options = parse_follow_options(args);
  if (!options) {
    return kExitUsage;
  }
  const auto& [stay, delete_after, dpd, move_jitter, until_moved] = *options;
  const bool dump_keys = args.flag("dump-keys");

  auto keylog = open_keylog(args);  // before the daemon: it must outlive it
  if (!keylog) {
    return kExitUsage;
  }
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  mn::MnDaemon daemon(io, engine::Environment{random, kex, creds, nullptr}, log);
  daemon.set_keylog(keylog->get());
  mn::HostResolver resolver;  // --resolve: tests need no DNS
  if (auto it = args.values.find("resolve"); it != args.values.end()) {
    const auto hosts = name_address_list(it->second);
    const bool valid = hosts && std::none_of(hosts->begin(), hosts->end(), [](const auto& h) {
                         return h.first.find('=') != std::string::npos;  // a host name has none
                       });
    if (!valid) {
      std::cerr << "mip6-ike: bad --resolve " << it->second << " (NAME=ADDR,...)\n";
      return kExitUsage;
    }
    for (const auto& [name, address] : *hosts) {
      resolver.add(name, address);
    }
  }
  daemon.set_resolver(std::move(resolver));
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto bound = daemon.listen({target.local, port}); !bound) {
      std::cerr << "mip6-ike: " << bound.error() << "\n";
      return kExitFailed;
    }
  }
  mn::MnCoreConfig config;
  config.ike.sa = initiator_config(args);
  if (!apply_proposals(args, config.ike.sa)) {
    return kExitUsage;
  }
  if (dpd) {
    config.ike.sa.dpd_interval = std::chrono::seconds(*dpd);
  }
  if (move_jitter) {
    config.ike.move_jitter = std::chrono::seconds(*move_jitter);
  }
  // A test tool: every gateway is in the PAD (R5685-08 is the session's check; the new
  // gateway must still prove --remote-id, R5685-10).
  config.ike.gateway_permitted = [](const wire::GwIdentity&) { return true; };
  config.home_agent = target.remote;
  config.local = {target.local, io::kIkePort};

  std::string result = "failed";
  bool moved = false;
  std::list<boost::asio::steady_timer> timers;
  RunLimits limits(io, target.timeout_s);
  auto finish = [&](std::string why) {
    result = std::move(why);
    daemon.stop();
    limits.cancel();
    for (auto& t : timers) {
      t.cancel();
    }
  };
  auto finish_later = [&](std::string why) {
    boost::asio::post(io, [&finish, why = std::move(why)] { finish(why); });
  };
  auto after = [&](int seconds, std::function<void()> fn) {
    auto& t = timers.emplace_back(io, std::chrono::seconds(seconds));
    t.async_wait([fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) {
        fn();
      }
    });
  };
  auto print = [](const json& j) { std::cout << j.dump() << std::endl; };
  auto gateway_of = [&]() {
    const auto* s = daemon.core() != nullptr ? daemon.core()->session() : nullptr;
    return s != nullptr ? io::address_to_string(s->current_path().remote.address) : std::string();
  };
  auto on_established = [&](const engine::SaEstablished& e) {
    json j;
    j["event"] = "established";
    j["gateway"] = gateway_of();
    j["spi_i"] = wire::to_string(e.spi_i);
    j["spi_r"] = wire::to_string(e.spi_r);
    j["peer_id"] = e.peer_id.to_text();
    if (e.assigned_address) {
      j["assigned_address"] = e.assigned_address->address.to_string();
    }
    print(j);
    if (moved) {
      return;  // the move's own exit rule applies
    }
    if (delete_after) {
      after(*delete_after, [&] {
        daemon.with_core([&](mn::MnCore& core, base::TimePoint now) {
          if (auto deleted = core.delete_ike_sa(now); !deleted) {
            std::cerr << "mip6-ike: delete: " << deleted.error().detail << "\n";
          }
        });
      });
    } else if (stay) {
      after(*stay, [&] { finish_later("established"); });
    } else if (!until_moved) {
      finish_later("established");
    }
  };
  auto on_session_output = [&](const engine::SessionOutput& out) {
    if (const auto* e = std::get_if<engine::SaEstablished>(&out)) {
      on_established(*e);
      return;
    }
    json j;
    if (const auto* rs = std::get_if<engine::RetiredSaEvent>(&out)) {
      const auto inner = event_json(rs->output);
      if (!inner) {
        return;
      }
      j = *inner;
      j["old_sa"] = wire::to_string(rs->spi_i);
      if (std::holds_alternative<engine::SaDeleted>(rs->output)) {
        j["event"] = "old_sa_deleted";
        if (moved && until_moved) {
          print(j);
          finish_later("moved");
          return;
        }
      }
    } else if (const auto* f = std::get_if<engine::SessionFailed>(&out)) {
      j["event"] = "failed";
      j["error"] = std::string(engine::to_string(f->error));
      if (f->sa_reason) {
        j["reason"] = std::string(engine::to_string(*f->sa_reason));
      }
      print(j);
      finish_later("failed");
      return;
    } else if (const auto* d = std::get_if<engine::SaDeleted>(&out)) {
      print(*event_json(*d));
      const bool ours = delete_after && !d->by_peer && d->answered;
      finish_later(ours ? "deleted" : "failed");
      return;
    } else if (auto line = session_event_json(out)) {
      moved = moved || std::holds_alternative<engine::IkeGatewayChanged>(out);
      j = std::move(*line);
    } else {
      return;
    }
    print(j);
  };
  daemon.set_sink([&](const mn::MnCoreOutput& out) {
    if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
      json j = child_json(*c, dump_keys);
      j["event"] = "child_sa";
      print(j);
    } else if (const auto* e = std::get_if<mn::IkeEvent>(&out)) {
      on_session_output(e->event);
    }
  });
  if (auto started = daemon.start(std::move(config)); !started) {
    std::cerr << "mip6-ike: " << started.error() << "\n";
    return kExitFailed;
  }
  limits.arm([&] { finish("timeout"); }, [&] { finish("interrupted"); });
  io.run();
  json j;
  j["result"] = result;
  j["gateway"] = gateway_of();
  std::cout << j.dump() << std::endl;
  return result == "established" || result == "moved" || result == "deleted" ? kExitEstablished
                                                                             : kExitFailed;
}

}  // namespace mip6_ike
