#include "ha/daemon/ha_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ha::daemon {
namespace {

constexpr const char* kMinimal = R"({
  "addresses": ["2001:db8:1::1"],
  "identity": "ha.mip6.example",
  "psks": [{"id": "*", "secret": "s3cret"}],
  "home_prefix": "2001:db8:3::/64"
})";

TEST(HaConfigTest, MinimalConfigGetsDefaults) {
  auto c = parse_config(kMinimal);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->addresses.size(), 1U);
  EXPECT_EQ(c->capacity, 1000U);
  EXPECT_EQ(c->drain_interval, std::chrono::seconds(1));  // R5142-33 default rate
  EXPECT_EQ(c->home_prefix_len, 64);
  EXPECT_EQ(c->control_socket, "/run/mip6-ha.sock");
  ASSERT_EQ(c->psks.size(), 1U);
  EXPECT_EQ(c->psks[0].identity, "*");
}

TEST(HaConfigTest, FullConfigIsRead) {
  auto c = parse_config(R"({
    "name": "ha2", "addresses": ["2001:db8:1::2"], "anycast": "2001:db8:1::a",
    "identity": "ha.mip6.example",
    "psks": [{"id": "mn1@mip6.example", "secret": "a"}, {"id": "*", "secret": "b"}],
    "capacity": 3, "reservation_ttl_s": 12, "home_prefix": "2001:db8:3::/64", "pool_size": 9,
    "home_agents": [{"address": "2001:db8:1::1", "preference": 100},
                    {"address": "2001:db8:1::3", "preference": 200}],
    "assignments": {"mn9@mip6.example": "2001:db8:1::3"},
    "redirect_load_threshold": 0.9, "max_half_open": 50, "cookie_threshold": null,
    "drain": {"interval_ms": 200, "jitter_ms": 0, "grace_s": 5},
    "control_socket": "/tmp/x.sock", "log_level": "debug"})");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->name, "ha2");
  EXPECT_EQ(c->anycast, base::Ip6Addr::parse("2001:db8:1::a"));
  EXPECT_EQ(c->capacity, 3U);
  EXPECT_EQ(c->reservation_ttl, std::chrono::seconds(12));
  ASSERT_EQ(c->home_agents.size(), 2U);
  EXPECT_EQ(c->home_agents[1].preference, 200);
  ASSERT_EQ(c->assignments.size(), 1U);
  EXPECT_EQ(c->assignments[0].first, "mn9@mip6.example");
  EXPECT_FALSE(c->cookie_threshold);
  EXPECT_EQ(c->drain_interval, std::chrono::milliseconds(200));
  EXPECT_EQ(c->drain_grace, std::chrono::seconds(5));
  EXPECT_EQ(c->log_level, base::LogLevel::Debug);
}

TEST(HaConfigTest, SecretFileIsReadWithoutTrailingNewline) {
  const std::string path = ::testing::TempDir() + "/mip6_ha_psk";
  std::ofstream(path) << "from-file\n";
  auto c = parse_config(std::string(R"({"addresses": ["2001:db8:1::1"], "identity": "ha",
      "home_prefix": "2001:db8:3::/64", "psks": [{"id": "*", "secret_file": ")") +
                        path + R"("}]})");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->psks[0].secret, "from-file");
  std::remove(path.c_str());
}

TEST(HaConfigTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* expect;
  };
  const Case cases[] = {
      {R"({"addresses": [], "identity": "x", "psks": [{"id":"*","secret":"s"}],
           "home_prefix": "2001:db8:3::/64"})",
       "addresses"},
      {R"({"addresses": ["nope"], "identity": "x", "psks": [{"id":"*","secret":"s"}],
           "home_prefix": "2001:db8:3::/64"})",
       "addresses"},
      {R"({"addresses": ["2001:db8::1"], "psks": [{"id":"*","secret":"s"}],
           "home_prefix": "2001:db8:3::/64"})",
       "identity"},
      {R"({"addresses": ["2001:db8::1"], "identity": "x", "psks": [],
           "home_prefix": "2001:db8:3::/64"})",
       "psks"},
      {R"({"addresses": ["2001:db8::1"], "identity": "x", "psks": [{"id":"*","secret":"s"}]})",
       "home_prefix"},
      {R"({"addresses": ["2001:db8::1"], "identity": "x", "psks": [{"id":"*","secret":"s"}],
           "home_prefix": "2001:db8:3::/64", "capacty": 3})",
       "unknown field: capacty"},
      {R"({"addresses": ["2001:db8::1"], "identity": "x", "psks": [{"id":"*","secret":"s"}],
           "home_prefix": "2001:db8:3::/64", "redirect_load_threshold": 2})",
       "redirect_load_threshold"},
      {R"({"addresses": ["2001:db8::1"], "identity": "x", "psks": [{"id":"*","secret":"s"}],
           "home_prefix": "2001:db8:3::/64", "log_level": "loud"})",
       "log_level"},
      {"{not json", "JSON"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.json);
    ASSERT_FALSE(r) << c.json;
    EXPECT_NE(r.error().find(c.expect), std::string::npos) << r.error();
  }
}

// Issue 3 item 7: labs ask the daemon for its IKE keys in Wireshark's table; off by default.
TEST(HaConfigTest, IkeKeylogIsOptionalAndMustNameAFile) {
  const std::string head = R"({"addresses": ["2001:db8::1"], "identity": "x",
      "psks": [{"id":"*","secret":"s"}], "home_prefix": "2001:db8:3::/64")";
  auto off = parse_config(head + "}");
  ASSERT_TRUE(off) << off.error();
  EXPECT_TRUE(off->ike_keylog.empty());
  auto on = parse_config(head + R"(, "ike_keylog": "/tmp/ha.keys"})");
  ASSERT_TRUE(on) << on.error();
  EXPECT_EQ(on->ike_keylog, "/tmp/ha.keys");
  auto empty = parse_config(head + R"(, "ike_keylog": ""})");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("ike_keylog"), std::string::npos) << empty.error();
}

// RFC 5685 gateway identity types (R5685-35): pool members and assignments may name an HA
// by IPv6, IPv4 or FQDN.
TEST(HaConfigTest, R5685_35_GatewayTargetsByIpv6Ipv4OrFqdn) {
  auto c = parse_config(R"({
    "addresses": ["2001:db8:1::1"], "identity": "ha1.mip6.example",
    "psks": [{"id": "*", "secret": "s"}], "home_prefix": "2001:db8:3::/64",
    "home_agents": [{"address": "2001:db8:1::2", "preference": 200, "fqdn": "ha2.mip6.example"},
                    {"address": "192.0.2.3", "preference": 100}],
    "assignments": {"mn1@mip6.example": "2001:db8:1::3", "mn2@mip6.example": "192.0.2.4",
                    "mn3@mip6.example": "ha9.mip6.example."}})");
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->home_agents.size(), 2U);
  EXPECT_EQ(c->home_agents[0].fqdn, "ha2.mip6.example");
  EXPECT_EQ(c->home_agents[1].address, base::Ip6Addr::parse("::ffff:192.0.2.3"));
  EXPECT_TRUE(c->home_agents[1].fqdn.empty());
  ASSERT_EQ(c->assignments.size(), 2U);
  EXPECT_EQ(c->assignments[1].second, base::Ip6Addr::parse("::ffff:192.0.2.4"));
  ASSERT_EQ(c->fqdn_assignments.size(), 1U);
  EXPECT_EQ(c->fqdn_assignments[0],
            (std::pair<std::string, std::string>{"mn3@mip6.example", "ha9.mip6.example"}));
}

TEST(HaConfigTest, R5685_35_BadGatewayNamesAreRejectedWithTheField) {
  const std::string head = R"({"addresses": ["2001:db8::1"], "identity": "x",
      "psks": [{"id":"*","secret":"s"}], "home_prefix": "2001:db8:3::/64", )";
  struct Case {
    std::string json;
    const char* expect;
  };
  const std::string long_label(64, 'a');
  const Case cases[] = {
      {R"("assignments": {"mn@x": "ha_9.example"}})", "assignments.mn@x: not an IPv6"},
      {R"("assignments": {"mn@x": "ha9"}})", "assignments.mn@x"},  // not fully qualified
      {R"("assignments": {"mn@x": "192.0.2"}})", "assignments.mn@x"},
      {R"("assignments": {"mn@x": "a..example"}})", "assignments.mn@x"},
      {R"("assignments": {"mn@x": ")" + long_label + R"(.example"}})", "assignments.mn@x"},
      {R"("assignments": {"mn@x": 7}})", "assignments.mn@x"},
      {R"("assignments": ["2001:db8::2"]})", "assignments"},
      {R"("home_agents": [{"address": "ha2.example"}]})", "home_agents.address"},
      {R"("home_agents": [{"preference": 3}]})", "home_agents"},
      {R"("home_agents": [{"address": "2001:db8::2", "fqdn": "not a name"}]})", "home_agents.fqdn"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(head + c.json);
    ASSERT_FALSE(r) << c.json;
    EXPECT_NE(r.error().find(c.expect), std::string::npos) << r.error();
  }
  // GW Ident Len is one octet: 255 octets at most.
  std::string name;
  while (name.size() < 250) {
    name += "abcdefghi.";
  }
  name += "example";
  EXPECT_FALSE(is_gateway_fqdn(name));
  EXPECT_TRUE(is_gateway_fqdn("ha2.mip6.example"));
}

}  // namespace
}  // namespace ha::daemon
