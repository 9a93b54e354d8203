#include "ike/crypto/key_exchange.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "tests/ike/crypto/crypto_test_util.h"
#include "tests/support/deterministic_random.h"

namespace {

using crypto_test::hex;
using crypto_test::to_vec;
using crypto_test::Vec;
using ike::crypto::DhGroup;
using ike::crypto::KeyExchange;

std::unique_ptr<KeyExchange> from_private(DhGroup g, const Vec& priv) {
  auto kex = ike::crypto::key_exchange_from_private_key(g, priv);
  EXPECT_TRUE(kex.has_value()) << (kex ? "" : kex.error().detail);
  return kex ? std::move(*kex) : nullptr;
}

std::unique_ptr<KeyExchange> generate(DhGroup g) {
  auto kex = ike::crypto::generate_key_exchange(g);
  EXPECT_TRUE(kex.has_value());
  return kex ? std::move(*kex) : nullptr;
}

void expect_rejected(const KeyExchange& kex, const Vec& peer, const char* what) {
  auto secret = kex.compute_shared_secret(peer);
  ASSERT_FALSE(secret.has_value()) << what;
  EXPECT_EQ(secret.error().code, ike::crypto::kErrInvalidPublicValue) << what;
}

// ---- Curve25519 (group 31) ----

// RFC 7748 §5.2: X25519(scalar, u) for the two listed inputs.
TEST(X25519, Rfc7748Section52Vectors) {
  struct V {
    const char* scalar;
    const char* u;
    const char* out;
  };
  for (const V& v : {V{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
                     V{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"}}) {
    auto kex = from_private(DhGroup::Curve25519, hex(v.scalar));
    ASSERT_NE(kex, nullptr);
    auto secret = kex->compute_shared_secret(hex(v.u));
    ASSERT_TRUE(secret.has_value());
    EXPECT_EQ(to_vec(*secret), hex(v.out));
  }
}

// RFC 7748 §5.2 iterated test: k = u = 9, then k, u = X25519(k, u), k; 1 and 1000 rounds.
TEST(X25519, Rfc7748Section52Iterations) {
  Vec k = hex("0900000000000000000000000000000000000000000000000000000000000000");
  Vec u = k;
  for (int i = 1; i <= 1000; ++i) {
    auto kex = from_private(DhGroup::Curve25519, k);
    ASSERT_NE(kex, nullptr);
    auto out = kex->compute_shared_secret(u);
    ASSERT_TRUE(out.has_value());
    u = k;
    k = to_vec(*out);
    if (i == 1) {
      EXPECT_EQ(k, hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"));
    }
  }
  EXPECT_EQ(k, hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"));
}

// RFC 7748 §6.1: Alice and Bob's key pairs and their shared secret; with RFC 8031 the public
// value is the KE data as is.
TEST(X25519, Rfc7748Section61DiffieHellman) {
  auto alice = from_private(
      DhGroup::Curve25519, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = from_private(
      DhGroup::Curve25519, hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(to_vec(alice->public_value()),
            hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
  EXPECT_EQ(to_vec(bob->public_value()),
            hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  const Vec k = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  auto ka = alice->compute_shared_secret(bob->public_value());
  auto kb = bob->compute_shared_secret(alice->public_value());
  ASSERT_TRUE(ka.has_value());
  ASSERT_TRUE(kb.has_value());
  EXPECT_EQ(to_vec(*ka), k);
  EXPECT_EQ(to_vec(*kb), k);
  EXPECT_EQ(alice->group(), DhGroup::Curve25519);
}

// RFC 8031 §2 / RFC 7748 §6.1: a small-order peer value gives the all-zero secret, which
// must be refused rather than used as g^ir.
TEST(X25519, RejectsLowOrderPointsAndWrongLengths) {
  auto kex = generate(DhGroup::Curve25519);
  ASSERT_NE(kex, nullptr);
  expect_rejected(*kex, Vec(32, 0), "u = 0");
  expect_rejected(*kex, hex("0100000000000000000000000000000000000000000000000000000000000000"),
                  "u = 1");
  expect_rejected(*kex, hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
                  "order 8");
  expect_rejected(*kex, hex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
                  "order 8 (second)");
  expect_rejected(*kex, hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
                  "u = p - 1");
  expect_rejected(*kex, Vec(31, 9), "31 octets");
  expect_rejected(*kex, Vec(33, 9), "33 octets");
  expect_rejected(*kex, {}, "empty");
}

// ---- ECP-256 (group 19) ----

const char* const kP256I =
    "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433";
const char* const kP256Gi =
    "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180"
    "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3";
const char* const kP256R =
    "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53";
const char* const kP256Gr =
    "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63"
    "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB";
const char* const kP256Girx =
    "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE";

// RFC 5903 §8.1: KE data is gix | giy (64 octets, no 0x04), g^ir is girx alone (§7).
TEST(Ecp256, Rfc5903Section81) {
  auto initiator = from_private(DhGroup::Ecp256, hex(kP256I));
  auto responder = from_private(DhGroup::Ecp256, hex(kP256R));
  ASSERT_NE(initiator, nullptr);
  ASSERT_NE(responder, nullptr);
  EXPECT_EQ(to_vec(initiator->public_value()), hex(kP256Gi));
  EXPECT_EQ(to_vec(responder->public_value()), hex(kP256Gr));
  auto si = initiator->compute_shared_secret(hex(kP256Gr));
  auto sr = responder->compute_shared_secret(hex(kP256Gi));
  ASSERT_TRUE(si.has_value());
  ASSERT_TRUE(sr.has_value());
  EXPECT_EQ(to_vec(*si), hex(kP256Girx));
  EXPECT_EQ(to_vec(*sr), hex(kP256Girx));
}

TEST(Ecp256, RejectsInvalidPoints) {
  auto kex = from_private(DhGroup::Ecp256, hex(kP256I));
  ASSERT_NE(kex, nullptr);
  Vec off_curve = hex(kP256Gr);
  off_curve[63] ^= 0x01;
  expect_rejected(*kex, off_curve, "y off by one bit");
  expect_rejected(*kex, Vec(64, 0), "(0, 0)");
  // x = p: a coordinate outside the field, even paired with the real y.
  Vec x_is_p = hex(
      "FFFFFFFF 00000001 00000000 00000000 00000000 FFFFFFFF FFFFFFFF FFFFFFFF"
      "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB");
  expect_rejected(*kex, x_is_p, "x = p");
  Vec with_prefix = {0x04};
  const Vec gr = hex(kP256Gr);
  with_prefix.insert(with_prefix.end(), gr.begin(), gr.end());
  expect_rejected(*kex, with_prefix, "SEC1 0x04 prefix (65 octets)");
  expect_rejected(*kex, Vec(gr.begin(), gr.begin() + 32), "x only");
  expect_rejected(*kex, Vec(gr.begin(), gr.end() - 1), "63 octets");
}

TEST(Ecp256, RejectsScalarsOutsideTheGroupOrder) {
  const Vec n = hex("FFFFFFFF 00000000 FFFFFFFF FFFFFFFF BCE6FAAD A7179E84 F3B9CAC2 FC632551");
  for (const Vec& bad : {Vec(32, 0), n, Vec(32, 0xff), Vec(31, 1), Vec(33, 1)}) {
    auto kex = ike::crypto::key_exchange_from_private_key(DhGroup::Ecp256, bad);
    ASSERT_FALSE(kex.has_value());
    EXPECT_EQ(kex.error().code, ike::crypto::kErrInvalidPrivateKey);
  }
}

// ---- MODP-2048 (group 14) ----

Vec modp2048_prime_bytes() {
  BIGNUM* p = BN_get_rfc3526_prime_2048(nullptr);
  Vec out(256);
  EXPECT_EQ(BN_bn2binpad(p, out.data(), 256), 256);
  BN_free(p);
  return out;
}

// Adds a small signed delta to a 256-octet big-endian number (no wrap needed here).
Vec add_small(Vec v, int delta) {
  BIGNUM* bn = BN_bin2bn(v.data(), static_cast<int>(v.size()), nullptr);
  if (delta >= 0) {
    BN_add_word(bn, static_cast<BN_ULONG>(delta));
  } else {
    BN_sub_word(bn, static_cast<BN_ULONG>(-delta));
  }
  EXPECT_EQ(BN_bn2binpad(bn, v.data(), 256), 256);
  BN_free(bn);
  return v;
}

Vec small_value(std::uint8_t v) {
  Vec out(256, 0);
  out.back() = v;
  return out;
}

// Tiny exponents make a hand-checkable answer: g = 2, x = 2, y = 3, so the KE values are 4
// and 8 and g^xy = 64, which must arrive left-padded to 256 octets (RFC 7296 §2.14).
// covers: R7296-17 (MODP public values padded to the modulus length)
TEST(Modp2048, R7296_17_PaddedPublicValueAndSecret) {
  auto a = from_private(DhGroup::Modp2048, Vec{0x02});
  auto b = from_private(DhGroup::Modp2048, Vec{0x03});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(to_vec(a->public_value()), small_value(4));
  EXPECT_EQ(to_vec(b->public_value()), small_value(8));
  auto sa = a->compute_shared_secret(b->public_value());
  auto sb = b->compute_shared_secret(a->public_value());
  ASSERT_TRUE(sa.has_value());
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(to_vec(*sa), small_value(64));
  EXPECT_EQ(to_vec(*sb), small_value(64));
}

TEST(Modp2048, TwoFreshPartiesAgree) {
  auto a = generate(DhGroup::Modp2048);
  auto b = generate(DhGroup::Modp2048);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->public_value().size(), 256U);
  EXPECT_NE(to_vec(a->public_value()), to_vec(b->public_value()));
  auto sa = a->compute_shared_secret(b->public_value());
  auto sb = b->compute_shared_secret(a->public_value());
  ASSERT_TRUE(sa.has_value());
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(sa->size(), 256U);
  EXPECT_EQ(to_vec(*sa), to_vec(*sb));
}

// RFC 6989 §2.2: 1 < y < p-1.
TEST(Modp2048, RejectsValuesOutsideTwoToPMinusTwo) {
  auto kex = generate(DhGroup::Modp2048);
  ASSERT_NE(kex, nullptr);
  const Vec p = modp2048_prime_bytes();
  expect_rejected(*kex, small_value(0), "0");
  expect_rejected(*kex, small_value(1), "1");
  expect_rejected(*kex, add_small(p, -1), "p - 1");
  expect_rejected(*kex, p, "p");
  expect_rejected(*kex, add_small(p, 1), "p + 1");
  expect_rejected(*kex, Vec(256, 0xff), "2^2048 - 1");
  expect_rejected(*kex, Vec(255, 0x55), "255 octets");
  expect_rejected(*kex, Vec(257, 0x55), "257 octets");
  // The boundaries just inside are accepted.
  EXPECT_TRUE(kex->compute_shared_secret(small_value(2)).has_value());
  EXPECT_TRUE(kex->compute_shared_secret(add_small(p, -2)).has_value());
}

TEST(Modp2048, RejectsBadPrivateExponents) {
  const Vec p = modp2048_prime_bytes();
  for (const Vec& bad : {Vec{}, Vec{0x00}, Vec{0x01}, add_small(p, -1), Vec(257, 1)}) {
    auto kex = ike::crypto::key_exchange_from_private_key(DhGroup::Modp2048, bad);
    ASSERT_FALSE(kex.has_value());
    EXPECT_EQ(kex.error().code, ike::crypto::kErrInvalidPrivateKey);
  }
}

// ---- all groups ----

class AllGroups : public testing::TestWithParam<DhGroup> {};

TEST_P(AllGroups, FreshKeyPairsAgreeWithIkeSizes) {
  const DhGroup g = GetParam();
  auto a = generate(g);
  auto b = generate(g);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->group(), g);
  EXPECT_EQ(a->public_value().size(), ike::crypto::dh_public_value_size(g));
  auto sa = a->compute_shared_secret(b->public_value());
  auto sb = b->compute_shared_secret(a->public_value());
  ASSERT_TRUE(sa.has_value());
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(sa->size(), ike::crypto::dh_shared_secret_size(g));
  EXPECT_EQ(to_vec(*sa), to_vec(*sb));
}

TEST_P(AllGroups, DeterministicFactoryRepeatsPerSeed) {
  const DhGroup g = GetParam();
  test::DeterministicKeyExchangeFactory f1(42);
  test::DeterministicKeyExchangeFactory f2(42);
  test::DeterministicKeyExchangeFactory f3(43);
  auto a = f1.create(g);
  auto b = f2.create(g);
  auto c = f3.create(g);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(to_vec((*a)->public_value()), to_vec((*b)->public_value()));
  EXPECT_NE(to_vec((*a)->public_value()), to_vec((*c)->public_value()));
  // And the deterministic pairs are real key pairs.
  auto sa = (*a)->compute_shared_secret((*c)->public_value());
  auto sc = (*c)->compute_shared_secret((*a)->public_value());
  ASSERT_TRUE(sa.has_value());
  ASSERT_TRUE(sc.has_value());
  EXPECT_EQ(to_vec(*sa), to_vec(*sc));
}

TEST_P(AllGroups, GarbageOfTheRightLengthNeverCrashes) {
  const DhGroup g = GetParam();
  auto kex = generate(g);
  ASSERT_NE(kex, nullptr);
  test::DeterministicRandom rng(5);
  for (int i = 0; i < 20; ++i) {
    const Vec peer = rng.bytes(ike::crypto::dh_public_value_size(g));
    auto secret = kex->compute_shared_secret(peer);
    // Random MODP and X25519 values are almost always valid, random P-256 ones almost never;
    // either way the answer is a value, never a crash, and a secret has the IKE size.
    if (secret) {
      EXPECT_EQ(secret->size(), ike::crypto::dh_shared_secret_size(g));
    } else {
      EXPECT_EQ(secret.error().code, ike::crypto::kErrInvalidPublicValue);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KeyExchange, AllGroups,
                         testing::Values(DhGroup::Modp2048, DhGroup::Ecp256,
                                         DhGroup::Curve25519),
                         [](const testing::TestParamInfo<DhGroup>& param_info) {
                           return std::string(ike::crypto::to_string(param_info.param));
                         });

TEST(KeyExchange, UnsupportedGroupsAreErrors) {
  for (DhGroup g : {DhGroup::None, static_cast<DhGroup>(20), static_cast<DhGroup>(2)}) {
    auto gen = ike::crypto::generate_key_exchange(g);
    ASSERT_FALSE(gen.has_value());
    EXPECT_EQ(gen.error().code, ike::crypto::kErrUnsupportedAlgorithm);
    auto fixed = ike::crypto::key_exchange_from_private_key(g, Vec(32, 1));
    ASSERT_FALSE(fixed.has_value());
    EXPECT_EQ(fixed.error().code, ike::crypto::kErrUnsupportedAlgorithm);
    EXPECT_FALSE(ike::crypto::is_supported(g));
  }
}

TEST(KeyExchange, OpenSslFactoryMakesFreshPairs) {
  ike::crypto::OpenSslKeyExchangeFactory factory;
  auto a = factory.create(DhGroup::Curve25519);
  auto b = factory.create(DhGroup::Curve25519);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_NE(to_vec((*a)->public_value()), to_vec((*b)->public_value()));
}

}  // namespace
