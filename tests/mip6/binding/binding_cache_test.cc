#include "mip6/binding/binding_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "mip6/binding/sequence.h"
#include "tests/support/fake_clock.h"

namespace mip6::binding {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

base::Ip6Addr addr(std::uint32_t n, std::uint8_t net = 1) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0, net};
  b[12] = static_cast<std::uint8_t>(n >> 24);
  b[13] = static_cast<std::uint8_t>(n >> 16);
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return base::Ip6Addr(b);
}

BindingParams params(std::uint32_t n, std::uint16_t units, std::uint16_t seq = 1) {
  BindingParams p;
  p.home_address = addr(n);
  p.care_of_address = addr(n, 9);
  p.sequence = BindingSequence(seq);
  p.lifetime_units = units;
  p.flags = BindingFlags{true, false, false};
  p.identity = IkeIdentityHandle{n};
  return p;
}

// ------------------------------------------------------------------------ BindingSequence

TEST(BindingSequence, R6275_23_NewerWithinWindow) {
  EXPECT_TRUE(BindingSequence(2).is_newer_than(BindingSequence(1)));
  EXPECT_FALSE(BindingSequence(1).is_newer_than(BindingSequence(2)));
  EXPECT_FALSE(BindingSequence(7).is_newer_than(BindingSequence(7)));  // equal is stale
}

TEST(BindingSequence, R6275_23_WrapAround) {
  EXPECT_TRUE(BindingSequence(0).is_newer_than(BindingSequence(65535)));
  EXPECT_TRUE(BindingSequence(10).is_newer_than(BindingSequence(65530)));
  EXPECT_FALSE(BindingSequence(65535).is_newer_than(BindingSequence(0)));
  EXPECT_EQ(BindingSequence(65535).next(), BindingSequence(0));
}

TEST(BindingSequence, R6275_23_DigestExampleLast15) {
  // RFC 6275 9.5.1 example: last accepted 15 makes 0..15 and 32783..65535 stale.
  const BindingSequence last(15);
  for (std::uint32_t v = 0; v <= 65535; ++v) {
    const bool stale = v <= 15 || v >= 32783;
    ASSERT_EQ(BindingSequence(static_cast<std::uint16_t>(v)).is_newer_than(last), !stale) << v;
  }
}

// ---------------------------------------------------------------------------- admission

class BindingCacheTest : public ::testing::Test {
 protected:
  BindingCache make(std::uint32_t capacity, base::Duration ttl = seconds(30)) {
    return BindingCache(BindingCache::Config{capacity, ttl, kMaxDeleteBceTimeout}, clock_.now());
  }
  test::FakeClock clock_;
  std::vector<ExpiredBinding> out_;
};

TEST_F(BindingCacheTest, CommitUpToCapacityThenNoCapacity) {
  auto cache = make(3);
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto r = cache.commit(params(i, 100), ReservationId{}, clock_.now());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->outcome, CommitOutcome::Created);
  }
  auto full = cache.commit(params(3, 100), ReservationId{}, clock_.now());
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error(), CacheError::NoCapacity);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::CommitsRejectedFull), 1U);
  const auto snap = cache.snapshot();
  EXPECT_EQ(snap.bindings, 3U);
  EXPECT_EQ(snap.capacity, 3U);
  EXPECT_TRUE(snap.full());
  EXPECT_DOUBLE_EQ(snap.load(), 1.0);
  // An existing binding is refreshed even when the cache is full: it needs no new slot.
  auto refresh = cache.commit(params(1, 200, 2), ReservationId{}, clock_.now());
  ASSERT_TRUE(refresh.has_value());
  EXPECT_EQ(refresh->outcome, CommitOutcome::Updated);
}

TEST_F(BindingCacheTest, ReserveFailsWhenBindingsPlusReservationsReachCapacity) {
  auto cache = make(3);
  ASSERT_TRUE(cache.commit(params(0, 100), ReservationId{}, clock_.now()).has_value());
  auto r1 = cache.reserve(clock_.now());
  auto r2 = cache.reserve(clock_.now());
  ASSERT_TRUE(r1.has_value());
  ASSERT_TRUE(r2.has_value());
  EXPECT_NE(*r1, *r2);
  auto r3 = cache.reserve(clock_.now());
  ASSERT_FALSE(r3.has_value());
  EXPECT_EQ(r3.error(), CacheError::NoCapacity);
  const auto snap = cache.snapshot();
  EXPECT_EQ(snap.bindings, 1U);
  EXPECT_EQ(snap.reservations, 2U);
  EXPECT_DOUBLE_EQ(snap.load(), 1.0);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ReservationsRejectedFull), 1U);
  // A new binding without a reservation cannot take a reserved slot either.
  EXPECT_FALSE(cache.commit(params(9, 100), ReservationId{}, clock_.now()).has_value());
}

TEST_F(BindingCacheTest, CommitConsumesReservationWithoutDoubleCounting) {
  auto cache = make(2);
  auto res = cache.reserve(clock_.now());
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(cache.snapshot().reservations, 1U);
  auto r = cache.commit(params(1, 100), *res, clock_.now());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->reservation_consumed);
  auto snap = cache.snapshot();
  EXPECT_EQ(snap.bindings, 1U);
  EXPECT_EQ(snap.reservations, 0U);
  EXPECT_FALSE(cache.is_reserved(*res));
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ReservationsCommitted), 1U);
  // The consumed id is stale: committing it again does not grant a second slot for free.
  ASSERT_TRUE(cache.commit(params(2, 100), *res, clock_.now()).has_value());
  auto third = cache.commit(params(3, 100), *res, clock_.now());
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(cache.snapshot().bindings, 2U);
}

TEST_F(BindingCacheTest, ReservationCommitWorksWhenOtherwiseFull) {
  auto cache = make(2);
  auto res = cache.reserve(clock_.now());
  ASSERT_TRUE(res.has_value());
  ASSERT_TRUE(cache.commit(params(1, 100), ReservationId{}, clock_.now()).has_value());
  EXPECT_TRUE(cache.snapshot().full());
  EXPECT_FALSE(cache.commit(params(2, 100), ReservationId{}, clock_.now()).has_value());
  EXPECT_TRUE(cache.commit(params(3, 100), *res, clock_.now()).has_value());
  EXPECT_EQ(cache.snapshot().bindings, 2U);
  EXPECT_EQ(cache.snapshot().reservations, 0U);
}

TEST_F(BindingCacheTest, ReservationForExistingBindingIsGivenBack) {
  auto cache = make(2);
  ASSERT_TRUE(cache.commit(params(1, 100), ReservationId{}, clock_.now()).has_value());
  auto res = cache.reserve(clock_.now());
  ASSERT_TRUE(res.has_value());
  auto r = cache.commit(params(1, 100, 2), *res, clock_.now());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, CommitOutcome::Updated);
  EXPECT_FALSE(r->reservation_consumed);
  EXPECT_FALSE(cache.is_reserved(*res));
  EXPECT_EQ(cache.snapshot().reservations, 0U);
  EXPECT_EQ(cache.snapshot().bindings, 1U);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ReservationsUnneeded), 1U);
}

TEST_F(BindingCacheTest, ReleaseFreesSlotAndStaleIdsNeverAlias) {
  auto cache = make(1);
  auto a = cache.reserve(clock_.now());
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(cache.reserve(clock_.now()).has_value());
  EXPECT_TRUE(cache.release(*a));
  EXPECT_FALSE(cache.release(*a));  // twice: no-op
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ReservationsReleased), 1U);
  auto b = cache.reserve(clock_.now());  // reuses the same storage slot
  ASSERT_TRUE(b.has_value());
  EXPECT_NE(*a, *b);
  EXPECT_FALSE(cache.is_reserved(*a));
  EXPECT_TRUE(cache.is_reserved(*b));
  EXPECT_FALSE(cache.release(*a));
  EXPECT_TRUE(cache.is_reserved(*b));
  EXPECT_FALSE(cache.release(ReservationId{}));
}

TEST_F(BindingCacheTest, ConcurrentReservationsCannotOvershootCapacity) {
  auto cache = make(5);
  std::vector<ReservationId> held;
  for (int i = 0; i < 20; ++i) {
    if (auto r = cache.reserve(clock_.now())) {
      held.push_back(*r);
    }
  }
  EXPECT_EQ(held.size(), 5U);
  // Interleave commits (each consuming one) with more reservation attempts.
  std::uint32_t n = 0;
  for (const auto& r : held) {
    ASSERT_TRUE(cache.commit(params(n++, 100), r, clock_.now()).has_value());
    EXPECT_FALSE(cache.reserve(clock_.now()).has_value());
    const auto snap = cache.snapshot();
    EXPECT_LE(snap.bindings + snap.reservations, snap.capacity);
  }
  EXPECT_EQ(cache.snapshot().bindings, 5U);
  EXPECT_EQ(cache.snapshot().reservations, 0U);
}

TEST_F(BindingCacheTest, ReservationExpiresAfterTtl) {
  auto cache = make(1, seconds(30));
  auto r = cache.reserve(clock_.now());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(cache.next_deadline(), clock_.now() + seconds(30));
  clock_.advance(seconds(29));
  EXPECT_EQ(cache.expire(clock_.now(), out_), 0U);
  EXPECT_TRUE(cache.is_reserved(*r));
  clock_.advance_to(cache.next_deadline());
  cache.expire(clock_.now(), out_);
  EXPECT_TRUE(out_.empty());  // reservations are counted, not reported
  EXPECT_FALSE(cache.is_reserved(*r));
  EXPECT_EQ(cache.snapshot().reservations, 0U);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ReservationsExpired), 1U);
  EXPECT_EQ(cache.next_deadline(), base::kNever);
  // A late commit with the expired id needs a free slot like anyone else.
  auto c = cache.commit(params(1, 10), *r, clock_.now());
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(c->reservation_consumed);
}

TEST_F(BindingCacheTest, ReserveExpiresDueReservationsEvenWithoutATimerTick) {
  auto cache = make(1, seconds(30));
  ASSERT_TRUE(cache.reserve(clock_.now()).has_value());
  clock_.advance(seconds(31));  // the shell's timer has not fired yet
  EXPECT_TRUE(cache.reserve(clock_.now()).has_value());
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ReservationsExpired), 1U);
}

TEST_F(BindingCacheTest, RefreshReservationRestartsTtl) {
  auto cache = make(2, seconds(30));
  auto a = cache.reserve(clock_.now());
  clock_.advance(seconds(10));
  auto b = cache.reserve(clock_.now());
  ASSERT_TRUE(a && b);
  clock_.advance(seconds(10));
  EXPECT_TRUE(cache.refresh_reservation(*a, clock_.now()));  // a now lasts until t+50
  EXPECT_EQ(cache.next_deadline(), clock_.now() + seconds(20));  // b's end comes first
  clock_.advance(seconds(25));
  cache.expire(clock_.now(), out_);
  EXPECT_TRUE(cache.is_reserved(*a));
  EXPECT_FALSE(cache.is_reserved(*b));
  EXPECT_FALSE(cache.refresh_reservation(*b, clock_.now()));
}

// ------------------------------------------------------------------------------ bindings

TEST_F(BindingCacheTest, FindReturnsWhatWasCommitted) {
  auto cache = make(10);
  auto p = params(7, 25, 77);
  p.flags.link_local = true;
  p.flags.key_mgmt = true;
  ASSERT_TRUE(cache.commit(p, ReservationId{}, clock_.now()).has_value());
  auto info = cache.find(addr(7));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->home_address, addr(7));
  EXPECT_EQ(info->care_of_address, addr(7, 9));
  EXPECT_EQ(info->sequence, BindingSequence(77));
  EXPECT_EQ(info->lifetime_units, 25);
  EXPECT_EQ(info->expires, clock_.now() + seconds(100));
  EXPECT_EQ(info->flags, (BindingFlags{true, true, true}));
  EXPECT_EQ(info->identity, IkeIdentityHandle{7});
  EXPECT_EQ(info->state, BindingState::Active);
  EXPECT_FALSE(cache.find(addr(8)).has_value());
  EXPECT_EQ(cache.list().size(), 1U);
}

TEST_F(BindingCacheTest, UpdateReportsPreviousCareOfAddress) {
  auto cache = make(10);
  ASSERT_TRUE(cache.commit(params(1, 10), ReservationId{}, clock_.now()).has_value());
  auto p = params(1, 10, 2);
  p.care_of_address = addr(1, 7);
  auto r = cache.commit(p, ReservationId{}, clock_.now());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, CommitOutcome::Updated);
  ASSERT_TRUE(r->previous_coa.has_value());
  EXPECT_EQ(*r->previous_coa, addr(1, 9));
  EXPECT_EQ(cache.find(addr(1))->care_of_address, addr(1, 7));
}

TEST_F(BindingCacheTest, ZeroLifetimeCommitIsRefused) {
  auto cache = make(10);
  auto r = cache.commit(params(1, 0), ReservationId{}, clock_.now());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), CacheError::InvalidLifetime);
}

TEST_F(BindingCacheTest, ExpiryIsRoundedUpNeverEarly) {
  auto cache = make(10);
  clock_.advance(milliseconds(300));
  const auto t0 = clock_.now();
  ASSERT_TRUE(cache.commit(params(1, 1), ReservationId{}, t0).has_value());  // 4 s
  EXPECT_GE(cache.next_deadline(), t0 + seconds(4));
  EXPECT_LT(cache.next_deadline(), t0 + seconds(5));
  EXPECT_EQ(cache.expire(t0 + seconds(4) - milliseconds(1), out_), 0U);
  EXPECT_EQ(cache.expire(cache.next_deadline(), out_), 1U);
}

TEST_F(BindingCacheTest, ExpiresInDeadlineOrder) {
  auto cache = make(100);
  // Lifetimes (units) in shuffled order; each deadline must expire exactly its binding.
  const std::vector<std::uint16_t> units = {50, 3, 900, 1, 17, 65535, 2, 400};
  for (std::uint32_t i = 0; i < units.size(); ++i) {
    ASSERT_TRUE(cache.commit(params(i, units[i]), ReservationId{}, clock_.now()).has_value());
  }
  std::vector<std::uint16_t> order;
  while (cache.next_deadline() != base::kNever) {
    clock_.advance_to(cache.next_deadline());
    out_.clear();
    ASSERT_EQ(cache.expire(clock_.now(), out_), 1U);
    ASSERT_EQ(out_[0].kind, ExpiryKind::LifetimeEnded);
    const auto n = out_[0].home_address.bytes()[15];
    EXPECT_EQ(out_[0].care_of_address, addr(n, 9));
    order.push_back(units[n]);
  }
  auto sorted = units;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted);
  EXPECT_EQ(cache.snapshot().bindings, 0U);
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::BindingsExpired), units.size());
}

TEST_F(BindingCacheTest, ExpireVisitsOnlyExpiredEntries) {
  auto cache = make(20000);
  // 10,000 bindings; lifetimes 1..1000 units, ten bindings per unit.
  for (std::uint32_t i = 0; i < 10000; ++i) {
    const auto u = static_cast<std::uint16_t>(1 + i % 1000);
    ASSERT_TRUE(cache.commit(params(i, u), ReservationId{}, clock_.now()).has_value());
  }
  const auto visits_before = cache.counters().get(BindingCacheCounter::ExpiryVisits);
  clock_.advance(seconds(4 * 5));  // units 1..5 are due: 50 bindings
  EXPECT_EQ(cache.expire(clock_.now(), out_), 50U);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ExpiryVisits) - visits_before, 50U);
  // The next tick with nothing due visits nothing.
  clock_.advance(seconds(1));
  EXPECT_EQ(cache.expire(clock_.now(), out_), 0U);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::ExpiryVisits) - visits_before, 50U);
  EXPECT_EQ(cache.snapshot().bindings, 9950U);
}

TEST_F(BindingCacheTest, RefreshMovesTheDeadline) {
  auto cache = make(10);
  ASSERT_TRUE(cache.commit(params(1, 10), ReservationId{}, clock_.now()).has_value());  // 40 s
  clock_.advance(seconds(30));
  ASSERT_TRUE(cache.commit(params(1, 10, 2), ReservationId{}, clock_.now()).has_value());
  EXPECT_EQ(cache.next_deadline(), clock_.now() + seconds(40));
  clock_.advance(seconds(15));  // past the first lifetime
  EXPECT_EQ(cache.expire(clock_.now(), out_), 0U);
  EXPECT_TRUE(cache.find(addr(1)).has_value());
}

TEST_F(BindingCacheTest, LongIdleTimerStillExpiresEverything) {
  auto cache = make(10);
  ASSERT_TRUE(cache.commit(params(1, 65535), ReservationId{}, clock_.now()).has_value());
  ASSERT_TRUE(cache.commit(params(2, 3), ReservationId{}, clock_.now()).has_value());
  clock_.advance(std::chrono::hours(24 * 30));  // far beyond one wheel revolution
  // A new long binding scheduled before the late tick must survive it.
  ASSERT_TRUE(cache.commit(params(3, 65535), ReservationId{}, clock_.now()).has_value());
  EXPECT_EQ(cache.expire(clock_.now(), out_), 2U);
  EXPECT_TRUE(cache.find(addr(3)).has_value());
  clock_.advance(seconds(65535 * 4));
  out_.clear();
  while (cache.next_deadline() <= clock_.now()) {
    cache.expire(clock_.now(), out_);
    if (cache.next_deadline() == base::kNever) {
      break;
    }
    clock_.advance_to(cache.next_deadline());
  }
  EXPECT_EQ(out_.size(), 1U);
  EXPECT_FALSE(cache.find(addr(3)).has_value());
}

TEST_F(BindingCacheTest, R6275_47_DeregistrationHoldsEntryForTenSeconds) {
  auto cache = make(1);
  ASSERT_TRUE(cache.commit(params(1, 100, 5), ReservationId{}, clock_.now()).has_value());
  EXPECT_TRUE(cache.deregister(addr(1), BindingSequence(6), clock_.now()));
  EXPECT_FALSE(cache.deregister(addr(1), BindingSequence(7), clock_.now()));  // not Active
  auto info = cache.find(addr(1));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->state, BindingState::DeregisteredHold);
  EXPECT_EQ(info->sequence, BindingSequence(6));
  EXPECT_EQ(info->lifetime_units, 0);
  auto snap = cache.snapshot();
  EXPECT_EQ(snap.bindings, 0U);  // the slot is free at once
  EXPECT_EQ(snap.held, 1U);
  EXPECT_TRUE(cache.reserve(clock_.now()).has_value());
  EXPECT_EQ(cache.next_deadline(), clock_.now() + kMaxDeleteBceTimeout);
  clock_.advance(seconds(9));
  EXPECT_EQ(cache.expire(clock_.now(), out_), 0U);
  EXPECT_TRUE(cache.find(addr(1)).has_value());
  clock_.advance(seconds(1));
  ASSERT_EQ(cache.expire(clock_.now(), out_), 1U);
  EXPECT_EQ(out_[0].kind, ExpiryKind::HoldEnded);
  EXPECT_FALSE(cache.find(addr(1)).has_value());
  EXPECT_EQ(cache.snapshot().held, 0U);
  EXPECT_EQ(cache.counters().get(BindingCacheCounter::HoldsEnded), 1U);
}

TEST_F(BindingCacheTest, ReRegistrationDuringHoldNeedsASlot) {
  auto cache = make(1);
  ASSERT_TRUE(cache.commit(params(1, 100, 5), ReservationId{}, clock_.now()).has_value());
  ASSERT_TRUE(cache.deregister(addr(1), BindingSequence(6), clock_.now()));
  auto res = cache.reserve(clock_.now());  // someone else takes the freed slot
  ASSERT_TRUE(res.has_value());
  EXPECT_FALSE(cache.commit(params(1, 100, 7), ReservationId{}, clock_.now()).has_value());
  ASSERT_TRUE(cache.release(*res));
  auto r = cache.commit(params(1, 100, 7), ReservationId{}, clock_.now());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, CommitOutcome::Created);
  EXPECT_EQ(cache.find(addr(1))->state, BindingState::Active);
  EXPECT_EQ(cache.snapshot().held, 0U);
  EXPECT_EQ(cache.size(), 1U);
  // The hold timer no longer applies: the binding lives its own lifetime.
  clock_.advance(seconds(11));
  EXPECT_EQ(cache.expire(clock_.now(), out_), 0U);
}

TEST_F(BindingCacheTest, RemoveDeletesAtOnce) {
  auto cache = make(2);
  ASSERT_TRUE(cache.commit(params(1, 100), ReservationId{}, clock_.now()).has_value());
  EXPECT_TRUE(cache.remove(addr(1)));
  EXPECT_FALSE(cache.remove(addr(1)));
  EXPECT_FALSE(cache.find(addr(1)).has_value());
  EXPECT_EQ(cache.snapshot().bindings, 0U);
  EXPECT_EQ(cache.next_deadline(), base::kNever);
}

TEST_F(BindingCacheTest, HashIndexSurvivesChurn) {
  auto cache = make(100000);
  std::mt19937 rng(42);
  std::set<std::uint32_t> live;
  for (int round = 0; round < 30000; ++round) {
    const std::uint32_t n = rng() % 5000;
    if (live.count(n) != 0 && rng() % 2 == 0) {
      ASSERT_TRUE(cache.remove(addr(n)));
      live.erase(n);
    } else {
      ASSERT_TRUE(cache.commit(params(n, 100), ReservationId{}, clock_.now()).has_value());
      live.insert(n);
    }
  }
  EXPECT_EQ(cache.size(), live.size());
  for (std::uint32_t n = 0; n < 5000; ++n) {
    ASSERT_EQ(cache.find(addr(n)).has_value(), live.count(n) != 0) << n;
  }
}

TEST(BindingCacheNames, EveryCounterHasAName) {
  for (std::size_t i = 0; i < BindingCacheCounters::size(); ++i) {
    EXPECT_NE(to_string(static_cast<BindingCacheCounter>(i)), "unknown") << i;
  }
  EXPECT_EQ(to_string(BindingState::DeregisteredHold), "deregistered_hold");
  EXPECT_EQ(to_string(CacheError::NoCapacity), "no_capacity");
}

}  // namespace
}  // namespace mip6::binding
