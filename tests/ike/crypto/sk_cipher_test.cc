#include "ike/crypto/sk_cipher.h"

#include <gtest/gtest.h>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "tests/ike/crypto/crypto_test_util.h"
#include "tests/support/deterministic_random.h"

namespace {

using crypto_test::concat;
using crypto_test::hex;
using crypto_test::raw_hmac;
using crypto_test::Vec;
using ike::crypto::EncrAlgorithm;
using ike::crypto::IntegAlgorithm;
using ike::crypto::SkCipher;

std::unique_ptr<SkCipher> make(EncrAlgorithm e, std::uint16_t bits, IntegAlgorithm i,
                               const Vec& ekey, const Vec& ikey,
                               ike::crypto::RandomSource& rng = ike::crypto::default_random()) {
  auto c = ike::crypto::make_sk_cipher(e, bits, i, ekey, ikey, rng);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().detail);
  return c ? std::move(*c) : nullptr;
}

Vec seal(SkCipher& c, const Vec& aad, const Vec& iv, const Vec& pt) {
  auto out = c.seal(aad, iv, pt);
  EXPECT_TRUE(out.has_value());
  return out ? *out : Vec{};
}

// ---- AES-GCM-16 (RFC 5282) ----

// A GCM known answer given as (K, 12-octet nonce, A, P, C, T), run the RFC 5282 way:
// SK_e = K | nonce[0..4) (the salt), the wire IV = nonce[4..12).
struct GcmVector {
  const char* source;
  std::uint16_t bits;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* pt;
  const char* ct;
  const char* tag;
};

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 3, 4, 15, 16
// (the 96-bit IV cases with data), and C2SP Wycheproof aes_gcm_test.json tcIds 2, 3, 91, 92.
const GcmVector kGcmVectors[] = {
    {"McGrew-Viega TC3", 128, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"McGrew-Viega TC4", 128, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"Wycheproof tcId 2", 128, "5b9604fe14eadba931b0ccf34843dab9", "921d2507fa8007b7bd067d34",
     "00112233445566778899aabbccddeeff", "001d0c231287c1182784554ca3a21908",
     "49d8b9783e911913d87094d1f63cc765", "1e348ba07cca2cf04c618cb4d43a5b92"},
    {"Wycheproof tcId 3", 128, "aa023d0478dcb2b2312498293d9a9129", "0432bc49ac34412081288127",
     "aac39231129872a2", "2035af313d1346ab00154fea78322105", "eea945f3d0f98cc0fbab472a0cf24e87",
     "4bb9b4812519dadf9e1232016d068133"},
    {"McGrew-Viega TC15", 256,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"McGrew-Viega TC16", 256,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"Wycheproof tcId 91", 256,
     "92ace3e348cd821092cd921aa3546374299ab46209691bc28b8752d17f123c20",
     "00112233445566778899aabb", "00000000ffffffff", "00010203040506070809",
     "e27abdd2d2a53d2f136b", "9a4a2579529301bcfb71c78d4060f52c"},
    {"Wycheproof tcId 92", 256,
     "29d3a44f8723dc640239100c365423a312934ac80239212ac3df3421a2098123",
     "00112233445566778899aabb", "aabbccddeeff", "", "", "2a7d77fa526b8250cb296078926b5020"},
};

// covers: R7296-35 (nonce = salt | 8-octet IV, AAD, 16-octet ICV, no SK_a)
TEST(SkCipherGcm, R7296_35_KnownAnswersThroughSaltAndIvSplit) {
  for (const GcmVector& v : kGcmVectors) {
    SCOPED_TRACE(v.source);
    const Vec nonce = hex(v.nonce);
    ASSERT_EQ(nonce.size(), 12U);
    const Vec salt(nonce.begin(), nonce.begin() + 4);
    const Vec iv(nonce.begin() + 4, nonce.end());
    const Vec sk_e = concat({hex(v.key), salt});
    EXPECT_EQ(sk_e.size(), ike::crypto::encr_key_size(EncrAlgorithm::AesGcm16, v.bits));
    auto c = make(EncrAlgorithm::AesGcm16, v.bits, IntegAlgorithm::None, sk_e, {});
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->iv_size(), 8U);
    EXPECT_EQ(c->icv_size(), 16U);
    const Vec sealed = seal(*c, hex(v.aad), iv, hex(v.pt));
    EXPECT_EQ(sealed, concat({hex(v.ct), hex(v.tag)}));
    auto opened = c->open(hex(v.aad), iv, sealed);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, hex(v.pt));
  }
}

TEST(SkCipherGcm, R7296_35_RejectsIntegTransformAndWrongKeySizes) {
  const Vec key20(20, 1);
  auto with_integ = ike::crypto::make_sk_cipher(EncrAlgorithm::AesGcm16, 128,
                                                IntegAlgorithm::HmacSha2_256_128, key20,
                                                Vec(32, 2));
  ASSERT_FALSE(with_integ.has_value());
  EXPECT_EQ(with_integ.error().code, ike::crypto::kErrUnsupportedAlgorithm);
  auto with_sk_a = ike::crypto::make_sk_cipher(EncrAlgorithm::AesGcm16, 128,
                                               IntegAlgorithm::None, key20, Vec(1, 2));
  ASSERT_FALSE(with_sk_a.has_value());
  // The salt is not optional: a bare 16-octet AES key is the wrong SK_e.
  for (auto [bits, len] : {std::pair{128, 16}, std::pair{128, 21}, std::pair{256, 32},
                           std::pair{256, 20}}) {
    auto c = ike::crypto::make_sk_cipher(EncrAlgorithm::AesGcm16,
                                         static_cast<std::uint16_t>(bits), IntegAlgorithm::None,
                                         Vec(static_cast<std::size_t>(len), 1), {});
    ASSERT_FALSE(c.has_value()) << bits << "/" << len;
    EXPECT_EQ(c.error().code, ike::crypto::kErrInvalidKeyLength);
  }
  auto bad_bits = ike::crypto::make_sk_cipher(EncrAlgorithm::AesGcm16, 64, IntegAlgorithm::None,
                                              Vec(12, 1), {});
  ASSERT_FALSE(bad_bits.has_value());
  EXPECT_EQ(bad_bits.error().code, ike::crypto::kErrInvalidKeyLength);
}

// ---- AES-CBC + HMAC-SHA2 ----

// NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt) and F.2.5 (CBC-AES256.Encrypt).
const char* const kCbcIv = "000102030405060708090a0b0c0d0e0f";
const char* const kCbcPlaintext =
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";

struct CbcVector {
  const char* source;
  std::uint16_t bits;
  const char* key;
  const char* ct;
  IntegAlgorithm integ;
  const EVP_MD* md;
};

// covers: R7296-34 (ICV over header..ciphertext, truncated; block-aligned plaintext)
TEST(SkCipherCbc, R7296_34_Sp80038aVectorsWithEncryptThenMac) {
  const CbcVector vectors[] = {
      {"SP 800-38A F.2.1", 128, "2b7e151628aed2a6abf7158809cf4f3c",
       "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
       "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
       IntegAlgorithm::HmacSha2_256_128, EVP_sha256()},
      {"SP 800-38A F.2.5", 256, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
       "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
       "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b",
       IntegAlgorithm::HmacSha2_512_256, EVP_sha512()},
  };
  for (const CbcVector& v : vectors) {
    SCOPED_TRACE(v.source);
    const std::size_t icv_len = ike::crypto::integ_icv_size(v.integ);
    const Vec integ_key(ike::crypto::integ_key_size(v.integ), 0x5a);
    auto c = make(EncrAlgorithm::AesCbc, v.bits, v.integ, hex(v.key), integ_key);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->iv_size(), 16U);
    EXPECT_EQ(c->block_size(), 16U);
    EXPECT_EQ(c->icv_size(), icv_len);
    const Vec aad = hex("0123456789abcdef fedcba9876543210 2e202308 00000001 00000060 2b000044");
    const Vec iv = hex(kCbcIv);
    const Vec sealed = seal(*c, aad, iv, hex(kCbcPlaintext));
    ASSERT_EQ(sealed.size(), 64 + icv_len);
    const Vec ct(sealed.begin(), sealed.begin() + 64);
    EXPECT_EQ(ct, hex(v.ct));
    // The ICV covers the IKE header | SK header | IV | ciphertext, truncated (RFC 4868).
    const Vec full = raw_hmac(v.md, integ_key, concat({aad, iv, ct}));
    EXPECT_EQ(Vec(sealed.begin() + 64, sealed.end()), Vec(full.begin(), full.begin() + icv_len));
    auto opened = c->open(aad, iv, sealed);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, hex(kCbcPlaintext));
  }
}

TEST(SkCipherCbc, RefusesUnalignedPlaintextAndBadIv) {
  auto c = make(EncrAlgorithm::AesCbc, 128, IntegAlgorithm::HmacSha2_256_128, Vec(16, 1),
                Vec(32, 2));
  ASSERT_NE(c, nullptr);
  auto unaligned = c->seal({}, Vec(16, 0), Vec(17, 0));
  ASSERT_FALSE(unaligned.has_value());
  EXPECT_EQ(unaligned.error().code, ike::crypto::kErrInvalidLength);
  auto short_iv = c->seal({}, Vec(8, 0), Vec(16, 0));
  ASSERT_FALSE(short_iv.has_value());
  EXPECT_EQ(short_iv.error().code, ike::crypto::kErrInvalidLength);
  auto open_unaligned = c->open({}, Vec(16, 0), Vec(16 + 16 + 1, 0));
  ASSERT_FALSE(open_unaligned.has_value());
  EXPECT_EQ(open_unaligned.error().code, ike::crypto::kErrInvalidLength);
  auto open_short = c->open({}, Vec(16, 0), Vec(15, 0));
  ASSERT_FALSE(open_short.has_value());
}

TEST(SkCipherCbc, NeedsAnIntegTransformWithTheRightKey) {
  auto none = ike::crypto::make_sk_cipher(EncrAlgorithm::AesCbc, 128, IntegAlgorithm::None,
                                          Vec(16, 1), {});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ike::crypto::kErrUnsupportedAlgorithm);
  auto short_key = ike::crypto::make_sk_cipher(EncrAlgorithm::AesCbc, 128,
                                               IntegAlgorithm::HmacSha2_256_128, Vec(16, 1),
                                               Vec(16, 2));
  ASSERT_FALSE(short_key.has_value());
  EXPECT_EQ(short_key.error().code, ike::crypto::kErrInvalidKeyLength);
  auto wrong_aes = ike::crypto::make_sk_cipher(EncrAlgorithm::AesCbc, 256,
                                               IntegAlgorithm::HmacSha2_256_128, Vec(16, 1),
                                               Vec(32, 2));
  ASSERT_FALSE(wrong_aes.has_value());
  EXPECT_EQ(wrong_aes.error().code, ike::crypto::kErrInvalidKeyLength);
  auto null_encr = ike::crypto::make_sk_cipher(EncrAlgorithm::Null, 128,
                                               IntegAlgorithm::HmacSha2_256_128, {}, Vec(32, 2));
  ASSERT_FALSE(null_encr.has_value());
  EXPECT_EQ(null_encr.error().code, ike::crypto::kErrUnsupportedAlgorithm);
}

// ---- both kinds: tampering ----

struct Suite {
  const char* name;
  EncrAlgorithm encr;
  std::uint16_t bits;
  IntegAlgorithm integ;
};

class AllSuites : public testing::TestWithParam<Suite> {
 protected:
  std::unique_ptr<SkCipher> make_cipher(ike::crypto::RandomSource& rng) {
    const Suite s = GetParam();
    const Vec ekey(ike::crypto::encr_key_size(s.encr, s.bits), 0x3c);
    const Vec ikey(ike::crypto::integ_key_size(s.integ), 0xc3);
    return make(s.encr, s.bits, s.integ, ekey, ikey, rng);
  }
};

// covers: R7296-29 (every MAC verified: any modified octet fails to open)
TEST_P(AllSuites, R7296_29_TamperedAadIvCiphertextOrIcvFailsToOpen) {
  test::DeterministicRandom rng(11);
  auto c = make_cipher(rng);
  ASSERT_NE(c, nullptr);
  const Vec aad = hex("0123456789abcdef fedcba9876543210 2e202308 00000001 000000b0 2b0000a4");
  const Vec plaintext = ike::crypto::add_sk_padding(Vec(70, 0x77), c->block_size());
  const Vec iv = c->next_iv();
  const Vec sealed = seal(*c, aad, iv, plaintext);
  ASSERT_EQ(sealed.size(), plaintext.size() + c->icv_size());

  auto expect_auth_failure = [&](const Vec& a, const Vec& i, const Vec& s, const char* what) {
    auto opened = c->open(a, i, s);
    ASSERT_FALSE(opened.has_value()) << what;
    EXPECT_EQ(opened.error().code, ike::crypto::kErrAuthenticationFailed) << what;
  };
  for (std::size_t pos : {std::size_t{0}, std::size_t{17}, aad.size() - 1}) {
    Vec bad = aad;
    bad[pos] ^= 0x01;
    expect_auth_failure(bad, iv, sealed, "aad");
  }
  for (std::size_t pos : {std::size_t{0}, iv.size() - 1}) {
    Vec bad = iv;
    bad[pos] ^= 0x80;
    expect_auth_failure(aad, bad, sealed, "iv");
  }
  for (std::size_t pos : {std::size_t{0}, plaintext.size() / 2, plaintext.size() - 1}) {
    Vec bad = sealed;
    bad[pos] ^= 0x01;
    expect_auth_failure(aad, iv, bad, "ciphertext");
  }
  for (std::size_t pos : {plaintext.size(), sealed.size() - 1}) {
    Vec bad = sealed;
    bad[pos] ^= 0x01;
    expect_auth_failure(aad, iv, bad, "icv");
  }
  Vec shorter_aad(aad.begin(), aad.end() - 1);
  expect_auth_failure(shorter_aad, iv, sealed, "aad truncated");
  // The untouched message still opens, so the failures above are the tampering.
  auto ok = c->open(aad, iv, sealed);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, plaintext);
}

TEST_P(AllSuites, SealBodyCarriesAFreshIvAndRoundTrips) {
  test::DeterministicRandom rng(3);
  auto c = make_cipher(rng);
  ASSERT_NE(c, nullptr);
  const Vec aad(32, 0xab);
  const Vec payloads = {0x29, 0x00, 0x00, 0x08, 0x00, 0x00, 0x40, 0x00};
  const Vec plaintext = ike::crypto::add_sk_padding(payloads, c->block_size());
  auto body1 = c->seal_body(aad, plaintext);
  auto body2 = c->seal_body(aad, plaintext);
  ASSERT_TRUE(body1.has_value());
  ASSERT_TRUE(body2.has_value());
  EXPECT_EQ(body1->size(), c->body_size(plaintext.size()));
  // A new IV per message (R7296-34 for CBC), so equal plaintexts do not repeat on the wire.
  EXPECT_NE(Vec(body1->begin(), body1->begin() + static_cast<long>(c->iv_size())),
            Vec(body2->begin(), body2->begin() + static_cast<long>(c->iv_size())));
  EXPECT_NE(*body1, *body2);
  for (const Vec& body : {*body1, *body2}) {
    auto opened = c->open_body(aad, body);
    ASSERT_TRUE(opened.has_value());
    auto inner = ike::crypto::strip_sk_padding(*opened);
    ASSERT_TRUE(inner.has_value());
    EXPECT_EQ(Vec(opened->begin(), opened->begin() + static_cast<long>(*inner)), payloads);
  }
  auto too_short = c->open_body(aad, Vec(c->iv_size() + c->icv_size() - 1, 0));
  ASSERT_FALSE(too_short.has_value());
  EXPECT_EQ(too_short.error().code, ike::crypto::kErrInvalidLength);
}

TEST_P(AllSuites, SameSeedSameBytes) {
  test::DeterministicRandom rng_a(9);
  test::DeterministicRandom rng_b(9);
  auto a = make_cipher(rng_a);
  auto b = make_cipher(rng_b);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const Vec plaintext = ike::crypto::add_sk_padding(Vec(40, 1), a->block_size());
  auto body_a = a->seal_body(Vec(8, 0), plaintext);
  auto body_b = b->seal_body(Vec(8, 0), plaintext);
  ASSERT_TRUE(body_a.has_value());
  ASSERT_TRUE(body_b.has_value());
  EXPECT_EQ(*body_a, *body_b);
}

INSTANTIATE_TEST_SUITE_P(
    SkCipher, AllSuites,
    testing::Values(Suite{"Gcm128", EncrAlgorithm::AesGcm16, 128, IntegAlgorithm::None},
                    Suite{"Gcm256", EncrAlgorithm::AesGcm16, 256, IntegAlgorithm::None},
                    Suite{"Cbc128Sha256", EncrAlgorithm::AesCbc, 128,
                          IntegAlgorithm::HmacSha2_256_128},
                    Suite{"Cbc192Sha384", EncrAlgorithm::AesCbc, 192,
                          IntegAlgorithm::HmacSha2_384_192},
                    Suite{"Cbc256Sha512", EncrAlgorithm::AesCbc, 256,
                          IntegAlgorithm::HmacSha2_512_256}),
    [](const testing::TestParamInfo<Suite>& param_info) {
      return std::string(param_info.param.name);
    });

// ---- SK padding helpers ----

// covers: R7296-34 (pad to the block size; any valid pad length accepted on receipt)
TEST(SkPadding, R7296_34_PadsToTheBlockWithPadLengthLast) {
  struct Case {
    std::size_t payloads;
    std::size_t block;
    std::size_t total;
  };
  for (const Case& c : {Case{0, 16, 16}, Case{14, 16, 16}, Case{15, 16, 16}, Case{16, 16, 32},
                        Case{31, 16, 32}, Case{0, 1, 1}, Case{70, 1, 71}}) {
    const Vec payloads(c.payloads, 0xee);
    const Vec padded = ike::crypto::add_sk_padding(payloads, c.block);
    ASSERT_EQ(padded.size(), c.total) << c.payloads << "/" << c.block;
    EXPECT_EQ(ike::crypto::sk_padded_size(c.payloads, c.block), c.total);
    EXPECT_EQ(padded.back(), c.total - c.payloads - 1);
    EXPECT_EQ(Vec(padded.begin(), padded.begin() + static_cast<long>(c.payloads)), payloads);
    auto inner = ike::crypto::strip_sk_padding(padded);
    ASSERT_TRUE(inner.has_value());
    EXPECT_EQ(*inner, c.payloads);
  }
}

TEST(SkPadding, R7296_34_AcceptsAnyPadLengthThatFits) {
  // A peer may pad more than needed: 4 payload octets, 27 pad octets, Pad Length 27.
  Vec decrypted(32, 0);
  decrypted.back() = 27;
  auto inner = ike::crypto::strip_sk_padding(decrypted);
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(*inner, 4U);
  decrypted.back() = 31;  // all padding, no payloads: still well formed
  inner = ike::crypto::strip_sk_padding(decrypted);
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(*inner, 0U);
}

TEST(SkPadding, RejectsPadLengthBeyondThePlaintext) {
  Vec decrypted(16, 0);
  decrypted.back() = 16;
  auto inner = ike::crypto::strip_sk_padding(decrypted);
  ASSERT_FALSE(inner.has_value());
  EXPECT_EQ(inner.error().code, ike::crypto::kErrInvalidPadding);
  decrypted.back() = 255;
  EXPECT_FALSE(ike::crypto::strip_sk_padding(decrypted).has_value());
  auto empty = ike::crypto::strip_sk_padding({});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ike::crypto::kErrInvalidPadding);
}

}  // namespace
