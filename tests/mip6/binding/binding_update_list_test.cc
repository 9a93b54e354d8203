// Binding Update List bookkeeping: lifetime units, modulo-2^16 sequence ranges, the
// MAX_UPDATE_RATE window and the acknowledgeable range of an attempt.
#include "mip6/binding/binding_update_list.h"

#include <gtest/gtest.h>

#include <string_view>

#include "tests/support/fake_clock.h"

namespace mip6::binding {
namespace {

using namespace std::chrono_literals;

base::Ip6Addr addr(std::string_view s) { return *base::Ip6Addr::parse(s); }

TEST(RegistrationLifetimeUnits, R6275_18_RoundsDownButNeverZeroAndClampsToField) {
  EXPECT_EQ(registration_lifetime_units(420s), 105);
  EXPECT_EQ(registration_lifetime_units(7s), 1);   // rounds down
  EXPECT_EQ(registration_lifetime_units(3s), 1);   // never 0 for a registration
  EXPECT_EQ(registration_lifetime_units(-5s), 1);
  EXPECT_EQ(registration_lifetime_units(std::chrono::hours(100)), 0xffff);
  EXPECT_EQ(lifetime_from_units(105), 420s);
}

TEST(SequenceRange, R6275_23_ModuloArithmeticAcrossTheWrap) {
  EXPECT_TRUE(mn_sequence_in_range(5, 5, 5));
  EXPECT_TRUE(mn_sequence_in_range(7, 5, 9));
  EXPECT_FALSE(mn_sequence_in_range(4, 5, 9));
  EXPECT_FALSE(mn_sequence_in_range(10, 5, 9));
  EXPECT_TRUE(mn_sequence_in_range(0xffff, 0xfffe, 2));
  EXPECT_TRUE(mn_sequence_in_range(0, 0xfffe, 2));
  EXPECT_TRUE(mn_sequence_in_range(2, 0xfffe, 2));
  EXPECT_FALSE(mn_sequence_in_range(3, 0xfffe, 2));
  EXPECT_FALSE(mn_sequence_in_range(0xfffd, 0xfffe, 2));
}

TEST(UpdateRateWindow, R6275_59_AtMostRatePerSecond) {
  test::FakeClock clock;
  UpdateRateWindow w;
  const auto t0 = clock.now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(w.next_allowed(clock.now(), 3), clock.now());
    w.record(clock.now());
    clock.advance(100ms);
  }
  EXPECT_EQ(w.next_allowed(clock.now(), 3), t0 + 1s);  // the oldest of the last three + 1 s
  clock.advance_to(t0 + 1s);
  w.record(clock.now());
  EXPECT_EQ(w.next_allowed(clock.now(), 3), t0 + 1100ms);
  // A rate of 1 only looks at the newest send.
  EXPECT_EQ(w.next_allowed(clock.now(), 1), t0 + 2s);
}

TEST(BulEntry, AttemptRangeAndSendTimes) {
  test::FakeClock clock;
  BindingUpdateList bul;
  BulEntry& e = bul.get_or_create(addr("2001:db8::1"), addr("2001:db8::100"), 0xfffe);
  e.begin_attempt(BulState::Registering, 1500ms);
  EXPECT_FALSE(e.acknowledges_outstanding(0xfffe));  // nothing sent yet
  const auto t0 = clock.now();
  EXPECT_EQ(e.take_sequence_for_send(clock.now()), 0xfffe);
  clock.advance(1500ms);
  EXPECT_EQ(e.take_sequence_for_send(clock.now()), 0xffff);
  clock.advance(3s);
  EXPECT_EQ(e.take_sequence_for_send(clock.now()), 0);  // wraps (R6275-58)
  EXPECT_TRUE(e.acknowledges_outstanding(0xfffe));
  EXPECT_TRUE(e.acknowledges_outstanding(0));
  EXPECT_FALSE(e.acknowledges_outstanding(1));
  EXPECT_FALSE(e.acknowledges_outstanding(0xfffd));
  EXPECT_EQ(e.sent_time_of(0), clock.now());
  EXPECT_EQ(e.sent_time_of(0xffff), t0);  // conservatively the attempt start
  // A new attempt closes the old range.
  e.begin_attempt(BulState::Registering, 1s);
  EXPECT_FALSE(e.acknowledges_outstanding(0));
  EXPECT_EQ(e.take_sequence_for_send(clock.now()), 1);
  EXPECT_TRUE(e.acknowledges_outstanding(1));
  // Nothing is outstanding once registered.
  e.state = BulState::Registered;
  EXPECT_FALSE(e.acknowledges_outstanding(1));
}

TEST(BindingUpdateList, KeyedByHomeAgentAndHomeAddress) {
  BindingUpdateList bul;
  const auto ha = addr("2001:db8::1");
  BulEntry& a = bul.get_or_create(ha, addr("2001:db8::100"), 7);
  a.state = BulState::Registered;
  EXPECT_EQ(&bul.get_or_create(ha, addr("2001:db8::100"), 99), bul.find(ha, addr("2001:db8::100")));
  EXPECT_EQ(bul.find(ha, addr("2001:db8::100"))->state, BulState::Registered);  // not reset
  bul.get_or_create(ha, addr("2001:db8::200"), 1);
  EXPECT_EQ(bul.entries().size(), 2U);
  EXPECT_TRUE(bul.erase(ha, addr("2001:db8::100")));
  EXPECT_FALSE(bul.erase(ha, addr("2001:db8::100")));
  EXPECT_EQ(bul.find(ha, addr("2001:db8::100")), nullptr);
  EXPECT_EQ(bul.next_deadline(), base::kNever);
}

TEST(BulEntry, NextDeadlineIsTheEarliestArmedTimer) {
  test::FakeClock clock;
  BulEntry e;
  EXPECT_EQ(e.next_deadline(), base::kNever);
  e.refresh_at = clock.now() + 300s;
  e.binding_expires_at = clock.now() + 400s;
  EXPECT_EQ(e.next_deadline(), clock.now() + 300s);
  e.retransmit_at = clock.now() + 1s;
  EXPECT_EQ(e.next_deadline(), clock.now() + 1s);
  e.finished = true;
  EXPECT_EQ(e.next_deadline(), base::kNever);
}

TEST(BulState, Names) {
  EXPECT_EQ(to_string(BulState::Registering), "registering");
  EXPECT_EQ(to_string(BulState::Registered), "registered");
  EXPECT_EQ(to_string(BulState::Deregistering), "deregistering");
  EXPECT_EQ(to_string(BulState::Failed), "failed");
}

}  // namespace
}  // namespace mip6::binding
