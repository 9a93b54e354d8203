#include "ike/wire/notify_payload.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

NotifyPayload decoded(std::string_view body_hex) {
  auto n = NotifyPayload::decode(hex(body_hex));
  EXPECT_TRUE(n.has_value());
  return n.value_or(NotifyPayload{});
}

TEST(NotifyPayload, DecodesIkedNatDetection) {
  // iked notify_pld, first notify body.
  const auto body = hex("00 00 4004 c7a06868090a7f120b13d32fde648bf1c33c798f");
  auto n = NotifyPayload::decode(body);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->protocol, ProtocolId::None);
  EXPECT_TRUE(n->spi.empty());
  EXPECT_EQ(n->type, NotifyType::NatDetectionSourceIp);
  auto hash = decode_nat_detection(*n);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(base::to_hex(*hash), "c7a06868090a7f120b13d32fde648bf1c33c798f");
  test::expect_body_round_trip<NotifyPayload>(body);
}

TEST(NotifyPayload, DecodesRekeySaWithSpi) {
  const auto body = hex("03 04 4009 c0ffee01");
  auto n = NotifyPayload::decode(body);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, make_rekey_sa(ProtocolId::Esp, 0xc0ffee01));
  EXPECT_EQ(n->data_offset(), 8U);
  test::expect_body_round_trip<NotifyPayload>(body);
}

TEST(NotifyPayload, EveryPrefixFailsWithExactError) {
  test::expect_every_prefix(hex("03 04 4009 c0ffee01"),
                            {{4, ParseErrc::Truncated, 0}, {8, ParseErrc::Truncated, 4}},
                            [](std::span<const std::uint8_t> s) {
                              return NotifyPayload::decode(s);
                            });
}

TEST(NotifyPayload, EveryDigestNumberHasAName) {
  const std::uint16_t numbers[] = {1,     4,     5,     7,     9,     11,    14,    17,
                                   24,    34,    35,    36,    37,    38,    39,    42,
                                   43,    44,    16384, 16385, 16386, 16387, 16388, 16389,
                                   16390, 16391, 16392, 16393, 16394, 16395, 16406, 16407,
                                   16408, 16430, 16431};
  std::set<std::string_view> names;
  for (std::uint16_t v : numbers) {
    const auto name = to_string(static_cast<NotifyType>(v));
    EXPECT_EQ(name.find("unknown"), std::string_view::npos) << v;
    names.insert(name);
    EXPECT_EQ(is_error_notify(static_cast<NotifyType>(v)), v < 16384) << v;
  }
  EXPECT_EQ(names.size(), std::size(numbers));
  EXPECT_EQ(to_string(NotifyType::Redirect), "redirect");
  EXPECT_EQ(to_string(NotifyType::UseAssignedHoa), "use_assigned_hoa");
  EXPECT_EQ(to_string(static_cast<NotifyType>(8000)), "unknown");
  EXPECT_EQ(to_string(static_cast<NotifyType>(40000)), "unknown");
}

// ---- RFC 5685 ------------------------------------------------------------------------------

TEST(RedirectNotify, R5685_34_RedirectSupportedLayout) {
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(make_redirect_supported().encode(w).has_value());
  EXPECT_EQ(base::to_hex(out), "00004016");  // Protocol 0, SPI Size 0, type 16406, no data
}

TEST(RedirectNotify, R5685_35_EachGatewayIdentityType) {
  const std::vector<std::uint8_t> ni(32, 0xa5);
  struct Case {
    GwIdentity gw;
    std::string_view data_hex;
  };
  const Case cases[] = {
      {GwIdentity::ipv4({192, 0, 2, 7}), "0104c0000207"},
      {GwIdentity::ipv6(*base::Ip6Addr::parse("2001:db8::1")),
       "021020010db8000000000000000000000001"},
      {GwIdentity::fqdn("ha2.example.com"), "030f6861322e6578616d706c652e636f6d"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(to_string(c.gw.type));
    for (bool with_nonce : {false, true}) {
      RedirectInfo info{c.gw, with_nonce ? ni : std::vector<std::uint8_t>{}};
      auto n = make_redirect(info);
      ASSERT_TRUE(n.has_value());
      EXPECT_EQ(n->protocol, ProtocolId::None);
      EXPECT_TRUE(n->spi.empty());
      EXPECT_EQ(base::to_hex(n->data),
                std::string(c.data_hex) + (with_nonce ? base::to_hex(ni) : std::string()));
      // Through the wire and back.
      std::vector<std::uint8_t> body;
      base::ByteWriter w(body);
      ASSERT_TRUE(n->encode(w).has_value());
      auto parsed = NotifyPayload::decode(body);
      ASSERT_TRUE(parsed.has_value());
      auto back = decode_redirect(*parsed);
      ASSERT_TRUE(back.has_value()) << to_string(back.error().code);
      EXPECT_EQ(*back, info);
    }
  }
  EXPECT_EQ(GwIdentity::fqdn("ha2.example.com").fqdn_text(), "ha2.example.com");
  EXPECT_EQ(GwIdentity::ipv4({1, 2, 3, 4}).ipv6_addr(), std::nullopt);
}

TEST(RedirectNotify, R5685_36_NonceAbsentOr16To256) {
  auto gw = GwIdentity::ipv4({192, 0, 2, 7});
  for (std::size_t len : {16U, 256U}) {
    auto n = make_redirect({gw, std::vector<std::uint8_t>(len, 1)});
    ASSERT_TRUE(n.has_value());
    EXPECT_TRUE(decode_redirect(*n).has_value()) << len;
  }
  for (std::size_t len : {1U, 15U, 257U}) {
    auto n = make_redirect({gw, std::vector<std::uint8_t>(len, 1)});
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(decode_redirect(*n).error(),
              (ParseError{ParseErrc::RedirectNonceBadLength, 4 + 6, 41}))
        << len;
  }
}

TEST(RedirectNotify, EveryPrefixOfRedirectBody) {
  // Body: notify header | GW type 2, len 16, 2001:db8::1 | 16-octet nonce.
  const auto body = hex("00 00 4017 02 10 20010db8000000000000000000000001"
                        "000102030405060708090a0b0c0d0e0f");
  for (std::size_t len = 0; len <= body.size(); ++len) {
    SCOPED_TRACE(len);
    auto n = NotifyPayload::decode(std::span(body).first(len));
    if (len < 4) {
      ASSERT_FALSE(n.has_value());
      EXPECT_EQ(n.error(), (ParseError{ParseErrc::Truncated, 0, 0}));
      continue;
    }
    ASSERT_TRUE(n.has_value());
    auto r = decode_redirect(*n);
    if (len < 6) {
      EXPECT_EQ(r.error(), (ParseError{ParseErrc::Truncated, 4, 41}));
    } else if (len < 22) {
      EXPECT_EQ(r.error(), (ParseError{ParseErrc::GwIdentBadLength, 5, 41}));
    } else if (len == 22 || len == body.size()) {
      EXPECT_TRUE(r.has_value());  // without a nonce (IKE_AUTH/INFORMATIONAL form) or whole
    } else {
      EXPECT_EQ(r.error(), (ParseError{ParseErrc::RedirectNonceBadLength, 22, 41}));
    }
  }
}

TEST(RedirectNotify, MalformedGatewayIdentities) {
  EXPECT_EQ(decode_redirect(decoded("00 00 4017 00 04 c0000207")).error(),
            (ParseError{ParseErrc::GwIdentTypeUnknown, 4, 41}));
  EXPECT_EQ(decode_redirect(decoded("00 00 4017 04 04 c0000207")).error().code,
            ParseErrc::GwIdentTypeUnknown);
  EXPECT_EQ(decode_redirect(decoded("00 00 4017 01 10 20010db8000000000000000000000001"))
                .error(),
            (ParseError{ParseErrc::GwIdentBadLength, 5, 41}));  // IPv4 with 16 octets
  EXPECT_EQ(decode_redirect(decoded("00 00 4017 02 04 c0000207")).error().code,
            ParseErrc::GwIdentBadLength);  // IPv6 with 4 octets
  EXPECT_EQ(decode_redirect(decoded("00 00 4017 03 00")).error().code,
            ParseErrc::GwIdentBadLength);  // empty FQDN
  EXPECT_EQ(decode_redirect(decoded("00 00 4017 03 09 6861")).error().code,
            ParseErrc::GwIdentBadLength);  // length runs past the data
}

TEST(RedirectNotify, R5685_34_ProtocolAndSpiMustBeZero) {
  EXPECT_EQ(decode_redirect(decoded("01 00 4017 0104c0000207")).error(),
            (ParseError{ParseErrc::NotifyUnexpectedSpi, 0, 41}));
  EXPECT_EQ(decode_redirect(decoded("00 04 4017 01020304 0104c0000207")).error().code,
            ParseErrc::NotifyUnexpectedSpi);
  EXPECT_EQ(decode_redirected_from(decoded("03 00 4018 0104c0000207")).error().code,
            ParseErrc::NotifyUnexpectedSpi);
  EXPECT_EQ(decode_redirect(decoded("00 00 4018 0104c0000207")).error(),
            (ParseError{ParseErrc::WrongNotifyType, 2, 41}));
}

TEST(RedirectNotify, R5685_38_RedirectedFromCarriesAnAddressOnly) {
  auto v4 = decode_redirected_from(decoded("00 00 4018 01 04 c0000207"));
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(*v4, GwIdentity::ipv4({192, 0, 2, 7}));
  auto v6 = decode_redirected_from(decoded("00 00 4018 02 10 20010db8000000000000000000000001"));
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->ipv6_addr(), base::Ip6Addr::parse("2001:db8::1"));
  EXPECT_EQ(decode_redirected_from(decoded("00 00 4018 03 03 616263")).error(),
            (ParseError{ParseErrc::GwIdentTypeNotAllowed, 4, 41}));
  EXPECT_EQ(decode_redirected_from(decoded("00 00 4018 01 04 c0000207 00")).error(),
            (ParseError{ParseErrc::GwIdentBadLength, 5, 41}));

  auto made = make_redirected_from(GwIdentity::ipv6(*base::Ip6Addr::parse("2001:db8::1")));
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(made->data.size(), 18U);  // Payload Length 26 = 8 + 18 (RFC 5685 9.3)
  EXPECT_EQ(make_redirected_from(GwIdentity::fqdn("x")).error().code, EncodeErrc::TypeMismatch);
}

TEST(RedirectNotify, FqdnLongerThan255Refused) {
  const std::string name(256, 'a');
  EXPECT_EQ(make_redirect({GwIdentity::fqdn(name), {}}).error().code, EncodeErrc::FieldTooLong);
  EXPECT_TRUE(make_redirect({GwIdentity::fqdn(name.substr(1)), {}}).has_value());
}

// ---- Other typed notifies ------------------------------------------------------------------

TEST(TypedNotify, R7296_18_InvalidKePayloadCarriesTwoOctetGroup) {
  const NotifyPayload n = make_invalid_ke_payload(19);
  EXPECT_EQ(base::to_hex(n.data), "0013");
  EXPECT_EQ(decode_invalid_ke_payload(n), 19);
  EXPECT_EQ(decode_invalid_ke_payload(decoded("00 00 0011 001300")).error(),
            (ParseError{ParseErrc::NotifyDataBadLength, 4, 41}));
  EXPECT_EQ(decode_invalid_ke_payload(make_cookie(n.data)).error().code,
            ParseErrc::WrongNotifyType);
}

TEST(TypedNotify, R7296_21_CookieIs1To64Octets) {
  const std::vector<std::uint8_t> one(1, 7);
  const std::vector<std::uint8_t> max(64, 7);
  const std::vector<std::uint8_t> over(65, 7);
  EXPECT_TRUE(decode_cookie(make_cookie(one)).has_value());
  EXPECT_EQ(decode_cookie(make_cookie(max))->size(), 64U);
  EXPECT_EQ(decode_cookie(make_cookie(over)).error().code, ParseErrc::NotifyDataBadLength);
  EXPECT_EQ(decode_cookie(make_cookie({})).error().code, ParseErrc::NotifyDataBadLength);
}

TEST(TypedNotify, NatDetectionIsJustTheHash) {
  std::array<std::uint8_t, kNatDetectionHashSize> hash{};
  hash[0] = 0x42;
  const NotifyPayload n = make_nat_detection(NotifyType::NatDetectionDestinationIp, hash);
  EXPECT_EQ(n.type, NotifyType::NatDetectionDestinationIp);
  EXPECT_EQ(n.data.size(), 20U);
  EXPECT_EQ((*decode_nat_detection(n))[0], 0x42);
  EXPECT_EQ(decode_nat_detection(decoded("00 00 4004 0102")).error().code,
            ParseErrc::NotifyDataBadLength);
  EXPECT_EQ(decode_nat_detection(make_cookie(hash)).error().code, ParseErrc::WrongNotifyType);
}

TEST(TypedNotify, SmallFixedFormats) {
  EXPECT_EQ(decode_unsupported_critical_payload(make_unsupported_critical_payload(200)), 200);
  EXPECT_EQ(decode_unsupported_critical_payload(decoded("00 00 0001")).error().code,
            ParseErrc::NotifyDataBadLength);
  EXPECT_EQ(decode_set_window_size(make_set_window_size(10)), 10U);
  EXPECT_EQ(decode_set_window_size(decoded("00 00 4001 0001")).error().code,
            ParseErrc::NotifyDataBadLength);
  const std::uint16_t ids[] = {2, 4};
  EXPECT_EQ(decode_signature_hash_algorithms(make_signature_hash_algorithms(ids)),
            (std::vector<std::uint16_t>{2, 4}));
  EXPECT_EQ(decode_signature_hash_algorithms(decoded("00 00 402f 000200")).error().code,
            ParseErrc::NotifyDataBadLength);
}

}  // namespace
// R5685-35/38: an IPv4 gateway travels as GW Ident Type 1 and is contacted at its mapped
// address; an FQDN has no address until it is resolved.
TEST(GwIdentity, AddressFormsMapIpv4AndLeaveFqdnUnresolved) {
  const auto v6 = *base::Ip6Addr::parse("2001:db8::2");
  const auto mapped = *base::Ip6Addr::parse("::ffff:192.0.2.7");
  EXPECT_EQ(GwIdentity::from_address(v6), GwIdentity::ipv6(v6));
  EXPECT_EQ(GwIdentity::from_address(mapped), GwIdentity::ipv4({192, 0, 2, 7}));
  EXPECT_EQ(GwIdentity::ipv6(v6).address(), v6);
  EXPECT_EQ(GwIdentity::ipv4({192, 0, 2, 7}).address(), mapped);
  EXPECT_EQ(GwIdentity::fqdn("ha2.example.org").address(), std::nullopt);
}

}  // namespace ike::wire
