#include "ike/wire/eap_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(EapPayload, DecodesOpaqueMessage) {
  // EAP-Request/Identity (iked eap_pld style): code 1, id 0, length 5, type 1.
  const auto body = hex("01 00 0005 01");
  auto e = EapPayload::decode(body);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message.size(), 5U);
  test::expect_body_round_trip<EapPayload>(body);
  test::expect_body_round_trip<EapPayload>(hex("03 07 0004"));  // EAP-Success
}

TEST(EapPayload, EveryPrefixFailsWithExactError) {
  test::expect_every_prefix(
      hex("02 00 0008 01 fafbfc"),
      {{4, ParseErrc::Truncated, 0}, {8, ParseErrc::EapLengthMismatch, 2}},
      [](std::span<const std::uint8_t> s) { return EapPayload::decode(s); });
}

TEST(EapPayload, LengthMustMatchPayload) {
  EXPECT_EQ(EapPayload::decode(hex("01 00 0004 01")).error(),
            (ParseError{ParseErrc::EapLengthMismatch, 2, 0}));
}

}  // namespace
}  // namespace ike::wire
