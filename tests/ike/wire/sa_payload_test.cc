#include "ike/wire/sa_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

// SA body of the iked IKE_SA_INIT request: one IKE proposal, 6 transforms.
constexpr std::string_view kIkedSaBody = R"(
0000003c 01 01 00 06          # last, reserved, length 60 | #1, IKE, SPI size 0, 6 transforms
  03000008 03 00 000c         # INTEG AUTH_HMAC_SHA2_256_128
  0300000c 01 00 000c 800e00c0  # ENCR AES_CBC, Key Length 192 (TV)
  03000008 04 00 000e         # DH 14
  03000008 02 00 0005         # PRF HMAC_SHA2_256
  03000008 02 00 0002         # PRF HMAC_SHA1
  00000008 02 00 0001         # PRF HMAC_MD5 (last)
)";

// Two proposals, the second an ESP one with a 4-octet SPI and a TLV attribute.
constexpr std::string_view kTwoProposalsBody = R"(
02000014 01 01 00 01          # more follows | #1 IKE, no SPI, 1 transform
  0000000c 01 00 0014 800e0100  # ENCR AES_GCM_16, Key Length 256
00000020 02 03 04 02 c0ffee01  # last | #2 ESP, SPI c0ffee01, 2 transforms
  0300000c 01 00 000c 00630000  # ENCR AES_CBC with an (unknown) empty TLV attribute 99
  00000008 05 00 0000         # ESN none
)";

TEST(SaPayload, DecodesIkedProposal) {
  auto sa = SaPayload::decode(hex(kIkedSaBody));
  ASSERT_TRUE(sa.has_value()) << to_string(sa.error().code) << " at " << sa.error().offset;
  ASSERT_EQ(sa->proposals.size(), 1U);
  const Proposal& p = sa->proposals[0];
  EXPECT_EQ(p.number, 1);
  EXPECT_EQ(p.protocol, ProtocolId::Ike);
  ASSERT_EQ(p.transforms.size(), 6U);
  EXPECT_EQ(p.transforms[1].type, TransformType::Encr);
  EXPECT_EQ(p.transforms[1].key_length(), 192);  // R7296-16: Key Length 14, TV
  EXPECT_EQ(p.transforms[0].key_length(), std::nullopt);
  EXPECT_EQ(transform_id_name(p.transforms[2].type, p.transforms[2].id), "modp2048");
  EXPECT_EQ(transform_id_name(p.transforms[3].type, p.transforms[3].id), "hmac_sha2_256");
}

TEST(SaPayload, RoundTripsByteExact) {
  test::expect_body_round_trip<SaPayload>(hex(kIkedSaBody));
  test::expect_body_round_trip<SaPayload>(hex(kTwoProposalsBody));
}

TEST(SaPayload, DecodesEspProposalWithSpiAndTlvAttribute) {
  auto sa = SaPayload::decode(hex(kTwoProposalsBody));
  ASSERT_TRUE(sa.has_value());
  ASSERT_EQ(sa->proposals.size(), 2U);
  const Proposal& esp = sa->proposals[1];
  EXPECT_EQ(esp.protocol, ProtocolId::Esp);
  EXPECT_EQ(esp.spi32(), 0xc0ffee01U);
  EXPECT_EQ(sa->proposals[0].spi32(), std::nullopt);
  ASSERT_EQ(esp.transforms[0].attributes.size(), 1U);
  EXPECT_FALSE(esp.transforms[0].attributes[0].tv);
  EXPECT_EQ(esp.transforms[0].attributes[0].type, 99);
  EXPECT_EQ(esp.transforms[0].key_length(), std::nullopt);
  EXPECT_EQ(static_cast<EsnId>(esp.find(TransformType::Esn)->id), EsnId::NoEsn);
}

TEST(SaPayload, EveryPrefixFailsWithExactError) {
  const auto body = hex(kIkedSaBody);
  test::expect_every_prefix(body,
                            {{1, ParseErrc::NoProposals, 0},
                             {4, ParseErrc::Truncated, 0},
                             {body.size(), ParseErrc::ProposalLengthOverrun, 0}},
                            [](std::span<const std::uint8_t> s) { return SaPayload::decode(s); });
}

// Truncation inside the proposal with its length patched to match, so the transform walk
// itself meets the cut.
TEST(SaPayload, EveryPrefixInsideConsistentProposalFailsWithExactError) {
  const auto body = hex(kIkedSaBody);
  std::vector<test::Cut> cuts = {{1, ParseErrc::NoProposals, 0},
                                 {4, ParseErrc::Truncated, 0},
                                 {8, ParseErrc::ProposalLengthTooShort, 0},
                                 {9, ParseErrc::TransformCountMismatch, 0}};
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> transforms = {
      {8, 8}, {16, 12}, {28, 8}, {36, 8}, {44, 8}, {52, 8}};
  for (std::size_t i = 0; i < transforms.size(); ++i) {
    const auto [start, len] = transforms[i];
    if (i > 0) {
      // Cut exactly after a transform that announced more (Last Substruc 3).
      const std::uint32_t previous = transforms[i - 1].first;
      cuts.push_back({start + 1, ParseErrc::TransformLastSubstrucMismatch, previous});
    }
    cuts.push_back({start + 4, ParseErrc::Truncated, start});
    cuts.push_back({start + len, ParseErrc::TransformLengthOverrun, start});
  }
  test::expect_every_prefix(body, cuts, [](std::span<const std::uint8_t> s) {
    std::vector<std::uint8_t> copy(s.begin(), s.end());
    if (copy.size() >= 4) {
      copy[2] = static_cast<std::uint8_t>(copy.size() >> 8);
      copy[3] = static_cast<std::uint8_t>(copy.size());
    }
    return SaPayload::decode(copy);
  });
}

TEST(SaPayload, LengthFieldErrors) {
  auto body = hex(kIkedSaBody);
  body[3] = 7;  // proposal length below the fixed 8 octets
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::ProposalLengthTooShort, 0, 0}));
  body = hex(kIkedSaBody);
  body[6] = 60;  // SPI size larger than the proposal
  EXPECT_EQ(SaPayload::decode(body).error().code, ParseErrc::ProposalLengthTooShort);
  body = hex(kIkedSaBody);
  body[11] = 4;  // first transform length below 8
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::TransformLengthTooShort, 8, 0}));
  body = hex(kIkedSaBody);
  body[11] = 0x40;  // first transform runs past the proposal
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::TransformLengthOverrun, 8, 0}));
}

TEST(SaPayload, SubstructureCountsAndFlags) {
  auto body = hex(kIkedSaBody);
  body[7] = 5;  // Num Transforms says 5, six present
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::TransformCountMismatch, 0, 0}));
  body = hex(kIkedSaBody);
  body[0] = 2;  // "more proposals follow" on the last one
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::ProposalLastSubstrucMismatch, 0, 0}));
  body = hex(kTwoProposalsBody);
  body[0] = 0;  // "last" but another follows
  EXPECT_EQ(SaPayload::decode(body).error().code, ParseErrc::ProposalLastSubstrucMismatch);
  body = hex(kIkedSaBody);
  body[8] = 0;  // first transform claims to be the last
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::TransformLastSubstrucMismatch, 8, 0}));
  body = hex(kIkedSaBody);
  body[52] = 3;  // last transform claims more follow
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::TransformLastSubstrucMismatch, 52, 0}));
}

TEST(SaPayload, AttributeOverrunsTransform) {
  auto body = hex(kTwoProposalsBody);
  // The TLV attribute in proposal 2's first transform claims 4 value octets it does not have.
  body[20 + 8 + 4 + 8 + 3] = 4;
  EXPECT_EQ(SaPayload::decode(body).error(),
            (ParseError{ParseErrc::AttributeTruncated, 20 + 12 + 8, 0}));
  // An attribute header cut short: ENCR transform length 10 leaves 2 attribute octets, and
  // the transform is interpreted before the walk reaches the misaligned rest.
  body = hex(kIkedSaBody);
  body[19] = 10;
  EXPECT_EQ(SaPayload::decode(body).error(), (ParseError{ParseErrc::AttributeTruncated, 24, 0}));
}

TEST(SaPayload, R7296_11_ReservedFieldsIgnoredOnReceiptAndZeroOnSend) {
  auto body = hex(kIkedSaBody);
  body[1] = 0xff;   // proposal reserved
  body[9] = 0xff;   // transform reserved (after Last Substruc)
  body[13] = 0xff;  // transform reserved (after Transform Type)
  auto sa = SaPayload::decode(body);
  ASSERT_TRUE(sa.has_value());
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(sa->encode(w).has_value());
  EXPECT_EQ(base::to_hex(out), base::to_hex(hex(kIkedSaBody)));
}

TEST(SaPayload, BuildsProposalsForSending) {
  SaPayload sa;
  Proposal p;
  p.transforms.push_back(Transform::make_with_key_length(
      TransformType::Encr, static_cast<std::uint16_t>(EncrId::AesGcm16), 256));
  p.transforms.push_back(
      Transform::make(TransformType::Prf, static_cast<std::uint16_t>(PrfId::HmacSha2_256)));
  p.transforms.push_back(
      Transform::make(TransformType::Dh, static_cast<std::uint16_t>(DhGroup::Curve25519)));
  sa.proposals.push_back(p);
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(sa.encode(w).has_value());
  EXPECT_EQ(base::to_hex(out),
            "00000024" "01010003"
            "0300000c" "01000014" "800e0100"
            "03000008" "02000005"
            "00000008" "0400001f");
  p.transforms.assign(256, Transform::make(TransformType::Esn, 0));
  sa.proposals = {p};
  out.clear();
  EXPECT_EQ(sa.encode(w).error().code, EncodeErrc::CountTooLarge);
}

TEST(SaPayload, Names) {
  EXPECT_EQ(to_string(TransformType::Dh), "dh");
  EXPECT_EQ(to_string(EncrId::AesGcm16), "aes_gcm16");
  EXPECT_EQ(to_string(IntegId::HmacSha2_512_256), "hmac_sha2_512_256");
  EXPECT_EQ(to_string(PrfId::HmacSha2_512), "hmac_sha2_512");
  EXPECT_EQ(to_string(DhGroup::Curve25519), "curve25519");
  EXPECT_EQ(to_string(EsnId::Esn), "esn");
  EXPECT_EQ(transform_id_name(static_cast<TransformType>(9), 1), "unknown");
  EXPECT_EQ(to_string(static_cast<EncrId>(999)), "unknown");
}

}  // namespace
}  // namespace ike::wire
