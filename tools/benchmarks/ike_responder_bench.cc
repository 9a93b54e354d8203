// The IKEv2 responder's two throughput figures, each on one core and in process:
//
//  BM_ResponderIkeSaSetup: complete responder IKE SA setups per second (IKE_SA_INIT +
//    IKE_AUTH, X25519 + PSK + AES-GCM-256, first Child SA) through engine::IkeResponder.
//    The initiator runs in the same loop but with the timer paused, so only responder CPU
//    is counted. `bound` is measured in the same run: (X25519 ops/s on one core) / 2, one
//    op being a key generation or a derivation (a responder does one of each per setup).
//    Issue 3 target: rate >= 70 % of the bound (`pct_of_bound`, `target_pct`).
//
//  BM_ResponderRedirectDecision: RFC 5685 redirect decisions per second: parse the
//    IKE_SA_INIT request, decide with the HA's real AdmissionPolicy (through the
//    ha::ike_admission adapter; the HA is full, two pool HAs have room), encode
//    HDR(SPIi, 0) N(REDIRECT, gateway, Ni): IkeResponder::on_datagram + take_outputs.
//    Issue 4 target: >= 500,000/s (`target`).
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "ha/ike/admission_init_decision.h"
#include "ha/policy/admission_policy.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"
#include "mip6/binding/binding_cache.h"
#include "mip6/binding/home_agents_list.h"

namespace {

namespace engine = ike::engine;
namespace wire = ike::wire;
using namespace std::chrono_literals;

constexpr double kSetupTargetPctOfBound = 70.0;
constexpr double kRedirectTargetPerSecond = 500000.0;

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// X25519 ops per second of this thread's CPU, keygen and derive counted separately, over at
// least `min_seconds` of CPU for each kind. Same functions the engine calls.
double x25519_ops_per_second(double min_seconds) {
  using ike::crypto::DhGroup;
  auto peer = ike::crypto::generate_key_exchange(DhGroup::Curve25519);
  if (!peer) {
    return 0;
  }
  const std::vector<std::uint8_t> peer_public((*peer)->public_value().begin(),
                                              (*peer)->public_value().end());
  std::vector<std::unique_ptr<ike::crypto::KeyExchange>> keys;
  keys.reserve(256);
  std::uint64_t ops = 0;
  double keygen_cpu = 0;
  double derive_cpu = 0;
  while (keygen_cpu < min_seconds || derive_cpu < min_seconds) {
    keys.clear();
    double t0 = thread_cpu_seconds();
    for (int i = 0; i < 256; ++i) {
      auto k = ike::crypto::generate_key_exchange(DhGroup::Curve25519);
      if (!k) {
        return 0;
      }
      keys.push_back(std::move(*k));
    }
    double t1 = thread_cpu_seconds();
    for (auto& k : keys) {
      auto s = k->compute_shared_secret(peer_public);
      if (!s) {
        return 0;
      }
      benchmark::DoNotOptimize(s->view().data());
    }
    const double t2 = thread_cpu_seconds();
    keygen_cpu += t1 - t0;
    derive_cpu += t2 - t1;
    ops += 2 * keys.size();
  }
  return static_cast<double>(ops) / (keygen_cpu + derive_cpu);
}

class ServeAll final : public engine::InitDecision {
 public:
  [[nodiscard]] engine::InitVerdict decide(const engine::InitContext& /*context*/,
                                           base::TimePoint /*now*/) override {
    return engine::ServeInit{++served_};
  }

 private:
  std::uint64_t served_ = 0;
};

const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.mip6.example");
const wire::IdPayload kMnId = wire::IdPayload::make_rfc822("mn1@mip6.example");
constexpr std::string_view kPsk = "mip6-bench-psk";

engine::IkeSaConfig initiator_config() {
  engine::IkeSaConfig cfg;
  cfg.role = engine::Role::Initiator;
  cfg.local_id = kMnId;
  cfg.remote_id = kHaId;
  // X25519 + AES-GCM-256 + HMAC-SHA2-256 offered first: what the responder picks.
  cfg.ike.gcm16_key_bits = {256};
  cfg.ike.prfs = {ike::crypto::PrfAlgorithm::HmacSha2_256};
  cfg.ike.dh_groups = {ike::crypto::DhGroup::Curve25519};
  cfg.request_address = true;
  const auto any = addr("::");
  const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
  cfg.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
  return cfg;
}

// Moves every datagram the responder produced into `out` (at most one per request here).
std::vector<std::uint8_t> first_datagram(std::vector<engine::ResponderOutput>& outputs) {
  for (auto& o : outputs) {
    if (auto* d = std::get_if<engine::SendDatagram>(&o)) {
      return std::move(d->bytes);
    }
  }
  return {};
}

std::vector<std::uint8_t> first_datagram(std::vector<engine::Output>& outputs) {
  for (auto& o : outputs) {
    if (auto* d = std::get_if<engine::SendDatagram>(&o)) {
      return std::move(d->bytes);
    }
  }
  return {};
}

void BM_ResponderIkeSaSetup(benchmark::State& state) {
  const double ops_per_second = x25519_ops_per_second(0.2);
  const double bound = ops_per_second / 2;

  ike::crypto::OpenSslRandom random;
  ike::crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials responder_creds;
  responder_creds.add(kMnId, secret(kPsk));
  engine::InMemoryCredentials initiator_creds;
  initiator_creds.add(kHaId, secret(kPsk));
  ServeAll decision;
  engine::IkeResponderConfig rc;
  rc.sa.local_id = kHaId;
  const engine::Path to_responder{{addr("2001:db8:1::1"), 500}, {addr("2001:db8:1::100"), 500}};
  const engine::Path to_initiator{to_responder.remote, to_responder.local};
  const engine::IkeSaConfig icfg = initiator_config();
  const base::TimePoint now = base::Clock::now();

  // Established SAs stay in the responder; a fresh one every so often keeps its tables (and
  // the address pool) the size of a busy HA rather than growing without end.
  constexpr std::size_t kSasPerResponder = 4096;
  std::unique_ptr<engine::InMemoryAddressPool> pool;
  std::unique_ptr<engine::IkeResponder> responder;
  std::size_t served = kSasPerResponder;
  std::uint64_t established = 0;
  // Created and destroyed while the timer is paused: the initiator's work is not counted.
  std::optional<engine::IkeSa> initiator;

  for (auto _ : state) {
    state.PauseTiming();
    if (served == kSasPerResponder) {
      responder.reset();
      pool = std::make_unique<engine::InMemoryAddressPool>(addr("2001:db8:100::"), 64,
                                                           kSasPerResponder + 1);
      responder = std::make_unique<engine::IkeResponder>(
          rc, engine::Environment{random, kex, responder_creds, pool.get()}, decision);
      served = 0;
    }
    ++served;
    initiator.reset();
    initiator.emplace(icfg, engine::Environment{random, kex, initiator_creds, nullptr});
    if (!initiator->initiate(to_initiator, now)) {
      state.SkipWithError("initiate failed");
      return;
    }
    auto init_out = initiator->take_outputs();
    const std::vector<std::uint8_t> init_request = first_datagram(init_out);
    state.ResumeTiming();

    responder->on_datagram(to_responder, init_request, now);
    auto r1 = responder->take_outputs();

    state.PauseTiming();
    initiator->on_datagram(to_initiator, first_datagram(r1), now);
    auto auth_out = initiator->take_outputs();
    const std::vector<std::uint8_t> auth_request = first_datagram(auth_out);
    state.ResumeTiming();

    responder->on_datagram(to_responder, auth_request, now);
    auto r2 = responder->take_outputs();

    state.PauseTiming();
    initiator->on_datagram(to_initiator, first_datagram(r2), now);
    if (initiator->state() == engine::IkeSaState::Established) {
      ++established;
    }
    benchmark::DoNotOptimize(initiator->take_outputs());
    state.ResumeTiming();  // r1 and r2 (the responder's outputs) are freed on the clock
  }
  if (established != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("not every setup reached ESTABLISHED");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  // Plain values (not rates): the rate itself is items_per_second.
  state.counters["bound"] = bound;
  state.counters["x25519_ops"] = ops_per_second;
  state.counters["target_pct"] = kSetupTargetPctOfBound;
  // Filled in by tools/bench from items_per_second and bound (the rate is known only there).
}
BENCHMARK(BM_ResponderIkeSaSetup)->Unit(benchmark::kMicrosecond);

// One HA of a pool of three, full: its Binding Cache has no free slot, the two other HAs
// have room. Requests come from distinct initiators' IKE_SA_INITs, pre-generated.
struct FullHomeAgent {
  static constexpr std::uint32_t kCapacity = 64;

  explicit FullHomeAgent(base::TimePoint now)
      : cache(mip6::binding::BindingCache::Config{kCapacity, 3600s, 3600s}, now),
        hal(mip6::binding::HomeAgentsListConfig{},
            [n = std::uint64_t{0}]() mutable { return n += 0x9e3779b97f4a7c15ULL; }) {
    const auto self = addr("2001:db8:1::1");
    hal.set_configured(addr("fe80::1"), {self}, 10, /*self=*/true);
    hal.set_configured(addr("fe80::2"), {addr("2001:db8:1::2")}, 30, false);
    hal.set_configured(addr("fe80::3"), {addr("2001:db8:1::3")}, 20, false);
    ha::policy::AdmissionPolicyConfig pc;
    pc.unicast_addresses = {self};
    auto p = ha::policy::AdmissionPolicy::create(
        pc, cache, hal, [n = std::uint64_t{0}]() mutable { return n += 0x9e3779b97f4a7c15ULL; });
    if (p) {
      policy = std::make_unique<ha::policy::AdmissionPolicy>(std::move(*p));
      adapter = std::make_unique<ha::ike_admission::AdmissionInitDecision>(*policy, cache);
    }
    for (std::uint32_t i = 0; i < kCapacity; ++i) {
      full = cache.reserve(now).has_value();
    }
  }

  mip6::binding::BindingCache cache;
  mip6::binding::HomeAgentsList hal;
  std::unique_ptr<ha::policy::AdmissionPolicy> policy;
  std::unique_ptr<ha::ike_admission::AdmissionInitDecision> adapter;
  bool full = false;
};

void BM_ResponderRedirectDecision(benchmark::State& state) {
  const base::TimePoint now = base::Clock::now();
  FullHomeAgent ha(now);
  if (!ha.adapter || !ha.full) {
    state.SkipWithError("HA setup failed");
    return;
  }
  ike::crypto::OpenSslRandom random;
  ike::crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  creds.add(kHaId, secret(kPsk));
  engine::IkeResponderConfig rc;
  rc.sa.local_id = kHaId;
  engine::IkeResponder front(rc, engine::Environment{random, kex, creds, nullptr}, *ha.adapter);

  // Requests as real initiators send them (SA offer, KE, Ni, N(REDIRECT_SUPPORTED)).
  constexpr std::size_t kRequests = 1024;
  std::vector<std::vector<std::uint8_t>> requests;
  const engine::Path to_initiator{{addr("2001:db8:1::100"), 500}, {addr("2001:db8:1::1"), 500}};
  const engine::Path to_responder{to_initiator.remote, to_initiator.local};
  for (std::size_t i = 0; i < kRequests; ++i) {
    engine::IkeSa initiator(initiator_config(),
                            engine::Environment{random, kex, creds, nullptr});
    if (!initiator.initiate(to_initiator, now)) {
      state.SkipWithError("initiate failed");
      return;
    }
    auto out = initiator.take_outputs();
    requests.push_back(first_datagram(out));
  }

  std::size_t i = 0;
  std::size_t answered = 0;
  for (auto _ : state) {
    front.on_datagram(to_responder, requests[i], now);
    auto outputs = front.take_outputs();
    for (const auto& o : outputs) {
      answered += std::holds_alternative<engine::SendDatagram>(o) ? 1 : 0;
    }
    if (++i == kRequests) {
      i = 0;
      benchmark::DoNotOptimize(ha.policy->take_events());  // what the HA shell does per batch
    }
  }
  const auto redirected = front.counters().get(engine::ResponderCounter::Redirected);
  if (redirected != static_cast<std::uint64_t>(state.iterations()) ||
      answered != redirected) {
    state.SkipWithError("not every request was answered with N(REDIRECT)");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["target"] = kRedirectTargetPerSecond;
}
BENCHMARK(BM_ResponderRedirectDecision);

}  // namespace
