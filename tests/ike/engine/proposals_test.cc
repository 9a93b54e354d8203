#include "ike/engine/proposals.h"

#include <gtest/gtest.h>

namespace ike::engine {
namespace {

using wire::Transform;
using wire::TransformType;

constexpr std::uint16_t kGcm16 = 20;

TEST(IkeProposals, R7296_16_OfferCarriesKeyLengthOnlyOnEncr) {
  const auto sa = make_ike_sa_offer(IkeProposalConfig{});
  ASSERT_EQ(sa.proposals.size(), 1u);
  const auto& p = sa.proposals[0];
  EXPECT_EQ(p.protocol, wire::ProtocolId::Ike);
  EXPECT_TRUE(p.spi.empty());
  ASSERT_EQ(p.transforms.size(), 8u);  // 2 ENCR + 3 PRF + 3 DH
  for (const auto& t : p.transforms) {
    if (t.type == TransformType::Encr) {
      EXPECT_EQ(t.id, kGcm16);
      ASSERT_TRUE(t.key_length().has_value());
    } else {
      EXPECT_TRUE(t.attributes.empty());
    }
  }
  EXPECT_EQ(p.transforms[0].key_length(), 256);
  EXPECT_EQ(p.transforms[1].key_length(), 128);
}

// R7296-12: one transform per type, proposal number echoed.
TEST(IkeProposals, R7296_12_SelectsOneTransformPerType) {
  auto offer = make_ike_sa_offer(IkeProposalConfig{});
  offer.proposals[0].number = 3;
  const auto sel = select_ike_proposal(IkeProposalConfig{}, offer, 31);
  ASSERT_TRUE(sel.has_value());
  EXPECT_EQ(sel->chosen.number, 3);
  ASSERT_EQ(sel->chosen.transforms.size(), 3u);
  EXPECT_EQ(sel->suite.transforms.encr_key_bits, 256);
  EXPECT_EQ(sel->suite.transforms.prf, crypto::PrfAlgorithm::HmacSha2_256);
  EXPECT_EQ(sel->suite.dh, crypto::DhGroup::Curve25519);
}

TEST(IkeProposals, R7296_18_PrefersTheKeGroupWhenAcceptable) {
  const auto offer = make_ike_sa_offer(IkeProposalConfig{});
  const auto sel = select_ike_proposal(IkeProposalConfig{}, offer, 14);
  ASSERT_TRUE(sel.has_value());
  EXPECT_EQ(sel->suite.dh, crypto::DhGroup::Modp2048);
  IkeProposalConfig only19;
  only19.dh_groups = {crypto::DhGroup::Ecp256};
  const auto other = select_ike_proposal(only19, offer, 31);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->suite.dh, crypto::DhGroup::Ecp256);  // caller answers INVALID_KE_PAYLOAD
}

// R7296-13: an unknown transform type makes the whole proposal unacceptable; an unknown
// attribute makes the transform unacceptable.
TEST(IkeProposals, R7296_13_UnknownTransformTypeOrAttributeIsUnacceptable) {
  auto offer = make_ike_sa_offer(IkeProposalConfig{});
  auto with_unknown = offer;
  with_unknown.proposals[0].transforms.push_back(Transform::make(static_cast<TransformType>(9), 1));
  EXPECT_FALSE(select_ike_proposal(IkeProposalConfig{}, with_unknown, 31).has_value());

  wire::SaPayload bad_attr;
  bad_attr.proposals.push_back(offer.proposals[0]);
  for (auto& t : bad_attr.proposals[0].transforms) {
    if (t.type == TransformType::Prf) {
      t.attributes.push_back(wire::TransformAttribute{77, true, 1, {}});
    }
  }
  EXPECT_FALSE(select_ike_proposal(IkeProposalConfig{}, bad_attr, 31).has_value());
}

// R7296-15: only locally configured suites are accepted.
TEST(IkeProposals, R7296_15_UnconfiguredSuiteIsRejected) {
  IkeProposalConfig peer;
  peer.gcm16_key_bits = {192};
  EXPECT_FALSE(select_ike_proposal(IkeProposalConfig{}, make_ike_sa_offer(peer), 31).has_value());
}

// R7296-14: the answer must be one of ours, one transform per type.
TEST(IkeProposals, R7296_14_InitiatorChecksTheAnswer) {
  const IkeProposalConfig ours;
  const auto sel = select_ike_proposal(ours, make_ike_sa_offer(ours), 31);
  ASSERT_TRUE(sel.has_value());
  EXPECT_TRUE(accept_ike_answer(ours, wire::SaPayload{{sel->chosen}}).has_value());

  auto two_prfs = sel->chosen;
  two_prfs.transforms.push_back(Transform::make(TransformType::Prf, 6));
  EXPECT_FALSE(accept_ike_answer(ours, wire::SaPayload{{two_prfs}}).has_value());

  auto not_offered = sel->chosen;
  not_offered.transforms[1] = Transform::make(TransformType::Prf, 2);  // HMAC-SHA1
  EXPECT_FALSE(accept_ike_answer(ours, wire::SaPayload{{not_offered}}).has_value());

  EXPECT_FALSE(accept_ike_answer(ours, wire::SaPayload{{sel->chosen, sel->chosen}}).has_value());
}

TEST(EspProposals, SelectsGcm256NoEsnAndKeepsThePeerSpi) {
  const auto offer = make_esp_offer(EspProposalConfig{}, 0x12345678);
  const auto sel = select_esp_proposal(EspProposalConfig{}, offer);
  ASSERT_TRUE(sel.has_value());
  EXPECT_EQ(sel->peer_spi, 0x12345678u);
  EXPECT_EQ(accept_esp_answer(EspProposalConfig{}, make_esp_offer(EspProposalConfig{}, 0x99999)),
            0x99999u);

  EspProposalConfig gcm128;
  gcm128.gcm16_key_bits = 128;
  EXPECT_FALSE(select_esp_proposal(EspProposalConfig{}, make_esp_offer(gcm128, 7)).has_value());

  auto with_esn = offer;
  with_esn.proposals[0].transforms[1].id = 1;  // ESN only
  EXPECT_FALSE(select_esp_proposal(EspProposalConfig{}, with_esn).has_value());
}

}  // namespace
}  // namespace ike::engine
