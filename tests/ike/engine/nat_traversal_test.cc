// NAT traversal (RFC 7296 2.23, RFC 3948; R7296-56): NAT-D hashes (IPv4 in its 4-octet form),
// the initiator's float to the NAT-T port, the responder following the peer's authentic path,
// UDP encapsulation of the Child SA, keepalives from the side behind the NAT. A NatBox between
// the two engines rewrites the mobile's address and port, as a real NAT would.
#include <gtest/gtest.h>

#include "ike/base/hex.h"
#include "ike/engine/tasks/ike_natd.h"
#include "tests/ike/engine/front_harness.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::addr;
using test::of;

const base::Ip6Addr kMnPrivate = addr("2001:db8:10::2");
const base::Ip6Addr kNatPublic = addr("2001:db8:20::1");
const base::Ip6Addr kHa = addr("2001:db8:1::1");
const Path kMnPath{{kMnPrivate, 500}, {kHa, 500}};

base::Ip6Addr v4_mapped(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  base::Ip6Addr::Bytes bytes{};
  bytes[10] = bytes[11] = 0xff;
  bytes[12] = a;
  bytes[13] = b;
  bytes[14] = c;
  bytes[15] = d;
  return base::Ip6Addr(bytes);
}

std::string notify_hex(const std::vector<wire::Payload>& payloads, wire::NotifyType t) {
  const auto* n = wire::find_notify(payloads, t);
  return n != nullptr ? base::to_hex(n->data) : "";
}

// Vectors: SHA-1(SPIi | SPIr | address | port) computed independently (Python hashlib) for
// RFC 7296 2.23; the IPv4 address goes in as 4 octets even when we carry it IPv4-mapped.
TEST(NatDetection, R7296_56_HashesUseFourOctetsForIpv4MappedAddresses) {
  const wire::Spi spi_i(0x0123456789abcdefULL);
  const wire::Spi spi_r(0xfedcba9876543210ULL);
  const Path v4{{v4_mapped(192, 0, 2, 1), 500}, {v4_mapped(198, 51, 100, 7), 4500}};
  const auto p4 = build_nat_detection(spi_i, spi_r, v4);
  EXPECT_EQ(notify_hex(p4, wire::NotifyType::NatDetectionSourceIp),
            "b43b59394bf8bc930246a8f80b6fddf05c58d9bf");
  const auto p4_request = build_nat_detection(spi_i, wire::Spi(), v4);  // SPIr 0 in the request
  EXPECT_EQ(notify_hex(p4_request, wire::NotifyType::NatDetectionDestinationIp),
            "86eefc82d1a91d890a322babf8915fa927571da3");
  const Path v6{{addr("2001:db8::1"), 500}, {kHa, 500}};
  EXPECT_EQ(
      notify_hex(build_nat_detection(spi_i, spi_r, v6), wire::NotifyType::NatDetectionSourceIp),
      "b1e6b208b64aca4ee062c3003af05ce0dac5e902");
  EXPECT_EQ(nat_detection_address(v4_mapped(192, 0, 2, 1)).size(), 4u);
  EXPECT_EQ(nat_detection_address(kHa).size(), 16u);
}

// The peer's view of the same path (the mirror) detects no NAT; a changed port does, and
// which hash mismatches tells which side is behind the NAT.
TEST(NatDetection, R7296_56_SourceAndDestinationMismatchAreTold) {
  const wire::Spi spi_i(11);
  const Path sender{{v4_mapped(10, 0, 0, 2), 500}, {v4_mapped(192, 0, 2, 1), 500}};
  wire::Message m;
  m.header.spi_i = spi_i;
  m.payloads = build_nat_detection(spi_i, wire::Spi(), sender);
  const Path mirror{sender.remote, sender.local};
  EXPECT_FALSE(detect_nat(mirror, m).any());
  // The receiver sees the sender from behind a NAT: the SOURCE hash mismatches.
  const Path natted{sender.remote, {v4_mapped(203, 0, 113, 9), 61000}};
  const NatStatus at_receiver = detect_nat(natted, m);
  EXPECT_TRUE(at_receiver.peer_behind_nat);
  EXPECT_FALSE(at_receiver.local_behind_nat);
  // A message without NAT-D says nothing.
  EXPECT_FALSE(detect_nat(natted, wire::Message{}).any());
}

struct NatFixture {
  explicit NatFixture(IkeSaConfig mn_cfg = test::mn_config()) : mn(5, std::move(mn_cfg)) {}
  test::Gateway gw{IkeResponderConfig{}};
  test::Mobile mn;
  test::NatBox nat{kNatPublic};
  test::Network net{gw, mn, &nat};

  const IkeSa* gateway_sa() const {
    const auto created = of<ResponderSaCreated>(gw.events);
    return created.empty() ? nullptr : gw.front->find(created.back().spi_r);
  }
};

// R7296-56: behind a NAT the initiator detects it, moves IKE_AUTH to port 4500 (on both
// ends), and both Child SAs are UDP-encapsulated between the NAT-T ports; the responder
// answers on the path each request came on and then keeps the peer's NAT-T mapping.
TEST(NatTraversal, R7296_56_InitiatorBehindNatFloatsTo4500FromIkeAuth) {
  NatFixture f;
  ASSERT_TRUE(f.mn.sa->initiate(kMnPath, f.net.clock.now()));
  f.net.pump();
  ASSERT_EQ(f.mn.sa->state(), IkeSaState::Established);
  const IkeSa* ha = f.gateway_sa();
  ASSERT_NE(ha, nullptr);
  ASSERT_EQ(ha->state(), IkeSaState::Established);

  // Who is behind the NAT: us, as the initiator sees it; the peer, as the responder sees it.
  EXPECT_TRUE(f.mn.sa->nat_status().local_behind_nat);
  EXPECT_FALSE(f.mn.sa->nat_status().peer_behind_nat);
  EXPECT_TRUE(ha->nat_status().peer_behind_nat);
  EXPECT_FALSE(ha->nat_status().local_behind_nat);
  EXPECT_EQ(f.mn.sa->counters().get(IkeCounter::NatTFloats), 1u);

  // IKE_SA_INIT on 500, IKE_AUTH on 4500 -> 4500.
  ASSERT_GE(f.mn.sent.size(), 2u);
  EXPECT_EQ(f.mn.sent[0].path, kMnPath);
  const Path floated{{kMnPrivate, 4500}, {kHa, 4500}};
  EXPECT_EQ(f.mn.sent[1].path, floated);
  EXPECT_EQ(test::decode(f.mn.sent[1].bytes).header.exchange, wire::ExchangeType::IkeAuth);
  EXPECT_EQ(f.mn.sa->path(), floated);

  // The responder answered each request where it came from: the 500 mapping, then the new
  // 4500 mapping the NAT made for the float; it now holds the latter.
  ASSERT_EQ(f.gw.sent.size(), 2u);
  EXPECT_EQ(f.gw.sent[0].path.remote, (Endpoint{kNatPublic, 40000}));
  EXPECT_EQ(f.gw.sent[1].path, (Path{{kHa, 4500}, {kNatPublic, 40001}}));
  EXPECT_EQ(ha->path(), f.gw.sent[1].path);
  EXPECT_EQ(ha->counters().get(IkeCounter::PeerPathUpdates), 1u);

  const auto mn_child = of<InstallChildSa>(f.mn.events);
  const auto ha_child = test::sa_events<InstallChildSa>(f.gw.events);
  ASSERT_EQ(mn_child.size(), 1u);
  ASSERT_EQ(ha_child.size(), 1u);
  EXPECT_TRUE(mn_child[0].udp_encap);
  EXPECT_EQ(mn_child[0].path, floated);
  EXPECT_TRUE(ha_child[0].udp_encap);
  EXPECT_EQ(ha_child[0].path.local.port, 4500);
  EXPECT_EQ(ha_child[0].path.remote, (Endpoint{kNatPublic, 40001}));
}

// RFC 3948 4: only the side behind the NAT sends keepalives, 0xFF on 4500 every interval.
TEST(NatTraversal, R7296_56_KeepalivesFromTheSideBehindTheNatOnly) {
  IkeSaConfig cfg = test::mn_config();
  cfg.nat.keepalive_interval = 20s;
  NatFixture f(cfg);
  ASSERT_TRUE(f.mn.sa->initiate(kMnPath, f.net.clock.now()));
  f.net.pump();
  ASSERT_EQ(f.mn.sa->state(), IkeSaState::Established);
  const base::TimePoint established = f.net.clock.now();
  EXPECT_EQ(f.mn.sa->next_deadline(), established + 20s);
  for (int i = 1; i <= 3; ++i) {
    f.net.clock.advance_to(f.mn.sa->next_deadline());
    f.mn.sa->on_timer(f.net.clock.now());
    f.gw.front->on_timer(f.net.clock.now());
    f.net.pump();
    EXPECT_EQ(f.mn.sa->counters().get(IkeCounter::NatKeepalivesSent), static_cast<unsigned>(i));
  }
  EXPECT_EQ(f.net.clock.now(), established + 60s);
  std::vector<SendDatagram> keepalives;
  for (const auto& s : f.mn.sent) {
    if (s.nat_keepalive) {
      keepalives.push_back(s);
    }
  }
  ASSERT_EQ(keepalives.size(), 3u);
  EXPECT_EQ(keepalives[0].bytes, std::vector<std::uint8_t>{0xFF});
  EXPECT_EQ(keepalives[0].path, (Path{{kMnPrivate, 4500}, {kHa, 4500}}));
  // The responder is not behind a NAT: it sends none.
  for (const auto& s : f.gw.sent) {
    EXPECT_FALSE(s.nat_keepalive);
  }
  EXPECT_EQ(f.gateway_sa()->counters().get(IkeCounter::NatKeepalivesSent), 0u);
}

// Without a NAT nothing moves: IKE_AUTH stays on 500, no encapsulation, no keepalive timer.
TEST(NatTraversal, R7296_56_NoNatNoFloatNoEncapsulation) {
  test::Gateway gw{IkeResponderConfig{}};
  test::Mobile mn(5);
  test::Network net{gw, mn};
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  net.pump();
  ASSERT_EQ(mn.sa->state(), IkeSaState::Established);
  EXPECT_FALSE(mn.sa->nat_detected());
  EXPECT_EQ(mn.sa->path(), kMnPath);
  for (const auto& s : mn.sent) {
    EXPECT_EQ(s.path, kMnPath);
  }
  ASSERT_EQ(of<InstallChildSa>(mn.events).size(), 1u);
  EXPECT_FALSE(of<InstallChildSa>(mn.events)[0].udp_encap);
  EXPECT_EQ(mn.sa->next_deadline(), base::kNever);
}

// float_on_nat = false: the NAT is detected and reported, but the SA stays on 500, and
// with no NAT-T path there is nothing to encapsulate or keep alive.
TEST(NatTraversal, R7296_56_FloatCanBeSwitchedOff) {
  IkeSaConfig cfg = test::mn_config();
  cfg.nat.float_on_nat = false;
  NatFixture f(cfg);
  ASSERT_TRUE(f.mn.sa->initiate(kMnPath, f.net.clock.now()));
  f.net.pump();
  ASSERT_EQ(f.mn.sa->state(), IkeSaState::Established);
  EXPECT_TRUE(f.mn.sa->nat_detected());
  EXPECT_EQ(f.mn.sa->path(), kMnPath);
  EXPECT_FALSE(of<InstallChildSa>(f.mn.events).at(0).udp_encap);
  EXPECT_EQ(f.mn.sa->counters().get(IkeCounter::NatTFloats), 0u);
}

// 2.23: the NAT drops the mapping; the next authentic request comes from a new public port and
// the responder follows it. An unauthentic datagram from elsewhere moves nothing.
TEST(NatTraversal, R7296_56_ResponderFollowsANewMappingOnlyOnAuthenticRequests) {
  NatFixture f;
  ASSERT_TRUE(f.mn.sa->initiate(kMnPath, f.net.clock.now()));
  f.net.pump();
  const IkeSa* ha = f.gateway_sa();
  ASSERT_NE(ha, nullptr);
  const Path before = ha->path();

  // Garbage with the SA's SPIs from a stranger: dropped, path unchanged.
  auto forged = f.mn.sent[1].bytes;  // the IKE_AUTH request, replayed with a flipped ICV
  forged.back() ^= 1;
  f.gw.front->on_datagram(Path{{kHa, 4500}, {addr("2001:db8:666::1"), 4500}}, forged,
                          f.net.clock.now());
  (void)f.gw.front->take_outputs();
  EXPECT_EQ(ha->path(), before);

  f.nat.forget_all();
  ASSERT_TRUE(f.mn.sa->check_liveness(f.net.clock.now()));
  f.net.pump();
  EXPECT_EQ(ha->path(), (Path{{kHa, 4500}, {kNatPublic, 40002}}));
  EXPECT_EQ(ha->counters().get(IkeCounter::PeerPathUpdates), 2u);
  EXPECT_EQ(f.mn.sa->state(), IkeSaState::Established);
}

}  // namespace
}  // namespace ike::engine
