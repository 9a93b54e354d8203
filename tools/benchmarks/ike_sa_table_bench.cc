// The IKE SA table under load: what a datagram or a timer event costs as the number
// of SAs held grows. Every figure is taken with 256, 8,000 and 100,000 half-open responder
// SAs (IKE_SA_INIT answered, waiting for IKE_AUTH); a flat row is the goal.
//
//  BM_DriverCookieAnswer/N: spoofed IKE_SA_INIT requests answered with a stateless N(COOKIE)
//    (R7296-21, the cookie threshold is N) through io::IkeDriver::on_datagram, the path a
//    datagram takes in the daemon: header, front, answer sent on a loopback UDP socket, and
//    the driver's timer rearm after the datagram.
//  BM_DriverRedirectAnswer/N: the same for RFC 5685 REDIRECT answers (the decision redirects
//    every new initiator).
//  BM_FrontNextDeadline/N: engine::IkeResponder::next_deadline(), the question the driver
//    asks after every datagram and timer event.
//  BM_FrontTimerExpiry/N: one timer event that expires exactly one SA (its half-open timeout
//    runs out: the SA fails and is removed), through IkeResponder::on_timer.
//
//
// The same with 256, 8,000 and 100,000 ESTABLISHED responder SAs (IKE_SA_INIT and IKE_AUTH
// completed against in-process initiators, one Child SA each, DPD on):
//
//  BM_FrontEstablishedNextDeadline/N: IkeResponder::next_deadline() over them.
//  BM_FrontEstablishedDpd/N: one timer event at which exactly one SA's liveness check comes
//    due (RFC 7296 1.4, IkeSaConfig::dpd_interval of silence): IkeResponder::on_timer runs the
//    SA's DpdTimer, which sends the empty protected INFORMATIONAL request, and refiles the SA
//    under its retransmission deadline. It measures sending the DPD request, not giving up
//    after the unanswered retransmissions.
//
// The N SAs are built once per (fixture, N) and kept across Google Benchmark's calibration
// runs; building 100,000 half-open SAs costs one X25519 key generation and derivation each
// (~10 s), 100,000 established ones a whole IKE_SA_INIT + IKE_AUTH on both sides (the
// `setup_s` counter).
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/log.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/ike_driver.h"

namespace {

namespace engine = ike::engine;
namespace wire = ike::wire;
using namespace std::chrono_literals;

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

// Serves while the table is being filled, then answers `later` (Serve or Redirect).
class PhasedDecision final : public engine::InitDecision {
 public:
  [[nodiscard]] engine::InitAnswer decide(const engine::InitRequest& /*request*/,
                                          base::TimePoint /*now*/) override {
    ++asked;
    if (filling) {
      return engine::Serve{asked};
    }
    if (redirect) {
      return engine::Redirect{wire::GwIdentity::ipv6(addr("2001:db8:1::2"))};
    }
    return engine::Serve{asked};
  }
  bool filling = true;
  bool redirect = false;
  std::uint64_t asked = 0;
};

// One IKE_SA_INIT request of a real initiator (SA, KE, Ni, N(REDIRECT_SUPPORTED), ...).
std::vector<std::uint8_t> init_request_template(engine::Environment env) {
  engine::IkeSaConfig cfg;
  cfg.role = engine::Role::Initiator;
  cfg.remote_id = wire::IdPayload::make_fqdn("ha.example.org");
  cfg.ike.dh_groups = {ike::crypto::DhGroup::Curve25519};
  engine::IkeSa initiator(cfg, env);
  const engine::Path to_responder{{addr("2001:db8:1::100"), 500}, {addr("2001:db8:1::1"), 500}};
  if (!initiator.initiate(to_responder, base::Clock::now())) {
    return {};
  }
  for (auto& o : initiator.take_outputs()) {
    if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
      return std::move(s->bytes);
    }
  }
  return {};
}

// The template with SPIi = (series << 56) | index.
std::vector<std::uint8_t> with_spi_i(const std::vector<std::uint8_t>& tmpl, std::uint8_t series,
                                     std::uint64_t index) {
  std::vector<std::uint8_t> r = tmpl;
  const std::uint64_t spi = (std::uint64_t{series} << 56) | index | 1;
  for (int b = 0; b < 8; ++b) {
    r[b] = static_cast<std::uint8_t>(spi >> (56 - 8 * b));
  }
  return r;
}

struct Fixture {
  virtual ~Fixture() = default;
};

// The one fixture alive at a time (100,000 SAs take a few hundred MB).
template <typename T>
T& cached_fixture(const std::string& key, std::int64_t n) {
  static std::unique_ptr<Fixture> current;
  static std::string current_key;
  const std::string full = key + "/" + std::to_string(n);
  if (current_key != full || current == nullptr) {
    current.reset();
    current = std::make_unique<T>(static_cast<std::size_t>(n));
    current_key = full;
  }
  return static_cast<T&>(*current);
}

constexpr std::size_t kRequests = 4096;  // distinct SPIi / source port, round robin

// A driver on a loopback socket whose responder front holds `n` half-open SAs.
struct DriverTable : Fixture {
  DriverTable(std::size_t n, bool redirect) : log(base::Logger::Sink{}, base::LogLevel::Error) {
    creds.add(wire::IdPayload::make_fqdn("ha.example.org"),
              base::SecretBytes(std::vector<std::uint8_t>(16, 1)));
    const engine::Environment env{random, kex, creds, nullptr};
    driver = std::make_unique<ike::io::IkeDriver>(io, env, log);
    auto bound = driver->listen({addr("::1"), 0});
    if (!bound) {
      return;
    }
    local = *bound;
    engine::IkeResponderConfig rc;
    rc.max_half_open = static_cast<std::uint32_t>(n) + 1;
    rc.sa.half_open_timeout = std::chrono::hours(1);  // nothing expires during the run
    if (redirect) {
      rc.cookie_threshold = std::nullopt;
    } else {
      rc.cookie_threshold = static_cast<std::uint32_t>(n);
    }
    decision.redirect = redirect;
    driver->accept_responders(rc, decision);
    const auto tmpl = init_request_template(env);
    if (tmpl.size() < 28) {
      return;
    }
    engine::IkeResponder& front = *driver->responder_for_test();
    const base::TimePoint now = base::Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      const auto request = with_spi_i(tmpl, 0x11, i << 1);
      front.on_datagram(path_of(i), request, now);
      benchmark::DoNotOptimize(front.take_outputs());
    }
    decision.filling = false;
    for (std::size_t i = 0; i < kRequests; ++i) {
      requests.push_back(with_spi_i(tmpl, 0x22, i << 1));
      paths.push_back(path_of(i));
    }
    ready = front.half_open() == n;
  }

  [[nodiscard]] engine::Path path_of(std::size_t i) const {
    // Closed loopback ports: the answers go out through the kernel and are dropped there.
    return engine::Path{local, {addr("::1"), static_cast<std::uint16_t>(40000 + i % 1024)}};
  }

  boost::asio::io_context io;
  ike::crypto::OpenSslRandom random;
  ike::crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  base::Logger log;
  PhasedDecision decision;
  std::unique_ptr<ike::io::IkeDriver> driver;
  engine::Endpoint local;
  std::vector<std::vector<std::uint8_t>> requests;
  std::vector<engine::Path> paths;
  bool ready = false;
};

struct CookieTable : DriverTable {
  explicit CookieTable(std::size_t n) : DriverTable(n, false) {}
};
struct RedirectTable : DriverTable {
  explicit RedirectTable(std::size_t n) : DriverTable(n, true) {}
};

template <typename T>
void driver_answers(benchmark::State& state, const char* key, engine::ResponderCounter answer) {
  auto& t = cached_fixture<T>(key, state.range(0));
  if (!t.ready) {
    state.SkipWithError("setup failed");
    return;
  }
  const engine::IkeResponder& front = *t.driver->responder();
  const std::uint64_t answered_before = front.counters().get(answer);
  const std::size_t sas = front.sa_count();
  std::size_t i = 0;
  for (auto _ : state) {
    t.driver->on_datagram(t.paths[i], t.requests[i]);
    i = (i + 1) % kRequests;
  }
  if (front.counters().get(answer) - answered_before !=
          static_cast<std::uint64_t>(state.iterations()) ||
      front.sa_count() != sas) {
    state.SkipWithError("not every request got exactly one stateless answer");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["sas"] = static_cast<double>(sas);
}

void BM_DriverCookieAnswer(benchmark::State& state) {
  driver_answers<CookieTable>(state, "cookie", engine::ResponderCounter::CookiesSent);
}
void BM_DriverRedirectAnswer(benchmark::State& state) {
  driver_answers<RedirectTable>(state, "redirect", engine::ResponderCounter::Redirected);
}
BENCHMARK(BM_DriverCookieAnswer)->Arg(256)->Arg(8000)->Arg(100000);
BENCHMARK(BM_DriverRedirectAnswer)->Arg(256)->Arg(8000)->Arg(100000);

// A bare front (fake clock) holding `n` half-open SAs, SA i created at t0 + i µs, so their
// half-open timeouts run out one by one.
struct FrontTable : Fixture {
  static constexpr base::Duration kHalfOpen = std::chrono::seconds(30);

  explicit FrontTable(std::size_t n) {
    creds.add(wire::IdPayload::make_fqdn("ha.example.org"),
              base::SecretBytes(std::vector<std::uint8_t>(16, 1)));
    const engine::Environment env{random, kex, creds, nullptr};
    engine::IkeResponderConfig rc;
    rc.max_half_open = static_cast<std::uint32_t>(n) + 1;
    rc.cookie_threshold = std::nullopt;
    rc.sa.half_open_timeout = kHalfOpen;
    front = std::make_unique<engine::IkeResponder>(rc, env, decision);
    const auto tmpl = init_request_template(env);
    if (tmpl.size() < 28) {
      return;
    }
    const engine::Path path{{addr("2001:db8:1::1"), 500}, {addr("2001:db8:2::1"), 500}};
    for (std::size_t i = 0; i < n; ++i) {
      front->on_datagram(path, with_spi_i(tmpl, 0x33, i << 1), t0 + std::chrono::microseconds(i));
      benchmark::DoNotOptimize(front->take_outputs());
    }
    ready = front->half_open() == n;
  }

  ike::crypto::OpenSslRandom random;
  ike::crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  PhasedDecision decision;
  std::unique_ptr<engine::IkeResponder> front;
  const base::TimePoint t0 = base::TimePoint{} + std::chrono::hours(1);
  std::size_t expired = 0;  // SAs 0 .. expired-1 are gone
  bool ready = false;
};

void BM_FrontNextDeadline(benchmark::State& state) {
  auto& t = cached_fixture<FrontTable>("front", state.range(0));
  if (!t.ready) {
    state.SkipWithError("setup failed");
    return;
  }
  const base::TimePoint expected =
      t.t0 + std::chrono::microseconds(t.expired) + FrontTable::kHalfOpen;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.front->next_deadline());
  }
  if (t.front->next_deadline() != expected) {
    state.SkipWithError("wrong deadline");
    return;
  }
  state.counters["sas"] = static_cast<double>(t.front->sa_count());
}

void BM_FrontTimerExpiry(benchmark::State& state) {
  auto& t = cached_fixture<FrontTable>("front", state.range(0));
  if (!t.ready) {
    state.SkipWithError("setup failed");
    return;
  }
  const std::size_t before = t.front->sa_count();
  std::vector<engine::ResponderOutput> outputs;
  for (auto _ : state) {
    if (t.expired == before) {
      state.SkipWithError("ran out of SAs");
      return;
    }
    t.front->on_timer(t.t0 + std::chrono::microseconds(t.expired) + FrontTable::kHalfOpen);
    t.front->take_outputs(outputs);
    ++t.expired;
  }
  if (before - t.front->sa_count() != static_cast<std::size_t>(state.iterations())) {
    state.SkipWithError("not exactly one SA expired per timer event");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["sas"] = static_cast<double>(before);
}

// next_deadline and one expiry on the same table; the expiries are counted per run so that
// the smallest table keeps SAs for all of them.
BENCHMARK(BM_FrontNextDeadline)->Arg(256);
BENCHMARK(BM_FrontTimerExpiry)->Arg(256)->Iterations(200);
BENCHMARK(BM_FrontNextDeadline)->Arg(8000);
BENCHMARK(BM_FrontTimerExpiry)->Arg(8000)->Iterations(2000);
BENCHMARK(BM_FrontNextDeadline)->Arg(100000);
BENCHMARK(BM_FrontTimerExpiry)->Arg(100000)->Iterations(2000);

// A bare front (fake clock) holding `n` established responder SAs with DPD on; SA i was
// established (both exchanges) at t0 + i µs and has heard nothing since, so its liveness check
// comes due at t0 + i µs + kDpd, one SA after the other. The initiators are dropped once their
// SA is up: an unanswered DPD request is what the benchmark wants.
struct EstablishedTable : Fixture {
  static constexpr base::Duration kDpd = std::chrono::seconds(30);
  static constexpr base::Duration kStep = std::chrono::microseconds(1);

  explicit EstablishedTable(std::size_t n) {
    const auto started = std::chrono::steady_clock::now();
    const auto mn_id = wire::IdPayload::make_fqdn("mn1.example.org");
    const auto ha_id = wire::IdPayload::make_fqdn("ha.example.org");
    const base::SecretBytes psk(std::vector<std::uint8_t>(16, 1));
    creds_r.add(mn_id, psk);
    creds_i.add(ha_id, psk);
    engine::IkeResponderConfig rc;
    rc.cookie_threshold = std::nullopt;
    rc.sa.local_id = ha_id;
    rc.sa.dpd_interval = kDpd;
    front = std::make_unique<engine::IkeResponder>(
        rc, engine::Environment{random, kex, creds_r, nullptr}, decision);

    engine::IkeSaConfig ci;
    ci.role = engine::Role::Initiator;
    ci.local_id = mn_id;
    ci.remote_id = ha_id;
    ci.ike.dh_groups = {ike::crypto::DhGroup::Curve25519};
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    ci.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    ci.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    const engine::Environment env_i{random, kex, creds_i, nullptr};

    spis_r.reserve(n);
    std::vector<engine::ResponderOutput> front_out;
    for (std::size_t i = 0; i < n; ++i) {
      const base::TimePoint now = t0 + kStep * static_cast<std::int64_t>(i);
      const engine::Path to_ha{
          {addr("2001:db8:2::1"), static_cast<std::uint16_t>(1024 + i % 60000)},
          {addr("2001:db8:1::1"), 500}};
      engine::IkeSa initiator(ci, env_i);
      if (!initiator.initiate(to_ha, now)) {
        return;
      }
      std::optional<wire::Spi> spi_r;
      for (int round = 0; round < 8; ++round) {
        bool moved = false;
        for (auto& o : initiator.take_outputs()) {
          if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
            moved = true;
            front->on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes, now);
          }
        }
        front->take_outputs(front_out);
        for (auto& o : front_out) {
          if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
            moved = true;
            initiator.on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes, now);
          } else if (const auto* e = std::get_if<engine::ResponderSaEvent>(&o);
                     e != nullptr && std::holds_alternative<engine::SaEstablished>(e->output)) {
            spi_r = e->spi_r;
          }
        }
        if (!moved) {
          break;
        }
      }
      if (!spi_r || initiator.state() != engine::IkeSaState::Established) {
        return;
      }
      spis_r.push_back(*spi_r);
    }
    setup_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ready = front->sa_count() == n && front->half_open() == 0;
  }

  [[nodiscard]] base::TimePoint dpd_due(std::size_t i) const {
    return t0 + kStep * static_cast<std::int64_t>(i) + kDpd;
  }

  ike::crypto::OpenSslRandom random;
  ike::crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds_r;
  engine::InMemoryCredentials creds_i;
  PhasedDecision decision;
  std::unique_ptr<engine::IkeResponder> front;
  std::vector<wire::Spi> spis_r;  // in order of establishment
  const base::TimePoint t0 = base::TimePoint{} + std::chrono::hours(1);
  std::size_t dpd_sent = 0;  // SAs 0 .. dpd_sent-1 have sent their DPD request
  double setup_seconds = 0;
  bool ready = false;
};

void BM_FrontEstablishedNextDeadline(benchmark::State& state) {
  auto& t = cached_fixture<EstablishedTable>("established", state.range(0));
  if (!t.ready) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.front->next_deadline());
  }
  if (t.front->next_deadline() != t.dpd_due(t.dpd_sent)) {
    state.SkipWithError("wrong deadline");
    return;
  }
  state.counters["sas"] = static_cast<double>(t.front->sa_count());
  state.counters["setup_s"] = t.setup_seconds;
}

void BM_FrontEstablishedDpd(benchmark::State& state) {
  auto& t = cached_fixture<EstablishedTable>("established", state.range(0));
  if (!t.ready) {
    state.SkipWithError("setup failed");
    return;
  }
  const std::size_t sas = t.front->sa_count();
  const std::size_t first = t.dpd_sent;
  std::vector<engine::ResponderOutput> outputs;
  std::size_t sent = 0;
  for (auto _ : state) {
    if (t.dpd_sent == sas) {
      state.SkipWithError("ran out of SAs");
      return;
    }
    t.front->on_timer(t.dpd_due(t.dpd_sent));
    t.front->take_outputs(outputs);
    sent += outputs.size();
    ++t.dpd_sent;
  }
  // Every timer event sent one datagram, the DPD request of the one SA due, and nothing was
  // removed; the next due SA is the next one.
  bool one_each = sent == t.dpd_sent - first && t.front->sa_count() == sas &&
                  (t.dpd_sent == sas || t.front->next_deadline() == t.dpd_due(t.dpd_sent));
  for (std::size_t i = first; i < t.dpd_sent && one_each; ++i) {
    const engine::IkeSa* sa = t.front->find(t.spis_r[i]);
    one_each = sa != nullptr && sa->counters().get(engine::IkeCounter::LivenessChecksSent) == 1;
  }
  if (!one_each) {
    state.SkipWithError("not exactly one DPD request per timer event");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["sas"] = static_cast<double>(sas);
}

// The DPDs are counted per run so that the smallest table keeps SAs for all of them.
BENCHMARK(BM_FrontEstablishedNextDeadline)->Arg(256);
BENCHMARK(BM_FrontEstablishedDpd)->Arg(256)->Iterations(200);
BENCHMARK(BM_FrontEstablishedNextDeadline)->Arg(8000);
BENCHMARK(BM_FrontEstablishedDpd)->Arg(8000)->Iterations(2000);
BENCHMARK(BM_FrontEstablishedNextDeadline)->Arg(100000);
BENCHMARK(BM_FrontEstablishedDpd)->Arg(100000)->Iterations(2000);

}  // namespace
