#include "ike/wire/certreq_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(CertReqPayload, DecodesCaHashes) {
  // iked certreq_pld carries an empty RAW_RSA_KEY request; ours: X.509 with two SHA-1 hashes.
  const auto body = hex("04 c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3"
                        "   a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
  auto c = CertReqPayload::decode(body);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->encoding, CertEncoding::X509Signature);
  EXPECT_EQ(c->authorities.size(), 40U);
  test::expect_body_round_trip<CertReqPayload>(body);
  test::expect_body_round_trip<CertReqPayload>(hex("0b"));
}

TEST(CertReqPayload, EveryPrefixFailsWithExactError) {
  test::expect_every_prefix(hex("04"), {{1, ParseErrc::Truncated, 0}},
                            [](std::span<const std::uint8_t> s) {
                              return CertReqPayload::decode(s);
                            });
}

}  // namespace
}  // namespace ike::wire
