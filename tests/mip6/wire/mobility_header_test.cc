// Mobility Header messages (RFC 6275 6.1, RFC 5142 4): known vectors, byte-exact round trips,
// every-prefix truncation, RFC 6275 9.2 validation order, reserved fields and padding.
#include "mip6/wire/mobility_header.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tests/mip6/wire/wire_test_util.h"
#include "tests/mip6/wire/wire_vectors.h"

namespace mip6::wire {
namespace {

using test::decodes;
using test::fails_with;
using test::hex;
using test::ip;

const base::Ip6Addr kHoa = ip("2001:db8:1::100");
const base::Ip6Addr kHa = ip("2001:db8:1::1");
const base::Ip6Addr kCoa = ip("2001:db8:2::200");

// Decodes a vector that must be valid and checks encode(decode(v)) == v.
MobilityHeader decode_ok(const std::vector<std::uint8_t>& bytes) {
  auto r = decode_mobility_header(bytes);
  EXPECT_TRUE(decodes(r));
  if (!r) {
    return {};
  }
  EXPECT_EQ(base::to_hex(encode_mobility_header(*r)), base::to_hex(bytes));
  return *r;
}

// QUICHE-style boundaries for a whole MH: any prefix shorter than 8 octets is Truncated at
// its end; any longer one disagrees with Header Len (R6275-02).
void check_every_prefix(const std::vector<std::uint8_t>& bytes) {
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    SCOPED_TRACE(k);
    auto r = decode_mobility_header(test::prefix(bytes, k));
    if (k < 8) {
      EXPECT_TRUE(fails_with(r, ParseErrc::Truncated, k));
    } else {
      EXPECT_TRUE(fails_with(r, ParseErrc::LengthMismatch, 1));
    }
  }
}

TEST(MobilityHeader, EveryVectorRoundTripsAndFailsOnEveryPrefix) {
  for (const auto& v : test::kAllVectors) {
    if (!v.file.starts_with("mh_")) {
      continue;
    }
    SCOPED_TRACE(v.file);
    const auto bytes = hex(v.hex);
    decode_ok(bytes);
    check_every_prefix(bytes);
    // Trailing octets beyond Header Len are a mismatch too (the caller passes exactly the MH).
    auto longer = bytes;
    longer.insert(longer.end(), 8, 0);
    EXPECT_TRUE(fails_with(decode_mobility_header(longer), ParseErrc::LengthMismatch, 1));
  }
}

// covers: R6275-13, R6275-15 (shapes: H = 1, A = 1, Alternate CoA present), R6275-04
TEST(MobilityHeader, BindingUpdateHomeRegistrationVector) {
  const auto bytes = hex(test::kMhBindingUpdateHomeReg);
  const auto mh = decode_ok(bytes);
  EXPECT_EQ(mh.payload_proto, kIpProtoNone);
  EXPECT_EQ(mh.checksum, 0x6e54);
  ASSERT_EQ(type_of(mh.message), MhType::BindingUpdate);
  const auto& bu = std::get<BindingUpdate>(mh.message);
  EXPECT_EQ(bu.sequence, 42);
  EXPECT_TRUE(bu.ack);
  EXPECT_TRUE(bu.home_registration);
  EXPECT_FALSE(bu.link_local_compat);
  EXPECT_FALSE(bu.key_mgmt_mobility);
  EXPECT_EQ(bu.lifetime, 150);
  ASSERT_EQ(bu.options.size(), 2U);
  const auto* acoa = find_option<AlternateCareOfAddressOption>(bu.options);
  ASSERT_NE(acoa, nullptr);
  EXPECT_EQ(acoa->address, kCoa);
  EXPECT_TRUE(verify_mh_checksum(kHoa, kHa, bytes));

  // The same message built the way the MN engine builds it encodes to the identical bytes.
  BindingUpdate built;
  built.sequence = 42;
  built.ack = true;
  built.home_registration = true;
  built.lifetime = 150;
  append_aligned(built.options, 12, AlternateCareOfAddressOption{kCoa});
  EXPECT_EQ(encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, built}, kHoa, kHa), bytes);
}

// covers: R5026-21 (DNS Update in a BU), R6275-10
TEST(MobilityHeader, BindingUpdateWithDnsUpdateVector) {
  const auto mh = decode_ok(hex(test::kMhBindingUpdateDns));
  const auto& bu = std::get<BindingUpdate>(mh.message);
  EXPECT_TRUE(bu.key_mgmt_mobility);
  const auto* dns = find_option<DnsUpdateOption>(bu.options);
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->mn_identity, "mn1.example.com");
  EXPECT_EQ(dns->status, 0);
  EXPECT_FALSE(dns->remove);
  EXPECT_NE(find_option<AlternateCareOfAddressOption>(bu.options), nullptr);
  EXPECT_TRUE(verify_mh_checksum(kHoa, kHa, hex(test::kMhBindingUpdateDns)));
}

// covers: R6275-12 (BRA in a BA, refresh 75 < lifetime 150), R6275-39 (shape)
TEST(MobilityHeader, BindingAckWithRefreshAdviceVector) {
  const auto bytes = hex(test::kMhBindingAckBra);
  const auto mh = decode_ok(bytes);
  ASSERT_EQ(type_of(mh.message), MhType::BindingAck);
  const auto& ba = std::get<BindingAck>(mh.message);
  EXPECT_EQ(ba.status, BaStatus::Accepted);
  EXPECT_TRUE(is_accepted(ba.status));
  EXPECT_TRUE(ba.key_mgmt_mobility);
  EXPECT_EQ(ba.other_flags, 0);
  EXPECT_EQ(ba.sequence, 42);
  EXPECT_EQ(ba.lifetime, 150);
  const auto* bra = find_option<BindingRefreshAdviceOption>(ba.options);
  ASSERT_NE(bra, nullptr);
  EXPECT_LT(bra->refresh_interval, ba.lifetime);
  // BA to an MN away from home: destination in the pseudo-header is the HoA (RH2).
  EXPECT_TRUE(verify_mh_checksum(kHa, kHoa, bytes));
  EXPECT_FALSE(verify_mh_checksum(kHa, kCoa, bytes));

  BindingAck built;
  built.key_mgmt_mobility = true;
  built.sequence = 42;
  built.lifetime = 150;
  append_aligned(built.options, 12, BindingRefreshAdviceOption{75});
  EXPECT_EQ(encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, built}, kHa, kHoa), bytes);
}

// covers: R5026-24, R5026-30 (BA carries the DNS Update result, 130 = failed)
TEST(MobilityHeader, BindingAckWithDnsUpdateResultVector) {
  const auto mh = decode_ok(hex(test::kMhBindingAckDns));
  const auto& ba = std::get<BindingAck>(mh.message);
  const auto* dns = find_option<DnsUpdateOption>(ba.options);
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(static_cast<DnsUpdateStatus>(dns->status), DnsUpdateStatus::DnsUpdateFailed);
  EXPECT_TRUE(std::holds_alternative<Pad1Option>(ba.options.back()));
}

TEST(MobilityHeader, BindingRefreshRequestVector) {
  const auto bytes = hex(test::kMhBindingRefreshRequest);
  const auto mh = decode_ok(bytes);
  ASSERT_EQ(type_of(mh.message), MhType::BindingRefreshRequest);
  EXPECT_EQ(std::get<BindingRefreshRequest>(mh.message).reserved, 0);
  EXPECT_TRUE(std::get<BindingRefreshRequest>(mh.message).options.empty());
  EXPECT_EQ(bytes[1], 0);  // Header Len 0: the whole message is 8 octets
  EXPECT_TRUE(verify_mh_checksum(kHa, kHoa, bytes));
}

// covers: R6275-73 (shape: BE carries the Home Address field), R6275-07 (status 2)
TEST(MobilityHeader, BindingErrorVector) {
  const auto bytes = hex(test::kMhBindingError);
  const auto mh = decode_ok(bytes);
  ASSERT_EQ(type_of(mh.message), MhType::BindingError);
  const auto& be = std::get<BindingError>(mh.message);
  EXPECT_EQ(be.status, BeStatus::UnrecognizedMhType);
  EXPECT_EQ(be.home_address, kHoa);
  EXPECT_TRUE(verify_mh_checksum(kHa, kCoa, bytes));
}

TEST(MobilityHeader, ReturnRoutabilityMessagesDecodeForDissection) {
  const std::array<std::uint8_t, 8> cookie = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::array<std::uint8_t, 8> token = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
  const auto hoti = decode_ok(hex(test::kMhHomeTestInit));
  EXPECT_EQ(std::get<HomeTestInit>(hoti.message).init_cookie, cookie);
  const auto coti = decode_ok(hex(test::kMhCareOfTestInit));
  EXPECT_EQ(std::get<CareOfTestInit>(coti.message).init_cookie, cookie);
  const auto hot = decode_ok(hex(test::kMhHomeTest));
  EXPECT_EQ(std::get<HomeTest>(hot.message).nonce_index, 7);
  EXPECT_EQ(std::get<HomeTest>(hot.message).keygen_token, token);
  const auto cot = decode_ok(hex(test::kMhCareOfTest));
  EXPECT_EQ(std::get<CareOfTest>(cot.message).nonce_index, 8);
  EXPECT_EQ(std::get<CareOfTest>(cot.message).init_cookie, cookie);
  EXPECT_EQ(type_of(hoti.message), MhType::HomeTestInit);
  EXPECT_EQ(type_of(coti.message), MhType::CareOfTestInit);
  EXPECT_EQ(type_of(hot.message), MhType::HomeTest);
  EXPECT_EQ(type_of(cot.message), MhType::CareOfTest);
}

// covers: R5142-01 (layout), R5142-04 (BRA option after the addresses), R5142-08
TEST(MobilityHeader, R5142_01_HomeAgentSwitchVector) {
  const auto bytes = hex(test::kMhHomeAgentSwitch);
  const auto mh = decode_ok(bytes);
  ASSERT_EQ(type_of(mh.message), MhType::HomeAgentSwitch);
  const auto& has = std::get<HomeAgentSwitch>(mh.message);
  ASSERT_EQ(has.home_agents.size(), 2U);
  EXPECT_EQ(has.home_agents[0], ip("2001:db8:1::2"));
  EXPECT_EQ(has.home_agents[1], ip("2001:db8:1::3"));
  const auto* bra = find_option<BindingRefreshAdviceOption>(has.options);
  ASSERT_NE(bra, nullptr);
  EXPECT_EQ(bra->refresh_interval, 15);
  EXPECT_TRUE(verify_mh_checksum(kHa, kHoa, bytes));

  // R5142-08: "# of Addresses" is derived from the list on encode.
  HomeAgentSwitch built;
  built.home_agents = {ip("2001:db8:1::2"), ip("2001:db8:1::3")};
  append_aligned(built.options, 40, BindingRefreshAdviceOption{15});
  EXPECT_EQ(encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, built}, kHa, kHoa), bytes);
}

// covers: R5142-04 (unknown options in a Home Agent Switch are skipped, the BRA still found)
TEST(MobilityHeader, R5142_04_UnknownOptionInHomeAgentSwitchSkipped) {
  // One address, then options at 24: unknown 0x99 len 2, BRA at 28 (2n); 32 octets.
  const auto bytes = hex("3b 03 0c 00 0000 01 00 20010db8000100000000000000000002"
                         "99 02 abcd  02 02 0010");
  const auto mh = decode_ok(bytes);
  const auto& has = std::get<HomeAgentSwitch>(mh.message);
  ASSERT_EQ(has.home_agents.size(), 1U);
  ASSERT_EQ(has.options.size(), 2U);
  EXPECT_EQ(std::get<UnknownMobilityOption>(has.options[0]).type, 0x99);
  const auto* bra = find_option<BindingRefreshAdviceOption>(has.options);
  ASSERT_NE(bra, nullptr);
  EXPECT_EQ(bra->refresh_interval, 16);
}

// covers: R5142-05 (no addresses, no options: Header Len 0), R5142-08 (count 0)
TEST(MobilityHeader, R5142_05_EmptyHomeAgentSwitchHasHeaderLenZero) {
  const auto bytes = hex(test::kMhHomeAgentSwitchEmpty);
  const auto mh = decode_ok(bytes);
  EXPECT_TRUE(std::get<HomeAgentSwitch>(mh.message).home_agents.empty());
  const auto encoded =
      encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, HomeAgentSwitch{}});
  ASSERT_EQ(encoded.size(), 8U);
  EXPECT_EQ(encoded[1], 0);
  EXPECT_EQ(encoded[6], 0);
}

// covers: R5142-01 ("# of Addresses" overrunning the message)
TEST(MobilityHeader, R5142_01_AddressCountOverrunRejected) {
  // Count 3 with room for 2 addresses (+ 8 octets of options).
  auto bytes = hex(test::kMhHomeAgentSwitch);
  bytes[6] = 3;
  EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::BadAddressCount, 6));
  // Count 1 with no room at all.
  auto empty = hex(test::kMhHomeAgentSwitchEmpty);
  empty[6] = 1;
  EXPECT_TRUE(fails_with(decode_mobility_header(empty), ParseErrc::BadAddressCount, 6));
  // Count 255 can never fit the 2048-octet maximum.
  std::vector<std::uint8_t> big(2048, 0);
  big[0] = kIpProtoNone;
  big[1] = 255;
  big[2] = 12;
  big[6] = 255;
  EXPECT_TRUE(fails_with(decode_mobility_header(big), ParseErrc::BadAddressCount, 6));
  // 127 addresses (the most that fit) followed by PadN(6): valid.
  big[6] = 127;
  big[2040] = 1;
  big[2041] = 6;
  const auto mh = decode_ok(big);
  EXPECT_EQ(std::get<HomeAgentSwitch>(mh.message).home_agents.size(), 127U);
}

// covers: R5142-03 (HA Switch Reserved ignored on receipt, preserved for round trip)
TEST(MobilityHeader, R5142_03_HomeAgentSwitchReservedPreserved) {
  auto bytes = hex(test::kMhHomeAgentSwitchEmpty);
  bytes[7] = 0xa5;
  const auto mh = decode_ok(bytes);
  EXPECT_EQ(std::get<HomeAgentSwitch>(mh.message).reserved, 0xa5);
}

// covers: R6275-07
TEST(MobilityHeader, R6275_07_UnknownMhTypeRejectedAtTypeOffset) {
  for (const std::uint8_t type : {8, 9, 11, 13, 255}) {
    SCOPED_TRACE(int{type});
    auto bytes = hex("3b 01 00 00 0000 0000 0000000000000000");
    bytes[2] = type;
    EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::UnknownMhType, 2));
  }
  EXPECT_EQ(to_string(static_cast<MhType>(8)), "unknown");
}

// covers: R6275-08 (Payload Proto != 59; Parameter Problem points at offset 0), R6275-01
TEST(MobilityHeader, R6275_08_PayloadProtoNotNoneRejected) {
  auto bytes = hex(test::kMhBindingUpdateHomeReg);
  bytes[0] = 6;
  EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::PayloadProtoNotNone, 0));
  // Checked before the MH Type (the brief's 9.2 order): an unknown type with a bad proto.
  bytes[2] = 200;
  EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::PayloadProtoNotNone, 0));
  // The encoder writes what the struct holds; the default is 59.
  EXPECT_EQ(MobilityHeader{}.payload_proto, 59);
}

// covers: R6275-09 (Header Len shorter than the type's fixed part; pointer at offset 1)
TEST(MobilityHeader, R6275_09_HeaderLenTooShortRejected) {
  struct Case {
    std::uint8_t type;
    std::uint8_t header_len;  // one unit short of the type's fixed part
  };
  for (const Case c : {Case{1, 0}, Case{2, 0}, Case{3, 1}, Case{4, 1}, Case{5, 0}, Case{6, 0},
                       Case{7, 1}}) {
    SCOPED_TRACE(int{c.type});
    std::vector<std::uint8_t> bytes((std::size_t{c.header_len} + 1) * 8, 0);
    bytes[0] = kIpProtoNone;
    bytes[1] = c.header_len;
    bytes[2] = c.type;
    EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::HeaderLenTooShort, 1));
  }
}

// covers: R6275-02 (total length = (Header Len + 1) * 8)
TEST(MobilityHeader, R6275_02_HeaderLenDisagreeingWithLengthRejected) {
  auto bytes = hex(test::kMhBindingUpdateHomeReg);
  bytes[1] = 4;  // claims 40 octets, 32 present
  EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::LengthMismatch, 1));
  bytes[1] = 2;  // claims 24 octets, 32 present
  EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::LengthMismatch, 1));
  bytes[1] = 3;
  bytes.push_back(0);  // 33 octets: not a multiple of 8
  EXPECT_TRUE(fails_with(decode_mobility_header(bytes), ParseErrc::LengthMismatch, 1));
}

// covers: R6275-02 (the encoder pads with Pad1/PadN to a multiple of 8)
TEST(MobilityHeader, R6275_02_EncoderPadsToMultipleOf8) {
  // BA without options: 12 octets + PadN(0 data) = 16, Header Len 1.
  const auto ba = encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, BindingAck{}});
  EXPECT_EQ(base::to_hex(ba), "3b010600000000000000000001020000");
  // 12 + 4 (PadN, 2 data octets) = 16: checks the padding is PadN with zero data.
  EXPECT_EQ(ba.size(), 16U);
  EXPECT_EQ(base::to_hex(std::span(ba).subspan(12)), "01020000");
  // 12 + 3 (unknown option) = 15: a single Pad1.
  BindingAck with_unknown;
  with_unknown.options.push_back(UnknownMobilityOption{99, {0x42}});
  const auto ba2 = encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, with_unknown});
  ASSERT_EQ(ba2.size(), 16U);
  EXPECT_EQ(ba2.back(), 0);
  auto back = decode_mobility_header(ba2);
  ASSERT_TRUE(decodes(back));
  EXPECT_TRUE(
      std::holds_alternative<Pad1Option>(std::get<BindingAck>(back->message).options.back()));
  // BE: 24 octets exactly, no padding, Header Len 2.
  const auto be = encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, BindingError{}});
  EXPECT_EQ(be.size(), 24U);
  EXPECT_EQ(be[1], 2);
  // BRR: 8 octets, Header Len 0.
  const auto brr =
      encode_mobility_header(MobilityHeader{kIpProtoNone, 0, 0, BindingRefreshRequest{}});
  EXPECT_EQ(brr.size(), 8U);
  // Every encoding is a multiple of 8 and decodes again.
  for (const auto* v : {&ba, &ba2, &be, &brr}) {
    EXPECT_EQ(v->size() % 8, 0U);
    EXPECT_EQ((std::size_t{(*v)[1]} + 1) * 8, v->size());
    EXPECT_TRUE(decodes(decode_mobility_header(*v)));
  }
}

// covers: R6275-03 (reserved fields ignored on receipt; kept so the round trip is exact)
TEST(MobilityHeader, R6275_03_NonzeroReservedFieldsAcceptedAndPreserved) {
  auto bu_bytes = hex(test::kMhBindingUpdateHomeReg);
  bu_bytes[3] = 0xff;  // MH Reserved
  bu_bytes[8] |= 0x0f;  // BU reserved flag bits (used by NEMO, PMIPv6 ...)
  bu_bytes[9] = 0x5a;  // BU Reserved octet
  const auto bu_mh = decode_ok(bu_bytes);
  EXPECT_EQ(bu_mh.reserved, 0xff);
  const auto& bu = std::get<BindingUpdate>(bu_mh.message);
  EXPECT_EQ(bu.other_flags, 0x0f);
  EXPECT_EQ(bu.reserved, 0x5a);
  EXPECT_TRUE(bu.ack && bu.home_registration);

  auto ba_bytes = hex(test::kMhBindingAckBra);
  ba_bytes[7] = 0xff;  // K plus all reserved bits
  const auto ba = std::get<BindingAck>(decode_ok(ba_bytes).message);
  EXPECT_TRUE(ba.key_mgmt_mobility);
  EXPECT_EQ(ba.other_flags, 0x7f);

  auto brr_bytes = hex(test::kMhBindingRefreshRequest);
  brr_bytes[6] = 0xbe;
  brr_bytes[7] = 0xef;
  EXPECT_EQ(std::get<BindingRefreshRequest>(decode_ok(brr_bytes).message).reserved, 0xbeef);

  auto be_bytes = hex(test::kMhBindingError);
  be_bytes[7] = 0x01;
  EXPECT_EQ(std::get<BindingError>(decode_ok(be_bytes).message).reserved, 0x01);

  auto hoti_bytes = hex(test::kMhHomeTestInit);
  hoti_bytes[6] = 0x12;
  EXPECT_EQ(std::get<HomeTestInit>(decode_ok(hoti_bytes).message).reserved, 0x1200);
}

// Unknown statuses survive the round trip and print as numbers.
TEST(MobilityHeader, UnknownStatusValuesPreserved) {
  auto ba_bytes = hex(test::kMhBindingAckBra);
  ba_bytes[6] = 140;  // assigned by another RFC; >= 128 means rejected
  const auto ba = std::get<BindingAck>(decode_ok(ba_bytes).message);
  EXPECT_FALSE(is_accepted(ba.status));
  EXPECT_EQ(static_cast<int>(ba.status), 140);
  EXPECT_EQ(to_string(ba.status), "unknown");
  auto be_bytes = hex(test::kMhBindingError);
  be_bytes[6] = 9;
  const BeStatus be_status = std::get<BindingError>(decode_ok(be_bytes).message).status;
  EXPECT_EQ(static_cast<int>(be_status), 9);
  EXPECT_EQ(to_string(be_status), "unknown");
}

// covers: R6275-10 (an unknown option inside a real BU is skipped, the next one parsed)
TEST(MobilityHeader, R6275_10_UnknownOptionInBindingUpdateSkipped) {
  // BU, options at 12: unknown type 0x33 len 0, Alternate CoA at 14.
  const auto bytes = hex("3b 03 05 00 0000 0001 c0 00 0010  33 00  03 10"
                         "20010db8000200000000000000000200");
  const auto mh = decode_ok(bytes);
  const auto& bu = std::get<BindingUpdate>(mh.message);
  ASSERT_EQ(bu.options.size(), 2U);
  EXPECT_EQ(std::get<UnknownMobilityOption>(bu.options[0]).type, 0x33);
  ASSERT_NE(find_option<AlternateCareOfAddressOption>(bu.options), nullptr);
}

TEST(MobilityHeader, OptionErrorsCarryMhOffsets) {
  // Alternate CoA at 12 (8n+4) in a BU.
  const auto misaligned = hex("3b 03 05 00 0000 0001 c0 00 0010  03 10"
                              "20010db8000200000000000000000200  01 00");
  EXPECT_TRUE(fails_with(decode_mobility_header(misaligned), ParseErrc::OptionMisaligned, 12));
  // BAD followed by padding.
  auto not_last = hex(test::kMhBindingUpdateNonceBad);
  not_last[19] = 8;  // BAD 5/8 ends at 28; four octets remain
  not_last[28] = 1;  // PadN(2)
  not_last[29] = 2;
  not_last[30] = 0;
  not_last[31] = 0;
  EXPECT_TRUE(fails_with(decode_mobility_header(not_last), ParseErrc::OptionNotLast, 28));
  // An option whose length runs past Header Len.
  auto overrun = hex(test::kMhBindingAckBra);
  overrun[13] = 3;
  EXPECT_TRUE(fails_with(decode_mobility_header(overrun), ParseErrc::OptionTruncated, 12));
}

TEST(MobilityHeader, BindingUpdateWithNonceIndicesAndAuthDataVector) {
  const auto mh = decode_ok(hex(test::kMhBindingUpdateNonceBad));
  const auto& bu = std::get<BindingUpdate>(mh.message);
  ASSERT_EQ(bu.options.size(), 2U);
  EXPECT_EQ(std::get<NonceIndicesOption>(bu.options[0]).care_of_nonce_index, 2);
  EXPECT_EQ(std::get<BindingAuthorizationDataOption>(bu.options[1]).authenticator.size(), 12U);
  EXPECT_FALSE(bu.home_registration);
}

TEST(MobilityHeader, ChecksumFillingEncoderIgnoresStructChecksum) {
  auto mh = decode_ok(hex(test::kMhBindingAckBra));
  mh.checksum = 0xdead;
  const auto plain = encode_mobility_header(mh);
  EXPECT_EQ(plain[4], 0xde);
  EXPECT_EQ(plain[5], 0xad);
  EXPECT_EQ(encode_mobility_header(mh, kHa, kHoa), hex(test::kMhBindingAckBra));
}

TEST(MobilityHeader, ToStringNamesEveryEnum) {
  EXPECT_EQ(to_string(MhType::BindingRefreshRequest), "binding_refresh_request");
  EXPECT_EQ(to_string(MhType::HomeTestInit), "home_test_init");
  EXPECT_EQ(to_string(MhType::CareOfTestInit), "care_of_test_init");
  EXPECT_EQ(to_string(MhType::HomeTest), "home_test");
  EXPECT_EQ(to_string(MhType::CareOfTest), "care_of_test");
  EXPECT_EQ(to_string(MhType::BindingUpdate), "binding_update");
  EXPECT_EQ(to_string(MhType::BindingAck), "binding_ack");
  EXPECT_EQ(to_string(MhType::BindingError), "binding_error");
  EXPECT_EQ(to_string(MhType::HomeAgentSwitch), "home_agent_switch");
  EXPECT_EQ(to_string(BaStatus::Accepted), "accepted");
  EXPECT_EQ(to_string(BaStatus::SequenceNumberOutOfWindow), "sequence_number_out_of_window");
  EXPECT_EQ(to_string(BaStatus::InvalidCareOfAddress), "invalid_care_of_address");
  EXPECT_EQ(to_string(static_cast<BaStatus>(0)), "accepted");
  EXPECT_EQ(to_string(static_cast<BaStatus>(2)), "unknown");
  EXPECT_EQ(to_string(static_cast<BaStatus>(255)), "unknown");
  EXPECT_EQ(to_string(BeStatus::UnknownBindingForHomeAddress), "unknown_binding_for_home_address");
  EXPECT_EQ(to_string(BeStatus::UnrecognizedMhType), "unrecognized_mh_type");
  for (int v = 0; v < 256; ++v) {
    EXPECT_FALSE(to_string(static_cast<BaStatus>(v)).empty());
  }
  EXPECT_TRUE(is_accepted(BaStatus::AcceptedPrefixDiscoveryNecessary));
  EXPECT_FALSE(is_accepted(BaStatus::ReasonUnspecified));
}

}  // namespace
}  // namespace mip6::wire
