// COOKIE under load (RFC 7296 2.6, R7296-21): how many spoofed IKE_SA_INIT requests per second
// one core turns into stateless N(COOKIE) answers (decode, HMAC-SHA-256, encode), and the cost
// of checking a returned cookie. strongSwan 5.9.8 answered 18,615 N(COOKIE)/s on the lab VM
// (/work/shared/interop/README.md, load generator on the same 2 cores).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/cookie.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"

namespace {

using namespace ike;

class NeverAsked final : public engine::InitDecision {
 public:
  engine::InitAnswer decide(const engine::InitRequest&, base::TimePoint) override {
    ++asked;
    return engine::Refuse{};
  }
  std::uint64_t asked = 0;
};

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

void BM_FrontCookieAnswer(benchmark::State& state) {
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  NeverAsked decision;
  engine::IkeResponderConfig rc;
  rc.cookie_threshold = 0;  // under attack: every request without a cookie gets one
  engine::IkeResponder front(rc, engine::Environment{random, kex, creds, nullptr}, decision);

  // One real request as a template; each copy gets its own SPIi and source address.
  engine::IkeSaConfig icfg;
  icfg.remote_id = wire::IdPayload::make_fqdn("ha.example.org");
  creds.add(icfg.remote_id, base::SecretBytes(std::vector<std::uint8_t>(16, 1)));
  engine::IkeSa initiator(icfg, engine::Environment{random, kex, creds, nullptr});
  const engine::Path to_responder{{addr("2001:db8:1::100"), 500}, {addr("2001:db8:1::1"), 500}};
  if (!initiator.initiate(to_responder, base::Clock::now())) {
    state.SkipWithError("initiate failed");
    return;
  }
  std::vector<std::uint8_t> tmpl;
  for (auto& o : initiator.take_outputs()) {
    if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
      tmpl = s->bytes;
    }
  }
  constexpr std::size_t kRequests = 4096;
  std::vector<std::vector<std::uint8_t>> requests(kRequests, tmpl);
  std::vector<engine::Path> paths;
  for (std::size_t i = 0; i < kRequests; ++i) {
    requests[i][6] = static_cast<std::uint8_t>(i >> 8);
    requests[i][7] = static_cast<std::uint8_t>(i);
    auto src = addr("2001:db8:dead::");
    src.bytes()[14] = static_cast<std::uint8_t>(i >> 8);
    src.bytes()[15] = static_cast<std::uint8_t>(i);
    paths.push_back(engine::Path{{addr("2001:db8:1::1"), 500}, {src, 500}});
  }
  const base::TimePoint now = base::Clock::now();
  std::size_t i = 0;
  std::uint64_t answered = 0;
  for (auto _ : state) {
    front.on_datagram(paths[i], requests[i], now);
    for (const auto& o : front.take_outputs()) {
      answered += std::holds_alternative<engine::SendDatagram>(o) ? 1 : 0;
    }
    i = (i + 1) % kRequests;
  }
  if (answered != static_cast<std::uint64_t>(state.iterations()) || decision.asked != 0 ||
      front.sa_count() != 0) {
    state.SkipWithError("not every request got exactly one cookie and no state");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["strongswan_baseline"] = 18615;
}
BENCHMARK(BM_FrontCookieAnswer);

void BM_CookieJarVerify(benchmark::State& state) {
  crypto::OpenSslRandom random;
  engine::CookieJar jar(random, std::chrono::minutes(2));
  const std::vector<std::uint8_t> ni(32, 7);
  const base::TimePoint now = base::Clock::now();
  const auto cookie = jar.make(ni, addr("2001:db8:1::100"), wire::Spi(1), now);
  for (auto _ : state) {
    benchmark::DoNotOptimize(jar.verify(cookie, ni, addr("2001:db8:1::100"), wire::Spi(1), now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CookieJarVerify);

}  // namespace
