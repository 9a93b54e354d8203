// IKE SA hard lifetime (RFC 7296 2.8): the soft lifetime rekeys the IKE SA; when no rekey
// succeeds before the hard lifetime (the peer drops every rekey request, or refuses it), the
// IKE SA and its Child SAs are deleted. Two IkeSa peers over the Loopback, fake clock.
#include <gtest/gtest.h>

#include <algorithm>

#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::outputs_of;

bool is_create_child(const std::vector<std::uint8_t>& bytes) {
  const auto h = wire::read_header_fields(bytes);
  return h && h->exchange == wire::ExchangeType::CreateChildSa;
}

class IkeHardLifetime : public ::testing::Test {
 protected:
  void establish() {
    f.cfg_i.ike_rekey_after = 600s;
    f.cfg_r.child.esp.dh_groups = {};
    f.run();
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.init->child_sas().size(), 1u);
    start_ = f.clock.now();
    first_child_ = f.init->child_sas()[0].spi_in;
  }
  void run_until(base::TimePoint until) { f.run_until(until, 400); }

  Fixture f;
  base::TimePoint start_{};
  std::uint32_t first_child_ = 0;
};

// 2.8: a peer that drops every rekey request: the rekey is still being retransmitted when the
// hard lifetime (explicit, 620 s) runs out, so no Delete can go out (window size 1,
// R7296-39): the SA closes at once, its Child SA with it.
TEST_F(IkeHardLifetime, PeerDroppingRekeysReachesTheHardLifetime) {
  f.cfg_i.ike_hard_lifetime = 620s;
  establish();
  int dropped = 0;
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    if (dir == test::Loopback::Dir::AtoB && is_create_child(bytes)) {
      ++dropped;
      return false;
    }
    return true;
  });
  run_until(start_ + 619s);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeRekeysStarted), 1u);  // soft lifetime
  EXPECT_GE(dropped, 2);                                                // ... retransmitted
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSaHardExpired), 0u);
  run_until(start_ + 621s);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSaHardExpired), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSasRekeyed), 0u);
  EXPECT_TRUE(f.init->child_sas().empty());
  const auto gone = outputs_of<ChildSaDeleted>(f.net->a_events_);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].spi_in, first_child_);
  const auto deleted = outputs_of<SaDeleted>(f.net->a_events_);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_FALSE(deleted[0].by_peer);
  EXPECT_FALSE(deleted[0].answered);
  EXPECT_EQ(deleted[0].detail, "hard lifetime");
  EXPECT_TRUE(f.init->finished());
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
}

// Without an explicit value the hard lifetime is 110 % of the soft one (660 s here). Long
// retransmission back-off keeps the dropped rekey alive past it.
TEST_F(IkeHardLifetime, DefaultHardLifetimeIsTenPercentAboveTheSoftOne) {
  f.cfg_i.retransmit.initial = 10s;  // gives up only after 630 s
  establish();
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    return !(dir == test::Loopback::Dir::AtoB && is_create_child(bytes));
  });
  run_until(start_ + 659s);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  run_until(start_ + 661s);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSaHardExpired), 1u);
}

// A refused rekey (TEMPORARY_FAILURE, 2.25.2, with a retry later than the hard lifetime):
// the window is free at the hard lifetime, so the SA goes with a Delete (R7296-55) that the
// peer answers; both sides end Closed and drop the Child SA.
TEST_F(IkeHardLifetime, RefusedRekeyEndsWithADeleteAtTheHardLifetime) {
  f.cfg_i.rekey_retry_interval = 1h;
  establish();
  run_until(start_ + 599s);
  f.clock.advance_to(f.init->next_deadline());
  ASSERT_EQ(f.clock.now(), start_ + 600s);
  // The HA's own CREATE_CHILD_SA is in flight when the MN's rekey arrives: refused.
  ASSERT_TRUE(f.resp->create_child(f.cfg_i.child, f.clock.now()));
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.init->counters().get(IkeCounter::IkeRekeyFailed), 1u);
  ASSERT_EQ(f.resp->counters().get(IkeCounter::TemporaryFailureSent), 1u);
  ASSERT_EQ(f.init->child_sas().size(), 2u);
  run_until(start_ + 659s);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  run_until(start_ + 661s);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSaHardExpired), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeDeletesSent), 1u);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  const auto ours = outputs_of<SaDeleted>(f.net->a_events_);
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_TRUE(ours[0].answered);
  EXPECT_EQ(ours[0].detail, "hard lifetime");
  const auto theirs = outputs_of<SaDeleted>(f.net->b_events_);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_TRUE(theirs[0].by_peer);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->a_events_).size(), 2u);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->b_events_).size(), 2u);
  EXPECT_TRUE(f.resp->child_sas().empty());
}

// A successful rekey restarts both lifetimes: with the hard lifetime only 20 s above the soft
// one, two rekeys (600 s, 1200 s) keep the SA alive to 1300 s.
TEST_F(IkeHardLifetime, SuccessfulRekeyResetsSoftAndHardLifetimes) {
  f.cfg_i.ike_hard_lifetime = 620s;
  establish();
  run_until(start_ + 1300s);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSasRekeyed), 2u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSaHardExpired), 0u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->child_sas().size(), 1u);
  // The next hard deadline counts from the last rekey (1200 s), the soft one too.
  EXPECT_LE(f.init->next_deadline(), start_ + 1800s);
  EXPECT_GT(f.init->next_deadline(), start_ + 1300s);
}

// Off by default: no soft and no hard lifetime.
TEST_F(IkeHardLifetime, NoLifetimesByDefault) {
  f.run();
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
}

}  // namespace
}  // namespace ike::engine
