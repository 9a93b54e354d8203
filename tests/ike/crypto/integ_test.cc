#include "ike/crypto/integ.h"

#include <gtest/gtest.h>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "tests/ike/crypto/crypto_test_util.h"

namespace {

using crypto_test::ascii;
using crypto_test::hex;
using crypto_test::raw_hmac;
using crypto_test::Vec;
using ike::crypto::Integ;
using ike::crypto::IntegAlgorithm;

Integ make_integ(IntegAlgorithm a, const Vec& key) {
  auto integ = Integ::create(a, key);
  EXPECT_TRUE(integ.has_value());
  return std::move(*integ);
}

// RFC 4231 §4.6 (test case 5): outputs truncated to 128 bits. Our transforms keep 128, 192
// and 256 bits (RFC 4868 §2.6), so the 128-bit vector is the exact ICV for SHA2-256-128 and
// the first 16 octets of the longer ICVs. The RFC 4868 keys are full hash length, so the
// 20-octet RFC 4231 key goes through Prf (any key length) for the longer hashes.
TEST(Integ, Rfc4231Case5Truncation) {
  const Vec data = ascii("Test With Truncation");
  // HMAC pads a short key with zeros, so 0x0c*20 and 0x0c*20 | 0*12 are the same key.
  Vec key32(20, 0x0c);
  key32.resize(32, 0x00);
  const Integ sha256 = make_integ(IntegAlgorithm::HmacSha2_256_128, key32);
  EXPECT_EQ(sha256.compute({data}), hex("a3b6167473100ee06e0c796c2955552b"));

  Vec key48(20, 0x0c);
  key48.resize(48, 0x00);
  const Vec icv384 = make_integ(IntegAlgorithm::HmacSha2_384_192, key48).compute({data});
  ASSERT_EQ(icv384.size(), 24U);
  EXPECT_EQ(Vec(icv384.begin(), icv384.begin() + 16), hex("3abf34c3503b2a23a46efc619baef897"));

  Vec key64(20, 0x0c);
  key64.resize(64, 0x00);
  const Vec icv512 = make_integ(IntegAlgorithm::HmacSha2_512_256, key64).compute({data});
  ASSERT_EQ(icv512.size(), 32U);
  EXPECT_EQ(Vec(icv512.begin(), icv512.begin() + 16), hex("415fad6271580a531d4179bc891d87a6"));
}

TEST(Integ, IcvIsTheTruncatedFullHmac) {
  const Vec key(64, 0x42);
  const Vec data = ascii("IKE header | SK header | IV | ciphertext");
  const Vec full = raw_hmac(EVP_sha512(), key, data);
  const Integ integ = make_integ(IntegAlgorithm::HmacSha2_512_256, key);
  EXPECT_EQ(integ.compute({data}), Vec(full.begin(), full.begin() + 32));
  EXPECT_EQ(integ.key_size(), 64U);
  EXPECT_EQ(integ.icv_size(), 32U);
}

TEST(Integ, VerifyAcceptsOnlyTheExactIcv) {
  const Vec key(32, 0x11);
  const Vec data = ascii("message");
  const Integ integ = make_integ(IntegAlgorithm::HmacSha2_256_128, key);
  Vec icv = integ.compute({data});
  EXPECT_TRUE(integ.verify({data}, icv));
  icv[15] ^= 0x01;
  EXPECT_FALSE(integ.verify({data}, icv));
  icv[15] ^= 0x01;
  const Vec short_icv(icv.begin(), icv.end() - 1);
  EXPECT_FALSE(integ.verify({data}, short_icv));
  const Vec other = ascii("messagf");
  EXPECT_FALSE(integ.verify({other}, icv));
  EXPECT_FALSE(integ.verify({data}, {}));
}

TEST(Integ, KeyMustHaveTheHashLength) {
  for (std::size_t len : {0, 16, 31, 33, 64}) {
    auto integ = Integ::create(IntegAlgorithm::HmacSha2_256_128, Vec(len, 1));
    ASSERT_FALSE(integ.has_value()) << len;
    EXPECT_EQ(integ.error().code, ike::crypto::kErrInvalidKeyLength);
  }
}

TEST(Integ, UnsupportedTransformsAreErrors) {
  for (IntegAlgorithm a : {IntegAlgorithm::None, IntegAlgorithm::HmacSha1_96,
                           static_cast<IntegAlgorithm>(1234)}) {
    auto integ = Integ::create(a, Vec(32, 1));
    ASSERT_FALSE(integ.has_value());
    EXPECT_EQ(integ.error().code, ike::crypto::kErrUnsupportedAlgorithm);
  }
}

}  // namespace
