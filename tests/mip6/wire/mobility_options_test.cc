// Mobility options (RFC 6275 6.2, RFC 5026 8.1): decode, round trip, lengths, alignment.
#include "mip6/wire/mobility_options.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "tests/mip6/wire/wire_test_util.h"

namespace mip6::wire {
namespace {

using test::decodes;
using test::fails_with;
using test::hex;
using test::ip;

std::vector<std::uint8_t> encode(const MobilityOptions& options) {
  std::vector<std::uint8_t> out;
  encode_mobility_options(options, out);
  return out;
}

// Decodes `bytes` as an options area at `mh_offset` and checks the byte-exact round trip.
MobilityOptions decode_ok(const std::vector<std::uint8_t>& bytes, std::size_t mh_offset) {
  auto r = decode_mobility_options(bytes, mh_offset);
  EXPECT_TRUE(decodes(r));
  if (!r) {
    return {};
  }
  EXPECT_EQ(encode(*r), bytes);
  return *r;
}

TEST(MobilityOptions, Pad1IsOneOctet) {
  const auto opts = decode_ok(hex("00 00 00"), 13);
  ASSERT_EQ(opts.size(), 3U);
  EXPECT_TRUE(std::holds_alternative<Pad1Option>(opts[0]));
  EXPECT_EQ(encoded_size(opts[0]), 1U);
}

// covers: R6275-11 (PadN content is kept for dissection but never interpreted)
TEST(MobilityOptions, R6275_11_PadNWithNonzeroContentAccepted) {
  const auto opts = decode_ok(hex("01 03 aa bb cc  01 00"), 9);
  ASSERT_EQ(opts.size(), 2U);
  const auto* padn = std::get_if<PadNOption>(&opts[0]);
  ASSERT_NE(padn, nullptr);
  EXPECT_EQ(padn->data, (std::vector<std::uint8_t>{0xaa, 0xbb, 0xcc}));
  EXPECT_EQ(std::get<PadNOption>(opts[1]).data.size(), 0U);
  EXPECT_EQ(encoded_size(opts[0]), 5U);
}

// covers: R6275-12 (shape: BRA is type 2, length 2, 4-second units, 2n alignment)
TEST(MobilityOptions, R6275_12_BindingRefreshAdviceDecodes) {
  const auto opts = decode_ok(hex("02 02 00 4b"), 12);
  ASSERT_EQ(opts.size(), 1U);
  const auto* bra = std::get_if<BindingRefreshAdviceOption>(&opts[0]);
  ASSERT_NE(bra, nullptr);
  EXPECT_EQ(bra->refresh_interval, 75);
  EXPECT_EQ(encoded_size(opts[0]), 4U);
}

TEST(MobilityOptions, AlternateCareOfAddressDecodesAt8nPlus6) {
  const auto opts = decode_ok(hex("03 10 20010db8000200000000000000000200"), 14);
  ASSERT_EQ(opts.size(), 1U);
  const auto* acoa = std::get_if<AlternateCareOfAddressOption>(&opts[0]);
  ASSERT_NE(acoa, nullptr);
  EXPECT_EQ(acoa->address, ip("2001:db8:2::200"));
  EXPECT_EQ(encoded_size(opts[0]), 18U);
}

TEST(MobilityOptions, NonceIndicesDecodes) {
  const auto opts = decode_ok(hex("04 04 00 01 00 02"), 12);
  ASSERT_EQ(opts.size(), 1U);
  const auto* ni = std::get_if<NonceIndicesOption>(&opts[0]);
  ASSERT_NE(ni, nullptr);
  EXPECT_EQ(ni->home_nonce_index, 1);
  EXPECT_EQ(ni->care_of_nonce_index, 2);
  EXPECT_EQ(encoded_size(opts[0]), 6U);
}

TEST(MobilityOptions, BindingAuthorizationDataDecodesAt8nPlus2) {
  const auto opts = decode_ok(hex("05 0c a0a1a2a3a4a5a6a7a8a9aaab"), 18);
  ASSERT_EQ(opts.size(), 1U);
  const auto* bad = std::get_if<BindingAuthorizationDataOption>(&opts[0]);
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->authenticator.size(), 12U);
  EXPECT_EQ(bad->authenticator.front(), 0xa0);
  EXPECT_EQ(encoded_size(opts[0]), 14U);
}

// covers: R5026-21, R5026-29 (DNS Update type 17 in a BU, status 0, R = 0)
TEST(MobilityOptions, R5026_21_DnsUpdateOptionInBuDecodes) {
  const auto opts = decode_ok(hex("11 11 00 00 6d6e312e6578616d706c652e636f6d"), 32);
  ASSERT_EQ(opts.size(), 1U);
  const auto* dns = std::get_if<DnsUpdateOption>(&opts[0]);
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->status, 0);
  EXPECT_FALSE(dns->remove);
  EXPECT_EQ(dns->reserved, 0);
  EXPECT_EQ(dns->mn_identity, "mn1.example.com");
  EXPECT_EQ(encoded_size(opts[0]), 19U);
}

// covers: R5026-26 (R bit = remove), R5026-30 (status >= 128 is a failure), R5026-31 (the
// reserved bits are sent 0; a receiver keeps whatever arrived so the round trip is exact)
TEST(MobilityOptions, R5026_26_DnsUpdateRemoveBitStatusAndReservedPreserved) {
  // No alignment requirement: decodes at an odd offset.
  const auto opts = decode_ok(hex("11 05 82 c5 61 2e 62"), 13);
  ASSERT_EQ(opts.size(), 1U);
  const auto& dns = std::get<DnsUpdateOption>(opts[0]);
  EXPECT_EQ(dns.status, 130);
  EXPECT_EQ(to_string(static_cast<DnsUpdateStatus>(dns.status)), "dns_update_failed");
  EXPECT_TRUE(dns.remove);
  EXPECT_EQ(dns.reserved, 0x45);
  EXPECT_EQ(dns.mn_identity, "a.b");
}

TEST(MobilityOptions, DnsUpdateWithEmptyIdentityDecodes) {
  const auto opts = decode_ok(hex("11 02 00 00"), 12);
  EXPECT_EQ(std::get<DnsUpdateOption>(opts.at(0)).mn_identity, "");
}

// covers: R6275-10 (unknown options are skipped and the options after them still parsed)
TEST(MobilityOptions, R6275_10_UnknownOptionSkippedAndFollowingParsed) {
  const auto opts = decode_ok(hex("7f 03 01 02 03  00  02 02 00 0f"), 10);
  ASSERT_EQ(opts.size(), 3U);
  const auto* unknown = std::get_if<UnknownMobilityOption>(&opts[0]);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->type, 0x7f);
  EXPECT_EQ(unknown->data, (std::vector<std::uint8_t>{1, 2, 3}));
  const auto* bra = find_option<BindingRefreshAdviceOption>(opts);
  ASSERT_NE(bra, nullptr);
  EXPECT_EQ(bra->refresh_interval, 15);
  EXPECT_EQ(find_option<AlternateCareOfAddressOption>(opts), nullptr);
}

TEST(MobilityOptions, UnknownOptionHasNoAlignmentOrLengthRule) {
  // Type 6 (defined by NEMO, not by us) with an odd length at an odd offset, and length 0.
  const auto opts = decode_ok(hex("06 01 ff  2a 00"), 13);
  ASSERT_EQ(opts.size(), 2U);
  EXPECT_EQ(std::get<UnknownMobilityOption>(opts[1]).type, 0x2a);
  EXPECT_TRUE(std::get<UnknownMobilityOption>(opts[1]).data.empty());
}

TEST(MobilityOptions, EmptyAreaDecodesToNoOptions) {
  auto r = decode_mobility_options({}, 8);
  ASSERT_TRUE(decodes(r));
  EXPECT_TRUE(r->empty());
}

TEST(MobilityOptions, KnownOptionWithWrongLengthRejected) {
  // Offsets in errors are relative to the MH start (the area starts at mh_offset).
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("02 03 00 00 00"), 12),
                         ParseErrc::OptionBadLength, 12));
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("02 01 00"), 12),
                         ParseErrc::OptionBadLength, 12));
  EXPECT_TRUE(fails_with(
      decode_mobility_options(hex("01 00 03 0f 20010db80002000000000000000002"), 12),
      ParseErrc::OptionBadLength, 14));
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("04 02 00 01"), 12),
                         ParseErrc::OptionBadLength, 12));
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("00 00 11 01 00"), 12),
                         ParseErrc::OptionBadLength, 14));
}

TEST(MobilityOptions, MisalignedKnownOptionsRejected) {
  // BRA (2n) at 13.
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("00 02 02 00 4b 00"), 12),
                         ParseErrc::OptionMisaligned, 13));
  // Alternate CoA (8n+6) at 12 and 13 fails; at 22 (8*2+6) it is fine.
  const auto acoa = hex("03 10 20010db8000200000000000000000200");
  EXPECT_TRUE(fails_with(decode_mobility_options(acoa, 12), ParseErrc::OptionMisaligned, 12));
  EXPECT_TRUE(fails_with(decode_mobility_options(acoa, 13), ParseErrc::OptionMisaligned, 13));
  EXPECT_TRUE(decodes(decode_mobility_options(acoa, 22)));
  // Nonce Indices (2n) at 15.
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("04 04 00 01 00 02"), 15),
                         ParseErrc::OptionMisaligned, 15));
  // BAD (8n+2) at 12.
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("05 02 aa bb"), 12),
                         ParseErrc::OptionMisaligned, 12));
}

TEST(MobilityOptions, BindingAuthorizationDataMustBeLast) {
  // BAD at 18 followed by a Pad1: 6.2.7 allows no option, not even padding, after it.
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("04 04 00 01 00 02  05 02 aa bb  00"), 12),
                         ParseErrc::OptionNotLast, 22));
  // ... nor another BAD.
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("05 00  05 00"), 18),
                         ParseErrc::OptionNotLast, 20));
}

TEST(MobilityOptions, OptionLengthOverrunningTheAreaRejected) {
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("02 08 00 4b"), 12),
                         ParseErrc::OptionTruncated, 12));
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("00 01 ff"), 13),
                         ParseErrc::OptionTruncated, 14));
  // A lone type octet (not Pad1) at the end.
  EXPECT_TRUE(fails_with(decode_mobility_options(hex("01 00 7f"), 12),
                         ParseErrc::OptionTruncated, 14));
}

// QUICHE-style: every prefix of an options area either ends on an option boundary (and
// decodes to the options before it) or fails with OptionTruncated at the cut option's start.
TEST(MobilityOptions, EveryPrefixTruncation) {
  // PadN(0) @12, Alternate CoA @14, DNS Update @32, PadN(3) @51: the BU options of
  // tests/vectors/mh_binding_update_dns.hex.
  const auto area = hex(
      "01 00  03 10 20010db8000200000000000000000200"
      "11 11 00 00 6d6e312e6578616d706c652e636f6d  01 03 00 00 00");
  const std::size_t mh_offset = 12;
  const std::vector<std::size_t> starts = {0, 2, 20, 39, 44};  // the last is the area's end
  for (std::size_t k = 0; k <= area.size(); ++k) {
    SCOPED_TRACE(k);
    auto r = decode_mobility_options(test::prefix(area, k), mh_offset);
    std::size_t i = 0;
    while (i + 1 < starts.size() && starts[i + 1] <= k) {
      ++i;
    }
    if (starts[i] == k) {
      ASSERT_TRUE(decodes(r));
      EXPECT_EQ(r->size(), i);
    } else {
      EXPECT_TRUE(fails_with(r, ParseErrc::OptionTruncated, mh_offset + starts[i]));
    }
  }
}

TEST(MobilityOptions, AppendAlignedInsertsPadding) {
  // Home registration BU: options start at 12, the Alternate CoA needs 8n+6 -> PadN(0).
  MobilityOptions opts;
  append_aligned(opts, 12, AlternateCareOfAddressOption{ip("2001:db8:2::200")});
  ASSERT_EQ(opts.size(), 2U);
  EXPECT_EQ(std::get<PadNOption>(opts[0]).data.size(), 0U);
  EXPECT_EQ(encode(opts), hex("01 00 03 10 20010db8000200000000000000000200"));

  // Next at 32: BRA (2n) needs nothing; a BAD (8n+2) after it at 36 needs 6 octets of PadN.
  append_aligned(opts, 12, BindingRefreshAdviceOption{10});
  EXPECT_EQ(opts.size(), 3U);
  append_aligned(opts, 12, BindingAuthorizationDataOption{{1, 2, 3, 4}});
  ASSERT_EQ(opts.size(), 5U);
  EXPECT_EQ(std::get<PadNOption>(opts[3]).data.size(), 4U);
  auto round = decode_mobility_options(encode(opts), 12);
  ASSERT_TRUE(decodes(round));
  EXPECT_EQ(*round, opts);

  // A one-octet gap becomes Pad1; an option without alignment gets none.
  MobilityOptions odd;
  append_aligned(odd, 13, NonceIndicesOption{1, 2});
  ASSERT_EQ(odd.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<Pad1Option>(odd[0]));
  append_aligned(odd, 13, DnsUpdateOption{0, false, 0, "x"});
  EXPECT_EQ(odd.size(), 3U);
  append_aligned(odd, 13, UnknownMobilityOption{99, {}});
  EXPECT_EQ(odd.size(), 4U);
}

TEST(MobilityOptions, ToStringNamesEveryType) {
  EXPECT_EQ(to_string(MobilityOptionType::Pad1), "pad1");
  EXPECT_EQ(to_string(MobilityOptionType::PadN), "pad_n");
  EXPECT_EQ(to_string(MobilityOptionType::BindingRefreshAdvice), "binding_refresh_advice");
  EXPECT_EQ(to_string(MobilityOptionType::AlternateCareOfAddress), "alternate_care_of_address");
  EXPECT_EQ(to_string(MobilityOptionType::NonceIndices), "nonce_indices");
  EXPECT_EQ(to_string(MobilityOptionType::BindingAuthorizationData), "binding_authorization_data");
  EXPECT_EQ(to_string(MobilityOptionType::DnsUpdate), "dns_update");
  EXPECT_EQ(to_string(static_cast<MobilityOptionType>(42)), "unknown");
  EXPECT_EQ(to_string(DnsUpdateStatus::Performed), "performed");
  EXPECT_EQ(to_string(DnsUpdateStatus::ReasonUnspecified), "reason_unspecified");
  EXPECT_EQ(to_string(DnsUpdateStatus::AdministrativelyProhibited), "administratively_prohibited");
  EXPECT_EQ(to_string(static_cast<DnsUpdateStatus>(5)), "unknown");
  EXPECT_EQ(to_string(static_cast<DnsUpdateStatus>(200)), "unknown");
  // covers: R5026-30 (unassigned values fall in the success or failure range)
  EXPECT_TRUE(dns_update_succeeded(0));
  EXPECT_TRUE(dns_update_succeeded(5));
  EXPECT_TRUE(dns_update_succeeded(127));
  EXPECT_FALSE(dns_update_succeeded(128));
  EXPECT_FALSE(dns_update_succeeded(130));
  EXPECT_FALSE(dns_update_succeeded(200));
}

}  // namespace
}  // namespace mip6::wire
