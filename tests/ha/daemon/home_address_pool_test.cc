#include "ha/daemon/home_address_pool.h"

#include <gtest/gtest.h>

namespace ha::daemon {
namespace {

namespace wire = ::ike::wire;

base::Ip6Addr ip(const char* t) {
  return *base::Ip6Addr::parse(t);
}
wire::IdPayload id(const char* t) {
  return wire::IdPayload::make_rfc822(t);
}

TEST(HomeAddressPoolTest, OneSlash128PerIdentityAndTheSameOneAgain) {
  HomeAddressPool pool(ip("2001:db8:3::77"), 64, 10);
  auto a = pool.assign(id("a@x"), std::nullopt);
  auto b = pool.assign(id("b@x"), std::nullopt);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->address, ip("2001:db8:3::1"));  // the prefix is masked; ::0 is never handed out
  EXPECT_EQ(a->prefix_len, 128);
  EXPECT_EQ(b->address, ip("2001:db8:3::2"));
  EXPECT_EQ(pool.assign(id("a@x"), ip("2001:db8:3::9"))->address, a->address);  // kept
  EXPECT_EQ(pool.leased(), 2U);
  auto prefix = pool.home_prefix(id("a@x"));
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->prefix, ip("2001:db8:3::"));
  EXPECT_EQ(prefix->prefix_len, 64);
}

TEST(HomeAddressPoolTest, R5142_34_RequestedAddressOfThePoolIsKeptAcrossHomeAgents) {
  // An MN moved from another HA of the pool asks for the HoA it had there.
  HomeAddressPool pool(ip("2001:db8:3::"), 64, 10);
  EXPECT_EQ(pool.assign(id("a@x"), ip("2001:db8:3::7"))->address, ip("2001:db8:3::7"));
  // Taken, outside the pool or not one of its numbered addresses: the next free one.
  EXPECT_EQ(pool.assign(id("b@x"), ip("2001:db8:3::7"))->address, ip("2001:db8:3::1"));
  EXPECT_EQ(pool.assign(id("c@x"), ip("2001:db8:4::2"))->address, ip("2001:db8:3::2"));
  EXPECT_EQ(pool.assign(id("d@x"), ip("2001:db8:3::1:3"))->address, ip("2001:db8:3::3"));
  EXPECT_EQ(pool.assign(id("e@x"), ip("2001:db8:3::b"))->address, ip("2001:db8:3::4"));
}

TEST(HomeAddressPoolTest, FixedAddressesBelongToTheirIdentityOnly) {
  HomeAddressPool pool(ip("2001:db8:3::"), 64, 3, {{"a@x", ip("2001:db8:3::2")}});
  EXPECT_EQ(pool.assign(id("b@x"), ip("2001:db8:3::2"))->address, ip("2001:db8:3::1"));
  EXPECT_EQ(pool.assign(id("c@x"), std::nullopt)->address, ip("2001:db8:3::3"));
  EXPECT_EQ(pool.assign(id("a@x"), std::nullopt)->address, ip("2001:db8:3::2"));
}

TEST(HomeAddressPoolTest, R7296_50_ExhaustedPoolRefusesAndReleaseFreesTheAddress) {
  HomeAddressPool pool(ip("2001:db8:3::"), 64, 2);
  ASSERT_TRUE(pool.assign(id("a@x"), std::nullopt));
  ASSERT_TRUE(pool.assign(id("b@x"), std::nullopt));
  EXPECT_FALSE(pool.assign(id("c@x"), std::nullopt));  // INTERNAL_ADDRESS_FAILURE
  pool.release(ip("2001:db8:3::1"));
  EXPECT_FALSE(pool.lease_of("a@x"));
  EXPECT_EQ(pool.assign(id("c@x"), std::nullopt)->address, ip("2001:db8:3::1"));
}

}  // namespace
}  // namespace ha::daemon
