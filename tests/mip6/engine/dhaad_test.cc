// DHAAD responder (HA) and client (MN).
#include "mip6/engine/dhaad.h"

#include <gtest/gtest.h>

#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"
#include "tests/support/fake_clock.h"

namespace {

using base::Ip6Addr;
using mip6::engine::DhaadClient;
using mip6::engine::DhaadCounter;
using mip6::engine::DhaadResponder;
namespace wire = mip6::wire;
using std::chrono::seconds;

Ip6Addr a(const char* text) {
  return *Ip6Addr::parse(text);
}

const Ip6Addr kPrefix = a("2001:db8:1::");
const Ip6Addr kHa1 = a("2001:db8:1::1");
const Ip6Addr kHa2 = a("2001:db8:1::2");
const Ip6Addr kCoa = a("2001:db8:20::100");

TEST(HomeAgentsAnycast, Rfc2526Forms) {
  EXPECT_EQ(mip6::engine::home_agents_anycast(kPrefix, 64), a("2001:db8:1::fdff:ffff:ffff:fffe"));
  EXPECT_EQ(mip6::engine::home_agents_anycast(a("2001:db8:1:2:3::"), 64),
            a("2001:db8:1:2:fdff:ffff:ffff:fffe"));
  EXPECT_EQ(mip6::engine::home_agents_anycast(kPrefix, 48),
            a("2001:db8:1:ffff:ffff:ffff:ffff:fffe"));
}

class DhaadTest : public ::testing::Test {
 protected:
  DhaadTest()
      : hal_(mip6::binding::HomeAgentsListConfig{}, [this] { return ++rng_; }),
        responder_({kHa1, {{kPrefix, 64}}}, hal_),
        client_([this] { return 0x1234 + rng_; }) {
    hal_.set_configured(a("fe80::1"), {kHa1}, 10, true);
    hal_.set_configured(a("fe80::2"), {kHa2}, 20, false);
  }

  std::vector<std::uint8_t> request(const Ip6Addr& src, const Ip6Addr& dst, std::uint16_t id) {
    wire::Icmpv6Packet icmp;
    icmp.message = wire::DhaadRequest{id, 0};
    const auto body = wire::encode_icmpv6(icmp, src, dst);
    wire::Ipv6Build b;
    b.source = src;
    b.destination = dst;
    return wire::encode_ipv6_packet(b, wire::kIpProtoIcmpv6, body);
  }

  std::uint64_t rng_ = 0;
  test::FakeClock clock_;
  mip6::binding::HomeAgentsList hal_;
  DhaadResponder responder_;
  DhaadClient client_;
};

TEST_F(DhaadTest, R6275_52_R6275_53_R6275_54_ReplyListsHomeAgentsByPreferenceToTheSource) {
  const Ip6Addr anycast = mip6::engine::home_agents_anycast(kPrefix, 64);
  const auto reply = responder_.on_packet(request(kCoa, anycast, 77), clock_.now());
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->destination, kCoa);
  auto ip = wire::decode_ipv6_packet(reply->packet);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->header.source, kHa1);  // a unicast address of ours, not the anycast
  EXPECT_EQ(ip->header.destination, kCoa);
  EXPECT_TRUE(wire::verify_icmpv6_checksum(kHa1, kCoa, ip->upper));
  auto icmp = wire::decode_icmpv6(ip->upper);
  ASSERT_TRUE(icmp.has_value());
  const auto& body = std::get<wire::DhaadReply>(icmp->message);
  EXPECT_EQ(body.identifier, 77);
  ASSERT_EQ(body.home_agents.size(), 2U);
  EXPECT_EQ(body.home_agents[0], kHa2);  // preference 20 before 10
  EXPECT_EQ(body.home_agents[1], kHa1);
}

TEST_F(DhaadTest, R6275_52_RequestsNotForUsOrNotAnswerableAreDropped) {
  const Ip6Addr anycast = mip6::engine::home_agents_anycast(kPrefix, 64);
  EXPECT_FALSE(responder_.on_packet(request(kCoa, kHa1, 1), clock_.now()).has_value());
  EXPECT_EQ(responder_.counters().get(DhaadCounter::DropNotOurAnycast), 1U);
  EXPECT_FALSE(responder_.on_packet(request(a("fe80::9"), anycast, 1), clock_.now()).has_value());
  EXPECT_EQ(responder_.counters().get(DhaadCounter::DropSourceNotGlobal), 1U);
  auto corrupted = request(kCoa, anycast, 1);
  corrupted.back() ^= 0xff;
  EXPECT_FALSE(responder_.on_packet(corrupted, clock_.now()).has_value());
  EXPECT_EQ(responder_.counters().get(DhaadCounter::DropBadChecksum), 1U);
  const std::vector<std::uint8_t> junk = {0x60, 0, 0};
  EXPECT_FALSE(responder_.on_packet(junk, clock_.now()).has_value());
  EXPECT_EQ(responder_.counters().get(DhaadCounter::DropMalformed), 1U);
  EXPECT_EQ(responder_.counters().get(DhaadCounter::RepliesSent), 0U);
}

TEST_F(DhaadTest, R6275_55_ClientRetransmitsDoublingThenGivesUp) {
  const auto first = client_.start(kCoa, kPrefix, 64, clock_.now());
  EXPECT_EQ(first.destination, mip6::engine::home_agents_anycast(kPrefix, 64));
  const auto t0 = clock_.now();
  std::vector<long> sends;
  DhaadClient::TimerResult r;
  while (client_.active()) {
    clock_.advance_to(client_.next_deadline());
    r = client_.on_timer(clock_.now());
    if (r.retransmit) {
      sends.push_back(std::chrono::duration_cast<seconds>(clock_.now() - t0).count());
    }
  }
  EXPECT_EQ(sends, (std::vector<long>{3, 9, 21, 45}));  // DHAAD_RETRIES = 4, doubling from 3 s
  ASSERT_TRUE(r.failed.has_value());
  EXPECT_EQ(r.failed->requests_sent, 5U);
  EXPECT_EQ(std::chrono::duration_cast<seconds>(clock_.now() - t0).count(), 93);
  EXPECT_EQ(client_.next_deadline(), base::kNever);
}

TEST_F(DhaadTest, ClientAndResponderDiscoverEndToEnd) {
  const auto req = client_.start(kCoa, kPrefix, 64, clock_.now());
  const auto reply = responder_.on_packet(req.packet, clock_.now());
  ASSERT_TRUE(reply.has_value());
  // A reply to someone else's identifier is ignored; ours is taken.
  auto ip = wire::decode_ipv6_packet(reply->packet);
  ASSERT_TRUE(ip.has_value());
  const auto found = client_.on_packet(reply->packet, clock_.now());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->home_agents, (std::vector<Ip6Addr>{kHa2, kHa1}));
  EXPECT_FALSE(client_.active());
  EXPECT_FALSE(client_.on_packet(reply->packet, clock_.now()).has_value());  // no longer asked
  EXPECT_EQ(client_.counters().get(DhaadCounter::RepliesIgnored), 1U);
}

TEST_F(DhaadTest, ClientIgnoresRepliesWithAnotherIdentifier) {
  const auto req = client_.start(kCoa, kPrefix, 64, clock_.now());
  wire::Icmpv6Packet icmp;
  icmp.message = wire::DhaadReply{0x9999, 0, {kHa2}};
  const auto body = wire::encode_icmpv6(icmp, kHa1, kCoa);
  wire::Ipv6Build b;
  b.source = kHa1;
  b.destination = kCoa;
  const auto forged = wire::encode_ipv6_packet(b, wire::kIpProtoIcmpv6, body);
  EXPECT_FALSE(client_.on_packet(forged, clock_.now()).has_value());
  EXPECT_TRUE(client_.active());
  EXPECT_EQ(client_.counters().get(DhaadCounter::RepliesIgnored), 1U);
}

}  // namespace
