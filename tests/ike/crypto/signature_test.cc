// Signatures and RFC 7427 AlgorithmIdentifiers: known answers from RFC 7427 Appendix A and
// from the openssl CLI, sign/verify round trips, tampering and wrong keys.
#include "ike/crypto/signature.h"

#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "ike/crypto/crypto_error.h"
#include "tests/ike/crypto/crypto_test_util.h"
#include "tests/support/test_certs.h"

namespace ike::crypto {
namespace {

using crypto_test::ascii;
using crypto_test::hex;
using crypto_test::Vec;

struct AlgIdVector {
  const char* name;
  SignatureScheme scheme;
  const char* der;
};

// RFC 7427 Appendix A: A.1 (RSA PKCS#1 v1.5) and A.3 (ECDSA), byte-exact both ways.
const AlgIdVector kRfc7427Vectors[] = {
    {"sha1WithRSAEncryption", SignatureScheme::rsa_pkcs1(SignatureHash::Sha1),
     "30 0d 06 09 2a 86 48 86 f7 0d 01 01 05 05 00"},
    {"sha256WithRSAEncryption", SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256),
     "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00"},
    {"sha384WithRSAEncryption", SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_384),
     "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0c 05 00"},
    {"sha512WithRSAEncryption", SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_512),
     "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0d 05 00"},
    {"ecdsa-with-sha256", SignatureScheme::ecdsa(SignatureHash::Sha2_256),
     "30 0a 06 08 2a 86 48 ce 3d 04 03 02"},
    {"ecdsa-with-sha384", SignatureScheme::ecdsa(SignatureHash::Sha2_384),
     "30 0a 06 08 2a 86 48 ce 3d 04 03 03"},
    {"ecdsa-with-sha512", SignatureScheme::ecdsa(SignatureHash::Sha2_512),
     "30 0a 06 08 2a 86 48 ce 3d 04 03 04"},
};

TEST(SignatureAlgorithmId, Rfc7427AppendixAVectorsEncodeAndDecodeExactly) {
  for (const auto& v : kRfc7427Vectors) {
    SCOPED_TRACE(v.name);
    auto der = encode_algorithm_identifier(v.scheme);
    ASSERT_TRUE(der) << der.error().detail;
    EXPECT_EQ(*der, hex(v.der));
    auto scheme = decode_algorithm_identifier(hex(v.der));
    ASSERT_TRUE(scheme) << scheme.error().detail;
    EXPECT_EQ(*scheme, v.scheme);
  }
}

// RFC 7427 A.4.3: RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32. The RFC spells out the
// DEFAULT trailerField ([3] INTEGER 1); peers (libreswan) send it like that, so it decodes.
constexpr const char* kRfc7427PssSha256 =
    "30 46 06 09 2a 86 48 86 f7 0d 01 01 0a 30 39 a0 0f 30 0d 06 09 60 86 48 01 65 03 04 02 01"
    "05 00 a1 1c 30 1a 06 09 2a 86 48 86 f7 0d 01 01 08 30 0d 06 09 60 86 48 01 65 03 04 02 01"
    "05 00 a2 03 02 01 20 a3 03 02 01 01";
// The same in DER proper (X.690 11.5 leaves the DEFAULT out): what we send.
constexpr const char* kPssSha256Der =
    "30 41 06 09 2a 86 48 86 f7 0d 01 01 0a 30 34 a0 0f 30 0d 06 09 60 86 48 01 65 03 04 02 01"
    "05 00 a1 1c 30 1a 06 09 2a 86 48 86 f7 0d 01 01 08 30 0d 06 09 60 86 48 01 65 03 04 02 01"
    "05 00 a2 03 02 01 20";

TEST(SignatureAlgorithmId, Rfc7427RsassaPssSha256) {
  auto scheme = decode_algorithm_identifier(hex(kRfc7427PssSha256));
  ASSERT_TRUE(scheme) << scheme.error().detail;
  EXPECT_EQ(*scheme, SignatureScheme::rsa_pss(SignatureHash::Sha2_256));
  EXPECT_EQ(scheme->salt_length, 32);
  EXPECT_EQ(scheme->mgf1_hash, SignatureHash::Sha2_256);

  auto der = encode_algorithm_identifier(SignatureScheme::rsa_pss(SignatureHash::Sha2_256));
  ASSERT_TRUE(der);
  EXPECT_EQ(*der, hex(kPssSha256Der));
  auto again = decode_algorithm_identifier(*der);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, SignatureScheme::rsa_pss(SignatureHash::Sha2_256));
}

TEST(SignatureAlgorithmId, RsassaPssAllDefaultsIsEmptySequence) {
  // RFC 4055 3.1 DEFAULTs: SHA-1, MGF1-SHA-1, salt 20 -> RSASSA-PSS-params is an empty SEQUENCE.
  const SignatureScheme defaults{SignatureAlgorithm::RsaPss, SignatureHash::Sha1,
                                 SignatureHash::Sha1, 20};
  const Vec der = hex("30 0d 06 09 2a 86 48 86 f7 0d 01 01 0a 30 00");
  auto encoded = encode_algorithm_identifier(defaults);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(*encoded, der);
  auto decoded = decode_algorithm_identifier(der);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, defaults);
}

TEST(SignatureAlgorithmId, RsassaPssSha384AndSha512RoundTrip) {
  for (auto h : {SignatureHash::Sha2_384, SignatureHash::Sha2_512}) {
    auto der = encode_algorithm_identifier(SignatureScheme::rsa_pss(h));
    ASSERT_TRUE(der);
    auto back = decode_algorithm_identifier(*der);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, SignatureScheme::rsa_pss(h));
  }
}

TEST(SignatureAlgorithmId, RejectsWhatItCannotHonour) {
  struct Bad {
    const char* name;
    const char* der;
    std::string_view code;
  };
  const Bad cases[] = {
      {"empty", "", kErrInvalidEncoding},
      {"not DER", "ff ff ff", kErrInvalidEncoding},
      {"trailing byte", "30 0a 06 08 2a 86 48 ce 3d 04 03 02 00", kErrInvalidEncoding},
      {"truncated", "30 0a 06 08 2a 86 48 ce 3d 04 03", kErrInvalidEncoding},
      {"Ed25519 (1.3.101.112)", "30 05 06 03 2b 65 70", kErrUnsupportedAlgorithm},
      {"md5WithRSAEncryption", "30 0d 06 09 2a 86 48 86 f7 0d 01 01 04 05 00",
       kErrUnsupportedAlgorithm},
      {"RSA with INTEGER parameters", "30 0e 06 09 2a 86 48 86 f7 0d 01 01 0b 02 01 00",
       kErrInvalidEncoding},
      {"ECDSA with INTEGER parameters", "30 0d 06 08 2a 86 48 ce 3d 04 03 02 02 01 00",
       kErrInvalidEncoding},
      {"PSS parameters not a SEQUENCE", "30 0d 06 09 2a 86 48 86 f7 0d 01 01 0a 05 00",
       kErrInvalidEncoding},
      // maskGenAlgorithm with an OID that is not id-mgf1 (sha256 in its place).
      {"PSS mask not MGF1",
       "30 1e 06 09 2a 86 48 86 f7 0d 01 01 0a 30 11 a1 0f 30 0d 06 09 60 86 48 01 65 03 04 02 01"
       "30 00",
       kErrUnsupportedAlgorithm},
      {"PSS trailerField 2", "30 12 06 09 2a 86 48 86 f7 0d 01 01 0a 30 05 a3 03 02 01 02",
       kErrUnsupportedAlgorithm},
      {"PSS hash md5",
       "30 1d 06 09 2a 86 48 86 f7 0d 01 01 0a 30 10 a0 0e 30 0c 06 08 2a 86 48 86 f7 0d 02 05 05"
       "00",
       kErrUnsupportedAlgorithm},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = decode_algorithm_identifier(hex(c.der));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.code) << r.error().detail;
  }
}

// ---- keys and signatures -------------------------------------------------------------------

const Vec kMessage = ascii("mip6 signature KAT");

// `openssl dgst -sha256 -sign rsa-mn1.key` over kMessage: PKCS#1 v1.5 is deterministic, so our
// signature must be these exact octets.
constexpr const char* kRsaMn1Sha256Pkcs1 =
    "6b28c000621912d6d715374270ae8b55f6219b5683489e8800e4cbca5a4013ce86edce9748f402aa35b01282823a"
    "034614422dd2b6c371e7ef19e2ff602bb43ca09ad1de8f7cad19160ebe9b7bd180c04af9606bbf8dc68f80c57b20"
    "8d44459057f21372b73416d993fd3b159428f0289ba6c984beb21a49ad9a81f97cbca3a36204a8e5fbc311170c7d"
    "ec720c0f766c865aee85a97347a238d49985e3b3052a6f05e660854cd6ab2a7f9a887c19d2eec49ec10dad2c0531"
    "2f38ba03760469c949a133f56739f4fc46292a3242461cac4c14cfac93e78a3f773fe971734e757326b1b34683e4"
    "ae994793d9ba8ef89a16507822799aaf2c7a05da0f4200e3c19a";
// Same key, `-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256`.
constexpr const char* kRsaMn1Sha256Pss =
    "496b0c01461922e15b2373e10871c747d375619bf8c100427c8152a93d73b150f0fdd7dfd7f4aad91ef2d98485d1"
    "8cfd9a5abf5cca52cc88282c95ed89f5879a609e1b2e824cda3e49c64d8326e23c09e7994041b70c098f6e513bb4"
    "84835000ec4c1cc7e5af36618dfcacd4400b75f97b13af65ed1a036dd2542d41b82058654efe09040b1c43c3002a"
    "d76506818bf814d1a9900c4cc1849296694b311197a05eedb8977ee9c998df109359231ba151f270adc5986530b3"
    "0ffd63b905341a9002d4bd7c80d2674a2f04dd67cfadb1e778de1ff648b13fb2fd9fa4413782da01b747b515da61"
    "ce62285a72741461ec55b860753e09eca84ab1f634d4f672e403";
// `openssl dgst -sha256 -sign ecdsa-mn1.key`: a DER Ecdsa-Sig-Value.
constexpr const char* kEcdsaMn1Sha256 =
    "304502202a187c538da2907ebe54c339af34f4618f7a1de4788c9b9b812777e6a6a136d9022100bd1072faacfffe"
    "dffc199d51051534c3b0e8c787b3ead849560df0c084e64aae";

TEST(Signature, RsaPkcs1KnownAnswerFromOpensslCli) {
  const PrivateKey key = test::load_key("rsa-mn1");
  EXPECT_EQ(key.type(), KeyType::Rsa);
  EXPECT_EQ(key.bits(), 2048u);
  auto sig = key.sign(SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256), kMessage);
  ASSERT_TRUE(sig);
  EXPECT_EQ(*sig, hex(kRsaMn1Sha256Pkcs1));
  const PublicKey pub = *test::load_cert("rsa-mn1").public_key();
  EXPECT_TRUE(pub.verify(SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256), kMessage,
                         hex(kRsaMn1Sha256Pkcs1)));
}

TEST(Signature, VerifiesPssAndEcdsaMadeByOpensslCli) {
  const PublicKey rsa = *test::load_cert("rsa-mn1").public_key();
  EXPECT_TRUE(rsa.verify(SignatureScheme::rsa_pss(SignatureHash::Sha2_256), kMessage,
                         hex(kRsaMn1Sha256Pss)));
  // PSS with the wrong salt length must not verify (the scheme is exact).
  SignatureScheme salt20 = SignatureScheme::rsa_pss(SignatureHash::Sha2_256);
  salt20.salt_length = 20;
  EXPECT_FALSE(rsa.verify(salt20, kMessage, hex(kRsaMn1Sha256Pss)));

  const PublicKey ec = *test::load_cert("ecdsa-mn1").public_key();
  EXPECT_EQ(ec.type(), KeyType::EcP256);
  EXPECT_TRUE(
      ec.verify(SignatureScheme::ecdsa(SignatureHash::Sha2_256), kMessage, hex(kEcdsaMn1Sha256)));
}

struct RoundTrip {
  const char* name;
  KeyType key;
  SignatureScheme scheme;
  EcdsaFormat format;
  std::size_t raw_size;  // expected signature size for Raw ECDSA and RSA, 0: variable (DER)
};

TEST(Signature, SignVerifyRoundTripsTamperAndWrongKey) {
  const RoundTrip cases[] = {
      {"RSA PKCS#1 SHA-1 (method 1)", KeyType::Rsa, SignatureScheme::rsa_pkcs1(SignatureHash::Sha1),
       EcdsaFormat::Der, 256},
      {"RSA PKCS#1 SHA-256", KeyType::Rsa, SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256),
       EcdsaFormat::Der, 256},
      {"RSA PKCS#1 SHA-512", KeyType::Rsa, SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_512),
       EcdsaFormat::Der, 256},
      {"RSASSA-PSS SHA-256", KeyType::Rsa, SignatureScheme::rsa_pss(SignatureHash::Sha2_256),
       EcdsaFormat::Der, 256},
      {"RSASSA-PSS SHA-384", KeyType::Rsa, SignatureScheme::rsa_pss(SignatureHash::Sha2_384),
       EcdsaFormat::Der, 256},
      {"ECDSA P-256 SHA-256 DER (method 14)", KeyType::EcP256,
       SignatureScheme::ecdsa(SignatureHash::Sha2_256), EcdsaFormat::Der, 0},
      {"ECDSA P-256 SHA-256 r|s (method 9)", KeyType::EcP256,
       SignatureScheme::ecdsa(SignatureHash::Sha2_256), EcdsaFormat::Raw, 64},
      {"ECDSA P-384 SHA-384 r|s (method 10)", KeyType::EcP384,
       SignatureScheme::ecdsa(SignatureHash::Sha2_384), EcdsaFormat::Raw, 96},
      {"ECDSA P-521 SHA-512 r|s (method 11)", KeyType::EcP521,
       SignatureScheme::ecdsa(SignatureHash::Sha2_512), EcdsaFormat::Raw, 132},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // One key pair per type (RSA generation is slow); `other` is the wrong key.
    static std::map<KeyType, std::pair<PrivateKey, PrivateKey>> keys;
    if (keys.count(c.key) == 0) {
      auto a = PrivateKey::generate(c.key);
      auto b = PrivateKey::generate(c.key);
      ASSERT_TRUE(a && b);
      keys.emplace(c.key, std::pair(*a, *b));
    }
    const PrivateKey* key = &keys.at(c.key).first;
    const PrivateKey* other = &keys.at(c.key).second;
    EXPECT_EQ(key->type(), c.key);
    auto sig = key->sign(c.scheme, kMessage, c.format);
    ASSERT_TRUE(sig) << sig.error().detail;
    if (c.raw_size != 0) {
      EXPECT_EQ(sig->size(), c.raw_size);
    }
    const PublicKey pub = key->public_key();
    EXPECT_TRUE(pub.verify(c.scheme, kMessage, *sig, c.format));

    Vec tampered_data = kMessage;
    tampered_data.back() ^= 1;
    auto r = pub.verify(c.scheme, tampered_data, *sig, c.format);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, kErrAuthenticationFailed);

    Vec tampered_sig = *sig;
    tampered_sig[tampered_sig.size() / 2] ^= 0x40;
    EXPECT_FALSE(pub.verify(c.scheme, kMessage, tampered_sig, c.format));
    EXPECT_FALSE(pub.verify(c.scheme, kMessage, Vec(sig->begin(), sig->end() - 1), c.format));
    EXPECT_FALSE(pub.verify(c.scheme, kMessage, {}, c.format));

    auto wrong = other->public_key().verify(c.scheme, kMessage, *sig, c.format);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, kErrAuthenticationFailed);
  }
}

TEST(Signature, SchemeMustFitTheKey) {
  auto ec = PrivateKey::generate(KeyType::EcP256);
  auto rsa = PrivateKey::generate(KeyType::Rsa);
  ASSERT_TRUE(ec && rsa);
  auto r1 = ec->sign(SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256), kMessage);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, kErrKeyMismatch);
  auto sig = rsa->sign(SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256), kMessage);
  ASSERT_TRUE(sig);
  auto r2 =
      ec->public_key().verify(SignatureScheme::ecdsa(SignatureHash::Sha2_256), kMessage, *sig);
  ASSERT_FALSE(r2);
  // An RSA signature presented as ECDSA for an EC key: parses as neither, never verifies.
  EXPECT_EQ(r2.error().code, kErrAuthenticationFailed);
  auto r3 =
      rsa->public_key().verify(SignatureScheme::ecdsa(SignatureHash::Sha2_256), kMessage, *sig);
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error().code, kErrKeyMismatch);
}

TEST(Signature, PemKeysLoadWithTheirTypes) {
  EXPECT_EQ(test::load_key("ecdsa-ha").type(), KeyType::EcP256);
  EXPECT_EQ(test::load_key("ecdsa-mn2").type(), KeyType::EcP384);
  EXPECT_EQ(test::load_key("rsa-ha").type(), KeyType::Rsa);
  EXPECT_FALSE(PrivateKey::from_pem("not a key"));
  EXPECT_FALSE(PrivateKey::from_pem(""));
  // A certificate is not a private key.
  EXPECT_FALSE(PrivateKey::from_pem(test::read_cert_vector("ecdsa-ha.pem")));
}

}  // namespace
}  // namespace ike::crypto
