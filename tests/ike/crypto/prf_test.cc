#include "ike/crypto/prf.h"

#include <gtest/gtest.h>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "tests/ike/crypto/crypto_test_util.h"

namespace {

using crypto_test::ascii;
using crypto_test::concat;
using crypto_test::hand_prf_plus;
using crypto_test::hex;
using crypto_test::raw_hmac;
using crypto_test::to_vec;
using crypto_test::Vec;
using ike::crypto::Prf;
using ike::crypto::PrfAlgorithm;

Prf make_prf(PrfAlgorithm a) {
  auto prf = Prf::create(a);
  EXPECT_TRUE(prf.has_value());
  return std::move(*prf);
}

// RFC 4231 §4: one key/data pair with the expected HMAC-SHA-256/384/512 outputs.
struct Rfc4231Case {
  const char* name;
  Vec key;
  Vec data;
  const char* sha256;
  const char* sha384;
  const char* sha512;
};

std::vector<Rfc4231Case> rfc4231_cases() {
  const Vec key_131(131, 0xaa);
  return {
      {"case1", Vec(20, 0x0b), ascii("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
       "faea9ea9076ede7f4af152e8b2fa9cb6",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {"case2", ascii("Jefe"), ascii("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
       "8e2240ca5e69e2c78b3239ecfab21649",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {"case3", Vec(20, 0xaa), Vec(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
       "2a5ab39dc13814b94e3ab6e101a34f27",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
       "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
      {"case4", hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Vec(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
       "6801dd23c4a7d679ccf8a386c674cffb",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
       "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
      {"case6", key_131, ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
       "0c2ef6ab4030fe8296248df163f44952",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
      {"case7", key_131,
       ascii("This is a test using a larger than block-size key and a larger than block-size "
             "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
       "a678cc31e799176d3860e6110c46523e",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
       "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
  };
}

TEST(Prf, Rfc4231KnownAnswers) {
  const Prf p256 = make_prf(PrfAlgorithm::HmacSha2_256);
  const Prf p384 = make_prf(PrfAlgorithm::HmacSha2_384);
  const Prf p512 = make_prf(PrfAlgorithm::HmacSha2_512);
  for (const auto& c : rfc4231_cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(to_vec(p256.compute(c.key, {c.data})), hex(c.sha256));
    EXPECT_EQ(to_vec(p384.compute(c.key, {c.data})), hex(c.sha384));
    EXPECT_EQ(to_vec(p512.compute(c.key, {c.data})), hex(c.sha512));
  }
}

TEST(Prf, DataInPiecesEqualsConcatenation) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const Vec key = ascii("Jefe");
  const Vec a = ascii("what do ya ");
  const Vec b;
  const Vec c = ascii("want for nothing?");
  EXPECT_EQ(to_vec(prf.compute(key, {a, b, c})),
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

TEST(Prf, KeyedHmacIsReusableAndCopyable) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_384);
  const auto cases = rfc4231_cases();
  const ike::crypto::Hmac h = prf.keyed(cases[0].key);
  const ike::crypto::Hmac copy = h;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(to_vec(h.compute({cases[0].data})), hex(cases[0].sha384));
  EXPECT_EQ(to_vec(h.compute({cases[0].data})), hex(cases[0].sha384));
  EXPECT_EQ(to_vec(copy.compute({cases[0].data})), hex(cases[0].sha384));
  const Prf prf_copy = prf;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(to_vec(prf_copy.compute(cases[1].key, {cases[1].data})), hex(cases[1].sha384));
}

TEST(Prf, EmptyKeyIsAZeroKeyNotAnError) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const Vec data = ascii("payload");
  EXPECT_EQ(to_vec(prf.compute({}, {data})), raw_hmac(EVP_sha256(), {}, data));
}

TEST(Prf, ReKeyingItsContextLeavesNoTraceOfTheLastKey) {
  // compute() re-keys one context per Prf: a long (hashed) key, then an empty one, then a
  // short one must each give what a fresh HMAC gives.
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const auto cases = rfc4231_cases();
  const Vec data = ascii("payload");
  EXPECT_EQ(to_vec(prf.compute(cases[5].key, {cases[5].data})), hex(cases[5].sha256));
  EXPECT_EQ(to_vec(prf.compute({}, {data})), raw_hmac(EVP_sha256(), {}, data));
  EXPECT_EQ(to_vec(prf.compute(cases[0].key, {cases[0].data})), hex(cases[0].sha256));
}

TEST(Prf, AssignedFromAnotherAlgorithmUsesTheNewDigest) {
  Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const auto cases = rfc4231_cases();
  EXPECT_EQ(to_vec(prf.compute(cases[0].key, {cases[0].data})), hex(cases[0].sha256));
  const Prf p512 = make_prf(PrfAlgorithm::HmacSha2_512);
  prf = p512;
  EXPECT_EQ(prf.output_size(), 64U);
  EXPECT_EQ(to_vec(prf.compute(cases[0].key, {cases[0].data})), hex(cases[0].sha512));
}

TEST(Prf, SizesFollowTheHash) {
  EXPECT_EQ(make_prf(PrfAlgorithm::HmacSha2_256).output_size(), 32U);
  EXPECT_EQ(make_prf(PrfAlgorithm::HmacSha2_384).key_size(), 48U);
  EXPECT_EQ(make_prf(PrfAlgorithm::HmacSha2_512).output_size(), 64U);
  EXPECT_EQ(make_prf(PrfAlgorithm::HmacSha2_512).algorithm(), PrfAlgorithm::HmacSha2_512);
}

TEST(Prf, UnsupportedAlgorithmIsAnError) {
  auto sha1 = Prf::create(PrfAlgorithm::HmacSha1);
  ASSERT_FALSE(sha1.has_value());
  EXPECT_EQ(sha1.error().code, ike::crypto::kErrUnsupportedAlgorithm);
  auto bogus = Prf::create(static_cast<PrfAlgorithm>(99));
  ASSERT_FALSE(bogus.has_value());
  EXPECT_EQ(bogus.error().code, ike::crypto::kErrUnsupportedAlgorithm);
}

// covers: R7296-25 (prf+ construction used for SK_* and KEYMAT)
TEST(PrfPlus, R7296_25_MatchesHandExpansion) {
  const Vec key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const Vec seed = ascii("Ni | Nr | SPIi | SPIr stands in here");
  struct Alg {
    PrfAlgorithm a;
    const EVP_MD* md;
  };
  for (const Alg alg : {Alg{PrfAlgorithm::HmacSha2_256, EVP_sha256()},
                        Alg{PrfAlgorithm::HmacSha2_384, EVP_sha384()},
                        Alg{PrfAlgorithm::HmacSha2_512, EVP_sha512()}}) {
    const Prf prf = make_prf(alg.a);
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, prf.output_size() - 1,
                            prf.output_size(), prf.output_size() + 1, std::size_t{200},
                            std::size_t{392}}) {
      SCOPED_TRACE(testing::Message() << ike::crypto::to_string(alg.a) << " len " << len);
      auto out = ike::crypto::prf_plus(prf, key, seed, len);
      ASSERT_TRUE(out.has_value());
      EXPECT_EQ(to_vec(*out), hand_prf_plus(alg.md, key, seed, len));
    }
  }
}

TEST(PrfPlus, FirstBlockIsPrfOfSeedAndOne) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const Vec key = ascii("key");
  const Vec seed = ascii("seed");
  auto out = ike::crypto::prf_plus(prf, key, seed, 32);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(to_vec(*out), raw_hmac(EVP_sha256(), key, concat({seed, Vec{0x01}})));
}

TEST(PrfPlus, R7296_25_StopsAt255Blocks) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const Vec key = ascii("key");
  const Vec seed = ascii("seed");
  auto max = ike::crypto::prf_plus(prf, key, seed, 255 * 32);
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->size(), 255U * 32U);
  // The last block is T255, computed with counter octet 0xff.
  EXPECT_EQ(to_vec(*max), hand_prf_plus(EVP_sha256(), key, seed, 255 * 32));
  auto too_long = ike::crypto::prf_plus(prf, key, seed, 255 * 32 + 1);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ike::crypto::kErrOutputTooLong);
}

}  // namespace
