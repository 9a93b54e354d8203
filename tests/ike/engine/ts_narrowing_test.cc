// The initiator's check of the responder's traffic selectors (RFC 7296 2.9): TSi/TSr in the
// IKE_AUTH and CREATE_CHILD_SA responses must lie inside what we proposed. A wider or
// disjoint answer is refused: no Child SA installed, ChildSaCreateFailed{"ts_not_subset"},
// counted, and the SA the responder installed is deleted (INFORMATIONAL D(ESP), 2.21.3).
#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"
#include "tests/ike/engine/sk_peek.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::outputs_of;
using wire::TrafficSelector;

TrafficSelector range(const char* from, const char* to, std::uint8_t proto = wire::kIpProtoAny,
                      std::uint16_t p0 = wire::kPortAnyStart,
                      std::uint16_t p1 = wire::kPortAnyEnd) {
  return TrafficSelector::ipv6_range(addr(from), addr(to), proto, p0, p1);
}

// ---- the subset rule --------------------------------------------------------------------------

TEST(TsSubset, R7296_2_9_NarrowedSelectorsAreASubset) {
  const std::vector<TrafficSelector> proposed = {range("2001:db8:1::", "2001:db8:1::ffff")};
  EXPECT_TRUE(ts_subset_of(proposed, proposed));
  EXPECT_TRUE(ts_subset_of({range("2001:db8:1::5", "2001:db8:1::5")}, proposed));
  // A protocol and a port range inside "any".
  EXPECT_TRUE(
      ts_subset_of({range("2001:db8:1::5", "2001:db8:1::5", 135, 0x0500, 0x0500)}, proposed));
  // Each answered selector may sit in a different proposed one.
  const std::vector<TrafficSelector> two = {range("2001:db8:1::", "2001:db8:1::ff"),
                                            range("2001:db8:2::", "2001:db8:2::ff")};
  EXPECT_TRUE(ts_subset_of(
      {range("2001:db8:1::1", "2001:db8:1::1"), range("2001:db8:2::1", "2001:db8:2::2")}, two));
}

TEST(TsSubset, R7296_2_9_WiderOrDisjointSelectorsAreRefused) {
  const std::vector<TrafficSelector> proposed = {
      range("2001:db8:1::", "2001:db8:1::ffff", 135, 0x0500, 0x0600)};
  EXPECT_FALSE(ts_subset_of({}, proposed));  // empty
  EXPECT_FALSE(ts_subset_of({range("2001:db8::", "2001:db8:1::ffff", 135, 0x0500, 0x0600)},
                            proposed));  // wider start address
  EXPECT_FALSE(ts_subset_of({range("2001:db8:1::", "2001:db8:1::1:0", 135, 0x0500, 0x0600)},
                            proposed));  // wider end address
  EXPECT_FALSE(ts_subset_of({range("2001:db8:9::", "2001:db8:9::1", 135, 0x0500, 0x0600)},
                            proposed));                                             // disjoint
  EXPECT_FALSE(ts_subset_of({range("2001:db8:1::1", "2001:db8:1::1")}, proposed));  // any proto
  EXPECT_FALSE(ts_subset_of({range("2001:db8:1::1", "2001:db8:1::1", 17, 0x0500, 0x0600)},
                            proposed));  // other protocol
  EXPECT_FALSE(ts_subset_of({range("2001:db8:1::1", "2001:db8:1::1", 135, 0x0400, 0x0600)},
                            proposed));  // wider ports
  // One good selector does not excuse a bad one.
  EXPECT_FALSE(ts_subset_of({range("2001:db8:1::1", "2001:db8:1::1", 135, 0x0500, 0x0500),
                             range("2001:db8:9::1", "2001:db8:9::1", 135, 0x0500, 0x0500)},
                            proposed));
  // IPv4 against an IPv6 proposal.
  EXPECT_FALSE(ts_subset_of({TrafficSelector::ipv4_range({10, 0, 0, 1}, {10, 0, 0, 1})}, proposed));
}

// ---- in the exchanges ---------------------------------------------------------------------------

// Rewrites the TS payload `which` of every protected response the responder sends for
// `exchange`, re-protecting it with the responder's keys (sk_peek.h).
void rewrite_response_ts(Fixture& f, wire::ExchangeType exchange, wire::PayloadType which,
                         std::vector<TrafficSelector> selectors) {
  f.net->set_hook(
      [&f, exchange, which, selectors](test::Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
        const auto h = wire::read_header_fields(bytes);
        if (dir != test::Loopback::Dir::BtoA || !h || !h->response || h->exchange != exchange) {
          return true;
        }
        auto inner = test::open_sent(*f.resp, bytes);
        bool replaced = false;
        for (auto& p : inner) {
          if (p.type == which) {
            p = wire::make_ts_payload(which == wire::PayloadType::TsInitiator,
                                      wire::TsPayload{selectors});
            replaced = true;
          }
        }
        if (replaced) {
          bytes = test::forge(*f.resp, exchange, true, h->message_id.value(), std::move(inner));
        }
        return true;
      });
}

// IKE_AUTH: we propose TSi inside 2001:db8:1::/64 (where the pool is); the responder answers
// with a TSi that covers all of 2001:db8::/32. Refused, counted, deleted at the responder; the
// IKE SA itself is fine (R7296-53).
TEST(TsNarrowingAuth, R7296_2_9_WiderTsiInIkeAuthIsRefused) {
  Fixture f;
  f.cfg_i.child.ts_i = {range("2001:db8:1::", "2001:db8:1::ffff:ffff:ffff:ffff")};
  f.build();
  rewrite_response_ts(f, wire::ExchangeType::IkeAuth, wire::PayloadType::TsInitiator,
                      {range("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")});
  ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_TRUE(outputs_of<InstallChildSa>(f.net->a_events_).empty());
  EXPECT_TRUE(f.init->child_sas().empty());
  const auto failed = outputs_of<ChildSaCreateFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].detail, "ts_not_subset");
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildTsNotSubsetRefused), 1u);
  // The responder had installed its half; our D(ESP) removed it (RFC 7296 1.4.1).
  EXPECT_EQ(outputs_of<InstallChildSa>(f.net->b_events_).size(), 1u);
  const auto removed = outputs_of<ChildSaDeleted>(f.net->b_events_);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_TRUE(removed[0].by_peer);
  EXPECT_TRUE(f.resp->child_sas().empty());
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
}

// Control: the same set-up without rewriting installs the narrowed Child SA (the HoA only).
TEST(TsNarrowingAuth, R7296_2_9_NarrowedTsiInIkeAuthIsInstalledAsNarrowed) {
  Fixture f;
  f.cfg_i.child.ts_i = {range("2001:db8:1::", "2001:db8:1::ffff:ffff:ffff:ffff")};
  f.run();
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  ASSERT_EQ(ci.size(), 1u);
  const auto hoa = f.init->assigned_address()->address;
  ASSERT_EQ(ci[0].ts_local.size(), 1u);
  EXPECT_EQ(ci[0].ts_local[0].ipv6_start(), hoa);
  EXPECT_EQ(ci[0].ts_local[0].ipv6_end(), hoa);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildTsNotSubsetRefused), 0u);
}

class TsNarrowingCreateChild : public ::testing::Test {
 protected:
  void SetUp() override {
    f.run();
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.init->child_sas().size(), 1u);
    f.net->a_events_.clear();
    f.net->b_events_.clear();
  }
  ChildSaConfig mh_child() const {
    ChildSaConfig c = f.cfg_i.child;
    c.ts_i = {range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 135, 0x0500, 0x0600)};
    c.ts_r = {range("2001:db8:1::1", "2001:db8:1::1", 135, 0x0500, 0x0600)};
    return c;
  }
  Fixture f;
};

// CREATE_CHILD_SA: a TSr of another protocol (disjoint from ours) is refused and the
// responder's new SA deleted; the first Child SA and the IKE SA stay.
TEST_F(TsNarrowingCreateChild, R7296_2_9_DisjointTsrIsRefusedAndDeleted) {
  rewrite_response_ts(f, wire::ExchangeType::CreateChildSa, wire::PayloadType::TsResponder,
                      {range("2001:db8:1::1", "2001:db8:1::1", 17)});
  ASSERT_TRUE(f.init->create_child(mh_child(), f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_TRUE(outputs_of<InstallChildSa>(f.net->a_events_).empty());
  const auto failed = outputs_of<ChildSaCreateFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].detail, "ts_not_subset");
  EXPECT_FALSE(failed[0].notify.has_value());
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildTsNotSubsetRefused), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildCreateRefused), 1u);
  EXPECT_EQ(outputs_of<InstallChildSa>(f.net->b_events_).size(), 1u);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->b_events_).size(), 1u);
  EXPECT_EQ(f.init->child_sas().size(), 1u);
  EXPECT_EQ(f.resp->child_sas().size(), 1u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
}

// CREATE_CHILD_SA: the responder narrows within ours (TSi to the HoA): installed with the
// narrowed selectors.
TEST_F(TsNarrowingCreateChild, R7296_2_9_NarrowedTsiIsInstalled) {
  ASSERT_TRUE(f.init->create_child(mh_child(), f.clock.now()));
  f.net->pump(f.clock.now());
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  ASSERT_EQ(ci.size(), 1u);
  const auto hoa = f.init->assigned_address()->address;
  ASSERT_EQ(ci[0].ts_local.size(), 1u);
  EXPECT_EQ(ci[0].ts_local[0].ipv6_start(), hoa);
  EXPECT_EQ(ci[0].ts_local[0].ip_protocol, 135);
  EXPECT_EQ(ci[0].ts_remote, mh_child().ts_r);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildTsNotSubsetRefused), 0u);
}

}  // namespace
}  // namespace ike::engine
