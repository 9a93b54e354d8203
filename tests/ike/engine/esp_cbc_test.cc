// ENCR_AES_CBC (128/256) with AUTH_HMAC_SHA2_256_128 for ESP Child SAs (RFC 3602, RFC 4868)
// and for the IKE SA: proposals (separate from the AEAD one, RFC 7296 3.3), selection on both
// sides, and KEYMAT split in the order of 2.17 (R7296-26) checked against an independent
// prf+ computed here with OpenSSL's HMAC directly.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"

namespace ike::engine {
namespace {

using test::outputs_of;
using wire::Transform;
using wire::TransformType;

constexpr std::uint16_t kCbc = 12;
constexpr std::uint16_t kGcm16 = 20;
constexpr std::uint16_t kSha256_128 = 12;

EspProposalConfig cbc_only(std::vector<std::uint16_t> bits) {
  EspProposalConfig c;
  c.gcm16_key_bits = 0;
  c.cbc_key_bits = std::move(bits);
  return c;
}

// ---- proposals ----------------------------------------------------------------------------

TEST(EspCbcProposals, R7296_16_OfferHasGcmThenCbcWithIntegInItsOwnProposal) {
  EspProposalConfig c;
  c.cbc_key_bits = {256, 128};
  const auto sa = make_esp_offer(c, 0x01020304);
  ASSERT_EQ(sa.proposals.size(), 2u);
  EXPECT_EQ(sa.proposals[0].number, 1);
  EXPECT_EQ(sa.proposals[1].number, 2);
  const auto& cbc = sa.proposals[1];
  EXPECT_EQ(cbc.spi32(), 0x01020304u);
  ASSERT_EQ(cbc.transforms.size(), 4u);  // ENCR 256, ENCR 128, INTEG, ESN
  EXPECT_EQ(cbc.transforms[0].id, kCbc);
  EXPECT_EQ(cbc.transforms[0].key_length(), 256);  // R7296-16: Key Length with AES-CBC
  EXPECT_EQ(cbc.transforms[1].key_length(), 128);
  EXPECT_EQ(cbc.transforms[2].type, TransformType::Integ);
  EXPECT_EQ(cbc.transforms[2].id, kSha256_128);
  EXPECT_TRUE(cbc.transforms[2].attributes.empty());
  EXPECT_EQ(cbc.transforms[3].type, TransformType::Esn);
  // GCM-only by default: one proposal, as before.
  EXPECT_EQ(make_esp_offer(EspProposalConfig{}, 1).proposals.size(), 1u);
  EXPECT_EQ(make_esp_offer(cbc_only({128}), 1).proposals.size(), 1u);
}

// R7296-12: one transform per type, proposal number echoed; the responder takes the first
// proposal of the offer it accepts (here the second: it has no GCM).
TEST(EspCbcProposals, R7296_12_ResponderSelectsCbcWithInteg) {
  EspProposalConfig offer_cfg;
  offer_cfg.cbc_key_bits = {128, 256};
  const auto offer = make_esp_offer(offer_cfg, 0x11223344);
  const auto sel = select_esp_proposal(cbc_only({256, 128}), offer);
  ASSERT_TRUE(sel.has_value());
  EXPECT_EQ(sel->peer_spi, 0x11223344u);
  EXPECT_EQ(sel->chosen.number, 2);
  EXPECT_EQ(sel->suite, (EspSuite{crypto::EncrAlgorithm::AesCbc, 256,
                                  crypto::IntegAlgorithm::HmacSha2_256_128}));
  ASSERT_EQ(sel->chosen.transforms.size(), 3u);
  EXPECT_EQ(sel->chosen.transforms[0].key_length(), 256);
  // The initiator takes that answer and learns the suite.
  const auto ans = accept_esp_answer_suite(offer_cfg, wire::SaPayload{{sel->chosen}});
  ASSERT_TRUE(ans.has_value());
  EXPECT_EQ(ans->suite, sel->suite);
  // A GCM-and-CBC responder prefers the peer's order: GCM comes first.
  EspProposalConfig both;
  both.cbc_key_bits = {128};
  EXPECT_EQ(select_esp_proposal(both, offer)->suite.encr, crypto::EncrAlgorithm::AesGcm16);
  // A CBC offer meets a GCM-only responder: nothing.
  EXPECT_FALSE(select_esp_proposal(EspProposalConfig{}, make_esp_offer(cbc_only({128}), 9)));
}

// R7296-14: the answer must be one of our suites, with exactly one transform per type.
TEST(EspCbcProposals, R7296_14_InitiatorRefusesBadCbcAnswers) {
  const EspProposalConfig ours = cbc_only({128});
  auto good = make_esp_offer(ours, 0x5555).proposals[0];
  ASSERT_TRUE(accept_esp_answer_suite(ours, wire::SaPayload{{good}}).has_value());
  auto no_integ = good;
  no_integ.transforms.erase(no_integ.transforms.begin() + 1);
  EXPECT_FALSE(accept_esp_answer_suite(ours, wire::SaPayload{{no_integ}}));
  auto other_bits = good;
  other_bits.transforms[0] = Transform::make_with_key_length(TransformType::Encr, kCbc, 256);
  EXPECT_FALSE(accept_esp_answer_suite(ours, wire::SaPayload{{other_bits}}));
  auto two_encr = good;
  two_encr.transforms.push_back(Transform::make_with_key_length(TransformType::Encr, kGcm16, 256));
  EXPECT_FALSE(accept_esp_answer_suite(ours, wire::SaPayload{{two_encr}}));
  auto other_integ = good;
  other_integ.transforms[1] = Transform::make(TransformType::Integ, 14);
  EXPECT_FALSE(accept_esp_answer_suite(ours, wire::SaPayload{{other_integ}}));
}

TEST(IkeCbcProposals, R7296_12_IkeSaWithAesCbcAndHmacSha256) {
  IkeProposalConfig cbc;
  cbc.gcm16_key_bits = {};
  cbc.cbc_key_bits = {256};
  const auto offer = make_ike_sa_offer(cbc);
  ASSERT_EQ(offer.proposals.size(), 1u);
  const auto sel = select_ike_proposal(cbc, offer, 31);
  ASSERT_TRUE(sel.has_value());
  EXPECT_EQ(sel->suite.transforms.encr, crypto::EncrAlgorithm::AesCbc);
  EXPECT_EQ(sel->suite.transforms.encr_key_bits, 256);
  EXPECT_EQ(sel->suite.transforms.integ, crypto::IntegAlgorithm::HmacSha2_256_128);
  ASSERT_EQ(sel->chosen.transforms.size(), 4u);  // ENCR, PRF, INTEG, D-H
  const auto back = accept_ike_answer(cbc, wire::SaPayload{{sel->chosen}});
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->transforms.integ, crypto::IntegAlgorithm::HmacSha2_256_128);
  // GCM + CBC offered in two proposals; a GCM-only responder takes the first.
  IkeProposalConfig both;
  both.cbc_key_bits = {128};
  const auto two = make_ike_sa_offer(both);
  ASSERT_EQ(two.proposals.size(), 2u);
  EXPECT_EQ(select_ike_proposal(IkeProposalConfig{}, two, 31)->suite.transforms.encr,
            crypto::EncrAlgorithm::AesGcm16);
  EXPECT_EQ(select_ike_proposal(cbc, make_ike_sa_offer(IkeProposalConfig{}), 31), std::nullopt);
  // CBC without INTEG in the answer is refused.
  auto no_integ = sel->chosen;
  no_integ.transforms.erase(no_integ.transforms.begin() + 2);
  EXPECT_FALSE(accept_ike_answer(cbc, wire::SaPayload{{no_integ}}));
}

// ---- two peers ----------------------------------------------------------------------------

// prf+ (RFC 7296 2.13) with HMAC-SHA2-256, straight from OpenSSL.
std::vector<std::uint8_t> prf_plus_sha256(std::span<const std::uint8_t> key,
                                          const std::vector<std::uint8_t>& seed, std::size_t n) {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> t;
  for (std::uint8_t i = 1; out.size() < n; ++i) {
    std::vector<std::uint8_t> in = t;
    in.insert(in.end(), seed.begin(), seed.end());
    in.push_back(i);
    unsigned len = 0;
    t.assign(EVP_MAX_MD_SIZE, 0);
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), in.data(), in.size(), t.data(),
         &len);
    t.resize(len);
    out.insert(out.end(), t.begin(), t.end());
  }
  out.resize(n);
  return out;
}

std::vector<std::uint8_t> nonce_in(const std::vector<std::uint8_t>& init_message) {
  auto decoded = wire::decode_message(init_message);
  EXPECT_TRUE(decoded.has_value());
  const auto* n =
      decoded ? wire::find_first<wire::NoncePayload>(decoded->message.payloads) : nullptr;
  EXPECT_NE(n, nullptr);
  return n != nullptr ? n->data : std::vector<std::uint8_t>{};
}

class CbcPair : public ::testing::Test {
 protected:
  void SetUp() override {
    // IKE SA: AES-CBC-256 + HMAC-SHA2-256-128 (+ PRF-HMAC-SHA2-256, X25519).
    f.cfg_i.ike.gcm16_key_bits = {};
    f.cfg_i.ike.cbc_key_bits = {256};
    f.cfg_i.ike.prfs = {crypto::PrfAlgorithm::HmacSha2_256};
    f.cfg_r.ike.cbc_key_bits = {256, 128};
    // ESP: the MN offers AES-CBC-128 only; the HA takes GCM or CBC.
    f.cfg_i.child.esp = cbc_only({128});
    f.cfg_r.child.esp.cbc_key_bits = {256, 128};
    f.run();
  }
  Fixture f;
};

TEST_F(CbcPair, R7296_26_CbcChildSaKeymatSplitsEncrThenIntegPerDirection) {
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  ASSERT_TRUE(f.init->suite().has_value());
  EXPECT_EQ(f.init->suite()->transforms.encr, crypto::EncrAlgorithm::AesCbc);
  EXPECT_EQ(f.init->suite()->transforms.integ, crypto::IntegAlgorithm::HmacSha2_256_128);
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  const auto cr = outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  for (const auto* c : {&ci[0], &cr[0]}) {
    EXPECT_EQ(c->encr, crypto::EncrAlgorithm::AesCbc);
    EXPECT_EQ(c->encr_key_bits, 128);
    EXPECT_EQ(c->integ, crypto::IntegAlgorithm::HmacSha2_256_128);
    EXPECT_EQ(c->keys.encr_i.size(), 16u);
    EXPECT_EQ(c->keys.integ_i.size(), 32u);  // HMAC-SHA2-256 key: 32 octets (RFC 4868)
    EXPECT_EQ(c->keys.encr_r.size(), 16u);
    EXPECT_EQ(c->keys.integ_r.size(), 32u);
  }
  // Independent KEYMAT = prf+(SK_d, Ni | Nr): encr_i | integ_i | encr_r | integ_r.
  auto seed = nonce_in(f.net->a_sent_.at(0));
  const auto nr = nonce_in(f.net->b_sent_.at(0));
  seed.insert(seed.end(), nr.begin(), nr.end());
  const auto keymat = prf_plus_sha256(f.init->keys()->sk_d.view(), seed, 2 * (16 + 32));
  const auto part = [&](std::size_t from, std::size_t n) {
    return std::vector<std::uint8_t>(keymat.begin() + static_cast<std::ptrdiff_t>(from),
                                     keymat.begin() + static_cast<std::ptrdiff_t>(from + n));
  };
  EXPECT_EQ(bytes_of(ci[0].keys.encr_i), part(0, 16));
  EXPECT_EQ(bytes_of(ci[0].keys.integ_i), part(16, 32));
  EXPECT_EQ(bytes_of(ci[0].keys.encr_r), part(48, 16));
  EXPECT_EQ(bytes_of(ci[0].keys.integ_r), part(64, 32));
  // Mirrored: what the MN sends with, the HA receives with.
  EXPECT_EQ(bytes_of(ci[0].encr_out()), bytes_of(cr[0].encr_in()));
  EXPECT_EQ(bytes_of(ci[0].integ_out()), bytes_of(cr[0].integ_in()));
  EXPECT_EQ(bytes_of(ci[0].integ_in()), bytes_of(cr[0].integ_out()));
  EXPECT_EQ(bytes_of(ci[0].integ_out()), part(16, 32));
}

// CREATE_CHILD_SA with CBC, and a Child SA rekey repeats the CBC suite (2.8).
TEST_F(CbcPair, CbcChildSaIsCreatedAndRekeyedWithTheSameSuite) {
  ASSERT_EQ(f.init->child_sas().size(), 1u);
  EXPECT_EQ(f.init->child_sas()[0].integ, crypto::IntegAlgorithm::HmacSha2_256_128);
  f.net->a_events_.clear();
  f.net->b_events_.clear();
  ASSERT_TRUE(f.init->rekey_child(f.init->child_sas()[0].spi_in, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  const auto cr = outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(ci[0].encr, crypto::EncrAlgorithm::AesCbc);
  EXPECT_EQ(ci[0].encr_key_bits, 128);
  EXPECT_EQ(cr[0].integ, crypto::IntegAlgorithm::HmacSha2_256_128);
  EXPECT_EQ(bytes_of(ci[0].integ_out()), bytes_of(cr[0].integ_in()));
  EXPECT_EQ(bytes_of(ci[0].encr_in()), bytes_of(cr[0].encr_out()));
  EXPECT_EQ(f.init->child_sas().size(), 1u);
  // A new CBC-256 Child SA by CREATE_CHILD_SA.
  ChildSaConfig c = f.cfg_i.child;
  c.esp = cbc_only({256});
  ASSERT_TRUE(f.init->create_child(c, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto created = outputs_of<InstallChildSa>(f.net->a_events_);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[1].encr_key_bits, 256);
  EXPECT_EQ(created[1].keys.encr_i.size(), 32u);
  EXPECT_EQ(created[1].keys.integ_r.size(), 32u);
}

}  // namespace
}  // namespace ike::engine
