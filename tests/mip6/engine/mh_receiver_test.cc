// MhReceiver: RFC 6275 9.2 validation of every received Mobility Header.
#include "mip6/engine/mh_receiver.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/fake_clock.h"

namespace {

using base::Ip6Addr;
using mip6::engine::MhDrop;
using mip6::engine::MhReceiver;
using mip6::engine::MhReceiverCounter;
namespace wire = mip6::wire;

const Ip6Addr kCoa = *Ip6Addr::parse("2001:db8:20::100");
const Ip6Addr kHoa = *Ip6Addr::parse("2001:db8:1::101");
const Ip6Addr kHa = *Ip6Addr::parse("2001:db8:1::1");

// Fills the MH checksum for the pseudo-header and wraps the MH in IPv6 (+HAO / RH2).
std::vector<std::uint8_t> packet_with(std::vector<std::uint8_t> mh, const Ip6Addr& src,
                                      const Ip6Addr& dst, std::optional<Ip6Addr> hao,
                                      std::optional<Ip6Addr> rh2 = std::nullopt) {
  mh[4] = 0;
  mh[5] = 0;
  const std::uint16_t sum = wire::pseudo_header_checksum(hao.value_or(src), rh2.value_or(dst),
                                                         wire::kIpProtoMobility, mh);
  mh[4] = static_cast<std::uint8_t>(sum >> 8);
  mh[5] = static_cast<std::uint8_t>(sum);
  wire::Ipv6Build b;
  b.source = src;
  b.destination = dst;
  if (hao) {
    b.home_address_option = wire::HomeAddressOption{*hao};
  }
  b.type2_home_address = rh2;
  return wire::encode_ipv6_packet(b, wire::kIpProtoMobility, mh);
}

std::vector<std::uint8_t> bu_mh() {
  wire::BindingUpdate bu;
  bu.sequence = 7;
  bu.ack = true;
  bu.home_registration = true;
  bu.lifetime = 100;
  wire::append_aligned(bu.options, 12, wire::AlternateCareOfAddressOption{kCoa});
  wire::MobilityHeader mh;
  mh.message = bu;
  return wire::encode_mobility_header(mh);
}

std::vector<std::uint8_t> ba_mh() {
  wire::BindingAck ba;
  ba.sequence = 7;
  ba.lifetime = 100;
  wire::MobilityHeader mh;
  mh.message = ba;
  return wire::encode_mobility_header(mh);
}

// An MH of an unassigned type (99) with a well-formed 16-octet body.
std::vector<std::uint8_t> unknown_type_mh() {
  std::vector<std::uint8_t> mh(16, 0);
  mh[0] = wire::kIpProtoNone;
  mh[1] = 1;
  mh[2] = 99;
  return mh;
}

class MhReceiverTest : public ::testing::Test {
 protected:
  test::FakeClock clock_;
  MhReceiver receiver_;
};

TEST_F(MhReceiverTest, AcceptsAValidBindingUpdateWithItsContext) {
  const auto packet = packet_with(bu_mh(), kCoa, kHa, kHoa);
  const auto got = receiver_.on_packet(packet, kHa, clock_.now());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->ip.source, kCoa);
  EXPECT_EQ(got->ip.destination, kHa);
  ASSERT_TRUE(got->home_address_option.has_value());
  EXPECT_EQ(*got->home_address_option, kHoa);
  const auto* bu = std::get_if<wire::BindingUpdate>(&got->mh.message);
  ASSERT_NE(bu, nullptr);
  EXPECT_EQ(bu->sequence, 7);
  EXPECT_EQ(receiver_.counters().get(MhReceiverCounter::Accepted), 1U);
  EXPECT_TRUE(receiver_.take_replies().empty());
}

TEST_F(MhReceiverTest, AcceptsABindingAckWithType2RoutingHeader) {
  const auto packet = packet_with(ba_mh(), kHa, kCoa, std::nullopt, kHoa);
  const auto got = receiver_.on_packet(packet, kCoa, clock_.now());
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->type2_home_address.has_value());
  EXPECT_EQ(*got->type2_home_address, kHoa);
}

TEST_F(MhReceiverTest, R6275_06_BadChecksumIsDroppedSilently) {
  auto packet = packet_with(bu_mh(), kCoa, kHa, kHoa);
  packet.back() ^= 0x01;  // last octet of the Alternate CoA
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::BadChecksum);
  EXPECT_EQ(receiver_.counters().get(MhReceiverCounter::DropBadChecksum), 1U);
  EXPECT_TRUE(receiver_.take_replies().empty());
}

TEST_F(MhReceiverTest, R6275_07_R6275_73_UnknownTypeGetsBindingErrorStatus2WithTheHao) {
  const auto packet = packet_with(unknown_type_mh(), kCoa, kHa, kHoa);
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::UnknownMhType);
  const auto replies = receiver_.take_replies();
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0].destination, kCoa);
  auto ip = wire::decode_ipv6_packet(replies[0].packet);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->header.source, kHa);
  EXPECT_EQ(ip->header.destination, kCoa);
  EXPECT_FALSE(ip->home_address_option.has_value());
  EXPECT_TRUE(wire::verify_mh_checksum(kHa, kCoa, ip->upper));
  auto mh = wire::decode_mobility_header(ip->upper);
  ASSERT_TRUE(mh.has_value());
  const auto* be = std::get_if<wire::BindingError>(&mh->message);
  ASSERT_NE(be, nullptr);
  EXPECT_EQ(be->status, wire::BeStatus::UnrecognizedMhType);
  EXPECT_EQ(be->home_address, kHoa);
}

TEST_F(MhReceiverTest, R6275_73_BindingErrorHomeAddressIsUnspecifiedWithoutHao) {
  const auto packet = packet_with(unknown_type_mh(), kCoa, kHa, std::nullopt);
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  const auto replies = receiver_.take_replies();
  ASSERT_EQ(replies.size(), 1U);
  auto ip = wire::decode_ipv6_packet(replies[0].packet);
  ASSERT_TRUE(ip.has_value());
  auto mh = wire::decode_mobility_header(ip->upper);
  ASSERT_TRUE(mh.has_value());
  EXPECT_TRUE(std::get<wire::BindingError>(mh->message).home_address.is_unspecified());
}

TEST_F(MhReceiverTest, R6275_73_NoBindingErrorToAMulticastSource) {
  const auto packet = packet_with(unknown_type_mh(), *Ip6Addr::parse("ff02::1"), kHa, std::nullopt);
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_TRUE(receiver_.take_replies().empty());
  EXPECT_EQ(receiver_.counters().get(MhReceiverCounter::ErrorReplyNotUnicast), 1U);
}

TEST_F(MhReceiverTest, R6275_73_ErrorRepliesAreRateLimited) {
  MhReceiver receiver(mip6::engine::MhReceiverConfig{1.0, 3.0});
  const auto packet = packet_with(unknown_type_mh(), kCoa, kHa, std::nullopt);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(receiver.on_packet(packet, kHa, clock_.now()).has_value());
  }
  EXPECT_EQ(receiver.take_replies().size(), 3U);
  EXPECT_EQ(receiver.counters().get(MhReceiverCounter::ErrorReplyRateLimited), 7U);
  EXPECT_EQ(receiver.counters().get(MhReceiverCounter::DropUnknownMhType), 10U);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_FALSE(receiver.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver.take_replies().size(), 1U);
}

// Checks a Parameter Problem reply: code 0, the pointer, and the invoking packet quoted.
void expect_parameter_problem(const mip6::engine::SendIpv6Packet& reply,
                              const std::vector<std::uint8_t>& invoking, std::uint32_t pointer) {
  auto ip = wire::decode_ipv6_packet(reply.packet);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->upper_protocol, wire::kIpProtoIcmpv6);
  EXPECT_EQ(wire::pseudo_header_checksum(ip->header.source, ip->header.destination,
                                         wire::kIpProtoIcmpv6, ip->upper),
            0);
  ASSERT_GE(ip->upper.size(), 8 + invoking.size());
  EXPECT_EQ(ip->upper[0], 4);  // Parameter Problem
  EXPECT_EQ(ip->upper[1], 0);  // erroneous header field
  const std::uint32_t got = (std::uint32_t{ip->upper[4]} << 24) |
                            (std::uint32_t{ip->upper[5]} << 16) |
                            (std::uint32_t{ip->upper[6]} << 8) | ip->upper[7];
  EXPECT_EQ(got, pointer);
  EXPECT_TRUE(std::equal(invoking.begin(), invoking.end(), ip->upper.begin() + 8));
}

TEST_F(MhReceiverTest, R6275_08_PayloadProtoNotNoneGetsParameterProblemAtTheField) {
  auto mh = bu_mh();
  mh[0] = 6;  // TCP
  const auto packet = packet_with(mh, kCoa, kHa, kHoa);
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::PayloadProtoNotNone);
  const auto replies = receiver_.take_replies();
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0].destination, kCoa);
  // 40 (IPv6) + 24 (Destination Options with the HAO) = the MH's offset.
  expect_parameter_problem(replies[0], packet, 64);
}

TEST_F(MhReceiverTest, R6275_09_HeaderLenTooShortGetsParameterProblemAtHeaderLen) {
  std::vector<std::uint8_t> mh(8, 0);  // a BU needs 12 octets of fixed part; this has 8
  mh[0] = wire::kIpProtoNone;
  mh[1] = 0;
  mh[2] = static_cast<std::uint8_t>(wire::MhType::BindingUpdate);
  const auto packet = packet_with(mh, kCoa, kHa, std::nullopt);
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::HeaderLenTooShort);
  const auto replies = receiver_.take_replies();
  ASSERT_EQ(replies.size(), 1U);
  expect_parameter_problem(replies[0], packet, 41);
}

TEST_F(MhReceiverTest, R6275_05_HaoOnlyOnBindingUpdatesAndRh2OnlyOnAcks) {
  EXPECT_FALSE(
      receiver_.on_packet(packet_with(ba_mh(), kHa, kCoa, kHoa), kCoa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::HaoOnNonBu);
  EXPECT_FALSE(
      receiver_.on_packet(packet_with(bu_mh(), kCoa, kHa, std::nullopt, kHoa), kHa, clock_.now())
          .has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::Rh2OnNonBa);
  EXPECT_TRUE(receiver_.take_replies().empty());
}

TEST_F(MhReceiverTest, MalformedOptionsAreDroppedWithTheDecoderReason) {
  // An Alternate CoA option at offset 12 (needs 8n+6): no padding in front of it.
  std::vector<std::uint8_t> mh = {wire::kIpProtoNone, 3, 5, 0, 0, 0, 0, 7, 0xc0, 0, 0, 100, 3, 16};
  mh.insert(mh.end(), kCoa.bytes().begin(), kCoa.bytes().end());
  mh.insert(mh.end(), {0, 0});  // PadN length 0 to reach 32 octets
  ASSERT_EQ(mh.size(), 32U);
  const auto packet = packet_with(mh, kCoa, kHa, kHoa);
  EXPECT_FALSE(receiver_.on_packet(packet, kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::MalformedMessage);
  ASSERT_TRUE(receiver_.last_parse_error().has_value());
  EXPECT_EQ(receiver_.last_parse_error()->code, wire::ParseErrc::OptionMisaligned);
  EXPECT_TRUE(receiver_.take_replies().empty());
}

TEST_F(MhReceiverTest, TruncatedAndForeignPacketsAreCountedDrops) {
  const auto packet = packet_with(bu_mh(), kCoa, kHa, kHoa);
  for (std::size_t n = 0; n < packet.size(); ++n) {
    const std::span<const std::uint8_t> prefix(packet.data(), n);
    EXPECT_FALSE(receiver_.on_packet(prefix, kHa, clock_.now()).has_value()) << n;
    EXPECT_EQ(receiver_.last_drop(), MhDrop::MalformedIpv6) << n;
  }
  wire::Ipv6Build b;
  b.source = kCoa;
  b.destination = kHa;
  const std::vector<std::uint8_t> udp(8, 0);
  EXPECT_FALSE(
      receiver_.on_packet(wire::encode_ipv6_packet(b, 17, udp), kHa, clock_.now()).has_value());
  EXPECT_EQ(receiver_.last_drop(), MhDrop::NotMobilityHeader);
  EXPECT_EQ(receiver_.counters().get(MhReceiverCounter::DropMalformedIpv6), packet.size());
  EXPECT_EQ(receiver_.counters().get(MhReceiverCounter::Accepted), 0U);
}

}  // namespace
