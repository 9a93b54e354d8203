// Home-agent registration figures (Release build):
//  (a) HaRegistration_Refresh / _FirstWithDad: home registrations per second per core,
//      in-process: decode a BU from bytes, run the HA binding engine (cache update), encode
//      the BA (with checksum) to bytes. items_per_second is the figure (target >= 1e6/s).
//  (b) HaBindingCache_Memory: allocator bytes per binding at 1,000,000 bindings
//      (counter bytes_per_binding, target <= 128), from glibc mallinfo2 before/after.
//  (c) HaBindingCache_ExpiryTick / HaEngine_ExpiryTick: one timer tick with 1,000,000 bindings
//      of which 1 % expire; time per iteration = per tick, s_per_expired = per expired entry.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/ip6_addr.h"
#include "mip6/binding/binding_cache.h"
#include "mip6/engine/ha_binding_engine.h"
#include "mip6/wire/mobility_header.h"

namespace {

using mip6::binding::BindingCache;
using mip6::binding::BindingParams;
using mip6::binding::ReservationId;
using std::chrono::seconds;

constexpr std::uint32_t kMillion = 1'000'000;

base::Ip6Addr host(std::uint32_t n, std::uint8_t net) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0, net};
  b[12] = static_cast<std::uint8_t>(n >> 24);
  b[13] = static_cast<std::uint8_t>(n >> 16);
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return base::Ip6Addr(b);
}
base::Ip6Addr hoa_of(std::uint32_t n) { return host(n, 1); }
base::Ip6Addr coa_of(std::uint32_t n) { return host(n, 0x77); }
const base::Ip6Addr kHa = host(1, 1);  // 2001:db8:1::1 (never used as a HoA below: n >= 2)

// The policy answer the engine needs, at the cost of a prefix check.
class PrefixAuthorizer final : public mip6::engine::HomeAddressAuthorizer {
 public:
  bool may_register(std::string_view identity, const base::Ip6Addr& hoa) const override {
    return !identity.empty() && hoa.in_prefix(kHa, 64);
  }
};

std::size_t heap_in_use() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;  // arena bytes in use + mmap'd blocks
}

mip6::engine::HaBindingConfig engine_config(std::uint32_t capacity) {
  mip6::engine::HaBindingConfig c;
  c.home_agent_addresses = {kHa};
  c.home_prefixes = {mip6::engine::HomePrefix{kHa.masked(64), 64, base::kNever, base::kNever}};
  c.max_lifetime = std::chrono::hours(1);
  c.capacity = capacity;
  return c;
}

// A home-registration BU as the MN sends it: A, H, lifetime, Alternate CoA (R6275-15).
std::vector<std::uint8_t> bu_bytes(std::uint16_t seq, const base::Ip6Addr& coa) {
  mip6::wire::BindingUpdate bu;
  bu.sequence = seq;
  bu.ack = true;
  bu.home_registration = true;
  bu.lifetime = 600;
  mip6::wire::append_aligned(bu.options, 12, mip6::wire::AlternateCareOfAddressOption{coa});
  mip6::wire::MobilityHeader mh;
  mh.message = bu;
  return mip6::wire::encode_mobility_header(mh);
}

struct RegistrationFixture {
  explicit RegistrationFixture(std::uint32_t bindings)
      : engine(engine_config(bindings + 16), auth, base::TimePoint{} + std::chrono::hours(1)),
        now(base::TimePoint{} + std::chrono::hours(1)) {
    for (std::uint32_t i = 0; i < bindings; ++i) {
      BindingParams p;
      p.home_address = hoa_of(i + 2);
      p.care_of_address = coa_of(i + 2);
      p.sequence = mip6::binding::BindingSequence(1);
      p.lifetime_units = 900;
      p.identity = mip6::binding::IkeIdentityHandle{i + 1};
      (void)engine.binding_cache().commit(p, ReservationId{}, now);
    }
  }
  mip6::engine::BuContext ctx(std::uint32_t i) const {
    mip6::engine::BuContext c;
    c.source = coa_of(i + 2);
    c.destination = kHa;
    c.home_address_option = hoa_of(i + 2);
    c.security.esp_protected = true;
    c.security.dynamic_keying = true;
    c.security.ike_identity = "mn@example.org";
    c.security.identity = mip6::binding::IkeIdentityHandle{i + 1};
    return c;
  }
  // Encodes every BA in the output queue; returns the bytes produced.
  std::size_t encode_acks() {
    std::size_t bytes = 0;
    for (const auto& out : engine.outputs()) {
      if (const auto* ack = std::get_if<mip6::engine::SendBindingAck>(&out)) {
        mip6::wire::MobilityHeader mh;
        mh.message = ack->ack;
        // Pseudo-header destination = the final destination, the HoA (RFC 6275 6.1.1).
        const auto wire = mip6::wire::encode_mobility_header(
            mh, ack->source, ack->type2_home_address.value_or(ack->destination));
        bytes += wire.size();
      }
    }
    engine.clear_outputs();
    return bytes;
  }

  PrefixAuthorizer auth;
  mip6::engine::HaBindingEngine engine;
  base::TimePoint now;
};

// (a) Refresh of existing bindings (the steady state of 1,000,000 MNs).
void HaRegistration_Refresh(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  RegistrationFixture f(n);
  std::vector<std::uint8_t> bytes = bu_bytes(2, coa_of(2));
  std::uint32_t i = 0;
  std::uint16_t seq = 2;
  std::size_t out_bytes = 0;
  for (auto _ : state) {
    // Patch Sequence # (offset 6) and the Alternate CoA address (last 16 octets).
    bytes[6] = static_cast<std::uint8_t>(seq >> 8);
    bytes[7] = static_cast<std::uint8_t>(seq);
    const base::Ip6Addr coa = coa_of(i + 2);
    std::copy(coa.bytes().begin(), coa.bytes().end(), bytes.end() - 16);
    // The sender's checksum fill runs inside the timed loop too, so the figure understates
    // the receiver's rate slightly; the receiver then verifies it as it must (R6275-06).
    const base::Ip6Addr hoa = hoa_of(i + 2);
    bytes[4] = 0;
    bytes[5] = 0;
    const std::uint16_t sum =
        mip6::wire::pseudo_header_checksum(hoa, kHa, mip6::wire::kIpProtoMobility, bytes);
    bytes[4] = static_cast<std::uint8_t>(sum >> 8);
    bytes[5] = static_cast<std::uint8_t>(sum);
    if (!mip6::wire::verify_mh_checksum(hoa, kHa, bytes)) {
      state.SkipWithError("checksum failed");
      break;
    }
    auto mh = mip6::wire::decode_mobility_header(bytes);
    if (!mh) {
      state.SkipWithError("decode failed");
      break;
    }
    f.engine.on_binding_update(f.ctx(i), std::get<mip6::wire::BindingUpdate>(mh->message),
                               f.now);
    out_bytes += f.encode_acks();
    if (++i == n) {
      i = 0;
      ++seq;
    }
  }
  benchmark::DoNotOptimize(out_bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["accepted"] = static_cast<double>(
      f.engine.counters().get(mip6::engine::HaCounter::BaAccepted));
}
BENCHMARK(HaRegistration_Refresh)->Arg(1000)->Arg(kMillion)->Unit(benchmark::kNanosecond);

// (a) First registration: BU, DAD request, DAD result, binding creation, BA. The binding is
// removed again (untimed bookkeeping is avoided: removal is O(1)) so the cache size is stable.
void HaRegistration_FirstWithDad(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  RegistrationFixture f(n);
  const std::uint32_t fresh = n + 8;  // HoA index with no binding
  std::vector<std::uint8_t> bytes = bu_bytes(1, coa_of(fresh + 2));
  const base::Ip6Addr hoa = hoa_of(fresh + 2);
  std::size_t out_bytes = 0;
  for (auto _ : state) {
    auto mh = mip6::wire::decode_mobility_header(bytes);
    if (!mh) {
      state.SkipWithError("decode failed");
      break;
    }
    f.engine.on_binding_update(f.ctx(fresh), std::get<mip6::wire::BindingUpdate>(mh->message),
                               f.now);
    f.engine.clear_outputs();  // StartDad
    f.engine.on_dad_result(hoa, true, f.now);
    out_bytes += f.encode_acks();
    f.engine.binding_cache().remove(hoa);
  }
  benchmark::DoNotOptimize(out_bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["created"] = static_cast<double>(
      f.engine.counters().get(mip6::engine::HaCounter::BindingsCreated));
}
BENCHMARK(HaRegistration_FirstWithDad)->Arg(1000)->Arg(kMillion)->Unit(benchmark::kNanosecond);

// (b) Memory per binding at 1,000,000 bindings: everything the cache allocates (entries, hash
// index, expiry wheel) divided by the number of bindings.
void HaBindingCache_Memory(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  const base::TimePoint t0 = base::TimePoint{} + std::chrono::hours(1);
  double per_binding = 0;
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto cache = std::make_unique<BindingCache>(
        BindingCache::Config{n, seconds(30), mip6::binding::kMaxDeleteBceTimeout}, t0);
    for (std::uint32_t i = 0; i < n; ++i) {
      BindingParams p;
      p.home_address = hoa_of(i + 2);
      p.care_of_address = coa_of(i + 2);
      p.lifetime_units = static_cast<std::uint16_t>(1 + i % 900);
      p.identity = mip6::binding::IkeIdentityHandle{i + 1};
      (void)cache->commit(p, ReservationId{}, t0);
    }
    const std::size_t after = heap_in_use();
    per_binding = static_cast<double>(after - before) / n;
    benchmark::DoNotOptimize(cache->size());
  }
  state.counters["bytes_per_binding"] = per_binding;
  state.counters["bindings"] = n;
}
BENCHMARK(HaBindingCache_Memory)->Arg(kMillion)->Iterations(1)->Unit(benchmark::kMillisecond);

// (c) One tick with 1,000,000 bindings of which 1 % (10,000) expire. Bindings expire in 100
// cohorts 4 s apart; the expired cohort is re-registered (untimed) 400 s ahead, so every tick
// sees the same load.
template <bool kEngine>
void ExpiryTick(benchmark::State& state) {
  const std::uint32_t n = kMillion;
  const std::uint32_t cohorts = 100;
  RegistrationFixture f(0);
  mip6::engine::HaBindingEngine& engine = f.engine;
  engine.update_config(engine_config(n + 16));
  BindingCache& cache = engine.binding_cache();
  base::TimePoint now = f.now;
  auto params = [&](std::uint32_t i, std::uint16_t units) {
    BindingParams p;
    p.home_address = hoa_of(i + 2);
    p.care_of_address = coa_of(i + 2);
    p.lifetime_units = units;
    p.identity = mip6::binding::IkeIdentityHandle{i + 1};
    return p;
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    (void)cache.commit(params(i, static_cast<std::uint16_t>(1 + i % cohorts)), ReservationId{},
                       now);
  }
  std::vector<mip6::binding::ExpiredBinding> expired;
  std::uint32_t cohort = 0;
  std::size_t total = 0;
  const auto visits0 = cache.counters().get(mip6::binding::BindingCacheCounter::ExpiryVisits);
  for (auto _ : state) {
    now += seconds(4);
    std::size_t got = 0;
    if constexpr (kEngine) {
      engine.on_timer(now);
      got = engine.outputs().size() / 3;  // StopProxyNd + DeleteBindingRoute + event each
    } else {
      expired.clear();
      got = cache.expire(now, expired);
    }
    total += got;
    state.PauseTiming();
    engine.clear_outputs();
    for (std::uint32_t i = cohort; i < n; i += cohorts) {
      (void)cache.commit(params(i, cohorts), ReservationId{}, now);
    }
    cohort = (cohort + 1) % cohorts;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
  state.counters["expired_per_tick"] =
      static_cast<double>(total) / static_cast<double>(state.iterations());
  state.counters["visits_per_tick"] =
      static_cast<double>(cache.counters().get(
                              mip6::binding::BindingCacheCounter::ExpiryVisits) -
                          visits0) /
      static_cast<double>(state.iterations());
  state.counters["s_per_expired"] = benchmark::Counter(
      static_cast<double>(total), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void HaBindingCache_ExpiryTick(benchmark::State& state) { ExpiryTick<false>(state); }
void HaEngine_ExpiryTick(benchmark::State& state) { ExpiryTick<true>(state); }
BENCHMARK(HaBindingCache_ExpiryTick)->Unit(benchmark::kMicrosecond);
BENCHMARK(HaEngine_ExpiryTick)->Unit(benchmark::kMicrosecond);

}  // namespace
