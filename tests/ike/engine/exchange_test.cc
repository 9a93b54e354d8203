#include "ike/engine/exchange.h"

#include <gtest/gtest.h>

#include "ike/engine/address_provider.h"
#include "tests/support/fake_clock.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;

// R7296-38: 1 s doubling; R7296-36: give up only after the configured retries.
TEST(OutstandingRequest, R7296_38_ExponentialBackOffSchedule) {
  test::FakeClock clock;
  const auto t0 = clock.now();
  OutstandingRequest req;
  EXPECT_EQ(req.deadline(), base::kNever);
  req.start(wire::MessageId(4), Path{}, {1, 2, 3}, t0, RetransmitPolicy{1s, 2});
  EXPECT_EQ(req.deadline(), t0 + 1s);
  EXPECT_EQ(req.on_timer(t0 + 999ms), OutstandingRequest::TimerAction::None);
  EXPECT_EQ(req.on_timer(t0 + 1s), OutstandingRequest::TimerAction::Resend);
  EXPECT_EQ(req.deadline(), t0 + 3s);
  EXPECT_EQ(req.on_timer(t0 + 3s), OutstandingRequest::TimerAction::Resend);
  EXPECT_EQ(req.deadline(), t0 + 7s);
  EXPECT_EQ(req.retransmits(), 2u);
  EXPECT_EQ(req.on_timer(t0 + 7s), OutstandingRequest::TimerAction::GiveUp);
  EXPECT_FALSE(req.active());
  EXPECT_EQ(req.deadline(), base::kNever);
}

// R7296-37: only a bit-identical retransmission of the last request matches the cache.
TEST(ResponderWindow, R7296_37_CachedResponseOnlyForIdenticalRetransmission) {
  ResponderWindow w;
  EXPECT_EQ(w.expected().value(), 0u);
  const std::vector<std::uint8_t> req{1, 2, 3};
  w.answered(wire::MessageId(0), req, {9, 9});
  EXPECT_EQ(w.expected().value(), 1u);
  EXPECT_TRUE(w.is_retransmit(wire::MessageId(0), req));
  EXPECT_FALSE(w.is_retransmit(wire::MessageId(0), std::vector<std::uint8_t>{1, 2, 4}));
  EXPECT_FALSE(w.is_retransmit(wire::MessageId(1), req));
  EXPECT_EQ(w.cached_response(), (std::vector<std::uint8_t>{9, 9}));
}

TEST(InMemoryAddressPool, SameIdentitySameAddressAndExhaustion) {
  InMemoryAddressPool pool(*base::Ip6Addr::parse("2001:db8:5::"), 64, 2);
  const auto a = wire::IdPayload::make_fqdn("a.example");
  const auto b = wire::IdPayload::make_fqdn("b.example");
  const auto c = wire::IdPayload::make_fqdn("c.example");
  const auto first = pool.assign(a, std::nullopt);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->address, *base::Ip6Addr::parse("2001:db8:5::1"));
  EXPECT_EQ(pool.assign(a, std::nullopt), first);
  ASSERT_TRUE(pool.assign(b, std::nullopt).has_value());
  EXPECT_FALSE(pool.assign(c, std::nullopt).has_value());
  pool.release(first->address);
  const auto again = pool.assign(c, std::nullopt);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->address, first->address);
}

}  // namespace
}  // namespace ike::engine
