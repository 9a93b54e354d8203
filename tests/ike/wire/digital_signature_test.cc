// The Authentication Data framing of the Digital Signature method (RFC 7427 3): length octet,
// AlgorithmIdentifier, signature. The DER inside is tested in tests/ike/crypto.
#include <gtest/gtest.h>

#include "ike/wire/auth_payload.h"
#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

// ASN.1 length 0x0c, ecdsa-with-SHA256 (RFC 7427 A.3), then a DER signature's first octets.
const char* const kEcdsaAuthData =
    "0c"                        // length of the AlgorithmIdentifier
    "300a06082a8648ce3d040302"  // ecdsa-with-SHA256
    "3044 0220 01020304";       // signature (opaque here)

TEST(DigitalSignatureData, DecodesAndReencodesExactly) {
  const auto data = hex(kEcdsaAuthData);
  auto d = decode_digital_signature(data);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->algorithm_identifier, hex("300a06082a8648ce3d040302"));
  EXPECT_EQ(d->signature, hex("3044 0220 01020304"));
  auto again = encode_digital_signature(d->algorithm_identifier, d->signature);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, data);
}

TEST(DigitalSignatureData, EveryPrefixOfTheAlgorithmIdentifierIsTruncated) {
  // Prefixes that cut the AlgorithmIdentifier fail; once it is whole, the rest is signature.
  const auto data = hex(kEcdsaAuthData);
  test::expect_every_prefix(
      std::span<const std::uint8_t>(data).first(13),
      {{1, ParseErrc::Truncated, 0}, {13, ParseErrc::Truncated, 1}},
      [](std::span<const std::uint8_t> s) { return decode_digital_signature(s); });
  EXPECT_EQ(
      decode_digital_signature(std::span<const std::uint8_t>(data).first(13))->signature.size(),
      0u);
}

TEST(DigitalSignatureData, EmptyPartsAndOverlongAlgorithmIdentifier) {
  auto empty = decode_digital_signature(hex("00"));
  ASSERT_TRUE(empty.has_value());  // framing only; the DER parser refuses an empty one
  EXPECT_TRUE(empty->algorithm_identifier.empty());
  EXPECT_TRUE(empty->signature.empty());
  const std::vector<std::uint8_t> long_id(256, 0x30);
  auto r = encode_digital_signature(long_id, hex("00"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, EncodeErrc::FieldTooLong);
  const std::vector<std::uint8_t> max_id(255, 0x30);
  auto ok = encode_digital_signature(max_id, {});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->size(), 256u);
  EXPECT_EQ(ok->front(), 0xff);
}

}  // namespace
}  // namespace ike::wire
