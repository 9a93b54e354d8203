#include "ike/wire/ke_payload.h"

#include <gtest/gtest.h>

#include "ike/wire/sa_payload.h"
#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

// Curve25519 KE body (RFC 8031: 32 octets, payload length 40).
constexpr std::string_view kKe31Body = R"(
001f 0000  # DH group 31, reserved
  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
)";

TEST(KePayload, DecodesGroupAndData) {
  auto ke = KePayload::decode(hex(kKe31Body));
  ASSERT_TRUE(ke.has_value());
  EXPECT_EQ(static_cast<DhGroup>(ke->dh_group), DhGroup::Curve25519);
  EXPECT_EQ(ke->data.size(), 32U);
  EXPECT_EQ(ke->data[31], 0x1f);
  test::expect_body_round_trip<KePayload>(hex(kKe31Body));
}

TEST(KePayload, EveryPrefixFailsWithExactError) {
  // Only the 4-octet fixed part can be cut short; the data length is the engine's check.
  const auto body = hex(kKe31Body);
  test::expect_every_prefix(std::span(body).first(4), {{4, ParseErrc::Truncated, 0}},
                            [](std::span<const std::uint8_t> s) { return KePayload::decode(s); });
  for (std::size_t len = 4; len <= body.size(); ++len) {
    auto ke = KePayload::decode(std::span(body).first(len));
    ASSERT_TRUE(ke.has_value());
    EXPECT_EQ(ke->data.size(), len - 4);
  }
}

TEST(KePayload, R7296_11_ReservedIgnored) {
  auto body = hex(kKe31Body);
  body[2] = 0xab;
  auto ke = KePayload::decode(body);
  ASSERT_TRUE(ke.has_value());
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(ke->encode(w).has_value());
  EXPECT_EQ(out[2], 0);
}

}  // namespace
}  // namespace ike::wire
