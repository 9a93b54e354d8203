#include "ike/wire/id_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(IdPayload, R7296_31_AcceptsEveryRequiredType) {
  struct Case {
    std::string_view body;
    IdType type;
    std::size_t size;
  };
  const Case cases[] = {
      {"01000000 ac127d01", IdType::Ipv4Addr, 4},  // iked id_pld: 172.18.125.1
      {"02000000 68612e6578616d706c652e636f6d", IdType::Fqdn, 14},
      {"03000000 6d6e31406578616d706c652e636f6d", IdType::Rfc822Addr, 15},
      {"05000000 20010db8000000010000000000000abc", IdType::Ipv6Addr, 16},
      {"09000000 300f310d300b060355040a0c04686f6d65", IdType::DerAsn1Dn, 17},  // O=home
      {"0b000000 6b6579", IdType::KeyId, 3},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(to_string(c.type));
    const auto body = hex(c.body);
    auto id = IdPayload::decode(body);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->type, c.type);
    EXPECT_EQ(id->data.size(), c.size);
    test::expect_body_round_trip<IdPayload>(body);
  }
}

TEST(IdPayload, Ipv6AddressIdentity) {
  const auto body = hex("05000000 20010db8000000010000000000000abc");
  auto id = IdPayload::decode(body);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->ipv6(), base::Ip6Addr::parse("2001:db8:0:1::abc"));
  EXPECT_EQ(id->text(), "");
  test::expect_body_round_trip<IdPayload>(body);
  const auto made = IdPayload::make_ipv6(*base::Ip6Addr::parse("2001:db8:0:1::abc"));
  EXPECT_EQ(made, *id);
}

TEST(IdPayload, TextHelpers) {
  EXPECT_EQ(IdPayload::make_fqdn("ha.example.com").text(), "ha.example.com");
  EXPECT_EQ(IdPayload::make_rfc822("mn@example.com").type, IdType::Rfc822Addr);
  EXPECT_EQ(IdPayload::make_ipv4({192, 0, 2, 1}).data.size(), 4U);
  const std::uint8_t key[] = {1, 2};
  EXPECT_EQ(IdPayload::make_key_id(key).type, IdType::KeyId);
  EXPECT_EQ(IdPayload::make_key_id(key).ipv6(), std::nullopt);
}

TEST(IdPayload, EveryPrefixFailsWithExactError) {
  const auto body = hex("05000000 20010db8000000010000000000000abc");
  test::expect_every_prefix(body,
                            {{4, ParseErrc::Truncated, 0}, {20, ParseErrc::IdBadLength, 4}},
                            [](std::span<const std::uint8_t> s) { return IdPayload::decode(s); });
}

TEST(IdPayload, AddressTypesNeedExactLengths) {
  EXPECT_EQ(IdPayload::decode(hex("01000000 0a000001ff")).error(),
            (ParseError{ParseErrc::IdBadLength, 4, 0}));
  EXPECT_EQ(IdPayload::decode(hex("05000000 0a000001")).error().code, ParseErrc::IdBadLength);
  // Opaque types accept any length, even empty.
  EXPECT_TRUE(IdPayload::decode(hex("02000000")).has_value());
}

TEST(IdPayload, R7296_11_ReservedIgnoredOnReceipt) {
  auto id = IdPayload::decode(hex("02ffffff 6861"));
  ASSERT_TRUE(id.has_value());
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(id->encode(w).has_value());
  EXPECT_EQ(base::to_hex(out), "020000006861");
}

TEST(IdPayload, Names) {
  EXPECT_EQ(to_string(IdType::Ipv6Addr), "ipv6_addr");
  EXPECT_EQ(to_string(IdType::DerAsn1Dn), "der_asn1_dn");
  EXPECT_EQ(to_string(IdType::KeyId), "key_id");
  EXPECT_EQ(to_string(static_cast<IdType>(4)), "unknown");
}

}  // namespace
// One text form for identities in configuration, command lines, logs and events; every type
// has one, KEY_ID included (it must not print as an empty string and collide with others).
TEST(IdPayload, TextFormRoundTripsEveryType) {
  const IdPayload ids[] = {
      IdPayload::make_fqdn("ha.mip6.example"),
      IdPayload::make_rfc822("mn1@mip6.example"),
      IdPayload::make_ipv6(*base::Ip6Addr::parse("2001:db8::1")),
      IdPayload::make_key_id(std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef}),
  };
  for (const auto& id : ids) {
    EXPECT_EQ(IdPayload::from_text(id.to_text()), id) << id.to_text();
  }
  EXPECT_EQ(IdPayload::make_key_id(std::vector<std::uint8_t>{0xab}).to_text(), "keyid:ab");
  EXPECT_EQ(IdPayload::from_text("@#0102"),
            IdPayload::make_key_id(std::vector<std::uint8_t>{1, 2}));  // strongSwan's form
  EXPECT_EQ(IdPayload::make_ipv4({192, 0, 2, 7}).to_text(), "192.0.2.7");
  IdPayload dn;
  dn.type = IdType::DerAsn1Dn;
  dn.data = {0x30, 0x00};
  EXPECT_EQ(dn.to_text(), "der_asn1_dn:3000");
  // "keyid:" with no valid hex is an FQDN like any other odd text.
  EXPECT_EQ(IdPayload::from_text("keyid:zz").type, IdType::Fqdn);
}

}  // namespace ike::wire
