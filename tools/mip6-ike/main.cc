// mip6-ike: our IKEv2 engine on real UDP sockets, for interop tests and manual use.
//
//   mip6-ike initiate --local ADDR --remote ADDR --psk-file F --id ID --remote-id ID
//                     [--request-address] [--transport-mode] [--timeout S] [--dump-keys]
//                     [--verbose]
//   mip6-ike respond  --listen ADDR --psk-file F --id ID --pool PREFIX/LEN [--once]
//                     [--redirect-to ADDR] [--capacity N]
//                     [--timeout S] [--dump-keys] [--verbose]
//
// initiate prints one JSON object and exits 0 only when the IKE SA is established.
// respond prints one JSON line per established or failed SA; with --once it exits after the
// first one (0 when established). With --redirect-to or --capacity every IKE_SA_INIT request
// is decided before any DH (engine::IkeResponder) and one JSON line per decision is printed:
// --capacity N serves the first N peers; the others (every peer without --capacity) are
// redirected to --redirect-to when they announced RFC 5685 support, else refused with
// NO_PROPOSAL_CHOSEN (R5685-03). Log lines go to stderr. Keys are printed only with
// --dump-keys. IDs: an IPv6 address is ID_IPV6_ADDR, text with '@' ID_RFC822_ADDR, anything
// else ID_FQDN. The PSK is the file's content without trailing white space; the same PSK is
// used for every peer identity.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/ike_driver.h"
#include "ike/io/udp_transport.h"

namespace {

using nlohmann::json;
using namespace ike;

constexpr int kExitEstablished = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

void usage() {
  std::cerr
      << "usage: mip6-ike initiate --local ADDR --remote ADDR --psk-file F --id ID\n"
         "                         --remote-id ID [--request-address] [--transport-mode]\n"
         "                         [--timeout S] [--dump-keys] [--verbose]\n"
         "       mip6-ike respond --listen ADDR --psk-file F --id ID --pool PREFIX/LEN\n"
         "                        [--once] [--redirect-to ADDR] [--capacity N]\n"
         "                        [--timeout S] [--dump-keys] [--verbose]\n";
}

// --name value and --flag arguments; unknown names are an error.
struct Args {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
};

std::optional<Args> parse_args(int argc, char** argv, const std::set<std::string>& value_names,
                               const std::set<std::string>& flag_names) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      std::cerr << "mip6-ike: unexpected argument " << arg << "\n";
      return std::nullopt;
    }
    const std::string name = arg.substr(2);
    if (flag_names.count(name) != 0) {
      a.flags.insert(name);
    } else if (value_names.count(name) != 0 && i + 1 < argc) {
      a.values[name] = argv[++i];
    } else {
      std::cerr << "mip6-ike: unknown option or missing value: " << arg << "\n";
      return std::nullopt;
    }
  }
  return a;
}

bool require(const Args& a, std::initializer_list<const char*> names) {
  bool ok = true;
  for (const char* n : names) {
    if (a.values.count(n) == 0) {
      std::cerr << "mip6-ike: --" << n << " is required\n";
      ok = false;
    }
  }
  return ok;
}

wire::IdPayload parse_id(const std::string& text) {
  if (auto a = base::Ip6Addr::parse(text)) {
    return wire::IdPayload::make_ipv6(*a);
  }
  if (text.find('@') != std::string::npos) {
    return wire::IdPayload::make_rfc822(text);
  }
  return wire::IdPayload::make_fqdn(text);
}

std::string id_to_string(const wire::IdPayload& id) {
  if (auto a = id.ipv6()) {
    return a->to_string();
  }
  if (!id.text().empty()) {
    return std::string(id.text());
  }
  return std::string(wire::to_string(id.type)) + ":" + base::to_hex(id.data);
}

std::optional<base::SecretBytes> read_psk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "mip6-ike: cannot read PSK file " << path << "\n";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' ||
                        s.back() == '\t')) {
    s.pop_back();
  }
  if (s.empty()) {
    std::cerr << "mip6-ike: PSK file " << path << " is empty\n";
    return std::nullopt;
  }
  base::SecretBytes psk(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  std::fill(s.begin(), s.end(), '\0');
  return psk;
}

std::optional<int> parse_seconds(const Args& a, int fallback) {
  auto it = a.values.find("timeout");
  if (it == a.values.end()) {
    return fallback;
  }
  try {
    const int v = std::stoi(it->second);
    if (v > 0 && v <= 86400) {
      return v;
    }
  } catch (const std::exception&) {
  }
  std::cerr << "mip6-ike: bad --timeout " << it->second << "\n";
  return std::nullopt;
}

// One PSK for whichever identity the peer presents (a test tool, not a policy).
class SinglePsk final : public engine::PeerCredentials {
 public:
  explicit SinglePsk(base::SecretBytes psk) : psk_(std::move(psk)) {}
  [[nodiscard]] std::optional<base::SecretBytes> psk_for(
      const wire::IdPayload& /*peer*/) const override {
    return psk_;
  }

 private:
  base::SecretBytes psk_;
};

std::string gw_to_string(const wire::GwIdentity& gw) {
  if (auto a = gw.ipv6_addr()) {
    return a->to_string();
  }
  if (gw.type == wire::GwIdentType::Fqdn) {
    return std::string(gw.fqdn_text());
  }
  std::string out;
  for (const std::uint8_t b : gw.value) {
    out += (out.empty() ? "" : ".") + std::to_string(b);
  }
  return out;
}

// A test tool's admission: serve the first `capacity` peers (all without a capacity when no
// redirect target is given), redirect the rest to `redirect_to` if they can follow, refuse
// the others. `last_reason` says why the last verdict was given (for the decision line).
class ToolDecision final : public engine::InitDecision {
 public:
  ToolDecision(std::optional<std::uint64_t> capacity, std::optional<base::Ip6Addr> redirect_to)
      : capacity_(capacity), redirect_to_(redirect_to) {}

  [[nodiscard]] engine::InitVerdict decide(const engine::InitContext& context,
                                           base::TimePoint /*now*/) override {
    if (!capacity_ || served_ < *capacity_) {
      if (capacity_ || !redirect_to_) {
        last_reason_ = "within capacity";
        return engine::ServeInit{++served_};
      }
    }
    if (!redirect_to_) {
      last_reason_ = "capacity reached, no redirect target";
      return engine::RefuseInit{};
    }
    if (!context.redirect_supported) {
      // Never redirect a peer that did not announce support (R5685-03).
      last_reason_ = "peer did not announce redirect support";
      return engine::RefuseInit{};
    }
    last_reason_ = capacity_ ? "capacity reached" : "redirect-to";
    return engine::RedirectInit{wire::GwIdentity::ipv6(*redirect_to_)};
  }
  [[nodiscard]] const std::string& last_reason() const { return last_reason_; }

 private:
  std::optional<std::uint64_t> capacity_;
  std::optional<base::Ip6Addr> redirect_to_;
  std::uint64_t served_ = 0;
  std::string last_reason_;
};

std::string_view decision_word(engine::InitOutcome o) {
  switch (o) {
    case engine::InitOutcome::Served:
      return "served";
    case engine::InitOutcome::Redirected:
      return "redirected";
    default:
      return "refused";
  }
}

std::string spi32(std::uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", spi);
  return buf;
}

std::string hex_of(const base::SecretBytes& s) {
  return base::to_hex(s.view());
}

json ts_json(const std::vector<wire::TrafficSelector>& list) {
  json out = json::array();
  for (const auto& ts : list) {
    json t;
    if (ts.start_address.size() == 16 && ts.end_address.size() == 16) {
      t["start"] = base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(
                                                ts.start_address.data(), 16))
                       .to_string();
      t["end"] = base::Ip6Addr::from_span(
                     std::span<const std::uint8_t, 16>(ts.end_address.data(), 16))
                     .to_string();
    } else {
      t["start"] = base::to_hex(ts.start_address);
      t["end"] = base::to_hex(ts.end_address);
    }
    t["protocol"] = ts.ip_protocol;
    t["ports"] = std::to_string(ts.start_port) + "-" + std::to_string(ts.end_port);
    out.push_back(t);
  }
  return out;
}

json child_json(const engine::InstallChildSa& c, bool dump_keys) {
  json j;
  j["spi_in"] = spi32(c.spi_in);
  j["spi_out"] = spi32(c.spi_out);
  j["mode"] = std::string(engine::to_string(c.mode));
  j["encr"] = std::string(crypto::to_string(c.encr));
  j["key_bits"] = c.encr_key_bits;
  j["esn"] = c.esn;
  j["ts_local"] = ts_json(c.ts_local);
  j["ts_remote"] = ts_json(c.ts_remote);
  if (dump_keys) {
    j["keys"] = {{"encr_in", hex_of(c.encr_in())}, {"encr_out", hex_of(c.encr_out())}};
  }
  return j;
}

// The common part of the initiator's result and the responder's per-SA lines.
json sa_json(const engine::IkeSa& sa, bool dump_keys) {
  json j;
  j["role"] = std::string(engine::to_string(sa.role()));
  j["state"] = std::string(engine::to_string(sa.state()));
  j["spi_i"] = wire::to_string(sa.spi_i());
  j["spi_r"] = wire::to_string(sa.spi_r());
  if (auto s = sa.suite()) {
    j["suite"] = {{"encr", std::string(crypto::to_string(s->transforms.encr))},
                  {"key_bits", s->transforms.encr_key_bits},
                  {"prf", std::string(crypto::to_string(s->transforms.prf))},
                  {"integ", std::string(crypto::to_string(s->transforms.integ))},
                  {"dh", std::string(crypto::to_string(s->dh))}};
  }
  j["nat_detected"] = sa.nat_detected();
  if (sa.role() == engine::Role::Responder) {
    j["redirect_supported"] = sa.peer_redirect_supported();
    if (const auto& from = sa.peer_redirected_from()) {
      j["redirected_from"] = gw_to_string(*from);
    }
  }
  if (dump_keys && sa.keys() != nullptr) {
    const auto& k = *sa.keys();
    j["keys"] = {{"sk_d", hex_of(k.sk_d)},   {"sk_ai", hex_of(k.sk_ai)}, {"sk_ar", hex_of(k.sk_ar)},
                 {"sk_ei", hex_of(k.sk_ei)}, {"sk_er", hex_of(k.sk_er)}, {"sk_pi", hex_of(k.sk_pi)},
                 {"sk_pr", hex_of(k.sk_pr)}};
  }
  return j;
}

// Collects what one SA reported, in the order the driver saw it.
struct SaReport {
  json j;
  bool established = false;
  bool failed = false;

  void add(const engine::IkeSa& sa, const engine::Output& out, bool dump_keys) {
    if (const auto* e = std::get_if<engine::SaEstablished>(&out)) {
      established = true;
      j["peer_id"] = id_to_string(e->peer_id);
      if (e->assigned_address) {
        j["assigned_address"] = e->assigned_address->address.to_string();
        j["assigned_prefix_len"] = e->assigned_address->prefix_len;
      }
      if (e->home_prefix) {
        j["home_prefix"] = e->home_prefix->prefix.to_string() + "/" +
                           std::to_string(e->home_prefix->prefix_len);
      }
    } else if (const auto* c = std::get_if<engine::InstallChildSa>(&out)) {
      j["child_sa"] = child_json(*c, dump_keys);
    } else if (const auto* f = std::get_if<engine::SaFailed>(&out)) {
      failed = true;
      j["reason"] = std::string(engine::to_string(f->reason));
      if (f->notify) {
        j["notify"] = static_cast<unsigned>(*f->notify);
      }
    } else {
      return;
    }
    j.update(sa_json(sa, dump_keys));
  }
};

base::Logger make_logger(bool verbose) {
  return base::Logger(
      [](base::LogLevel level, std::string_view component, std::string_view msg) {
        std::cerr << to_string(level) << " " << component << ": " << msg << "\n";
      },
      verbose ? base::LogLevel::Debug : base::LogLevel::Info);
}

engine::IkeSaConfig base_config(const std::string& id) {
  engine::IkeSaConfig cfg;
  cfg.local_id = parse_id(id);
  return cfg;
}

std::vector<wire::TrafficSelector> any_ipv6() {
  return {wire::TrafficSelector::ipv6_range(*base::Ip6Addr::parse("::"),
                                            *base::Ip6Addr::parse(
                                                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))};
}

int run_initiate(int argc, char** argv) {
  const auto args = parse_args(argc, argv,
                               {"local", "remote", "psk-file", "id", "remote-id", "timeout"},
                               {"request-address", "transport-mode", "dump-keys", "verbose"});
  if (!args || !require(*args, {"local", "remote", "psk-file", "id", "remote-id"})) {
    usage();
    return kExitUsage;
  }
  const auto local = io::parse_address(args->values.at("local"));
  const auto remote = io::parse_address(args->values.at("remote"));
  const auto timeout = parse_seconds(*args, 20);
  auto psk = read_psk(args->values.at("psk-file"));
  if (!local || !remote || !timeout || !psk) {
    std::cerr << "mip6-ike: bad --local, --remote, --timeout or PSK file\n";
    return kExitUsage;
  }
  const bool dump_keys = args->flags.count("dump-keys") != 0;
  const base::Logger log = make_logger(args->flags.count("verbose") != 0);

  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  SinglePsk creds(std::move(*psk));
  io::IkeDriver driver(io, engine::Environment{random, kex, creds, nullptr}, log);

  engine::IkeSaConfig cfg = base_config(args->values.at("id"));
  cfg.remote_id = parse_id(args->values.at("remote-id"));
  cfg.request_address = args->flags.count("request-address") != 0;
  cfg.child.transport_mode = args->flags.count("transport-mode") != 0;
  cfg.child.ts_i = any_ipv6();
  cfg.child.ts_r = any_ipv6();

  const engine::Path path{{*local, io::kIkePort}, {*remote, io::kIkePort}};
  if (auto ok = driver.listen(path.local); !ok) {
    std::cerr << "mip6-ike: " << ok.error() << "\n";
    return kExitFailed;
  }
  SaReport report;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(*timeout));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto finish = [&] {
    driver.stop();
    deadline.cancel();
    signals.cancel();
  };
  driver.set_event_sink([&](const engine::IkeSa& s, const engine::Output& out) {
    report.add(s, out, dump_keys);
    if (report.established || report.failed) {
      // The Child SA output follows SaEstablished in the same drain: stop after it.
      boost::asio::post(io, finish);
    }
  });
  auto sa = driver.initiate(cfg, path);
  if (!sa) {
    std::cerr << "mip6-ike: " << sa.error() << "\n";
    return kExitFailed;
  }
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec && !report.established && !report.failed) {
      report.j["reason"] = "timeout";
      report.failed = true;
      finish();
    }
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      report.j["reason"] = "interrupted";
      report.failed = true;
      finish();
    }
  });
  io.run();
  if (!report.established && !report.j.contains("state")) {
    report.j.update(sa_json(**sa, dump_keys));  // timeout: the SA is still held
  }
  report.j["result"] = report.established ? "established" : "failed";
  std::cout << report.j.dump(2) << std::endl;
  return report.established ? kExitEstablished : kExitFailed;
}

int run_respond(int argc, char** argv) {
  const auto args =
      parse_args(argc, argv, {"listen", "psk-file", "id", "pool", "timeout", "redirect-to",
                              "capacity"},
                 {"once", "dump-keys", "verbose"});
  if (!args || !require(*args, {"listen", "psk-file", "id", "pool"})) {
    usage();
    return kExitUsage;
  }
  const auto listen = io::parse_address(args->values.at("listen"));
  const std::string pool_text = args->values.at("pool");
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
  const auto timeout = parse_seconds(*args, 86400);
  auto psk = read_psk(args->values.at("psk-file"));
  if (!listen || !prefix || prefix_len < 0 || prefix_len > 120 || !timeout || !psk) {
    std::cerr << "mip6-ike: bad --listen, --pool (PREFIX/LEN, LEN <= 120), --timeout or PSK\n";
    return kExitUsage;
  }
  std::optional<base::Ip6Addr> redirect_to;
  if (auto it = args->values.find("redirect-to"); it != args->values.end()) {
    redirect_to = base::Ip6Addr::parse(it->second);
    if (!redirect_to) {
      std::cerr << "mip6-ike: bad --redirect-to " << it->second << " (an IPv6 address)\n";
      return kExitUsage;
    }
  }
  std::optional<std::uint64_t> capacity;
  if (auto it = args->values.find("capacity"); it != args->values.end()) {
    try {
      const long long v = std::stoll(it->second);
      if (v >= 0) {
        capacity = static_cast<std::uint64_t>(v);
      }
    } catch (const std::exception&) {
    }
    if (!capacity) {
      std::cerr << "mip6-ike: bad --capacity " << it->second << "\n";
      return kExitUsage;
    }
  }
  const bool dump_keys = args->flags.count("dump-keys") != 0;
  const bool once = args->flags.count("once") != 0;
  const base::Logger log = make_logger(args->flags.count("verbose") != 0);

  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  SinglePsk creds(std::move(*psk));
  engine::InMemoryAddressPool pool(*prefix, static_cast<std::uint8_t>(prefix_len), 256);
  io::IkeDriver driver(io, engine::Environment{random, kex, creds, &pool}, log);
  for (const std::uint16_t port : {io::kIkePort, io::kNatTPort}) {
    if (auto ok = driver.listen({*listen, port}); !ok) {
      std::cerr << "mip6-ike: " << ok.error() << "\n";
      return kExitFailed;
    }
  }
  ToolDecision decision(capacity, redirect_to);
  if (capacity || redirect_to) {
    engine::IkeResponderConfig rc;
    rc.sa = base_config(args->values.at("id"));
    driver.accept_responders(std::move(rc), decision);
  } else {
    driver.accept_responders(base_config(args->values.at("id")));
  }

  int exit_code = kExitFailed;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(*timeout));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto finish = [&] {
    driver.stop();
    deadline.cancel();
    signals.cancel();
  };
  // Child SA and establishment arrive together for one SA; one line per SA when it settles.
  std::map<std::uint64_t, SaReport> reports;
  driver.set_event_sink([&](const engine::IkeSa& sa, const engine::Output& out) {
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
        j["target"] = gw_to_string(*d->target);
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
    if (const auto* f = std::get_if<engine::SaFailed>(&e->output)) {
      json j;
      j["role"] = "responder";
      j["spi_r"] = wire::to_string(e->spi_r);
      j["reason"] = std::string(engine::to_string(f->reason));
      j["result"] = "failed";
      std::cout << j.dump() << std::endl;
      if (once) {
        exit_code = kExitFailed;
        boost::asio::post(io, finish);
      }
    }
  });
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) {
      finish();
    }
  });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) {
      exit_code = kExitEstablished;  // a stopped long-running responder is not a failure
      finish();
    }
  });
  io.run();
  if (const auto* front = driver.responder()) {
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

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      usage();
      return kExitUsage;
    }
    const std::string cmd = argv[1];
    if (cmd == "initiate") {
      return run_initiate(argc, argv);
    }
    if (cmd == "respond") {
      return run_respond(argc, argv);
    }
    usage();
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mip6-ike: " << e.what() << "\n";
    return kExitFailed;
  }
}
