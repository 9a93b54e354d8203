// ReservationLedger: every transition of a reservation taken for an IKE SA, against a real
// Binding Cache on a fake clock: reserve, attach, establish (kept and refreshed until the
// binding consumes it), rekey, and release exactly once whichever way the SA ends.
#include "ha/policy/reservation_ledger.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/fake_clock.h"

namespace ha::policy {
namespace {

using mip6::binding::BindingCache;
using State = ReservationLedger::State;
using std::chrono::seconds;
using Spi = ::ike::wire::Spi;

constexpr auto kTtl = seconds(10);

class ReservationLedgerTest : public ::testing::Test {
 protected:
  explicit ReservationLedgerTest(std::uint32_t capacity = 4)
      : cache_(BindingCache::Config{capacity, kTtl, seconds(10)}, clock_.now()),
        ledger_(cache_, ReservationLedger::Config{kTtl / 2}) {}

  std::uint64_t reserve() {
    auto tag = ledger_.reserve(clock_.now());
    EXPECT_TRUE(tag.has_value());
    return tag.value_or(0);
  }
  std::uint32_t slots_held() const { return cache_.snapshot().reservations; }
  std::uint64_t count(LedgerCounter c) const { return ledger_.counters().get(c); }

  // The binding engine's BU path: the home registration consumes the SA's reservation.
  void bind(const mip6::binding::ReservationId& id) {
    mip6::binding::BindingParams p;
    p.home_address = *base::Ip6Addr::parse("2001:db8:3::1");
    p.care_of_address = *base::Ip6Addr::parse("2001:db8:9::1");
    p.lifetime_units = 100;
    ASSERT_TRUE(cache_.commit(p, id, clock_.now()).has_value());
  }

  test::FakeClock clock_;
  BindingCache cache_;
  ReservationLedger ledger_;
};

TEST_F(ReservationLedgerTest, ReserveGivesATagPerSlotUntilTheCacheIsFull) {
  const std::uint64_t a = reserve();
  const std::uint64_t b = reserve();
  EXPECT_NE(a, 0U);
  EXPECT_NE(a, b);
  EXPECT_EQ(ledger_.state(a), State::Reserved);
  EXPECT_TRUE(cache_.is_reserved(*ledger_.reservation(a)));
  reserve();
  reserve();
  auto full = ledger_.reserve(clock_.now());
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error(), mip6::binding::CacheError::NoCapacity);
  EXPECT_EQ(count(LedgerCounter::Reserved), 4U);
  EXPECT_EQ(count(LedgerCounter::ReserveRefused), 1U);
  EXPECT_EQ(ledger_.size(), 4U);
}

// The front's half-open bound or an SA error made no SA for the Serve: released once.
TEST_F(ReservationLedgerTest, ServeThatMadeNoSaIsReleasedExactlyOnce) {
  const std::uint64_t tag = reserve();
  EXPECT_TRUE(ledger_.release(tag));
  EXPECT_EQ(slots_held(), 0U);
  EXPECT_EQ(ledger_.state(tag), std::nullopt);
  EXPECT_FALSE(ledger_.release(tag));
  EXPECT_FALSE(ledger_.attach(tag, Spi(7)));  // too late: the front's SA gets no slot
  EXPECT_EQ(count(LedgerCounter::ReleasedBeforeEstablished), 1U);
  EXPECT_EQ(count(LedgerCounter::ReleasedStale), 0U);
  EXPECT_FALSE(ledger_.release(0));  // the tag of a Serve that needed no slot
}

// IKE_AUTH failed (or timed out): the SA is removed before establishment.
TEST_F(ReservationLedgerTest, HalfOpenSaRemovedReleasesItsSlotOnce) {
  const std::uint64_t tag = reserve();
  ASSERT_TRUE(ledger_.attach(tag, Spi(0x11)));
  EXPECT_FALSE(ledger_.attach(tag, Spi(0x12)));  // attached once
  EXPECT_EQ(ledger_.state(tag), State::HalfOpen);
  EXPECT_EQ(ledger_.reservation_of_sa(Spi(0x11)), ledger_.reservation(tag));
  EXPECT_EQ(ledger_.count(State::HalfOpen), 1U);
  EXPECT_TRUE(ledger_.release_sa(Spi(0x11)));
  EXPECT_FALSE(ledger_.release_sa(Spi(0x11)));
  EXPECT_FALSE(ledger_.release(tag));
  EXPECT_EQ(slots_held(), 0U);
  EXPECT_EQ(ledger_.reservation_of_sa(Spi(0x11)), std::nullopt);
  EXPECT_EQ(count(LedgerCounter::ReleasedBeforeEstablished), 1U);
}

// R5685-21: the policy redirects at IKE_AUTH and gives the slot back; the front removes the
// SA afterwards, which finds nothing left to release.
TEST_F(ReservationLedgerTest, RedirectAtIkeAuthReleasesOnceBeforeTheSaGoes) {
  const std::uint64_t tag = reserve();
  ASSERT_TRUE(ledger_.attach(tag, Spi(0x21)));
  EXPECT_TRUE(ledger_.release(tag));
  EXPECT_FALSE(ledger_.establish(Spi(0x21), clock_.now()));
  EXPECT_FALSE(ledger_.release_sa(Spi(0x21)));
  EXPECT_EQ(slots_held(), 0U);
  EXPECT_EQ(count(LedgerCounter::ReleasedBeforeEstablished), 1U);
  EXPECT_EQ(ledger_.size(), 0U);
}

// Established: the slot outlives the reservation TTL (refreshed) until the binding takes it.
TEST_F(ReservationLedgerTest, EstablishedSaKeepsItsSlotRefreshedUntilTheBindingConsumesIt) {
  const std::uint64_t tag = reserve();
  ASSERT_TRUE(ledger_.attach(tag, Spi(0x31)));
  EXPECT_EQ(ledger_.next_deadline(), base::kNever);
  ASSERT_TRUE(ledger_.establish(Spi(0x31), clock_.now()));
  EXPECT_FALSE(ledger_.establish(Spi(0x31), clock_.now()));  // kept once
  EXPECT_EQ(ledger_.state(tag), State::Established);
  EXPECT_EQ(ledger_.next_deadline(), clock_.now() + kTtl / 2);
  const base::TimePoint until = clock_.now() + 5 * kTtl;
  while (ledger_.next_deadline() <= until) {
    clock_.advance_to(ledger_.next_deadline());
    ledger_.on_timer(clock_.now());
  }
  clock_.advance_to(until);
  EXPECT_EQ(slots_held(), 1U);
  EXPECT_TRUE(cache_.is_reserved(*ledger_.reservation_of_sa(Spi(0x31))));
  EXPECT_EQ(count(LedgerCounter::Kept), 1U);
  EXPECT_EQ(count(LedgerCounter::Refreshed), 10U);

  // The Binding Update consumes it: the next refresh finds it gone and lets go.
  bind(*ledger_.reservation(tag));
  clock_.advance_to(ledger_.next_deadline());
  ledger_.on_timer(clock_.now());
  EXPECT_EQ(count(LedgerCounter::Consumed), 1U);
  EXPECT_EQ(ledger_.size(), 0U);
  EXPECT_EQ(ledger_.next_deadline(), base::kNever);
  // The SA goes later: nothing to give back, the binding keeps its slot.
  EXPECT_FALSE(ledger_.release_sa(Spi(0x31)));
  EXPECT_EQ(cache_.snapshot().bindings, 1U);
  EXPECT_EQ(count(LedgerCounter::ReleasedAfterEstablished), 0U);
}

// A drain moved the peer (gateway-initiated REDIRECT): released at once; the SA's removal
// after the grace period finds nothing.
TEST_F(ReservationLedgerTest, MovedSaReleasesOnceAndItsRemovalFindsNothing) {
  const std::uint64_t tag = reserve();
  ASSERT_TRUE(ledger_.attach(tag, Spi(0x41)));
  ASSERT_TRUE(ledger_.establish(Spi(0x41), clock_.now()));
  EXPECT_TRUE(ledger_.release_sa(Spi(0x41)));
  EXPECT_FALSE(ledger_.release_sa(Spi(0x41)));
  EXPECT_EQ(slots_held(), 0U);
  EXPECT_EQ(count(LedgerCounter::ReleasedAfterEstablished), 1U);
  ledger_.on_timer(clock_.now() + kTtl);  // nothing left to refresh
  EXPECT_EQ(ledger_.next_deadline(), base::kNever);
  EXPECT_EQ(count(LedgerCounter::Refreshed), 0U);
}

// RFC 7296 1.3.2: an IKE SA rekey files the SA under new SPIs, twice; the reservation follows
// and is released once, by the SPIr the SA has when it goes.
TEST_F(ReservationLedgerTest, ReservationFollowsIkeSaRekeysAndIsReleasedOnceByTheNewSpi) {
  const std::uint64_t tag = reserve();
  ASSERT_TRUE(ledger_.attach(tag, Spi(0x51)));
  ASSERT_TRUE(ledger_.establish(Spi(0x51), clock_.now()));
  EXPECT_TRUE(ledger_.rekey(Spi(0x51), Spi(0x52)));
  EXPECT_TRUE(ledger_.rekey(Spi(0x52), Spi(0x53)));
  EXPECT_FALSE(ledger_.rekey(Spi(0x51), Spi(0x54)));  // retired SPIs are unknown
  EXPECT_FALSE(ledger_.rekey(Spi(0x53), Spi(0x53)));
  EXPECT_EQ(ledger_.reservation_of_sa(Spi(0x53)), ledger_.reservation(tag));
  EXPECT_EQ(ledger_.reservation_of_sa(Spi(0x51)), std::nullopt);
  EXPECT_FALSE(ledger_.release_sa(Spi(0x51)));
  EXPECT_FALSE(ledger_.release_sa(Spi(0x52)));
  EXPECT_EQ(slots_held(), 1U);
  EXPECT_TRUE(ledger_.release_sa(Spi(0x53)));
  EXPECT_EQ(slots_held(), 0U);
  EXPECT_EQ(count(LedgerCounter::Rekeyed), 2U);
  EXPECT_EQ(count(LedgerCounter::ReleasedAfterEstablished), 1U);
}

// A half-open SA slower than the reservation TTL: the cache let the slot lapse (and may have
// given it to someone else); releasing the stale id frees nothing.
TEST_F(ReservationLedgerTest, LapsedReservationIsDroppedWithoutFreeingAnotherSlot) {
  const std::uint64_t tag = reserve();
  ASSERT_TRUE(ledger_.attach(tag, Spi(0x61)));
  clock_.advance(kTtl + seconds(1));
  const std::uint64_t other = reserve();  // expires the first, takes a slot of its own
  EXPECT_FALSE(ledger_.release_sa(Spi(0x61)));
  EXPECT_EQ(count(LedgerCounter::ReleasedStale), 1U);
  EXPECT_EQ(slots_held(), 1U);
  EXPECT_EQ(ledger_.state(other), State::Reserved);
}

TEST(LedgerCounterNames, EveryCounterHasAName) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(LedgerCounter::kCount); ++i) {
    EXPECT_NE(to_string(static_cast<LedgerCounter>(i)), "unknown");
  }
}

}  // namespace
}  // namespace ha::policy
