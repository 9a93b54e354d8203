// TaskManager mechanics that the two-peer tests only see from outside: the timer slots (one
// per timer kind, fired in kind order, next deadline = their minimum) and the queue of our
// exchanges, which waits for an established SA (window size 1, R7296-39).
#include "ike/engine/task_manager.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "ike/engine/sa_context.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;

class FakeTimer final : public Task {
 public:
  FakeTimer(TaskKind kind, base::TimePoint at, std::vector<TaskKind>& fired)
      : kind_(kind), at_(at), fired_(fired) {}
  [[nodiscard]] TaskKind kind() const override { return kind_; }
  [[nodiscard]] base::TimePoint deadline() const override { return at_; }
  void on_deadline(base::TimePoint) override {
    fired_.push_back(kind_);
    at_ = base::kNever;
  }

 private:
  TaskKind kind_;
  base::TimePoint at_;
  std::vector<TaskKind>& fired_;
};

class NoPayloads final : public Task {
 public:
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeDpd; }
};

struct Sa {
  test::DeterministicRandom random{1};
  test::DeterministicKeyExchangeFactory kex{2};
  InMemoryCredentials credentials;
  SaContext ctx{IkeSaConfig{}, Environment{random, kex, credentials}};
};

TEST(TaskManager, TimersFireInKindOrderAndTheEarliestIsTheDeadline) {
  Sa sa;
  test::FakeClock clock;
  std::vector<TaskKind> fired;
  const base::TimePoint t0 = clock.now();
  sa.ctx.tasks.set_timer(std::make_unique<FakeTimer>(TaskKind::LifetimeTimer, t0 + 5s, fired));
  sa.ctx.tasks.set_timer(std::make_unique<FakeTimer>(TaskKind::DpdTimer, t0 + 3s, fired));
  sa.ctx.tasks.set_timer(std::make_unique<FakeTimer>(TaskKind::KeepaliveTimer, t0 + 3s, fired));
  EXPECT_EQ(sa.ctx.tasks.deadline(), t0 + 3s);
  ASSERT_NE(sa.ctx.tasks.timer(TaskKind::DpdTimer), nullptr);
  EXPECT_EQ(sa.ctx.tasks.timer(TaskKind::RedirectTimer), nullptr);

  sa.ctx.tasks.on_timer(t0 + 2s);
  EXPECT_TRUE(fired.empty());
  sa.ctx.tasks.on_timer(t0 + 3s);
  EXPECT_EQ(fired, (std::vector<TaskKind>{TaskKind::KeepaliveTimer, TaskKind::DpdTimer}));
  EXPECT_EQ(sa.ctx.tasks.deadline(), t0 + 5s);
  sa.ctx.tasks.on_timer(t0 + 5s);
  EXPECT_EQ(fired.back(), TaskKind::LifetimeTimer);
  EXPECT_EQ(sa.ctx.tasks.deadline(), base::kNever);
}

TEST(TaskManager, R7296_39_OurExchangesWaitForAnEstablishedSa) {
  Sa sa;
  test::FakeClock clock;
  sa.ctx.tasks.queue(wire::ExchangeType::Informational, std::make_unique<NoPayloads>(),
                     clock.now());
  sa.ctx.tasks.queue(wire::ExchangeType::Informational, std::make_unique<NoPayloads>(),
                     clock.now());
  EXPECT_EQ(sa.ctx.tasks.queued(), 2u);
  EXPECT_FALSE(sa.ctx.tasks.idle());
  EXPECT_FALSE(sa.ctx.tasks.in_flight().has_value());
  EXPECT_TRUE(sa.ctx.outputs.empty());
  sa.ctx.tasks.drop_queued();
  EXPECT_TRUE(sa.ctx.tasks.idle());
}

}  // namespace
}  // namespace ike::engine
