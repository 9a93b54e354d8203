// ICMPv6 messages for Mobile IPv6 (RFC 6275 6.5-6.8, 7.1-7.4; RFC 4861 4.2, 4.6).
#include "mip6/wire/icmpv6_mobility.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/mip6/wire/wire_test_util.h"
#include "tests/mip6/wire/wire_vectors.h"

namespace mip6::wire {
namespace {

using test::decodes;
using test::fails_with;
using test::hex;
using test::ip;

Icmpv6Packet decode_ok(const std::vector<std::uint8_t>& bytes) {
  auto r = decode_icmpv6(bytes);
  EXPECT_TRUE(decodes(r));
  if (!r) {
    return {};
  }
  EXPECT_EQ(base::to_hex(encode_icmpv6(*r)), base::to_hex(bytes));
  return *r;
}

// Every prefix of a message with ND options: shorter than the fixed part -> Truncated at the
// cut; on an option boundary -> a valid message with fewer options; inside an option ->
// NdOptionTruncated at that option.
void check_prefixes_with_options(const std::vector<std::uint8_t>& bytes, std::size_t fixed,
                                  const std::vector<std::size_t>& option_starts) {
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    SCOPED_TRACE(k);
    auto r = decode_icmpv6(test::prefix(bytes, k));
    if (k < fixed) {
      EXPECT_TRUE(fails_with(r, ParseErrc::Truncated, k));
      continue;
    }
    std::size_t start = option_starts.front();
    for (const std::size_t s : option_starts) {
      if (s <= k) {
        start = s;
      }
    }
    if (start == k) {
      EXPECT_TRUE(decodes(r));
    } else {
      EXPECT_TRUE(fails_with(r, ParseErrc::NdOptionTruncated, start));
    }
  }
}

// covers: R6275-66 (HA Information only with H = 1), R6275-67 (SLLA), R6275-68 (PIO with R):
// the shapes an HA's RA must have, as decoded.
TEST(RouterAdvertisement, HomeAgentRaVector) {
  const auto bytes = hex(test::kIcmpv6RouterAdvertisement);
  const auto p = decode_ok(bytes);
  EXPECT_EQ(p.code, 0);
  EXPECT_EQ(p.checksum, 0x7ba8);
  ASSERT_EQ(type_of(p.message), Icmpv6Type::RouterAdvertisement);
  const auto& ra = std::get<RouterAdvertisement>(p.message);
  EXPECT_EQ(ra.cur_hop_limit, 64);
  EXPECT_FALSE(ra.managed);
  EXPECT_FALSE(ra.other);
  EXPECT_TRUE(ra.home_agent);
  EXPECT_EQ(ra.other_flags, 0);
  EXPECT_EQ(ra.router_lifetime, 1800);
  ASSERT_EQ(ra.options.size(), 6U);

  const auto& slla = std::get<SourceLinkLayerAddressOption>(ra.options[0]);
  EXPECT_EQ(slla.address, hex("02005e000001"));
  const auto& pio = std::get<PrefixInformationOption>(ra.options[1]);
  EXPECT_EQ(pio.prefix_length, 64);
  EXPECT_TRUE(pio.on_link);
  EXPECT_TRUE(pio.autonomous);
  EXPECT_TRUE(pio.router_address);
  EXPECT_EQ(pio.valid_lifetime, 86400U);
  EXPECT_EQ(pio.preferred_lifetime, 14400U);
  EXPECT_EQ(pio.prefix, ip("2001:db8:1::1"));
  EXPECT_EQ(std::get<MtuOption>(ra.options[2]).mtu, 1500U);
  EXPECT_EQ(std::get<AdvertisementIntervalOption>(ra.options[3]).interval_ms, 3000U);
  const auto& hai = std::get<HomeAgentInformationOption>(ra.options[4]);
  EXPECT_EQ(hai.preference, 10);
  EXPECT_EQ(hai.lifetime, 1800);
  const auto& unknown = std::get<UnknownNdOption>(ra.options[5]);
  EXPECT_EQ(unknown.type, 42);
  EXPECT_EQ(unknown.data, hex("000102030405"));

  EXPECT_EQ(encode_icmpv6(p, ip("fe80::1"), ip("ff02::1")), bytes);
}

TEST(RouterAdvertisement, EveryPrefixTruncation) {
  check_prefixes_with_options(hex(test::kIcmpv6RouterAdvertisement), 16,
                              {16, 24, 56, 64, 72, 80});
}

// covers: R6275-03 (reserved bits and fields kept as received)
TEST(RouterAdvertisement, R6275_03_ReservedBitsPreserved) {
  auto bytes = hex(test::kIcmpv6RouterAdvertisement);
  bytes[5] = 0xff;   // M, O, H and five reserved flag bits
  bytes[27] = 0xff;  // PIO: L, A, R and five reserved bits
  bytes[36] = 0x12;  // PIO Reserved2
  bytes[58] = 0x34;  // MTU reserved
  bytes[66] = 0x56;  // Advertisement Interval reserved
  bytes[74] = 0x78;  // HA Information reserved
  const auto p = decode_ok(bytes);
  const auto& ra = std::get<RouterAdvertisement>(p.message);
  EXPECT_TRUE(ra.managed && ra.other && ra.home_agent);
  EXPECT_EQ(ra.other_flags, 0x1f);
  const auto& pio = std::get<PrefixInformationOption>(ra.options[1]);
  EXPECT_EQ(pio.other_flags, 0x1f);
  EXPECT_EQ(pio.reserved2, 0x12000000U);
  EXPECT_EQ(std::get<MtuOption>(ra.options[2]).reserved, 0x3400);
  EXPECT_EQ(std::get<AdvertisementIntervalOption>(ra.options[3]).reserved, 0x5600);
  EXPECT_EQ(std::get<HomeAgentInformationOption>(ra.options[4]).reserved, 0x7800);
}

TEST(NdOptions, ZeroLengthRejected) {
  // RFC 4861 4.6: a Length of 0 invalidates the whole packet.
  auto bytes = hex(test::kIcmpv6RouterAdvertisement);
  bytes[81] = 0;  // the unknown option at 80
  EXPECT_TRUE(fails_with(decode_icmpv6(bytes), ParseErrc::NdOptionZeroLength, 80));
  EXPECT_TRUE(fails_with(decode_nd_options(hex("01 00 000000000000"), 100),
                         ParseErrc::NdOptionZeroLength, 100));
}

TEST(NdOptions, KnownOptionsWithWrongLengthRejected) {
  // PIO must be 4 units, MTU / Advertisement Interval / HA Information 1 unit.
  EXPECT_TRUE(fails_with(decode_nd_options(hex("03 03" + std::string(44, '0')), 16),
                         ParseErrc::NdOptionBadLength, 16));
  EXPECT_TRUE(fails_with(decode_nd_options(hex("05 02" + std::string(28, '0')), 16),
                         ParseErrc::NdOptionBadLength, 16));
  EXPECT_TRUE(fails_with(decode_nd_options(hex("2a01000000000000 07 02" + std::string(28, '0')),
                                           16),
                         ParseErrc::NdOptionBadLength, 24));
  EXPECT_TRUE(fails_with(decode_nd_options(hex("08 02" + std::string(28, '0')), 16),
                         ParseErrc::NdOptionBadLength, 16));
}

TEST(NdOptions, LengthOverrunningMessageRejected) {
  EXPECT_TRUE(fails_with(decode_nd_options(hex("01 02 02005e000001"), 16),
                         ParseErrc::NdOptionTruncated, 16));
  EXPECT_TRUE(fails_with(decode_nd_options(hex("01"), 8), ParseErrc::NdOptionTruncated, 8));
}

TEST(NdOptions, LinkLayerAndUnknownOptionsPadToWholeUnits) {
  NdOptions opts = {SourceLinkLayerAddressOption{hex("0011223344556677")},
                    UnknownNdOption{200, {}}};
  std::vector<std::uint8_t> out;
  encode_nd_options(opts, out);
  // SLLA: 2 + 8 octets -> Length 2 with 6 octets of zero padding; unknown: Length 1.
  EXPECT_EQ(base::to_hex(out), "01020011223344556677000000000000c801000000000000");
  auto back = decode_nd_options(out, 0);
  ASSERT_TRUE(decodes(back));
  // The padding becomes part of the link-layer address field (Length*8-2 octets).
  EXPECT_EQ(std::get<SourceLinkLayerAddressOption>(back->at(0)).address.size(), 14U);
  EXPECT_EQ(std::get<UnknownNdOption>(back->at(1)).data.size(), 6U);
}

TEST(DhaadRequest, Vector) {
  const auto bytes = hex(test::kIcmpv6DhaadRequest);
  const auto p = decode_ok(bytes);
  ASSERT_EQ(type_of(p.message), Icmpv6Type::DhaadRequest);
  EXPECT_EQ(std::get<DhaadRequest>(p.message).identifier, 0x1234);
  EXPECT_EQ(encode_icmpv6(p, ip("2001:db8:2::200"), ip("2001:db8:1::fdff:ffff:ffff:fffe")),
            bytes);
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    EXPECT_TRUE(fails_with(decode_icmpv6(test::prefix(bytes, k)), ParseErrc::Truncated, k)) << k;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_TRUE(fails_with(decode_icmpv6(longer), ParseErrc::LengthMismatch, 8));
  auto reserved = bytes;
  reserved[6] = 0xab;
  EXPECT_EQ(std::get<DhaadRequest>(decode_ok(reserved).message).reserved, 0xab00);
}

// covers: R6275-53 (shape: the list keeps the order it was sent in)
TEST(DhaadReply, Vector) {
  const auto bytes = hex(test::kIcmpv6DhaadReply);
  const auto p = decode_ok(bytes);
  ASSERT_EQ(type_of(p.message), Icmpv6Type::DhaadReply);
  const auto& reply = std::get<DhaadReply>(p.message);
  EXPECT_EQ(reply.identifier, 0x1234);
  ASSERT_EQ(reply.home_agents.size(), 2U);
  EXPECT_EQ(reply.home_agents[0], ip("2001:db8:1::1"));
  EXPECT_EQ(reply.home_agents[1], ip("2001:db8:1::2"));
  EXPECT_EQ(encode_icmpv6(p, ip("2001:db8:1::1"), ip("2001:db8:2::200")), bytes);
}

TEST(DhaadReply, EveryPrefixTruncation) {
  const auto bytes = hex(test::kIcmpv6DhaadReply);
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    SCOPED_TRACE(k);
    auto r = decode_icmpv6(test::prefix(bytes, k));
    if (k < 8) {
      EXPECT_TRUE(fails_with(r, ParseErrc::Truncated, k));
    } else if ((k - 8) % 16 != 0) {
      EXPECT_TRUE(fails_with(r, ParseErrc::BadDhaadReplyLength, 8));
    } else {
      ASSERT_TRUE(decodes(r));
      EXPECT_EQ(std::get<DhaadReply>(r->message).home_agents.size(), (k - 8) / 16);
    }
  }
}

TEST(MobilePrefixSolicitation, Vector) {
  const auto bytes = hex(test::kIcmpv6MobilePrefixSolicitation);
  const auto p = decode_ok(bytes);
  ASSERT_EQ(type_of(p.message), Icmpv6Type::MobilePrefixSolicitation);
  EXPECT_EQ(std::get<MobilePrefixSolicitation>(p.message).identifier, 0x4321);
  EXPECT_EQ(encode_icmpv6(p, ip("2001:db8:2::200"), ip("2001:db8:1::1")), bytes);
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    EXPECT_TRUE(fails_with(decode_icmpv6(test::prefix(bytes, k)), ParseErrc::Truncated, k)) << k;
  }
  auto longer = bytes;
  longer.insert(longer.end(), 8, 0);
  EXPECT_TRUE(fails_with(decode_icmpv6(longer), ParseErrc::LengthMismatch, 8));
}

TEST(MobilePrefixAdvertisement, Vector) {
  const auto bytes = hex(test::kIcmpv6MobilePrefixAdvertisement);
  const auto p = decode_ok(bytes);
  ASSERT_EQ(type_of(p.message), Icmpv6Type::MobilePrefixAdvertisement);
  const auto& mpa = std::get<MobilePrefixAdvertisement>(p.message);
  EXPECT_EQ(mpa.identifier, 0x4321);
  EXPECT_TRUE(mpa.managed);
  EXPECT_FALSE(mpa.other);
  ASSERT_EQ(mpa.options.size(), 1U);
  const auto& pio = std::get<PrefixInformationOption>(mpa.options[0]);
  EXPECT_EQ(pio.prefix, ip("2001:db8:1::"));
  EXPECT_FALSE(pio.router_address);
  EXPECT_EQ(encode_icmpv6(p, ip("2001:db8:1::1"), ip("2001:db8:2::200")), bytes);
  check_prefixes_with_options(bytes, 8, {8, 40});

  auto reserved = bytes;
  reserved[6] = 0x7f;  // O plus all six reserved bits
  reserved[7] = 0x99;
  const auto r = std::get<MobilePrefixAdvertisement>(decode_ok(reserved).message);
  EXPECT_FALSE(r.managed);
  EXPECT_TRUE(r.other);
  EXPECT_EQ(r.reserved_flags, 0x3f);
  EXPECT_EQ(r.reserved, 0x99);
}

TEST(Icmpv6, NonzeroCodeRejected) {
  for (const auto v : {test::kIcmpv6RouterAdvertisement, test::kIcmpv6DhaadRequest,
                       test::kIcmpv6DhaadReply, test::kIcmpv6MobilePrefixSolicitation,
                       test::kIcmpv6MobilePrefixAdvertisement}) {
    auto bytes = hex(v);
    bytes[1] = 1;
    EXPECT_TRUE(fails_with(decode_icmpv6(bytes), ParseErrc::BadIcmpCode, 1));
  }
}

TEST(Icmpv6, OtherTypesRejected) {
  for (const std::uint8_t type : {1, 128, 133, 135, 136, 143, 148, 255}) {
    EXPECT_FALSE(is_mobility_icmpv6_type(type));
    EXPECT_TRUE(fails_with(decode_icmpv6(std::vector<std::uint8_t>{type, 0, 0, 0, 0, 0, 0, 0}),
                           ParseErrc::WrongIcmpType, 0));
  }
  for (const std::uint8_t type : {134, 144, 145, 146, 147}) {
    EXPECT_TRUE(is_mobility_icmpv6_type(type));
  }
  EXPECT_TRUE(fails_with(decode_icmpv6({}), ParseErrc::Truncated, 0));
}

TEST(Icmpv6, ToStringNamesEveryEnum) {
  EXPECT_EQ(to_string(Icmpv6Type::RouterAdvertisement), "router_advertisement");
  EXPECT_EQ(to_string(Icmpv6Type::DhaadRequest), "dhaad_request");
  EXPECT_EQ(to_string(Icmpv6Type::DhaadReply), "dhaad_reply");
  EXPECT_EQ(to_string(Icmpv6Type::MobilePrefixSolicitation), "mobile_prefix_solicitation");
  EXPECT_EQ(to_string(Icmpv6Type::MobilePrefixAdvertisement), "mobile_prefix_advertisement");
  EXPECT_EQ(to_string(static_cast<Icmpv6Type>(1)), "unknown");
  EXPECT_EQ(to_string(NdOptionType::SourceLinkLayerAddress), "source_link_layer_address");
  EXPECT_EQ(to_string(NdOptionType::PrefixInformation), "prefix_information");
  EXPECT_EQ(to_string(NdOptionType::Mtu), "mtu");
  EXPECT_EQ(to_string(NdOptionType::AdvertisementInterval), "advertisement_interval");
  EXPECT_EQ(to_string(NdOptionType::HomeAgentInformation), "home_agent_information");
  EXPECT_EQ(to_string(static_cast<NdOptionType>(2)), "unknown");
}

TEST(Icmpv6, ChecksumFillingEncoderBuildsValidMessages) {
  Icmpv6Packet p;
  DhaadReply reply;
  reply.identifier = 7;
  reply.home_agents = {ip("2001:db8:1::1")};
  p.message = reply;
  p.checksum = 0xffff;  // ignored by the filling encoder
  const auto src = ip("2001:db8:1::1");
  const auto dst = ip("2001:db8:2::200");
  const auto bytes = encode_icmpv6(p, src, dst);
  EXPECT_TRUE(verify_icmpv6_checksum(src, dst, bytes));
  EXPECT_FALSE(verify_icmpv6_checksum(dst, ip("2001:db8:2::201"), bytes));
  EXPECT_EQ(bytes.size(), 24U);
}

}  // namespace
}  // namespace mip6::wire
