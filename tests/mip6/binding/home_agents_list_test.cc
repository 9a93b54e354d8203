// HomeAgentsList: RFC 6275 10.5.1 RA processing, expiry, bounded growth, DHAAD Reply ordering
// and trimming, and the redirect-target helper.
#include "mip6/binding/home_agents_list.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "tests/support/fake_clock.h"

namespace mip6::binding {
namespace {

using namespace std::chrono_literals;

base::Ip6Addr addr(std::string_view s) { return *base::Ip6Addr::parse(s); }

const base::Ip6Addr kLl1 = addr("fe80::1");
const base::Ip6Addr kLl2 = addr("fe80::2");
const base::Ip6Addr kLl3 = addr("fe80::3");
const base::Ip6Addr kG1 = addr("2001:db8::1");
const base::Ip6Addr kG1b = addr("2001:db8:2::1");
const base::Ip6Addr kG2 = addr("2001:db8::2");
const base::Ip6Addr kG3 = addr("2001:db8::3");

wire::PrefixInformationOption pio(const base::Ip6Addr& a, bool r_bit = true,
                                  std::uint32_t valid = 86400) {
  wire::PrefixInformationOption p;
  p.prefix_length = 64;
  p.on_link = true;
  p.autonomous = true;
  p.router_address = r_bit;
  p.valid_lifetime = valid;
  p.preferred_lifetime = valid;
  p.prefix = a;
  return p;
}

wire::RouterAdvertisement ra(bool h, std::uint16_t router_lifetime,
                             std::optional<wire::HomeAgentInformationOption> hai,
                             std::vector<wire::PrefixInformationOption> pios) {
  wire::RouterAdvertisement r;
  r.home_agent = h;
  r.router_lifetime = router_lifetime;
  if (hai) {
    r.options.emplace_back(*hai);
  }
  for (auto& p : pios) {
    r.options.emplace_back(p);
  }
  return r;
}

wire::HomeAgentInformationOption hai(std::uint16_t preference, std::uint16_t lifetime) {
  wire::HomeAgentInformationOption o;
  o.preference = preference;
  o.lifetime = lifetime;
  return o;
}

class HomeAgentsListTest : public ::testing::Test {
 protected:
  explicit HomeAgentsListTest(HomeAgentsListConfig config = {})
      : list_(config, [this] { return rng_(); }) {}
  base::TimePoint now() const { return clock_.now(); }

  test::FakeClock clock_;
  std::mt19937_64 rng_{42};  // fixed seed: deterministic "random" order
  HomeAgentsList list_;
};

TEST_F(HomeAgentsListTest, R6275_50_PreferenceAndLifetimeFromHomeAgentInformationOption) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(7, 600), {pio(kG1)}), now());
  const HomeAgentEntry* e = list_.find(kLl1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->preference, 7);
  EXPECT_EQ(e->expires_at, now() + 600s);  // the option's lifetime, not Router Lifetime
  ASSERT_EQ(e->addresses.size(), 1U);
  EXPECT_EQ(e->addresses[0].address, kG1);
  EXPECT_EQ(e->addresses[0].valid_until, now() + 86400s);
}

TEST_F(HomeAgentsListTest, R6275_50_WithoutOptionPreferenceZeroAndRouterLifetime) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, std::nullopt, {pio(kG1)}), now());
  const HomeAgentEntry* e = list_.find(kLl1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->preference, 0);
  EXPECT_EQ(e->expires_at, now() + 1800s);
}

TEST_F(HomeAgentsListTest, R6275_49_HomeAgentFlagClearedDeletesEntry) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1)}), now());
  ASSERT_NE(list_.find(kLl1), nullptr);
  list_.on_router_advertisement(kLl1, ra(false, 1800, std::nullopt, {pio(kG1)}), now());
  EXPECT_EQ(list_.find(kLl1), nullptr);
  EXPECT_EQ(list_.counters().get(HaListCounter::RaWithoutHomeAgentFlag), 1U);
  // An H = 0 RA from an unknown router creates nothing.
  list_.on_router_advertisement(kLl2, ra(false, 1800, std::nullopt, {pio(kG2)}), now());
  EXPECT_EQ(list_.size(), 0U);
}

TEST_F(HomeAgentsListTest, R6275_49_ZeroLifetimeDeletesExistingAndCreatesNothing) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1)}), now());
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 0), {pio(kG1)}), now());
  EXPECT_EQ(list_.find(kLl1), nullptr);
  list_.on_router_advertisement(kLl2, ra(true, 0, std::nullopt, {pio(kG2)}), now());  // RL 0
  EXPECT_EQ(list_.find(kLl2), nullptr);
  EXPECT_EQ(list_.counters().get(HaListCounter::RaZeroLifetime), 2U);
}

TEST_F(HomeAgentsListTest, RefreshResetsLifetimeAndPreferenceAndAccumulatesAddresses) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1)}), now());
  clock_.advance(100s);
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(9, 300), {pio(kG1b)}), now());
  const HomeAgentEntry* e = list_.find(kLl1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->preference, 9);
  EXPECT_EQ(e->expires_at, now() + 300s);
  EXPECT_EQ(e->addresses.size(), 2U);
  EXPECT_EQ(list_.counters().get(HaListCounter::EntryRefreshed), 1U);
}

TEST_F(HomeAgentsListTest, R6275_51_OnlyGlobalAddressesFromPiosWithRouterAddressBit) {
  auto r = ra(true, 1800, hai(1, 600), {pio(kG1), pio(kG2, /*r_bit=*/false)});
  r.options.emplace_back(pio(addr("fe80::99")));  // R = 1 but link-local: not global
  list_.on_router_advertisement(kLl1, r, now());
  const HomeAgentEntry* e = list_.find(kLl1);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->addresses.size(), 1U);
  EXPECT_EQ(e->addresses[0].address, kG1);
  EXPECT_EQ(list_.counters().get(HaListCounter::AddressNotGlobal), 1U);
}

TEST_F(HomeAgentsListTest, R6275_51_InvalidPrefixRemovesAddress) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1), pio(kG1b, true, 50)}),
                                now());
  ASSERT_EQ(list_.find(kLl1)->addresses.size(), 2U);
  // Valid lifetime 0 in a later RA: gone at once.
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1, true, 0)}), now());
  ASSERT_EQ(list_.find(kLl1)->addresses.size(), 1U);
  EXPECT_EQ(list_.find(kLl1)->addresses[0].address, kG1b);
  // Valid lifetime running out: gone at the deadline.
  EXPECT_EQ(list_.next_deadline(), now() + 50s);
  clock_.advance(50s);
  list_.expire(now());
  ASSERT_NE(list_.find(kLl1), nullptr);
  EXPECT_TRUE(list_.find(kLl1)->addresses.empty());
  EXPECT_EQ(list_.counters().get(HaListCounter::AddressInvalidated), 2U);
}

TEST_F(HomeAgentsListTest, InfinitePrefixLifetimeNeverExpiresTheAddress) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1, true, 0xffffffff)}),
                                now());
  EXPECT_EQ(list_.find(kLl1)->addresses.at(0).valid_until, base::kNever);
  EXPECT_EQ(list_.next_deadline(), now() + 600s);
}

TEST_F(HomeAgentsListTest, R6275_51_EntryExpiresAtItsLifetime) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), {pio(kG1, true, 0xffffffff)}),
                                now());
  list_.on_router_advertisement(kLl2, ra(true, 900, std::nullopt, {pio(kG2, true, 0xffffffff)}),
                                now());
  EXPECT_EQ(list_.next_deadline(), now() + 600s);
  clock_.advance(599s);
  list_.expire(now());
  EXPECT_EQ(list_.size(), 2U);
  clock_.advance(1s);
  list_.expire(now());
  EXPECT_EQ(list_.find(kLl1), nullptr);
  EXPECT_NE(list_.find(kLl2), nullptr);
  EXPECT_EQ(list_.next_deadline(), now() + 300s);
  EXPECT_EQ(list_.counters().get(HaListCounter::EntryExpired), 1U);
}

TEST_F(HomeAgentsListTest, RaFromNonLinkLocalSourceIsIgnored) {
  list_.on_router_advertisement(kG1, ra(true, 1800, hai(1, 600), {pio(kG1)}), now());
  EXPECT_EQ(list_.size(), 0U);
  EXPECT_EQ(list_.counters().get(HaListCounter::RaNotLinkLocalSource), 1U);
}

TEST_F(HomeAgentsListTest, R6275_48_ConfiguredEntryNeverExpiresAndIgnoresRas) {
  list_.set_configured(kLl1, {kG1}, 20, /*self=*/true);
  EXPECT_EQ(list_.next_deadline(), base::kNever);
  list_.on_router_advertisement(kLl1, ra(false, 0, std::nullopt, {}), now());  // looped back
  ASSERT_NE(list_.find(kLl1), nullptr);
  EXPECT_EQ(list_.find(kLl1)->preference, 20);
  EXPECT_EQ(list_.counters().get(HaListCounter::RaForConfiguredEntry), 1U);
  clock_.advance(std::chrono::hours(24 * 365));
  list_.expire(now());
  EXPECT_NE(list_.find(kLl1), nullptr);
  EXPECT_TRUE(list_.remove(kLl1));
  EXPECT_FALSE(list_.remove(kLl1));
}

TEST_F(HomeAgentsListTest, AddressesPerEntryAreBounded) {
  std::vector<wire::PrefixInformationOption> pios;
  for (int i = 1; i <= 20; ++i) {
    pios.push_back(pio(addr("2001:db8:" + std::to_string(i) + "::1")));
  }
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 600), pios), now());
  EXPECT_EQ(list_.find(kLl1)->addresses.size(), HomeAgentsListConfig{}.max_addresses_per_entry);
  EXPECT_EQ(list_.counters().get(HaListCounter::AddressesCapped), 12U);
}

class BoundedHomeAgentsListTest : public HomeAgentsListTest {
 protected:
  BoundedHomeAgentsListTest() : HomeAgentsListTest(HomeAgentsListConfig{3, 8}) {}
};

TEST_F(BoundedHomeAgentsListTest, SpoofedRaFloodCannotGrowTheTable) {
  list_.set_configured(addr("fe80::aaaa"), {kG3}, 0, true);  // not counted, never evicted
  for (int i = 1; i <= 1000; ++i) {
    char ll[32];
    std::snprintf(ll, sizeof ll, "fe80::%x:1", i);
    list_.on_router_advertisement(addr(ll), ra(true, 1800, std::nullopt, {pio(kG1)}), now());
  }
  EXPECT_EQ(list_.size(), 4U);  // 3 learned + the configured one
  EXPECT_NE(list_.find(addr("fe80::aaaa")), nullptr);
  // Equal rank: the newcomer loses, the table is stable.
  EXPECT_EQ(list_.counters().get(HaListCounter::RejectedForCapacity), 997U);
  EXPECT_EQ(list_.counters().get(HaListCounter::EntryCreated), 3U);
}

TEST_F(BoundedHomeAgentsListTest, BetterNewcomerEvictsLowestPreferenceThenSoonestExpiry) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(5, 600), {pio(kG1)}), now());
  list_.on_router_advertisement(kLl2, ra(true, 1800, hai(1, 600), {pio(kG2)}), now());
  list_.on_router_advertisement(kLl3, ra(true, 1800, hai(1, 300), {pio(kG3)}), now());
  const base::Ip6Addr ll4 = addr("fe80::4");
  list_.on_router_advertisement(ll4, ra(true, 1800, hai(2, 600), {pio(kG3)}), now());
  EXPECT_EQ(list_.size(), 3U);
  EXPECT_EQ(list_.find(kLl3), nullptr);  // preference 1 and the sooner expiry
  EXPECT_NE(list_.find(kLl2), nullptr);
  EXPECT_NE(list_.find(ll4), nullptr);
  EXPECT_EQ(list_.counters().get(HaListCounter::EvictedForCapacity), 1U);
  // A worse newcomer does not get in.
  list_.on_router_advertisement(addr("fe80::5"), ra(true, 1800, hai(0, 600), {pio(kG3)}), now());
  EXPECT_EQ(list_.find(addr("fe80::5")), nullptr);
  EXPECT_EQ(list_.counters().get(HaListCounter::RejectedForCapacity), 1U);
}

// ---- ordering (R6275-53) -------------------------------------------------------------------

TEST_F(HomeAgentsListTest, R6275_53_OrderedByDecreasingPreferenceWithRandomTies) {
  list_.set_configured(addr("fe80::10"), {addr("2001:db8::10")}, 10, true);
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(5, 600), {pio(kG1)}), now());
  list_.on_router_advertisement(kLl2, ra(true, 1800, hai(5, 600), {pio(kG2)}), now());
  list_.on_router_advertisement(kLl3, ra(true, 1800, hai(5, 600), {pio(kG3)}), now());
  list_.on_router_advertisement(addr("fe80::4"),
                                ra(true, 1800, hai(1, 600), {pio(addr("2001:db8::4"))}), now());
  std::set<std::vector<base::Ip6Addr>> tie_orders;
  for (int i = 0; i < 60; ++i) {
    const auto order = list_.ordered_addresses(now());
    ASSERT_EQ(order.size(), 5U);
    EXPECT_EQ(order.front(), addr("2001:db8::10"));  // our own entry, highest preference
    EXPECT_EQ(order.back(), addr("2001:db8::4"));    // lowest preference last
    tie_orders.insert(std::vector<base::Ip6Addr>(order.begin() + 1, order.begin() + 4));
  }
  EXPECT_EQ(tie_orders.size(), 6U);  // every order of the three equals shows up
}

TEST_F(HomeAgentsListTest, R6275_53_AnAgentsOwnAddressesAreShuffledToo) {
  list_.set_configured(kLl1, {kG1, kG1b, kG2}, 3, false);
  std::set<base::Ip6Addr> firsts;
  for (int i = 0; i < 40; ++i) {
    const auto order = list_.ordered_addresses(now());
    ASSERT_EQ(order.size(), 3U);
    firsts.insert(order.front());
  }
  EXPECT_EQ(firsts.size(), 3U);
}

TEST_F(HomeAgentsListTest, OrderingIsDeterministicForAGivenGenerator) {
  HomeAgentsList a({}, [n = std::uint64_t{0}]() mutable { return n++ * 0x9e3779b97f4a7c15ULL; });
  HomeAgentsList b({}, [n = std::uint64_t{0}]() mutable { return n++ * 0x9e3779b97f4a7c15ULL; });
  for (HomeAgentsList* l : {&a, &b}) {
    l->set_configured(kLl1, {kG1}, 1, false);
    l->set_configured(kLl2, {kG2}, 1, false);
    l->set_configured(kLl3, {kG3}, 1, false);
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(a.ordered_addresses(now()), b.ordered_addresses(now()));
  }
}

TEST_F(HomeAgentsListTest, ExpiredEntriesAreNeverListedEvenBeforeExpire) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(1, 10), {pio(kG1)}), now());
  list_.on_router_advertisement(kLl2, ra(true, 1800, hai(1, 600), {pio(kG2, true, 5)}), now());
  clock_.advance(10s);
  EXPECT_TRUE(list_.ordered_addresses(now()).empty());
}

class LargeHomeAgentsListTest : public HomeAgentsListTest {
 protected:
  LargeHomeAgentsListTest() : HomeAgentsListTest(HomeAgentsListConfig{200, 8}) {}
};

TEST_F(LargeHomeAgentsListTest, R6275_53_DhaadReplyTrimmedToMinimumMtuKeepingBestPreferences) {
  // 100 home agents, preference = index: the reply keeps the 77 best.
  for (int i = 1; i <= 100; ++i) {
    char ll[32];
    char g[32];
    std::snprintf(ll, sizeof ll, "fe80::%x", i);
    std::snprintf(g, sizeof g, "2001:db8::%x", i);
    list_.on_router_advertisement(addr(ll), ra(true, 1800, hai(static_cast<std::uint16_t>(i), 600),
                                               {pio(addr(g))}),
                                  now());
  }
  const wire::DhaadReply reply = list_.build_dhaad_reply(0x1234, now());
  EXPECT_EQ(reply.identifier, 0x1234);
  ASSERT_EQ(reply.home_agents.size(), kMaxDhaadReplyAddresses);
  EXPECT_EQ(kMaxDhaadReplyAddresses, 77U);
  EXPECT_EQ(reply.home_agents.front(), addr("2001:db8::64"));  // preference 100
  EXPECT_EQ(reply.home_agents.back(), addr("2001:db8::18"));   // preference 24
  // 40 (IPv6) + the encoded ICMPv6 message fits 1280.
  wire::Icmpv6Packet packet;
  packet.message = reply;
  EXPECT_LE(40 + wire::encode_icmpv6(packet).size(), kIpv6MinimumMtu);
}

// ---- redirect target (ROADMAP) -------------------------------------------------------------

TEST_F(HomeAgentsListTest, ChooseTargetNeverSelfNeverExcludedBestPreferenceFirst) {
  list_.set_configured(addr("fe80::10"), {addr("2001:db8::10")}, 50, /*self=*/true);
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(9, 600), {pio(kG1), pio(kG1b)}), now());
  list_.on_router_advertisement(kLl2, ra(true, 1800, hai(5, 600), {pio(kG2)}), now());
  list_.on_router_advertisement(kLl3, ra(true, 1800, hai(1, 600), {pio(kG3)}), now());

  auto pick = list_.choose_target({}, now());
  ASSERT_TRUE(pick.has_value());
  EXPECT_TRUE(*pick == kG1 || *pick == kG1b);  // best non-self
  // REDIRECTED_FROM names one address of the best HA: the whole HA is skipped.
  const std::vector<base::Ip6Addr> excluded{kG1b};
  ChooseTargetOptions opts;
  opts.exclude = excluded;
  EXPECT_EQ(list_.choose_target(opts, now()), kG2);
  // Capacity test from the load policy.
  opts.has_capacity = [](const HomeAgentEntry& e) { return e.preference != 5; };
  EXPECT_EQ(list_.choose_target(opts, now()), kG3);
  opts.has_capacity = [](const HomeAgentEntry&) { return false; };
  EXPECT_FALSE(list_.choose_target(opts, now()).has_value());
}

TEST_F(HomeAgentsListTest, ChooseTargetSpreadsLoadAcrossEquals) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(5, 600), {pio(kG1)}), now());
  list_.on_router_advertisement(kLl2, ra(true, 1800, hai(5, 600), {pio(kG2)}), now());
  list_.on_router_advertisement(kLl3, ra(true, 1800, hai(5, 600), {pio(kG3)}), now());
  std::map<base::Ip6Addr, int> hits;
  for (int i = 0; i < 300; ++i) {
    ++hits[*list_.choose_target({}, now())];
  }
  ASSERT_EQ(hits.size(), 3U);
  for (const auto& [a, n] : hits) {
    EXPECT_GT(n, 60) << a.to_string();  // roughly a third each
  }
}

TEST_F(HomeAgentsListTest, ChooseTargetSkipsAgentsWithoutUsableAddresses) {
  list_.on_router_advertisement(kLl1, ra(true, 1800, hai(9, 600), {pio(kG1, true, 5)}), now());
  list_.on_router_advertisement(kLl2, ra(true, 1800, hai(1, 600), {pio(kG2)}), now());
  clock_.advance(5s);  // kLl1's only address is no longer valid
  EXPECT_EQ(list_.choose_target({}, now()), kG2);
}

TEST(HaListCounterNames, AreDistinct) {
  std::set<std::string_view> names;
  HaListCounters c;
  c.for_each([&](std::string_view n, std::uint64_t) { names.insert(n); });
  EXPECT_EQ(names.size(), HaListCounters::size());
  EXPECT_EQ(names.count("unknown"), 0U);
}

}  // namespace
}  // namespace mip6::binding
