#include "ike/crypto/key_derivation.h"

#include <gtest/gtest.h>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "ike/crypto/sk_cipher.h"
#include "tests/ike/crypto/crypto_test_util.h"

namespace {

using crypto_test::concat;
using crypto_test::hand_prf_plus;
using crypto_test::hex;
using crypto_test::raw_hmac;
using crypto_test::to_vec;
using crypto_test::Vec;
using ike::crypto::EncrAlgorithm;
using ike::crypto::IkeSaTransforms;
using ike::crypto::IntegAlgorithm;
using ike::crypto::Prf;
using ike::crypto::PrfAlgorithm;

Prf make_prf(PrfAlgorithm a) {
  auto prf = Prf::create(a);
  EXPECT_TRUE(prf.has_value());
  return std::move(*prf);
}

Vec range(std::uint8_t first, std::size_t n) {
  Vec out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint8_t>(first + i);
  }
  return out;
}

const Vec kNi = range(0x00, 32);
const Vec kNr = range(0x80, 32);
const Vec kGir = range(0x40, 32);
constexpr std::uint64_t kSpiI = 0x0102030405060708ULL;
constexpr std::uint64_t kSpiR = 0x1112131415161718ULL;
const Vec kSpiIBytes = hex("0102030405060708");
const Vec kSpiRBytes = hex("1112131415161718");

TEST(IkeKeySizes, GcmHasNoIntegKeysAndSaltedEncrKeys) {
  auto sizes = ike::crypto::ike_key_sizes(
      IkeSaTransforms{EncrAlgorithm::AesGcm16, 256, PrfAlgorithm::HmacSha2_256,
                      IntegAlgorithm::None});
  ASSERT_TRUE(sizes.has_value());
  EXPECT_EQ(sizes->sk_d, 32U);
  EXPECT_EQ(sizes->sk_a, 0U);
  EXPECT_EQ(sizes->sk_e, 36U);
  EXPECT_EQ(sizes->sk_p, 32U);
  auto gcm128 = ike::crypto::ike_key_sizes(
      IkeSaTransforms{EncrAlgorithm::AesGcm16, 128, PrfAlgorithm::HmacSha2_512,
                      IntegAlgorithm::None});
  ASSERT_TRUE(gcm128.has_value());
  EXPECT_EQ(gcm128->sk_e, 20U);
  EXPECT_EQ(gcm128->sk_d, 64U);
}

TEST(IkeKeySizes, CbcUsesFullHmacKeyLength) {
  auto sizes = ike::crypto::ike_key_sizes(
      IkeSaTransforms{EncrAlgorithm::AesCbc, 128, PrfAlgorithm::HmacSha2_384,
                      IntegAlgorithm::HmacSha2_256_128});
  ASSERT_TRUE(sizes.has_value());
  EXPECT_EQ(sizes->sk_d, 48U);
  EXPECT_EQ(sizes->sk_a, 32U);  // the HMAC key, not the 16-octet ICV
  EXPECT_EQ(sizes->sk_e, 16U);
  EXPECT_EQ(sizes->sk_p, 48U);
  EXPECT_EQ(sizes->total(), 48U + 64U + 32U + 96U);
}

TEST(IkeKeySizes, InconsistentSuitesAreErrors) {
  const IkeSaTransforms bad[] = {
      {EncrAlgorithm::AesGcm16, 256, PrfAlgorithm::HmacSha2_256,
       IntegAlgorithm::HmacSha2_256_128},
      {EncrAlgorithm::AesCbc, 256, PrfAlgorithm::HmacSha2_256, IntegAlgorithm::None},
      {EncrAlgorithm::AesCbc, 100, PrfAlgorithm::HmacSha2_256, IntegAlgorithm::HmacSha2_256_128},
      {EncrAlgorithm::AesCbc, 128, PrfAlgorithm::HmacSha1, IntegAlgorithm::HmacSha2_256_128},
      {EncrAlgorithm::AesGcm8, 128, PrfAlgorithm::HmacSha2_256, IntegAlgorithm::None},
      {EncrAlgorithm::Null, 128, PrfAlgorithm::HmacSha2_256, IntegAlgorithm::HmacSha2_256_128},
  };
  for (const IkeSaTransforms& t : bad) {
    EXPECT_FALSE(ike::crypto::ike_key_sizes(t).has_value())
        << ike::crypto::to_string(t.encr) << " " << t.encr_key_bits << " "
        << ike::crypto::to_string(t.prf) << " " << ike::crypto::to_string(t.integ);
  }
}

// SKEYSEED and the seven SK_* recomputed step by step with one-shot HMAC, plus fixed bytes
// from an independent implementation (Python hmac/hashlib) of the same formulas.
// covers: R7296-25
TEST(IkeSaKeys, R7296_25_SkeyseedAndSkOrderMatchIndependentComputation) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const base::SecretBytes skeyseed = ike::crypto::compute_skeyseed(prf, kNi, kNr, kGir);
  const Vec expected_skeyseed = raw_hmac(EVP_sha256(), concat({kNi, kNr}), kGir);
  EXPECT_EQ(to_vec(skeyseed), expected_skeyseed);
  EXPECT_EQ(to_vec(skeyseed),
            hex("14e772685db14793cb681fa3f686976bc595a7a0a97b4557f589fff7661dda3a"));

  auto sizes = ike::crypto::ike_key_sizes(
      IkeSaTransforms{EncrAlgorithm::AesGcm16, 256, PrfAlgorithm::HmacSha2_256,
                      IntegAlgorithm::None});
  ASSERT_TRUE(sizes.has_value());
  auto keys = ike::crypto::derive_ike_sa_keys(prf, skeyseed.view(), kNi, kNr, kSpiI, kSpiR,
                                              *sizes);
  ASSERT_TRUE(keys.has_value());

  const Vec keymat = hand_prf_plus(EVP_sha256(), expected_skeyseed,
                                   concat({kNi, kNr, kSpiIBytes, kSpiRBytes}), 168);
  auto slice = [&](std::size_t off, std::size_t len) {
    return Vec(keymat.begin() + static_cast<long>(off),
               keymat.begin() + static_cast<long>(off + len));
  };
  EXPECT_EQ(to_vec(keys->sk_d), slice(0, 32));
  EXPECT_TRUE(keys->sk_ai.empty());
  EXPECT_TRUE(keys->sk_ar.empty());
  EXPECT_EQ(to_vec(keys->sk_ei), slice(32, 36));
  EXPECT_EQ(to_vec(keys->sk_er), slice(68, 36));
  EXPECT_EQ(to_vec(keys->sk_pi), slice(104, 32));
  EXPECT_EQ(to_vec(keys->sk_pr), slice(136, 32));

  EXPECT_EQ(to_vec(keys->sk_d),
            hex("9b68a95ae74cda5367735af8cef0ccd1f0ccf3f2fc850afa74c43dacd8c45229"));
  EXPECT_EQ(to_vec(keys->sk_ei),
            hex("204ba2fe10513c9134313913372842661bb77c866daf4074ccb9735539b417ed7a2edc62"));
  EXPECT_EQ(to_vec(keys->sk_er),
            hex("c7c0a8d99d087c6296d08f3b16a62f3d38db5502a5edf856db14f91933fd40e6942f2945"));
  EXPECT_EQ(to_vec(keys->sk_pi),
            hex("7c3267ab861325c9898408a3e9dfef542eb6529745fedb1c111fe108fdd51726"));
  EXPECT_EQ(to_vec(keys->sk_pr),
            hex("bd0a6992747066e2d2abee4ad6b90ef42d1d6eaa0a58d20c83a3132a0c10b61c"));
}

TEST(IkeSaKeys, R7296_25_CbcSuiteSlicesIntegKeysBetweenSkDAndSkE) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_384);
  const Vec skeyseed = range(0x10, 48);
  auto sizes = ike::crypto::ike_key_sizes(
      IkeSaTransforms{EncrAlgorithm::AesCbc, 256, PrfAlgorithm::HmacSha2_384,
                      IntegAlgorithm::HmacSha2_512_256});
  ASSERT_TRUE(sizes.has_value());
  auto keys = ike::crypto::derive_ike_sa_keys(prf, skeyseed, kNi, kNr, kSpiI, kSpiR, *sizes);
  ASSERT_TRUE(keys.has_value());
  const Vec keymat = hand_prf_plus(EVP_sha384(), skeyseed,
                                   concat({kNi, kNr, kSpiIBytes, kSpiRBytes}), sizes->total());
  EXPECT_EQ(to_vec(keys->sk_d), Vec(keymat.begin(), keymat.begin() + 48));
  EXPECT_EQ(to_vec(keys->sk_ai), Vec(keymat.begin() + 48, keymat.begin() + 112));
  EXPECT_EQ(to_vec(keys->sk_ar), Vec(keymat.begin() + 112, keymat.begin() + 176));
  EXPECT_EQ(to_vec(keys->sk_ei), Vec(keymat.begin() + 176, keymat.begin() + 208));
  EXPECT_EQ(to_vec(keys->sk_er), Vec(keymat.begin() + 208, keymat.begin() + 240));
  EXPECT_EQ(to_vec(keys->sk_pi), Vec(keymat.begin() + 240, keymat.begin() + 288));
  EXPECT_EQ(to_vec(keys->sk_pr), Vec(keymat.begin() + 288, keymat.begin() + 336));
}

// RFC 7296 §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the OLD SA's PRF.
TEST(IkeSaKeys, RekeySkeyseedUsesOldSkD) {
  const Prf old_prf = make_prf(PrfAlgorithm::HmacSha2_512);
  const Vec old_sk_d = range(0x20, 64);
  const base::SecretBytes skeyseed =
      ike::crypto::compute_rekey_skeyseed(old_prf, old_sk_d, kGir, kNi, kNr);
  EXPECT_EQ(to_vec(skeyseed), raw_hmac(EVP_sha512(), old_sk_d, concat({kGir, kNi, kNr})));
}

// covers: R7296-26 (KEYMAT order: initiator->responder first, encryption before integrity)
TEST(ChildSaKeys, R7296_26_KeymatOrderWithAndWithoutPfs) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const Vec sk_d = range(0x33, 32);
  auto sizes = ike::crypto::child_key_sizes(EncrAlgorithm::AesCbc, 128,
                                            IntegAlgorithm::HmacSha2_256_128);
  ASSERT_TRUE(sizes.has_value());
  EXPECT_EQ(sizes->encr, 16U);
  EXPECT_EQ(sizes->integ, 32U);
  for (const Vec& g_ir : {Vec{}, kGir}) {
    SCOPED_TRACE(g_ir.empty() ? "no PFS" : "PFS");
    auto keys = ike::crypto::derive_child_sa_keys(prf, sk_d, g_ir, kNi, kNr, *sizes);
    ASSERT_TRUE(keys.has_value());
    const Vec keymat = hand_prf_plus(EVP_sha256(), sk_d, concat({g_ir, kNi, kNr}), 96);
    EXPECT_EQ(to_vec(keys->encr_i), Vec(keymat.begin(), keymat.begin() + 16));
    EXPECT_EQ(to_vec(keys->integ_i), Vec(keymat.begin() + 16, keymat.begin() + 48));
    EXPECT_EQ(to_vec(keys->encr_r), Vec(keymat.begin() + 48, keymat.begin() + 64));
    EXPECT_EQ(to_vec(keys->integ_r), Vec(keymat.begin() + 64, keymat.begin() + 96));
  }
}

TEST(ChildSaKeys, R7296_26_GcmKeysCarrySaltAndNoIntegKeys) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const Vec sk_d = hex("9b68a95ae74cda5367735af8cef0ccd1f0ccf3f2fc850afa74c43dacd8c45229");
  auto sizes = ike::crypto::child_key_sizes(EncrAlgorithm::AesGcm16, 128, IntegAlgorithm::None);
  ASSERT_TRUE(sizes.has_value());
  EXPECT_EQ(sizes->encr, 20U);
  EXPECT_EQ(sizes->integ, 0U);
  auto keys = ike::crypto::derive_child_sa_keys(prf, sk_d, {}, kNi, kNr, *sizes);
  ASSERT_TRUE(keys.has_value());
  // Fixed bytes from the independent Python computation (first Child SA, no PFS).
  EXPECT_EQ(to_vec(keys->encr_i), hex("810e661dc8c77c1c9aaa558b61dcd23d22e8a892"));
  EXPECT_EQ(to_vec(keys->encr_r), hex("3e75de2402744011336bdb941278daafbf1d09c3"));
  EXPECT_TRUE(keys->integ_i.empty());
  EXPECT_TRUE(keys->integ_r.empty());
}

TEST(ChildSaKeys, InconsistentEspSuitesAreErrors) {
  EXPECT_FALSE(ike::crypto::child_key_sizes(EncrAlgorithm::AesGcm16, 128,
                                            IntegAlgorithm::HmacSha2_256_128)
                   .has_value());
  EXPECT_FALSE(
      ike::crypto::child_key_sizes(EncrAlgorithm::AesCbc, 128, IntegAlgorithm::None).has_value());
  EXPECT_FALSE(ike::crypto::child_key_sizes(EncrAlgorithm::AesCbc, 0,
                                            IntegAlgorithm::HmacSha2_256_128)
                   .has_value());
}

// The derived keys in use: what the initiator seals with SK_ei the responder opens with its
// own SK_ei, and SK_er (the other direction) does not open it.
TEST(IkeSaKeys, BothPeersDeriveMatchingDirectionalKeys) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const IkeSaTransforms t{EncrAlgorithm::AesGcm16, 128, PrfAlgorithm::HmacSha2_256,
                          IntegAlgorithm::None};
  auto sizes = ike::crypto::ike_key_sizes(t);
  ASSERT_TRUE(sizes.has_value());
  const base::SecretBytes seed = ike::crypto::compute_skeyseed(prf, kNi, kNr, kGir);
  auto initiator = ike::crypto::derive_ike_sa_keys(prf, seed.view(), kNi, kNr, kSpiI, kSpiR,
                                                   *sizes);
  auto responder = ike::crypto::derive_ike_sa_keys(prf, seed.view(), kNi, kNr, kSpiI, kSpiR,
                                                   *sizes);
  ASSERT_TRUE(initiator.has_value());
  ASSERT_TRUE(responder.has_value());
  auto out = ike::crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ,
                                         initiator->sk_ei.view(), {});
  auto in = ike::crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ,
                                        responder->sk_ei.view(), {});
  auto wrong = ike::crypto::make_sk_cipher(t.encr, t.encr_key_bits, t.integ,
                                           responder->sk_er.view(), {});
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(in.has_value());
  ASSERT_TRUE(wrong.has_value());
  const Vec aad(32, 0x01);
  const Vec plaintext = ike::crypto::add_sk_padding(Vec(10, 0x02), (*out)->block_size());
  auto body = (*out)->seal_body(aad, plaintext);
  ASSERT_TRUE(body.has_value());
  auto opened = (*in)->open_body(aad, *body);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, plaintext);
  auto misdirected = (*wrong)->open_body(aad, *body);
  ASSERT_FALSE(misdirected.has_value());
  EXPECT_EQ(misdirected.error().code, ike::crypto::kErrAuthenticationFailed);
}

}  // namespace
