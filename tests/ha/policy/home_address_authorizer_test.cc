#include "ha/policy/home_address_authorizer.h"

#include <gtest/gtest.h>

namespace ha::policy {
namespace {

base::Ip6Addr ip(const char* text) { return *base::Ip6Addr::parse(text); }

HomeAddressAuthorizerConfig config() {
  HomeAddressAuthorizerConfig c;
  c.static_entries.push_back({"alice@example.org", {ip("2001:db8:1::a"), ip("2001:db8:1::aa")}});
  c.static_entries.push_back({"bob@example.org", {ip("2001:db8:1::b")}});
  c.pool_prefixes.push_back({ip("2001:db8:100::"), 64});
  return c;
}

TEST(HomeAddressAuthorizer, R4877_10_R6275_72_StaticTableBindsIdentityToItsHomeAddresses) {
  auto a = ConfigHomeAddressAuthorizer::create(config());
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->may_register("alice@example.org", ip("2001:db8:1::a")));
  EXPECT_TRUE(a->may_register("alice@example.org", ip("2001:db8:1::aa")));
  EXPECT_TRUE(a->may_register("bob@example.org", ip("2001:db8:1::b")));
  // One MN's SA can never register another MN's home address.
  EXPECT_FALSE(a->may_register("bob@example.org", ip("2001:db8:1::a")));
  EXPECT_FALSE(a->may_register("alice@example.org", ip("2001:db8:1::b")));
  EXPECT_FALSE(a->may_register("mallory@example.org", ip("2001:db8:1::a")));
  EXPECT_FALSE(a->may_register("", ip("2001:db8:1::a")));
  EXPECT_FALSE(a->may_register("alice@example.org", ip("2001:db8:1::c")));
  EXPECT_EQ(a->owner(ip("2001:db8:1::b")), std::optional<std::string_view>("bob@example.org"));
  EXPECT_FALSE(a->owner(ip("2001:db8:1::c")).has_value());
}

TEST(HomeAddressAuthorizer, R4877_13_R4877_52_CpAssignedAddressIsAuthorisedUntilRevoked) {
  auto a = ConfigHomeAddressAuthorizer::create(config());
  ASSERT_TRUE(a.has_value());
  const auto hoa = ip("2001:db8:100::1234");
  EXPECT_FALSE(a->may_register("carol", hoa));  // nothing assigned yet
  ASSERT_TRUE(a->assign("carol", hoa).has_value());
  EXPECT_TRUE(a->assign("carol", hoa).has_value());  // idempotent
  EXPECT_EQ(a->assigned_count(), 1U);
  EXPECT_TRUE(a->may_register("carol", hoa));
  EXPECT_FALSE(a->may_register("dave", hoa));
  auto taken = a->assign("dave", hoa);
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error(), AuthorizerError::OwnedByAnotherIdentity);
  EXPECT_FALSE(a->revoke("dave", hoa));
  EXPECT_TRUE(a->revoke("carol", hoa));
  EXPECT_FALSE(a->may_register("carol", hoa));
  EXPECT_EQ(a->assigned_count(), 0U);
}

TEST(HomeAddressAuthorizer, AssignOnlyFromPoolAndNeverSomeoneElsesStaticAddress) {
  auto a = ConfigHomeAddressAuthorizer::create(config());
  ASSERT_TRUE(a.has_value());
  auto out = a->assign("carol", ip("2001:db8:200::1"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), AuthorizerError::NotInPool);
  out = a->assign("carol", ip("ff02::1"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), AuthorizerError::NotUnicastAddress);
  out = a->assign("", ip("2001:db8:100::1"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), AuthorizerError::EmptyIdentity);

  auto c = config();
  c.static_entries.push_back({"erin", {ip("2001:db8:100::e")}});  // static, inside the pool
  auto b = ConfigHomeAddressAuthorizer::create(c);
  ASSERT_TRUE(b.has_value());
  out = b->assign("carol", ip("2001:db8:100::e"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error(), AuthorizerError::OwnedByAnotherIdentity);
  EXPECT_TRUE(b->assign("erin", ip("2001:db8:100::e")).has_value());
  EXPECT_TRUE(b->may_register("erin", ip("2001:db8:100::e")));
}

TEST(HomeAddressAuthorizer, RevokeAllEndsEveryAssignmentOfAnIdentity) {
  auto a = ConfigHomeAddressAuthorizer::create(config());
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(a->assign("carol", ip("2001:db8:100::1")).has_value());
  ASSERT_TRUE(a->assign("carol", ip("2001:db8:100::2")).has_value());
  ASSERT_TRUE(a->assign("dave", ip("2001:db8:100::3")).has_value());
  EXPECT_EQ(a->revoke_all("carol"), 2U);
  EXPECT_EQ(a->revoke_all("carol"), 0U);
  EXPECT_FALSE(a->may_register("carol", ip("2001:db8:100::1")));
  EXPECT_FALSE(a->may_register("carol", ip("2001:db8:100::2")));
  EXPECT_TRUE(a->may_register("dave", ip("2001:db8:100::3")));
  // The freed addresses can go to someone else.
  EXPECT_TRUE(a->assign("dave", ip("2001:db8:100::1")).has_value());
}

TEST(HomeAddressAuthorizer, ConfigurationErrors) {
  auto c = config();
  c.static_entries.push_back({"bob2", {ip("2001:db8:1::b")}});  // bob's address twice
  auto dup = ConfigHomeAddressAuthorizer::create(c);
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error(), AuthorizerError::DuplicateHomeAddress);

  c = config();
  c.static_entries.push_back({"", {ip("2001:db8:1::f")}});
  auto empty = ConfigHomeAddressAuthorizer::create(c);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error(), AuthorizerError::EmptyIdentity);

  c = config();
  c.static_entries.push_back({"x", {ip("fe80::1")}});
  auto ll = ConfigHomeAddressAuthorizer::create(c);
  ASSERT_FALSE(ll.has_value());
  EXPECT_EQ(ll.error(), AuthorizerError::NotUnicastAddress);
  EXPECT_EQ(to_string(AuthorizerError::NotInPool), "not_in_pool");
}

}  // namespace
}  // namespace ha::policy
