// Exchanges inside an established IKE SA: our request queue with window size 1 and the
// liveness check (RFC 7296 1.4, 2.3, 2.4).
#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;

wire::Header header_of(const std::vector<std::uint8_t>& bytes) {
  auto h = wire::read_header_fields(bytes);
  EXPECT_TRUE(h.has_value());
  return h ? *h : wire::Header{};
}

class Established : public ::testing::Test {
 protected:
  void SetUp() override {
    f.run();
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.resp->state(), IkeSaState::Established);
    f.net->a_sent_.clear();
    f.net->b_sent_.clear();
  }
  Fixture f;
};

// RFC 7296 1.4: an empty INFORMATIONAL request is answered with an empty response. Message
// IDs continue after IKE_AUTH (R7296-39): the initiator's next request is 2.
TEST_F(Established, R7296_39_InitiatorLivenessCheckIsAnswered) {
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  ASSERT_EQ(f.net->b_sent_.size(), 1u);
  const auto req = header_of(f.net->a_sent_[0]);
  const auto rsp = header_of(f.net->b_sent_[0]);
  EXPECT_EQ(req.exchange, wire::ExchangeType::Informational);
  EXPECT_EQ(req.message_id.value(), 2u);
  EXPECT_FALSE(req.response);
  EXPECT_TRUE(rsp.response);
  EXPECT_EQ(rsp.message_id.value(), 2u);
  EXPECT_EQ(f.init->next_deadline(), base::kNever);  // nothing outstanding any more
  EXPECT_EQ(f.resp->counters().get(IkeCounter::EstablishedRequestsAnswered), 1u);
  // A second check uses the next ID.
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(header_of(f.net->a_sent_.back()).message_id.value(), 3u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
}

// The responder's own requests start at Message ID 0 and keep the original initiator's flag
// clear (R7296-04, R7296-39).
TEST_F(Established, R7296_04_ResponderLivenessCheckUsesItsOwnMessageIds) {
  ASSERT_TRUE(f.resp->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->b_sent_.size(), 1u);
  const auto req = header_of(f.net->b_sent_[0]);
  EXPECT_EQ(req.message_id.value(), 0u);
  EXPECT_FALSE(req.initiator);
  EXPECT_FALSE(req.response);
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_TRUE(header_of(f.net->a_sent_[0]).response);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);
}

// Window size 1 (R7296-39): a second request waits until the first is answered.
TEST_F(Established, R7296_39_QueuedRequestsGoOneAtATime) {
  bool drop = true;
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>&) {
    return !(drop && dir == test::Loopback::Dir::AtoB);
  });
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_EQ(f.init->queued_exchanges(), 1u);
  drop = false;
  f.clock.advance(1s);
  f.init->on_timer(f.clock.now());  // retransmission of the first, same ID (R7296-36)
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->a_sent_.size(), 3u);
  EXPECT_EQ(f.net->a_sent_[0], f.net->a_sent_[1]);
  EXPECT_EQ(header_of(f.net->a_sent_[2]).message_id.value(), 3u);
  EXPECT_EQ(f.init->queued_exchanges(), 0u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::RetransmitsSent), 1u);
}

// A dead peer: the liveness check runs out of retransmissions and the SA fails
// (R7296-36, R7296-38).
TEST_F(Established, R7296_38_UnansweredLivenessCheckFailsTheSa) {
  f.net->set_hook([](test::Loopback::Dir, std::vector<std::uint8_t>&) { return false; });
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  for (int i = 0; i < 10 && f.init->state() == IkeSaState::Established; ++i) {
    f.clock.advance(f.init->next_deadline() - f.clock.now());
    f.init->on_timer(f.clock.now());
    f.net->pump(f.clock.now());
  }
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  const auto failed = test::outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, FailureReason::RetransmitLimit);
}

// R7296-43: a request that fails the integrity check is dropped silently, the SA stays.
TEST_F(Established, R7296_43_TamperedInformationalIsDropped) {
  f.net->set_hook([](test::Loopback::Dir dir, std::vector<std::uint8_t>& b) {
    if (dir == test::Loopback::Dir::AtoB) {
      b.back() ^= 0x01;
    }
    return true;
  });
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_TRUE(f.net->b_sent_.empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::DroppedDecryptFailed), 1u);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
}

TEST(EstablishedOnly, LivenessCheckNeedsAnEstablishedSa) {
  Fixture f;
  f.build();
  EXPECT_FALSE(f.init->check_liveness(f.clock.now()));
}

}  // namespace
}  // namespace ike::engine
