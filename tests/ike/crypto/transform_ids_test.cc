#include "ike/crypto/transform_ids.h"

#include <gtest/gtest.h>

#include "ike/crypto/algorithm_info.h"

namespace {

using namespace ike::crypto;  // NOLINT(google-build-using-namespace): enum-heavy test

// The IANA numbers the wire codec relies on (RFC 7296 §3.3.2, RFC 4868, RFC 5282, RFC 8031).
TEST(TransformIds, IanaNumbers) {
  EXPECT_EQ(static_cast<int>(TransformType::Encr), 1);
  EXPECT_EQ(static_cast<int>(TransformType::Prf), 2);
  EXPECT_EQ(static_cast<int>(TransformType::Integ), 3);
  EXPECT_EQ(static_cast<int>(TransformType::Dh), 4);
  EXPECT_EQ(static_cast<int>(TransformType::Esn), 5);
  EXPECT_EQ(static_cast<int>(EncrAlgorithm::AesCbc), 12);
  EXPECT_EQ(static_cast<int>(EncrAlgorithm::AesGcm16), 20);
  EXPECT_EQ(static_cast<int>(PrfAlgorithm::HmacSha2_256), 5);
  EXPECT_EQ(static_cast<int>(PrfAlgorithm::HmacSha2_384), 6);
  EXPECT_EQ(static_cast<int>(PrfAlgorithm::HmacSha2_512), 7);
  EXPECT_EQ(static_cast<int>(IntegAlgorithm::HmacSha2_256_128), 12);
  EXPECT_EQ(static_cast<int>(IntegAlgorithm::HmacSha2_384_192), 13);
  EXPECT_EQ(static_cast<int>(IntegAlgorithm::HmacSha2_512_256), 14);
  EXPECT_EQ(static_cast<int>(DhGroup::Modp2048), 14);
  EXPECT_EQ(static_cast<int>(DhGroup::Ecp256), 19);
  EXPECT_EQ(static_cast<int>(DhGroup::Curve25519), 31);
  EXPECT_EQ(kKeyLengthAttribute, 14);
}

TEST(TransformIds, NamesForLogs) {
  EXPECT_EQ(to_string(EncrAlgorithm::AesCbc), "aes_cbc");
  EXPECT_EQ(to_string(EncrAlgorithm::AesGcm16), "aes_gcm16");
  EXPECT_EQ(to_string(PrfAlgorithm::HmacSha2_384), "hmac_sha2_384");
  EXPECT_EQ(to_string(IntegAlgorithm::HmacSha2_512_256), "hmac_sha2_512_256");
  EXPECT_EQ(to_string(DhGroup::Curve25519), "curve25519");
  EXPECT_EQ(to_string(TransformType::Dh), "dh");
  EXPECT_EQ(to_string(EsnMode::Esn), "esn");
  EXPECT_EQ(to_string(static_cast<EncrAlgorithm>(999)), "unknown");
  EXPECT_EQ(to_string(static_cast<DhGroup>(2)), "unknown");
}

// RFC 7296 §3.4 / RFC 5903 §7 / RFC 8031 §2 sizes and RFC 5282 §7.1 salted keys.
TEST(AlgorithmInfo, Sizes) {
  static_assert(dh_public_value_size(DhGroup::Modp2048) == 256);
  static_assert(dh_public_value_size(DhGroup::Ecp256) == 64);
  static_assert(dh_public_value_size(DhGroup::Curve25519) == 32);
  static_assert(dh_shared_secret_size(DhGroup::Ecp256) == 32);
  EXPECT_EQ(encr_key_size(EncrAlgorithm::AesGcm16, 128), 20U);
  EXPECT_EQ(encr_key_size(EncrAlgorithm::AesGcm16, 256), 36U);
  EXPECT_EQ(encr_key_size(EncrAlgorithm::AesCbc, 192), 24U);
  EXPECT_EQ(encr_key_size(EncrAlgorithm::AesCbc, 64), 0U);
  EXPECT_EQ(encr_key_size(EncrAlgorithm::AesGcm8, 128), 0U);
  EXPECT_EQ(integ_key_size(IntegAlgorithm::HmacSha2_384_192), 48U);
  EXPECT_EQ(integ_icv_size(IntegAlgorithm::HmacSha2_384_192), 24U);
  EXPECT_EQ(prf_key_size(PrfAlgorithm::HmacSha2_512), 64U);
  EXPECT_TRUE(is_aead(EncrAlgorithm::AesGcm16));
  EXPECT_FALSE(is_aead(EncrAlgorithm::AesCbc));
}

}  // namespace
