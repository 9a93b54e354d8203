#include "ike/wire/nonce_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(NoncePayload, DecodesIkedNonce) {
  // iked nonce_pld body: 32 octets.
  const auto body = hex("5f6142727db2a8c1feb1382eb875a7c11d8aa7b79b92e20e3a1820b616f33567");
  auto n = NoncePayload::decode(body);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->data.size(), 32U);
  test::expect_body_round_trip<NoncePayload>(body);
}

TEST(NoncePayload, R7296_20_EveryPrefixBelow16OctetsRejected) {
  const auto body = hex("000102030405060708090a0b0c0d0e0f");
  test::expect_every_prefix(body, {{16, ParseErrc::NonceBadLength, 0}},
                            [](std::span<const std::uint8_t> s) {
                              return NoncePayload::decode(s);
                            });
}

TEST(NoncePayload, R7296_20_SizeBounds16To256) {
  std::vector<std::uint8_t> data(256, 0x5a);
  EXPECT_TRUE(NoncePayload::decode(data).has_value());
  data.push_back(0);
  EXPECT_EQ(NoncePayload::decode(data).error(), (ParseError{ParseErrc::NonceBadLength, 0, 0}));
  data.resize(15);
  EXPECT_EQ(NoncePayload::decode(data).error().code, ParseErrc::NonceBadLength);
}

}  // namespace
}  // namespace ike::wire
