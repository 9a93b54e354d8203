#include "ike/wire/ts_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

const base::Ip6Addr kHoa = *base::Ip6Addr::parse("2001:db8:0:1::abcd");
const base::Ip6Addr kHa = *base::Ip6Addr::parse("2001:db8::1");

// TSi for the BU/BA Child SA sent by the MN (RFC 4877 7.2.1).
constexpr std::string_view kMhBuBody = R"(
01 000000                      # 1 TS, reserved
  08 87 0028 0500 0500         # TS_IPV6_ADDR_RANGE, MH (135), 40 octets, BU << 8 .. BU << 8
  20010db800000001000000000000abcd 20010db800000001000000000000abcd
)";

TEST(TsPayload, R4877_35_MhTypeInPortHighOctet) {
  auto ts = TsPayload::decode(hex(kMhBuBody));
  ASSERT_TRUE(ts.has_value());
  ASSERT_EQ(ts->selectors.size(), 1U);
  const TrafficSelector& s = ts->selectors[0];
  EXPECT_EQ(s.type, TsType::Ipv6AddrRange);
  EXPECT_EQ(s.ip_protocol, kIpProtoMh);
  EXPECT_EQ(s.start_port, 0x0500);
  EXPECT_EQ(s.ipv6_start(), kHoa);
  EXPECT_EQ(s.ipv6_end(), kHoa);
  EXPECT_EQ(s, TrafficSelector::mh_types(kHoa, 5, 5));
  using MhRange = std::pair<std::uint8_t, std::uint8_t>;
  EXPECT_EQ(s.mh_type_range(), MhRange(5, 5));
  test::expect_body_round_trip<TsPayload>(hex(kMhBuBody));
}

TEST(TsPayload, R4877_37_OneRangeForBuAndBaAndHaSwitch) {
  const auto ts = TrafficSelector::mh_types(kHa, 6, 12);  // BA .. HA Switch (RFC 5142)
  EXPECT_EQ(ts.start_port, 0x0600);
  EXPECT_EQ(ts.end_port, 0x0c00);
  using MhRange = std::pair<std::uint8_t, std::uint8_t>;
  EXPECT_EQ(ts.mh_type_range(), MhRange(6, 12));
  // Not an MH selector once the low octets carry anything.
  auto odd = ts;
  odd.end_port = 0x0c01;
  EXPECT_EQ(odd.mh_type_range(), std::nullopt);
  EXPECT_EQ(TrafficSelector::ipv6_range(kHa, kHa).mh_type_range(), std::nullopt);
}

TEST(TsPayload, R4877_21_Icmpv6TypeSelector) {
  const auto mps = TrafficSelector::icmpv6_type(kHoa, 146);
  EXPECT_EQ(mps.ip_protocol, kIpProtoIcmpv6);
  EXPECT_EQ(mps.start_port, 0x9200);
  EXPECT_EQ(mps.end_port, 0x92ff);
}

TEST(TsPayload, DecodesIpv4AndIpv6Together) {
  // iked ts_pld's IPv4 selector (172.40.125.0 - 172.40.125.255, any port), then IPv6 any.
  const auto body = hex(R"(
    02 000000
    07 00 0010 0000 ffff ac287d00 ac287dff
    08 00 0028 0000 ffff 00000000000000000000000000000000 ffffffffffffffffffffffffffffffff
  )");
  auto ts = TsPayload::decode(body);
  ASSERT_TRUE(ts.has_value()) << to_string(ts.error().code);
  ASSERT_EQ(ts->selectors.size(), 2U);
  EXPECT_EQ(ts->selectors[0],
            TrafficSelector::ipv4_range({172, 40, 125, 0}, {172, 40, 125, 255}));
  EXPECT_EQ(ts->selectors[0].ipv6_start(), std::nullopt);
  EXPECT_EQ(ts->selectors[1].end_port, kPortAnyEnd);
  test::expect_body_round_trip<TsPayload>(body);
}

TEST(TsPayload, EveryPrefixFailsWithExactError) {
  test::expect_every_prefix(hex(kMhBuBody),
                            {{4, ParseErrc::Truncated, 0},
                             {5, ParseErrc::TsCountMismatch, 0},
                             {8, ParseErrc::Truncated, 4},
                             {44, ParseErrc::TsLengthOverrun, 4}},
                            [](std::span<const std::uint8_t> s) { return TsPayload::decode(s); });
}

TEST(TsPayload, SelectorLengthMustFitItsType) {
  auto body = hex(kMhBuBody);
  body[7] = 0x10;  // IPv6 range claiming the IPv4 size
  EXPECT_EQ(TsPayload::decode(body).error(), (ParseError{ParseErrc::TsBadLength, 4, 0}));
  body = hex(kMhBuBody);
  body[7] = 0xff;
  EXPECT_EQ(TsPayload::decode(body).error(), (ParseError{ParseErrc::TsLengthOverrun, 4, 0}));
  body = hex(kMhBuBody);
  body[0] = 2;  // two announced, one present
  EXPECT_EQ(TsPayload::decode(body).error(), (ParseError{ParseErrc::TsCountMismatch, 0, 0}));
}

TEST(TsPayload, UnknownTsTypeKeptOpaque) {
  // RFC 9478 TS_SECLABEL (10): we do not interpret it, but it must not break the payload.
  const auto body = hex("02 000000  0a 00 0008 73656c31  08 00 0028 0000 ffff"
                        "  00000000000000000000000000000000 ffffffffffffffffffffffffffffffff");
  auto ts = TsPayload::decode(body);
  ASSERT_TRUE(ts.has_value());
  EXPECT_FALSE(ts->selectors[0].is_known_type());
  EXPECT_EQ(base::to_hex(ts->selectors[0].opaque), "73656c31");
  test::expect_body_round_trip<TsPayload>(body);
  EXPECT_EQ(TsPayload::decode(hex("01 000000 0a 00 0003")).error(),
            (ParseError{ParseErrc::TsBadLength, 4, 0}));
}

TEST(TsPayload, Names) {
  EXPECT_EQ(to_string(TsType::Ipv4AddrRange), "ipv4_addr_range");
  EXPECT_EQ(to_string(TsType::Ipv6AddrRange), "ipv6_addr_range");
  EXPECT_EQ(to_string(static_cast<TsType>(10)), "unknown");
}

}  // namespace
}  // namespace ike::wire
