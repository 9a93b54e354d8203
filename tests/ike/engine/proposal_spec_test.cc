// strongSwan-style proposal strings (--ike-proposal / --esp-proposal of mip6-ike).
#include "ike/engine/proposal_spec.h"

#include <gtest/gtest.h>

namespace ike::engine {
namespace {

using crypto::DhGroup;
using crypto::IntegAlgorithm;
using crypto::PrfAlgorithm;

TEST(ProposalSpec, IkeCbcWithIntegImpliesThePrf) {
  const auto c = parse_ike_proposal("aes256-sha256-x25519");
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->gcm16_key_bits.empty());
  EXPECT_EQ(c->cbc_key_bits, (std::vector<std::uint16_t>{256}));
  EXPECT_EQ(c->integs, (std::vector<IntegAlgorithm>{IntegAlgorithm::HmacSha2_256_128}));
  EXPECT_EQ(c->prfs, (std::vector<PrfAlgorithm>{PrfAlgorithm::HmacSha2_256}));
  EXPECT_EQ(c->dh_groups, (std::vector<DhGroup>{DhGroup::Curve25519}));
  // The offer it makes is one CBC proposal with INTEG.
  const auto sa = make_ike_sa_offer(*c);
  ASSERT_EQ(sa.proposals.size(), 1u);
  EXPECT_EQ(sa.proposals[0].transforms.size(), 4u);
}

TEST(ProposalSpec, IkeGcmWithExplicitPrfAndSeveralGroups) {
  const auto c = parse_ike_proposal("aes256gcm16-aes128gcm16-prfsha384-ecp256-modp2048");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->gcm16_key_bits, (std::vector<std::uint16_t>{256, 128}));
  EXPECT_TRUE(c->cbc_key_bits.empty());
  EXPECT_EQ(c->prfs, (std::vector<PrfAlgorithm>{PrfAlgorithm::HmacSha2_384}));
  EXPECT_EQ(c->dh_groups, (std::vector<DhGroup>{DhGroup::Ecp256, DhGroup::Modp2048}));
  // ',' separates proposals; their keywords merge into one preference list each.
  const auto two = parse_ike_proposal("aes256gcm16-prfsha256-x25519,aes128-sha256-x25519");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(make_ike_sa_offer(*two).proposals.size(), 2u);
}

TEST(ProposalSpec, IkeErrors) {
  EXPECT_FALSE(parse_ike_proposal(""));
  EXPECT_FALSE(parse_ike_proposal("aes256-x25519"));          // CBC without INTEG
  EXPECT_FALSE(parse_ike_proposal("aes256gcm16-prfsha256"));  // no D-H group
  EXPECT_FALSE(parse_ike_proposal("aes256gcm16-x25519"));     // no PRF
  EXPECT_FALSE(parse_ike_proposal("3des-sha1-modp1024"));     // not implemented
  EXPECT_FALSE(parse_ike_proposal("aes256--sha256-x25519"));  // empty keyword
  EXPECT_FALSE(parse_ike_proposal("aes256-sha256-x25519-esn"));
}

TEST(ProposalSpec, EspGcmCbcAndPfs) {
  const auto gcm = parse_esp_proposal("aes256gcm16");
  ASSERT_TRUE(gcm.has_value());
  EXPECT_EQ(gcm->gcm16_key_bits, 256);
  EXPECT_TRUE(gcm->cbc_key_bits.empty());
  EXPECT_TRUE(gcm->dh_groups.empty());

  const auto cbc = parse_esp_proposal("aes128-sha256");
  ASSERT_TRUE(cbc.has_value());
  EXPECT_EQ(cbc->gcm16_key_bits, 0);
  EXPECT_EQ(cbc->cbc_key_bits, (std::vector<std::uint16_t>{128}));
  EXPECT_EQ(cbc->cbc_integ, IntegAlgorithm::HmacSha2_256_128);
  EXPECT_EQ(make_esp_offer(*cbc, 0x1234).proposals.size(), 1u);

  const auto pfs = parse_esp_proposal("aes256-aes128-sha256-x25519-noesn");
  ASSERT_TRUE(pfs.has_value());
  EXPECT_EQ(pfs->cbc_key_bits, (std::vector<std::uint16_t>{256, 128}));
  EXPECT_EQ(pfs->dh_groups, (std::vector<DhGroup>{DhGroup::Curve25519}));
}

TEST(ProposalSpec, EspErrors) {
  EXPECT_FALSE(parse_esp_proposal("aes128"));                // CBC without INTEG
  EXPECT_FALSE(parse_esp_proposal("aes128-sha256-sha384"));  // one INTEG only
  EXPECT_FALSE(parse_esp_proposal("aes256gcm16-esn"));
  EXPECT_FALSE(parse_esp_proposal("aes256gcm16-prfsha256"));
  EXPECT_FALSE(parse_esp_proposal("sha256"));
  EXPECT_FALSE(parse_esp_proposal("chacha20poly1305"));
}

}  // namespace
}  // namespace ike::engine
