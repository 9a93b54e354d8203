// IkeSaManager (issue 9): lookups, re-filing, and the deadline heap behind next_deadline()
// and due(): many SAs come out in deadline order, and a timer event reads the deadline of
// the SAs it ran and of no other. Fake clock, deterministic RNG and DH.
#include "ike/engine/ike_sa_manager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "tests/ike/engine/front_harness.h"

namespace {

using ike::engine::FiledSa;
using ike::engine::IkeSa;
using ike::engine::IkeSaManager;
using std::chrono::milliseconds;
using std::chrono::seconds;

const base::TimePoint t0 = base::TimePoint{} + std::chrono::hours(1);

// Initiator SAs whose IKE_SA_INIT request is in flight: their deadline is the first
// retransmission, `started + rto`.
struct Initiators {
  test::DeterministicRandom rng{5};
  test::DeterministicKeyExchangeFactory kex{6};
  ike::engine::InMemoryCredentials creds;
  const ike::engine::Path path{{test::addr("2001:db8:ff::10"), 500},
                               {test::addr("2001:db8:1::1"), 500}};

  Initiators() { creds.add(test::kHaId, test::secret(test::kPsk)); }

  std::unique_ptr<IkeSa> started(base::TimePoint at) {
    auto sa = std::make_unique<IkeSa>(test::mn_config(),
                                      ike::engine::Environment{rng, kex, creds, nullptr});
    EXPECT_TRUE(sa->initiate(path, at));
    (void)sa->take_outputs();
    return sa;
  }
};

TEST(IkeSaManagerTest, AddFindRefileErase) {
  Initiators make;
  IkeSaManager<std::uint64_t, std::unordered_map> m;
  auto sa = make.started(t0);
  IkeSa* raw = sa.get();
  FiledSa* filed = m.add(1, FiledSa{std::move(sa), 7, make.path.remote, false});
  ASSERT_NE(filed, nullptr);
  EXPECT_EQ(filed->sa.get(), raw);
  EXPECT_EQ(m.add(1, FiledSa{make.started(t0)}), nullptr);  // taken: dropped
  EXPECT_EQ(m.size(), 1u);
  ASSERT_NE(m.add(2, FiledSa{make.started(t0 + seconds(1))}), nullptr);

  EXPECT_FALSE(m.refile(1, 2));  // taken
  EXPECT_FALSE(m.refile(3, 4));  // nothing under 3
  EXPECT_TRUE(m.refile(1, 5));
  EXPECT_EQ(m.find(1), nullptr);
  ASSERT_NE(m.find(5), nullptr);
  EXPECT_EQ(m.find(5)->sa.get(), raw);  // same SA, same place in memory
  EXPECT_EQ(m.find(5)->tag, 7u);
  EXPECT_EQ(m.due(base::kNever - seconds(1)), (std::vector<std::uint64_t>{5, 2}));

  m.erase(5);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.next_deadline(), m.find(2)->sa->next_deadline());
  m.erase(2);
  EXPECT_EQ(m.next_deadline(), base::kNever);
}

TEST(IkeSaManagerTest, ManySasComeDueInDeadlineOrder) {
  Initiators make;
  IkeSaManager<std::uint64_t, std::unordered_map> m;
  constexpr std::uint64_t kSas = 500;
  // Filed in an order unrelated to their deadlines.
  for (std::uint64_t i = 0; i < kSas; ++i) {
    const std::uint64_t k = (i * 7919) % kSas;
    ASSERT_NE(m.add(k, FiledSa{make.started(t0 + milliseconds(k))}), nullptr);
  }
  const base::Duration rto = m.find(0)->sa->next_deadline() - t0;
  ASSERT_GT(rto, base::Duration::zero());
  EXPECT_EQ(m.next_deadline(), t0 + rto);
  const std::vector<std::uint64_t> due = m.due(t0 + rto + milliseconds(9));
  EXPECT_EQ(due, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  m.erase(0);
  EXPECT_EQ(m.next_deadline(), t0 + rto + milliseconds(1));
}

TEST(IkeSaManagerTest, ATimerEventReadsOnlyTheDueSasDeadlines) {
  Initiators make;
  IkeSaManager<std::uint64_t, std::unordered_map> m;
  constexpr std::uint64_t kSas = 1000;
  for (std::uint64_t k = 0; k < kSas; ++k) {
    ASSERT_NE(m.add(k, FiledSa{make.started(t0 + milliseconds(k))}), nullptr);
  }
  EXPECT_EQ(m.deadline_reads(), kSas);  // one per add()
  const base::TimePoint first = m.next_deadline();
  const std::uint64_t reads = m.deadline_reads();

  // What an owner does on a timer event: run the due SAs, re-file their deadlines.
  const std::vector<std::uint64_t> due = m.due(first + milliseconds(2));
  ASSERT_EQ(due, (std::vector<std::uint64_t>{0, 1, 2}));
  for (const std::uint64_t k : due) {
    m.find(k)->sa->on_timer(first + milliseconds(2));  // the first retransmission
    (void)m.find(k)->sa->take_outputs();
    m.touch(k);
  }
  EXPECT_EQ(m.deadline_reads(), reads + 3);  // not one read for the 997 others
  EXPECT_EQ(m.next_deadline(), first + milliseconds(3));
  EXPECT_GT(m.find(0)->sa->next_deadline(), first + milliseconds(2));  // retransmitted
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(m.next_deadline(), first + milliseconds(3));  // asking is free
  }
  EXPECT_EQ(m.deadline_reads(), reads + 3);
}

// The responder front keeps its SAs in an IkeSaManager: a half-open timeout expires that SA
// only, and asks no other SA for its deadline.
TEST(IkeSaManagerTest, FrontTimerEventRunsOnlyTheExpiredHalfOpenSa) {
  ike::engine::IkeResponderConfig cfg;
  cfg.cookie_threshold = std::nullopt;
  test::Gateway gw(cfg);
  std::vector<std::unique_ptr<test::Mobile>> mobiles;
  test::FakeClock clock;
  const ike::engine::Path to_gw{{test::addr("2001:db8:1::1"), 500},
                                {test::addr("2001:db8:ff::10"), 500}};
  constexpr int kSas = 40;
  for (int i = 0; i < kSas; ++i) {
    mobiles.push_back(std::make_unique<test::Mobile>(1000 + i));
    auto& mn = *mobiles.back();
    ASSERT_TRUE(mn.sa->initiate({to_gw.remote, to_gw.local}, clock.now()));
    for (auto& o : mn.sa->take_outputs()) {
      if (auto* s = std::get_if<ike::engine::SendDatagram>(&o)) {
        gw.front->on_datagram(to_gw, s->bytes, clock.now());
      }
    }
    clock.advance(seconds(1));
  }
  (void)gw.front->take_outputs();
  ASSERT_EQ(gw.front->half_open(), static_cast<std::uint32_t>(kSas));
  const base::TimePoint first = gw.front->next_deadline();
  const std::uint64_t reads = gw.front->deadline_reads();

  gw.front->on_timer(first);
  EXPECT_EQ(gw.front->sa_count(), static_cast<std::size_t>(kSas - 1));
  EXPECT_EQ(gw.front->deadline_reads(), reads);  // the expired SA is gone, nobody else asked
  EXPECT_EQ(gw.front->next_deadline(), first + seconds(1));
  EXPECT_EQ(gw.front->counters().get(ike::engine::ResponderCounter::SasRemoved), 1u);
}

}  // namespace
