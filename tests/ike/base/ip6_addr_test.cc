#include "ike/base/ip6_addr.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "ike/base/hex.h"
#include "ike/base/log.h"
#include "ike/base/secret_bytes.h"

namespace {

using base::Ip6Addr;

TEST(Ip6Addr, ParsesAndPrints) {
  auto a = Ip6Addr::parse("2001:db8::1");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->to_string(), "2001:db8::1");
  EXPECT_EQ(a->bytes()[0], 0x20);
  EXPECT_EQ(a->bytes()[15], 0x01);
  EXPECT_FALSE(Ip6Addr::parse("192.0.2.1").has_value());
  EXPECT_FALSE(Ip6Addr::parse("2001:db8::1::2").has_value());
  EXPECT_FALSE(Ip6Addr::parse(std::string(100, '1')).has_value());
}

TEST(Ip6Addr, Classifies) {
  EXPECT_TRUE(Ip6Addr().is_unspecified());
  EXPECT_TRUE(Ip6Addr::parse("::1")->is_loopback());
  EXPECT_TRUE(Ip6Addr::parse("ff02::1")->is_multicast());
  EXPECT_TRUE(Ip6Addr::parse("fe80::1")->is_link_local());
  EXPECT_TRUE(Ip6Addr::parse("2001:db8::5")->is_routable_unicast());
  EXPECT_FALSE(Ip6Addr::parse("fe80::5")->is_routable_unicast());
  EXPECT_FALSE(Ip6Addr::parse("ff05::5")->is_routable_unicast());
}

TEST(Ip6Addr, PrefixesAndIids) {
  const auto a = *Ip6Addr::parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
  EXPECT_TRUE(a.in_prefix(*Ip6Addr::parse("2001:db8:1:2::"), 64));
  EXPECT_FALSE(a.in_prefix(*Ip6Addr::parse("2001:db8:1:3::"), 64));
  EXPECT_TRUE(a.in_prefix(*Ip6Addr::parse("2001:db8:1:3::"), 62));
  EXPECT_EQ(a.masked(60).to_string(), "2001:db8:1::");
  EXPECT_EQ(a.masked(0).to_string(), "::");
  EXPECT_EQ(a.masked(128), a);
  EXPECT_TRUE(a.same_iid(*Ip6Addr::parse("fe80::aaaa:bbbb:cccc:dddd")));
  EXPECT_FALSE(a.same_iid(*Ip6Addr::parse("fe80::1")));
}

TEST(Ip6Addr, HashesDistinctAddressesApart) {
  std::unordered_set<Ip6Addr> set;
  auto base_addr = *Ip6Addr::parse("2001:db8::");
  for (int i = 0; i < 1000; ++i) {
    auto a = base_addr;
    a.bytes()[14] = static_cast<std::uint8_t>(i >> 8);
    a.bytes()[15] = static_cast<std::uint8_t>(i);
    set.insert(a);
  }
  EXPECT_EQ(set.size(), 1000U);
}

TEST(Hex, ParsesWithCommentsAndRejectsJunk) {
  auto b = base::from_hex("de ad # comment ff\n be:ef\n");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(base::to_hex(*b), "deadbeef");
  EXPECT_FALSE(base::from_hex("abc").has_value());
  EXPECT_FALSE(base::from_hex("zz").has_value());
}

TEST(RateLimiter, AllowsBurstThenRefills) {
  base::RateLimiter limiter(1.0, 3.0);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.allow(t0));
  EXPECT_TRUE(limiter.allow(t0));
  EXPECT_TRUE(limiter.allow(t0));
  EXPECT_FALSE(limiter.allow(t0));
  EXPECT_EQ(limiter.suppressed(), 1U);
  EXPECT_TRUE(limiter.allow(t0 + std::chrono::seconds(1)));
  EXPECT_FALSE(limiter.allow(t0 + std::chrono::seconds(1)));
}

TEST(SecretBytes, WipesOnMoveAndKeepsCopies) {
  const std::vector<std::uint8_t> key = {1, 2, 3, 4};
  base::SecretBytes a(key);
  base::SecretBytes b = a;
  EXPECT_EQ(b.size(), 4U);
  base::SecretBytes c = std::move(a);
  EXPECT_EQ(c.size(), 4U);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from must be wiped
  c.wipe();
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(b.view()[3], 4);
}

TEST(Ip6Addr, Ipv4MappedForm) {
  const auto mapped = base::Ip6Addr::from_v4({192, 0, 2, 7});
  EXPECT_EQ(mapped, *base::Ip6Addr::parse("::ffff:192.0.2.7"));
  EXPECT_TRUE(mapped.is_v4_mapped());
  EXPECT_EQ(mapped.v4(), (std::array<std::uint8_t, 4>{192, 0, 2, 7}));
  EXPECT_FALSE(base::Ip6Addr::parse("2001:db8::ffff:c000:207")->is_v4_mapped());
  EXPECT_FALSE(base::Ip6Addr::parse("::192.0.2.7")->is_v4_mapped());  // IPv4-compatible, not mapped
  EXPECT_EQ(base::Ip6Addr::parse_v6_or_v4("192.0.2.7"), mapped);
  EXPECT_EQ(base::Ip6Addr::parse_v6_or_v4("2001:db8::1"), base::Ip6Addr::parse("2001:db8::1"));
  EXPECT_FALSE(base::Ip6Addr::parse_v6_or_v4("192.0.2").has_value());
  EXPECT_FALSE(base::Ip6Addr::parse_v6_or_v4("192.0.2.7.1.2.3.4.5.6.7.8.9").has_value());
}

}  // namespace
