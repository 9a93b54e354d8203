#include "ike/crypto/auth.h"

#include <gtest/gtest.h>

#include "ike/crypto/crypto_error.h"
#include "ike/crypto/nat_detection.h"
#include "tests/ike/crypto/crypto_test_util.h"

namespace {

using crypto_test::ascii;
using crypto_test::concat;
using crypto_test::hex;
using crypto_test::raw_hmac;
using crypto_test::Vec;
using ike::crypto::AuthInput;
using ike::crypto::Prf;
using ike::crypto::PrfAlgorithm;

Prf make_prf(PrfAlgorithm a) {
  auto prf = Prf::create(a);
  EXPECT_TRUE(prf.has_value());
  return std::move(*prf);
}

struct AuthFixture {
  Vec message1 =
      concat({hex("0123456789abcdef 0000000000000000 21202208 00000000 00000030"), Vec(20, 0x22)});
  Vec nonce_r = Vec(32, 0x5e);
  Vec sk_pi = Vec(32, 0x7a);
  // IDi' = ID Type (ID_FQDN = 2) | 3 reserved octets | "mn.example"
  Vec id_body = concat({hex("02000000"), ascii("mn.example")});
  AuthInput input() const { return AuthInput{message1, nonce_r, sk_pi, id_body}; }
};

// covers: R7296-27 (AUTH over RealMessage | peer nonce | prf(SK_p, ID'), "Key Pad for IKEv2")
TEST(PskAuth, R7296_27_MatchesStepByStepComputation) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const AuthFixture f;
  const Vec secret = ascii("correct horse battery staple");
  const Vec maced_id = raw_hmac(EVP_sha256(), f.sk_pi, f.id_body);
  const Vec octets = concat({f.message1, f.nonce_r, maced_id});
  EXPECT_EQ(ike::crypto::signed_octets(prf, f.input()), octets);
  const Vec pad = ascii("Key Pad for IKEv2");
  ASSERT_EQ(pad.size(), 17U);
  const Vec expected = raw_hmac(EVP_sha256(), raw_hmac(EVP_sha256(), secret, pad), octets);
  EXPECT_EQ(ike::crypto::psk_auth_data(prf, secret, f.input()), expected);
  EXPECT_TRUE(ike::crypto::verify_psk_auth_data(prf, secret, f.input(), expected));
}

// covers: R7296-29 (MACs verified; the ID must go with the key)
TEST(PskAuth, R7296_29_AnyChangedInputFailsVerification) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_512);
  const AuthFixture f;
  const Vec secret = ascii("s3cret");
  const Vec auth = ike::crypto::psk_auth_data(prf, secret, f.input());
  ASSERT_EQ(auth.size(), 64U);
  EXPECT_TRUE(ike::crypto::verify_psk_auth_data(prf, secret, f.input(), auth));

  Vec bad_auth = auth;
  bad_auth[0] ^= 1;
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, secret, f.input(), bad_auth));
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, secret, f.input(),
                                                 Vec(auth.begin(), auth.end() - 1)));
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, ascii("s3creT"), f.input(), auth));

  AuthFixture other_id = f;
  other_id.id_body.back() ^= 1;
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, secret, other_id.input(), auth));
  AuthFixture other_msg = f;
  other_msg.message1[40] ^= 1;
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, secret, other_msg.input(), auth));
  AuthFixture other_nonce = f;
  other_nonce.nonce_r[0] ^= 1;
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, secret, other_nonce.input(), auth));
  AuthFixture other_sk_p = f;
  other_sk_p.sk_pi[0] ^= 1;
  EXPECT_FALSE(ike::crypto::verify_psk_auth_data(prf, secret, other_sk_p.input(), auth));
}

// covers: R7296-30 (long ASCII secrets taken as given; no NUL appended)
TEST(PskAuth, R7296_30_SecretUsedExactlyAsGiven) {
  const Prf prf = make_prf(PrfAlgorithm::HmacSha2_256);
  const AuthFixture f;
  const Vec secret64 = ascii("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  const Vec secret100 = Vec(100, 'x');
  for (const Vec& secret : {secret64, secret100}) {
    const Vec with_nul = concat({secret, Vec{0x00}});
    const Vec auth = ike::crypto::psk_auth_data(prf, secret, f.input());
    EXPECT_NE(auth, ike::crypto::psk_auth_data(prf, with_nul, f.input()));
    const Vec octets = ike::crypto::signed_octets(prf, f.input());
    EXPECT_EQ(auth, raw_hmac(EVP_sha256(),
                             raw_hmac(EVP_sha256(), secret, ascii("Key Pad for IKEv2")), octets));
  }
}

// RFC 7296 §2.23, checked against Python hashlib.sha1 over the same fields.
TEST(NatDetection, HashesSpisAddressAndPort) {
  auto v6 = ike::crypto::nat_detection_hash(0x0123456789abcdefULL, 0,
                                            hex("20010db8000000000000000000000001"), 500);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(Vec(v6->begin(), v6->end()), hex("9bbdb9b85c4968af03a73f051323d6e067cf4027"));
  auto v4 = ike::crypto::nat_detection_hash(0x0123456789abcdefULL, 0xfedcba9876543210ULL,
                                            hex("c0000201"), 4500);
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(Vec(v4->begin(), v4->end()), hex("2f25c864a9aab40dbeffa893157a49c2e232b2f0"));
  // Port and SPI order matter.
  auto other_port = ike::crypto::nat_detection_hash(0x0123456789abcdefULL, 0,
                                                    hex("20010db8000000000000000000000001"), 4500);
  ASSERT_TRUE(other_port.has_value());
  EXPECT_NE(*other_port, *v6);
}

TEST(NatDetection, RejectsAddressesOfOtherSizes) {
  for (std::size_t len : {0, 3, 5, 15, 17}) {
    auto h = ike::crypto::nat_detection_hash(1, 2, Vec(len, 1), 500);
    ASSERT_FALSE(h.has_value()) << len;
    EXPECT_EQ(h.error().code, ike::crypto::kErrInvalidLength);
  }
}

}  // namespace
