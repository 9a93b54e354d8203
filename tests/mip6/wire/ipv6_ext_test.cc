// Home Address option (RFC 6275 6.3), type 2 routing header (6.4) and the bounded IPv6 header
// chain walk that finds them.
#include "mip6/wire/ipv6_ext.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mip6/wire/mobility_header.h"
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

// An IPv6 header from the CoA to the HA with the right payload length, then `payload`.
std::vector<std::uint8_t> packet(std::uint8_t next_header, std::string_view payload_hex) {
  const auto payload = hex(payload_hex);
  std::vector<std::uint8_t> p = hex("6000 0000");
  p.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
  p.push_back(static_cast<std::uint8_t>(payload.size()));
  p.push_back(next_header);
  p.push_back(64);
  p.insert(p.end(), kCoa.bytes().begin(), kCoa.bytes().end());
  p.insert(p.end(), kHa.bytes().begin(), kHa.bytes().end());
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

constexpr std::string_view kHoaHex = "20010db8000100000000000000000100";
constexpr std::string_view kBraMh = "3b01060000000000 0000000000000000";  // a BA, checksum 0

TEST(HomeAddressOption, EncodesPaddedTo8nPlus6) {
  const auto bytes = encode_home_address_dest_opts(kIpProtoMobility, HomeAddressOption{kHoa});
  EXPECT_EQ(base::to_hex(bytes), "870201020000c910" + std::string(kHoaHex));
}

TEST(Type2RoutingHeader, DecodesAndRoundTrips) {
  const auto bytes = hex("87 02 02 01 00000000" + std::string(kHoaHex));
  auto rh = decode_type2_routing_header(bytes);
  ASSERT_TRUE(decodes(rh));
  EXPECT_EQ(rh->next_header, kIpProtoMobility);
  EXPECT_EQ(rh->home_address, kHoa);
  EXPECT_EQ(rh->reserved, 0U);
  EXPECT_EQ(encode_type2_routing_header(*rh), bytes);
}

// covers: R6275-03 (the RH2 Reserved field is ignored on receipt and preserved)
TEST(Type2RoutingHeader, R6275_03_ReservedPreserved) {
  const auto bytes = hex("3b 02 02 01 deadbeef" + std::string(kHoaHex));
  auto rh = decode_type2_routing_header(bytes);
  ASSERT_TRUE(decodes(rh));
  EXPECT_EQ(rh->reserved, 0xdeadbeefU);
  EXPECT_EQ(encode_type2_routing_header(*rh), bytes);
}

TEST(Type2RoutingHeader, MalformedFieldsRejected) {
  const std::string tail = "00000000" + std::string(kHoaHex);
  EXPECT_TRUE(fails_with(decode_type2_routing_header(hex("87 02 00 01" + tail)),
                         ParseErrc::BadRoutingType, 2));
  const auto long_rh = hex("87 03 02 01" + tail + "0000000000000000");
  EXPECT_TRUE(fails_with(decode_type2_routing_header(long_rh), ParseErrc::BadHdrExtLen, 1));
  EXPECT_TRUE(fails_with(decode_type2_routing_header(hex("87 02 02 00" + tail)),
                         ParseErrc::BadSegmentsLeft, 3));
  EXPECT_TRUE(fails_with(decode_type2_routing_header(hex("87 02 02 02" + tail)),
                         ParseErrc::BadSegmentsLeft, 3));
}

TEST(Type2RoutingHeader, EveryPrefixTruncation) {
  const auto bytes = hex("87 02 02 01 00000000" + std::string(kHoaHex));
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    EXPECT_TRUE(fails_with(decode_type2_routing_header(test::prefix(bytes, k)),
                           ParseErrc::Truncated, k))
        << k;
  }
}

// covers: R6275-14, R6275-32 (shape: the BU carries a HAO), R6275-04 (checksum source)
TEST(Ipv6Packet, BindingUpdateWithHomeAddressOptionVector) {
  const auto bytes = hex(test::kIpv6BuWithHao);
  auto p = decode_ipv6_packet(bytes);
  ASSERT_TRUE(decodes(p));
  EXPECT_EQ(p->header.source, kCoa);
  EXPECT_EQ(p->header.destination, kHa);
  EXPECT_EQ(p->header.hop_limit, 64);
  EXPECT_EQ(p->header.payload_length, 56);
  ASSERT_TRUE(p->home_address_option.has_value());
  EXPECT_EQ(p->home_address_option->home_address, kHoa);
  EXPECT_FALSE(p->type2_routing_header.has_value());
  EXPECT_EQ(p->upper_protocol, kIpProtoMobility);
  EXPECT_EQ(p->upper_offset, 64U);
  EXPECT_EQ(base::to_hex(p->upper), base::to_hex(hex(test::kMhBindingUpdateHomeReg)));
  EXPECT_EQ(p->checksum_source(), kHoa);
  EXPECT_EQ(p->checksum_destination(), kHa);
  EXPECT_TRUE(verify_mh_checksum(p->checksum_source(), p->checksum_destination(), p->upper));
  EXPECT_TRUE(decodes(decode_mobility_header(p->upper)));

  Ipv6Build build;
  build.source = kCoa;
  build.destination = kHa;
  build.home_address_option = HomeAddressOption{kHoa};
  EXPECT_EQ(encode_ipv6_packet(build, kIpProtoMobility, p->upper), bytes);
}

// covers: R6275-41 (shape: the BA goes to the CoA with an RH2 holding the HoA), R6275-04
TEST(Ipv6Packet, BindingAckWithType2RoutingHeaderVector) {
  const auto bytes = hex(test::kIpv6BaWithRh2);
  auto p = decode_ipv6_packet(bytes);
  ASSERT_TRUE(decodes(p));
  EXPECT_EQ(p->header.destination, kCoa);
  ASSERT_TRUE(p->type2_routing_header.has_value());
  EXPECT_EQ(p->type2_routing_header->home_address, kHoa);
  EXPECT_EQ(p->type2_routing_header->next_header, kIpProtoMobility);
  EXPECT_FALSE(p->home_address_option.has_value());
  EXPECT_EQ(p->upper_offset, 64U);
  EXPECT_EQ(p->checksum_source(), kHa);
  EXPECT_EQ(p->checksum_destination(), kHoa);
  EXPECT_TRUE(verify_mh_checksum(p->checksum_source(), p->checksum_destination(), p->upper));

  Ipv6Build build;
  build.source = kHa;
  build.destination = kCoa;
  build.type2_home_address = kHoa;
  EXPECT_EQ(encode_ipv6_packet(build, kIpProtoMobility, p->upper), bytes);
}

TEST(Ipv6Packet, EncoderPutsHomeAddressOptionAfterRoutingHeader) {
  // RFC 6275 6.3: HAO after the routing header. Both present: IPv6 -> RH2 -> DestOpts -> MH.
  Ipv6Build build;
  build.source = kCoa;
  build.destination = kHa;
  build.hop_limit = 255;
  build.home_address_option = HomeAddressOption{kHoa};
  build.type2_home_address = ip("2001:db8:1::200");
  const auto mh = hex(kBraMh);
  const auto bytes = encode_ipv6_packet(build, kIpProtoMobility, mh);
  ASSERT_EQ(bytes.size(), 40U + 24 + 24 + 16);
  EXPECT_EQ(bytes[6], kIpProtoRouting);
  EXPECT_EQ(bytes[7], 255);
  EXPECT_EQ(bytes[40], kIpProtoDestOpts);
  EXPECT_EQ(bytes[64], kIpProtoMobility);
  auto p = decode_ipv6_packet(bytes);
  ASSERT_TRUE(decodes(p));
  EXPECT_EQ(p->home_address_option->home_address, kHoa);
  EXPECT_EQ(p->type2_routing_header->home_address, ip("2001:db8:1::200"));
  EXPECT_EQ(p->upper_offset, 88U);
  EXPECT_EQ(p->upper.size(), 16U);

  // Neither: the upper header follows the fixed header directly.
  const auto plain = encode_ipv6_packet(Ipv6Build{kHa, kCoa, 64, {}, {}}, kIpProtoIcmpv6, mh);
  EXPECT_EQ(plain[6], kIpProtoIcmpv6);
  EXPECT_EQ(plain.size(), 56U);
}

TEST(Ipv6Packet, EveryPrefixTruncation) {
  for (const auto v : {test::kIpv6BuWithHao, test::kIpv6BaWithRh2}) {
    const auto bytes = hex(v);
    for (std::size_t k = 0; k < bytes.size(); ++k) {
      EXPECT_TRUE(fails_with(decode_ipv6_packet(test::prefix(bytes, k)), ParseErrc::Truncated, k))
          << k;
    }
  }
}

TEST(Ipv6Packet, BytesBeyondPayloadLengthIgnored) {
  auto bytes = hex(test::kIpv6BaWithRh2);
  const std::size_t len = bytes.size();
  bytes.insert(bytes.end(), 6, 0xee);  // Ethernet minimum-frame padding
  auto p = decode_ipv6_packet(bytes);
  ASSERT_TRUE(decodes(p));
  EXPECT_EQ(p->upper_offset + p->upper.size(), len);
  EXPECT_TRUE(verify_mh_checksum(p->checksum_source(), p->checksum_destination(), p->upper));
}

TEST(Ipv6Packet, NotVersion6Rejected) {
  auto bytes = hex(test::kIpv6BaWithRh2);
  bytes[0] = 0x45;
  EXPECT_TRUE(fails_with(decode_ipv6_packet(bytes), ParseErrc::NotIpv6, 0));
}

TEST(Ipv6Packet, OtherExtensionHeadersWalkedAndSkipped) {
  // Hop-by-hop (PadN), Destination Options without a HAO (Pad1, unknown TLV 0x1e, PadN),
  // routing type 0 (skipped, not a type 2 RH), a first Fragment, then the MH.
  const auto bytes = packet(kIpProtoHopByHop,
                            "3c 00 01 04 00000000"              // HBH -> DestOpts
                            "2b 00 00 1e 02 abcd 00"            // DestOpts -> Routing
                            "2c 02 00 01 00000000"              // RH type 0 -> Fragment
                            "  20010db8000000000000000000000001"
                            "87 00 0001 12345678"               // Fragment, offset 0, M = 1
                            + std::string(kBraMh));
  auto p = decode_ipv6_packet(bytes);
  ASSERT_TRUE(decodes(p));
  EXPECT_FALSE(p->home_address_option.has_value());
  EXPECT_FALSE(p->type2_routing_header.has_value());
  EXPECT_EQ(p->upper_protocol, kIpProtoMobility);
  EXPECT_EQ(p->upper_offset, 40U + 8 + 8 + 24 + 8);
  EXPECT_EQ(base::to_hex(p->upper), base::to_hex(hex(kBraMh)));
}

TEST(Ipv6Packet, LaterFragmentStopsAtFragmentHeader) {
  const auto bytes = packet(kIpProtoFragment, "87 00 0100 12345678" + std::string(kBraMh));
  auto p = decode_ipv6_packet(bytes);
  ASSERT_TRUE(decodes(p));
  EXPECT_EQ(p->upper_protocol, kIpProtoFragment);
  EXPECT_EQ(p->upper_offset, 40U);
}

TEST(Ipv6Packet, UpperHeadersStopTheWalk) {
  for (const std::uint8_t nh : {kIpProtoEsp, kIpProtoIcmpv6, kIpProtoNone, std::uint8_t{6}}) {
    auto p = decode_ipv6_packet(packet(nh, "0102030405060708"));
    ASSERT_TRUE(decodes(p));
    EXPECT_EQ(p->upper_protocol, nh);
    EXPECT_EQ(p->upper_offset, 40U);
    EXPECT_EQ(p->upper.size(), 8U);
  }
}

TEST(Ipv6Packet, ExtensionChainBounded) {
  std::string chain;
  for (int i = 0; i < 8; ++i) {
    chain += "3c 00 01 04 00000000";  // DestOpts -> DestOpts ...
  }
  // Eight headers, then the MH: fine.
  auto eight = chain.substr(0, chain.size() - std::string("3c 00 01 04 00000000").size()) +
               "87 00 01 04 00000000" + std::string(kBraMh);
  EXPECT_TRUE(decodes(decode_ipv6_packet(packet(kIpProtoDestOpts, eight))));
  // A ninth extension header is refused at its offset.
  auto nine = chain + "87 00 01 04 00000000" + std::string(kBraMh);
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts, nine)),
                         ParseErrc::ExtensionChainTooLong, 40 + 8 * 8));
}

TEST(Ipv6Packet, ExtensionHeaderOverrunningPayloadRejected) {
  // Hdr Ext Len 5 (48 octets) with 24 octets of payload.
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts, "87 05 01 04 00000000"
                                                                     "0000000000000000"
                                                                     "0000000000000000")),
                         ParseErrc::LengthMismatch, 41));
  // Payload ends inside an extension header's first two octets.
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts, "87")),
                         ParseErrc::Truncated, 41));
  // Fragment header needs 8 octets.
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoFragment, "87 00 0000")),
                         ParseErrc::Truncated, 44));
}

TEST(Ipv6Packet, HomeAddressOptionBadLengthRejected) {
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts,
                                                   "87 02 01 02 0000 c9 0f"
                                                   "20010db80001000000000000000001 00")),
                         ParseErrc::HaoBadLength, 46));
}

TEST(Ipv6Packet, HomeAddressOptionMisalignedRejected) {
  // HAO at header offset 2 (8n+2), PadN after it.
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts,
                                                   "87 02 c9 10" + std::string(kHoaHex) +
                                                       "01 02 0000")),
                         ParseErrc::HaoMisaligned, 42));
  // HAO at offset 14 (8n+6) in a 32-octet header is fine.
  auto p = decode_ipv6_packet(packet(kIpProtoDestOpts, "87 03 01 0a 00000000 00000000 0000"
                                                       "c9 10" + std::string(kHoaHex)));
  ASSERT_TRUE(decodes(p));
  EXPECT_EQ(p->home_address_option->home_address, kHoa);
}

TEST(Ipv6Packet, DuplicateHomeAddressOptionRejected) {
  const std::string hao_hdr = "01 02 0000 c9 10" + std::string(kHoaHex);
  // Two in one 48-octet header: the second at offset 30 (8*3+6) after PadN(4).
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts,
                                                   "87 05 " + hao_hdr + "01 04 00000000 c9 10" +
                                                       std::string(kHoaHex))),
                         ParseErrc::DuplicateHeader, 40 + 30));
  // One in each of two Destination Options headers.
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts,
                                                   "3c 02 " + hao_hdr + "87 02 " + hao_hdr)),
                         ParseErrc::DuplicateHeader, 64));
}

TEST(Ipv6Packet, DestinationOptionOverrunningHeaderRejected) {
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoDestOpts, "87 00 1e 09 00000000")),
                         ParseErrc::OptionTruncated, 42));
}

TEST(Ipv6Packet, MalformedType2RoutingHeaderRejected) {
  const std::string tail = "00000000" + std::string(kHoaHex) + std::string(kBraMh);
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoRouting, "87 02 02 00" + tail)),
                         ParseErrc::BadSegmentsLeft, 43));
  EXPECT_TRUE(fails_with(
      decode_ipv6_packet(packet(kIpProtoRouting, "87 03 02 01" + tail + "0000000000000000")),
      ParseErrc::BadHdrExtLen, 41));
  // Two type 2 routing headers.
  const std::string rh = "2b 02 02 01 00000000" + std::string(kHoaHex);
  EXPECT_TRUE(fails_with(decode_ipv6_packet(packet(kIpProtoRouting, rh + "87 02 02 01" + tail)),
                         ParseErrc::DuplicateHeader, 64));
}

}  // namespace
}  // namespace mip6::wire
