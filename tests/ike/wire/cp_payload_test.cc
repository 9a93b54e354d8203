#include "ike/wire/cp_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

const base::Ip6Addr kHoa = *base::Ip6Addr::parse("2001:db8:0:1::abcd");
const base::Ip6Addr kPrefix = *base::Ip6Addr::parse("2001:db8:0:1::");

// CFG_REQUEST as our MN sends it (RFC 4877 9, RFC 5026 3.2): three empty attributes.
constexpr std::string_view kRequestBody = R"(
01 000000   # CFG_REQUEST
0008 0000   # INTERNAL_IP6_ADDRESS, empty
000a 0000   # INTERNAL_IP6_DNS, empty
0010 0000   # MIP6_HOME_PREFIX, empty
)";

// CFG_REPLY from our HA.
constexpr std::string_view kReplyBody = R"(
02 000000
0008 0011 20010db800000001000000000000abcd 40         # HoA + prefix length 64
000a 0010 20010db8000000000000000000000053            # DNS server
0010 0015 00000e10 20010db8000000010000000000000000 40  # lifetime 3600, prefix, length 64
)";

TEST(CpPayload, DecodesRequest) {
  auto cp = CpPayload::decode(hex(kRequestBody));
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->cfg_type, CfgType::Request);
  ASSERT_EQ(cp->attributes.size(), 3U);
  EXPECT_EQ(cp->attributes[0], make_internal_ip6_address_request());
  EXPECT_EQ(cp->attributes[1], make_internal_ip6_dns_request());
  EXPECT_EQ(cp->attributes[2], make_mip6_home_prefix_request());
  // R4877-46: a zero-length INTERNAL_IP6_ADDRESS is a request for an address.
  EXPECT_EQ(decode_internal_ip6_address(cp->attributes[0]), std::nullopt);
  EXPECT_EQ(decode_internal_ip6_dns(cp->attributes[1]), std::nullopt);
  EXPECT_EQ(decode_mip6_home_prefix(cp->attributes[2]), std::nullopt);
  test::expect_body_round_trip<CpPayload>(hex(kRequestBody));
}

TEST(CpPayload, R4877_47_DecodesReplyWithHomeAddressAndPrefix) {
  auto cp = CpPayload::decode(hex(kReplyBody));
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->cfg_type, CfgType::Reply);
  auto hoa = decode_internal_ip6_address(*cp->find(CpAttrType::InternalIp6Address));
  ASSERT_TRUE(hoa.has_value() && hoa->has_value());
  EXPECT_EQ((*hoa)->address, kHoa);
  EXPECT_EQ((*hoa)->prefix_len, 64);
  auto dns = decode_internal_ip6_dns(*cp->find(CpAttrType::InternalIp6Dns));
  ASSERT_TRUE(dns.has_value());
  EXPECT_EQ(*dns, base::Ip6Addr::parse("2001:db8::53"));
  auto hp = decode_mip6_home_prefix(*cp->find(CpAttrType::Mip6HomePrefix));
  ASSERT_TRUE(hp.has_value() && hp->has_value());
  EXPECT_EQ((*hp)->lifetime, 3600U);
  EXPECT_EQ((*hp)->prefix, kPrefix);
  EXPECT_EQ((*hp)->prefix_len, 64);
  test::expect_body_round_trip<CpPayload>(hex(kReplyBody));
}

TEST(CpPayload, TypedBuildersMatchTheWireLayout) {
  // RFC 5026 8.2: lifetime, prefix, length (not the prefix-first INTERNAL_IP6_ADDRESS order).
  const CpAttribute hp = make_mip6_home_prefix({3600, kPrefix, 64});
  EXPECT_EQ(base::to_hex(hp.value), "00000e10" "20010db8000000010000000000000000" "40");
  EXPECT_EQ(hp.value.size(), 21U);
  const CpAttribute addr = make_internal_ip6_address({kHoa, 64});
  EXPECT_EQ(base::to_hex(addr.value), "20010db800000001000000000000abcd40");
  const CpAttribute dns = make_internal_ip6_dns(kHoa);
  EXPECT_EQ(dns.value.size(), 16U);
}

TEST(CpPayload, EveryPrefixFailsWithExactError) {
  const auto body = hex(kReplyBody);
  // Attributes start at 4 (21 octets), 25 (20 octets), 45 (25 octets); a prefix that ends
  // exactly on an attribute boundary is a valid, shorter CP payload.
  for (std::size_t len = 0; len < body.size(); ++len) {
    SCOPED_TRACE(len);
    auto cp = CpPayload::decode(std::span(body).first(len));
    if (len < 4) {
      EXPECT_EQ(cp.error(), (ParseError{ParseErrc::Truncated, 0, 0}));
    } else if (len == 4 || len == 25 || len == 45) {
      EXPECT_TRUE(cp.has_value());
    } else {
      const std::uint32_t at = len < 25 ? 4 : (len < 45 ? 25 : 45);
      EXPECT_EQ(cp.error(), (ParseError{ParseErrc::CpAttributeTruncated, at, 0}));
    }
  }
}

TEST(CpPayload, R7296_51_UnknownAttributesKeptForTheEngineToIgnore) {
  const auto body = hex("02000000  7fff 0002 abcd  0008 0000");
  auto cp = CpPayload::decode(body);
  ASSERT_TRUE(cp.has_value());
  ASSERT_EQ(cp->attributes.size(), 2U);
  EXPECT_EQ(cp->attributes[0].type, 0x7fff);
  test::expect_body_round_trip<CpPayload>(body);
}

TEST(CpPayload, ReservedBitIgnoredOnReceipt) {
  auto cp = CpPayload::decode(hex("01000000 8008 0000"));
  ASSERT_TRUE(cp.has_value());
  EXPECT_TRUE(cp->attributes[0].is(CpAttrType::InternalIp6Address));
}

TEST(CpPayload, TypedHelpersRejectBadLengthsAndValues) {
  CpAttribute a = make_internal_ip6_address({kHoa, 64});
  a.value.pop_back();  // 16 octets: the prefix length is missing
  EXPECT_EQ(decode_internal_ip6_address(a).error(),
            (ParseError{ParseErrc::CpAttributeBadLength, 2, 47}));
  EXPECT_EQ(decode_internal_ip6_address(make_internal_ip6_address({kHoa, 129})).error(),
            (ParseError{ParseErrc::CpAttributeBadValue, 20, 47}));
  CpAttribute dns = make_internal_ip6_dns(kHoa);
  dns.value.resize(4);
  EXPECT_EQ(decode_internal_ip6_dns(dns).error().code, ParseErrc::CpAttributeBadLength);
  CpAttribute hp = make_mip6_home_prefix({1, kPrefix, 64});
  hp.value.resize(20);
  EXPECT_EQ(decode_mip6_home_prefix(hp).error().code, ParseErrc::CpAttributeBadLength);
  EXPECT_EQ(decode_mip6_home_prefix(make_mip6_home_prefix({1, kPrefix, 200})).error(),
            (ParseError{ParseErrc::CpAttributeBadValue, 24, 47}));
  EXPECT_EQ(decode_mip6_home_prefix(make_internal_ip6_dns_request()).error().code,
            ParseErrc::WrongCpAttributeType);
}

TEST(CpPayload, Names) {
  EXPECT_EQ(to_string(CfgType::Reply), "reply");
  EXPECT_EQ(to_string(CpAttrType::InternalIp6Address), "internal_ip6_address");
  EXPECT_EQ(to_string(CpAttrType::InternalIp6Dns), "internal_ip6_dns");
  EXPECT_EQ(to_string(CpAttrType::Mip6HomePrefix), "mip6_home_prefix");
  EXPECT_EQ(to_string(static_cast<CpAttrType>(99)), "unknown");
}

}  // namespace
}  // namespace ike::wire
