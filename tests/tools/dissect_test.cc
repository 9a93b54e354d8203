// mip6-dissect, in process: the JSON of every message type, malformed input, the pcap reader
// and writer (every supported link type), and every failure path of the command line.
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ike/base/hex.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"
#include "mip6/wire/mobility_options.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/dissect_cli.h"
#include "tools/mip6-dissect/pcap_io.h"
#include "tests/support/scratch_dir.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;
namespace w = mip6::wire;
using Bytes = std::vector<std::uint8_t>;

base::Ip6Addr ip(const char* text) { return *base::Ip6Addr::parse(text); }

const base::Ip6Addr kHa = ip("2001:db8:1::1");
const base::Ip6Addr kHa2 = ip("2001:db8:1::2");
const base::Ip6Addr kHoa = ip("2001:db8:1::100");
const base::Ip6Addr kCoa = ip("2001:db8:2::100");
const base::Ip6Addr kCn = ip("2001:db8:3::1");

// MH checksum pseudo-header: HoA from the HAO as source, RH2 HoA as destination (6.1.1).
Bytes mh_packet(const w::Ipv6Build& b, w::MobilityMessage message) {
  w::MobilityHeader mh;
  mh.message = std::move(message);
  const auto src = b.home_address_option ? b.home_address_option->home_address : b.source;
  const auto dst = b.type2_home_address ? *b.type2_home_address : b.destination;
  const Bytes bytes = w::encode_mobility_header(mh, src, dst);
  return w::encode_ipv6_packet(b, w::kIpProtoMobility, bytes);
}

Bytes icmp_packet(const w::Ipv6Build& b, w::Icmpv6Message message) {
  w::Icmpv6Packet p;
  p.message = std::move(message);
  const auto src = b.home_address_option ? b.home_address_option->home_address : b.source;
  const auto dst = b.type2_home_address ? *b.type2_home_address : b.destination;
  return w::encode_ipv6_packet(b, w::kIpProtoIcmpv6, w::encode_icmpv6(p, src, dst));
}

const w::Ipv6Build kAway{kCoa, kHa, 64, w::HomeAddressOption{kHoa}, {}};
const w::Ipv6Build kToMn{kHa, kCoa, 64, {}, kHoa};

w::BindingUpdate home_bu() {
  w::BindingUpdate bu;
  bu.sequence = 4242;
  bu.ack = true;
  bu.home_registration = true;
  bu.key_mgmt_mobility = true;
  bu.lifetime = 150;
  w::append_aligned(bu.options, 12, w::AlternateCareOfAddressOption{kCoa});
  return bu;
}

// Options of a dissected MH or ICMPv6 message, without padding.
std::vector<json> non_padding(const json& options) {
  std::vector<json> out;
  for (const auto& o : options) {
    if (o.at("type") != 0 && o.at("type") != 1) {
      out.push_back(o);
    }
  }
  return out;
}

// ---- Mobility Header messages ----

TEST(DissectMh, R6275_04_HomeRegistrationBuWithHaoAndAlternateCoa) {
  const json j = dissect_ipv6(mh_packet(kAway, home_bu()));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ipv6"]["source"], "2001:db8:2::100");
  EXPECT_EQ(j["ipv6"]["destination"], "2001:db8:1::1");
  EXPECT_EQ(j["ipv6"]["next_header"], w::kIpProtoDestOpts);
  EXPECT_EQ(j["ipv6"]["hao"]["home_address"], "2001:db8:1::100");
  EXPECT_TRUE(j["ipv6"]["rh2"].is_null());
  EXPECT_EQ(j["ipv6"]["upper_protocol"], 135);
  EXPECT_EQ(j["ipv6"]["upper_offset"], 64);  // 40 + 24-octet Destination Options header
  const json& mh = j["mh"];
  EXPECT_EQ(mh["offset"], 64);
  EXPECT_EQ(mh["type"], 5);
  EXPECT_EQ(mh["type_name"], std::string(w::to_string(w::MhType::BindingUpdate)));
  EXPECT_EQ(mh["payload_proto"], 59);
  EXPECT_EQ(mh["header_len"], 3);
  EXPECT_EQ(mh["length"], 32);
  // The checksum verifies only with the home address as pseudo-header source (R6275-04).
  EXPECT_EQ(mh["checksum_ok"], true);
  EXPECT_EQ(mh["checksum_expected"], mh["checksum"]);
  EXPECT_EQ(mh["pseudo_header"]["source"], "2001:db8:1::100");
  EXPECT_EQ(mh["pseudo_header"]["destination"], "2001:db8:1::1");
  const json& m = mh["message"];
  EXPECT_EQ(m["sequence"], 4242);
  EXPECT_EQ(m["flags"], (json{{"A", true}, {"H", true}, {"L", false}, {"K", true}}));
  EXPECT_EQ(m["other_flags"], 0);
  EXPECT_EQ(m["lifetime"], 150);
  EXPECT_EQ(m["lifetime_seconds"], 600);  // 4-second units (6.1.7)
  // PadN at MH offset 12, Alternate CoA at 14 = 8n+6 (6.1.7 worked example).
  ASSERT_EQ(mh["options"].size(), 2u);
  EXPECT_EQ(mh["options"][0]["type"], 1);
  EXPECT_EQ(mh["options"][0]["layer_offset"], 12);
  EXPECT_EQ(mh["options"][0]["offset"], 76);
  EXPECT_EQ(mh["options"][0]["length"], 0);
  EXPECT_EQ(mh["options"][1]["type"], 3);
  EXPECT_EQ(mh["options"][1]["name"],
            std::string(w::to_string(w::MobilityOptionType::AlternateCareOfAddress)));
  EXPECT_EQ(mh["options"][1]["layer_offset"], 14);
  EXPECT_EQ(mh["options"][1]["length"], 16);
  EXPECT_EQ(mh["options"][1]["address"], "2001:db8:2::100");
}

TEST(DissectMh, BuToCorrespondentWithNonceIndicesAndAuthData) {
  w::BindingUpdate bu;
  bu.sequence = 7;
  bu.link_local_compat = true;
  bu.lifetime = 100;
  w::append_aligned(bu.options, 12, w::NonceIndicesOption{0x1111, 0x2222});
  w::append_aligned(bu.options, 12,
                    w::BindingAuthorizationDataOption{Bytes(12, 0xab)});
  const json j = dissect_ipv6(mh_packet({kCoa, kCn, 64, w::HomeAddressOption{kHoa}, {}}, bu));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["message"]["flags"]["L"], true);
  EXPECT_EQ(j["mh"]["message"]["flags"]["A"], false);
  const auto opts = non_padding(j["mh"]["options"]);
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts[0]["home_nonce_index"], 0x1111);
  EXPECT_EQ(opts[0]["care_of_nonce_index"], 0x2222);
  EXPECT_EQ(opts[1]["type"], 5);
  EXPECT_EQ(opts[1]["authenticator"], "abababababababababababab");
  EXPECT_EQ(opts[1]["layer_offset"].get<int>() % 8, 2);  // 8n+2 (6.2.7)
}

TEST(DissectMh, R5026_29_DnsUpdateOptionInBuAndBa) {
  w::BindingUpdate bu = home_bu();
  w::DnsUpdateOption dns;
  dns.mn_identity = "mn1.example.com";
  bu.options.push_back(dns);
  json j = dissect_ipv6(mh_packet(kAway, bu));
  ASSERT_FALSE(is_error(j)) << j.dump();
  auto opts = non_padding(j["mh"]["options"]);
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts[1]["type"], 17);
  EXPECT_EQ(opts[1]["status"], 0);
  EXPECT_EQ(opts[1]["success"], true);
  EXPECT_EQ(opts[1]["flags"]["R"], false);
  EXPECT_EQ(opts[1]["length"], 2 + 15);  // Status, R/Reserved, FQDN (RFC 5026 8.1)
  EXPECT_EQ(opts[1]["mn_identity"], "mn1.example.com");

  // covers: R5026-30 (>= 128 is a failure)
  w::BindingAck ba;
  ba.sequence = 4242;
  dns.status = 130;
  dns.remove = true;
  ba.options.push_back(dns);
  j = dissect_ipv6(mh_packet(kToMn, ba));
  ASSERT_FALSE(is_error(j)) << j.dump();
  opts = non_padding(j["mh"]["options"]);
  ASSERT_EQ(opts.size(), 1u);
  EXPECT_EQ(opts[0]["status"], 130);
  EXPECT_EQ(opts[0]["status_name"],
            std::string(w::to_string(w::DnsUpdateStatus::DnsUpdateFailed)));
  EXPECT_EQ(opts[0]["success"], false);
  EXPECT_EQ(opts[0]["flags"]["R"], true);
}

TEST(DissectMh, NonPrintableDnsIdentityIsHexNotInvalidJson) {
  w::BindingUpdate bu = home_bu();
  w::DnsUpdateOption dns;
  dns.mn_identity = std::string("a\xff\x00z", 4);
  bu.options.push_back(dns);
  const json j = dissect_ipv6(mh_packet(kAway, bu));
  ASSERT_FALSE(is_error(j)) << dump_line(j);
  const auto opts = non_padding(j["mh"]["options"]);
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_TRUE(opts[1]["mn_identity"].is_null());
  EXPECT_EQ(opts[1]["mn_identity_hex"], "61ff007a");
  EXPECT_NO_THROW((void)dump_line(j));
}

TEST(DissectMh, R6275_10_UnknownOptionKeptWithOffsets) {
  w::BindingUpdate bu;
  bu.home_registration = true;
  bu.options.push_back(w::UnknownMobilityOption{42, {0xde, 0xad, 0xbe}});
  w::append_aligned(bu.options, 12, w::AlternateCareOfAddressOption{kCoa});
  const json j = dissect_ipv6(mh_packet(kAway, bu));
  ASSERT_FALSE(is_error(j)) << j.dump();
  const json& opts = j["mh"]["options"];
  ASSERT_GE(opts.size(), 3u);
  EXPECT_EQ(opts[0]["type"], 42);
  EXPECT_EQ(opts[0]["name"], "unknown");
  EXPECT_EQ(opts[0]["data"], "deadbe");
  EXPECT_EQ(opts[0]["layer_offset"], 12);
  EXPECT_EQ(opts[1]["type"], 1);  // PadN up to 8n+6
  EXPECT_EQ(opts[1]["layer_offset"], 17);
  EXPECT_EQ(opts[2]["type"], 3);
  EXPECT_EQ(opts[2]["layer_offset"], 22);
}

TEST(DissectMh, R6275_41_BaWithType2RhAndRefreshAdvice) {
  w::BindingAck ba;
  ba.key_mgmt_mobility = true;
  ba.sequence = 4242;
  ba.lifetime = 150;
  w::append_aligned(ba.options, 12, w::BindingRefreshAdviceOption{100});
  const json j = dissect_ipv6(mh_packet(kToMn, ba));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ipv6"]["rh2"]["home_address"], "2001:db8:1::100");
  EXPECT_EQ(j["ipv6"]["rh2"]["next_header"], 135);
  EXPECT_TRUE(j["ipv6"]["hao"].is_null());
  const json& mh = j["mh"];
  // Pseudo-header destination is the final destination, the HoA in the RH2 (6.1.1).
  EXPECT_EQ(mh["pseudo_header"]["destination"], "2001:db8:1::100");
  EXPECT_EQ(mh["checksum_ok"], true);
  EXPECT_EQ(mh["type"], 6);
  EXPECT_EQ(mh["message"]["status"], 0);
  EXPECT_EQ(mh["message"]["status_name"], std::string(w::to_string(w::BaStatus::Accepted)));
  EXPECT_EQ(mh["message"]["accepted"], true);
  EXPECT_EQ(mh["message"]["flags"]["K"], true);
  EXPECT_EQ(mh["message"]["sequence"], 4242);
  EXPECT_EQ(mh["message"]["lifetime_seconds"], 600);
  const auto opts = non_padding(mh["options"]);
  ASSERT_EQ(opts.size(), 1u);
  EXPECT_EQ(opts[0]["refresh_interval"], 100);
  EXPECT_EQ(opts[0]["refresh_interval_seconds"], 400);
}

TEST(DissectMh, R6275_24_Ba135IsNotAccepted) {
  w::BindingAck ba;
  ba.status = w::BaStatus::SequenceNumberOutOfWindow;
  ba.sequence = 17;
  const json j = dissect_ipv6(mh_packet(kToMn, ba));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["message"]["status"], 135);
  EXPECT_EQ(j["mh"]["message"]["accepted"], false);
  EXPECT_EQ(j["mh"]["message"]["sequence"], 17);
}

TEST(DissectMh, R6275_73_BindingError) {
  w::BindingError be;
  be.status = w::BeStatus::UnrecognizedMhType;
  be.home_address = kHoa;
  const json j = dissect_ipv6(mh_packet({kCn, kCoa, 64, {}, {}}, be));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["type"], 7);
  EXPECT_EQ(j["mh"]["header_len"], 2);
  EXPECT_EQ(j["mh"]["message"]["status"], 2);
  EXPECT_EQ(j["mh"]["message"]["status_name"],
            std::string(w::to_string(w::BeStatus::UnrecognizedMhType)));
  EXPECT_EQ(j["mh"]["message"]["home_address"], "2001:db8:1::100");
}

TEST(DissectMh, BrrAndReturnRoutabilityMessages) {
  json j = dissect_ipv6(mh_packet({kCn, kCoa, 64, {}, {}}, w::BindingRefreshRequest{}));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["type"], 0);
  EXPECT_EQ(j["mh"]["header_len"], 0);
  EXPECT_TRUE(j["mh"]["options"].empty());

  w::HomeTestInit hoti;
  hoti.init_cookie = {1, 2, 3, 4, 5, 6, 7, 8};
  j = dissect_ipv6(mh_packet({kHoa, kCn, 64, {}, {}}, hoti));
  EXPECT_EQ(j["mh"]["type"], 1);
  EXPECT_EQ(j["mh"]["message"]["init_cookie"], "0102030405060708");

  w::CareOfTestInit coti;
  coti.init_cookie = {8, 7, 6, 5, 4, 3, 2, 1};
  j = dissect_ipv6(mh_packet({kCoa, kCn, 64, {}, {}}, coti));
  EXPECT_EQ(j["mh"]["type"], 2);
  EXPECT_EQ(j["mh"]["message"]["init_cookie"], "0807060504030201");

  w::HomeTest hot;
  hot.nonce_index = 9;
  hot.keygen_token = {0xff, 0, 0, 0, 0, 0, 0, 1};
  j = dissect_ipv6(mh_packet({kCn, kHoa, 64, {}, {}}, hot));
  EXPECT_EQ(j["mh"]["type"], 3);
  EXPECT_EQ(j["mh"]["message"]["nonce_index"], 9);
  EXPECT_EQ(j["mh"]["message"]["keygen_token"], "ff00000000000001");

  w::CareOfTest cot;
  cot.nonce_index = 10;
  j = dissect_ipv6(mh_packet({kCn, kCoa, 64, {}, {}}, cot));
  EXPECT_EQ(j["mh"]["type"], 4);
  EXPECT_EQ(j["mh"]["message"]["nonce_index"], 10);
  EXPECT_EQ(j["mh"]["checksum_ok"], true);
}

TEST(DissectMh, R5142_05_HomeAgentSwitchWithoutAddresses) {
  const json j = dissect_ipv6(mh_packet({kHa, kCoa, 64, {}, {}}, w::HomeAgentSwitch{}));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["type"], 12);
  EXPECT_EQ(j["mh"]["header_len"], 0);
  EXPECT_EQ(j["mh"]["length"], 8);
  EXPECT_EQ(j["mh"]["message"]["address_count"], 0);
  EXPECT_TRUE(j["mh"]["message"]["home_agents"].empty());
  EXPECT_TRUE(j["mh"]["options"].empty());
  EXPECT_EQ(j["mh"]["checksum_ok"], true);
}

TEST(DissectMh, R5142_01_HomeAgentSwitchWithAddressesAndRefreshAdvice) {
  w::HomeAgentSwitch has;
  has.home_agents = {kHa2, kHa};
  w::append_aligned(has.options, 40, w::BindingRefreshAdviceOption{30});
  const json j = dissect_ipv6(mh_packet({kHa, kCoa, 64, {}, {}}, has));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["message"]["address_count"], 2);
  EXPECT_EQ(j["mh"]["message"]["home_agents"], (json{"2001:db8:1::2", "2001:db8:1::1"}));
  const auto opts = non_padding(j["mh"]["options"]);
  ASSERT_EQ(opts.size(), 1u);
  EXPECT_EQ(opts[0]["layer_offset"], 40);  // options begin after 8 + 16N octets
  EXPECT_EQ(opts[0]["refresh_interval_seconds"], 120);
}

TEST(DissectMh, R6275_06_CorruptedChecksumReportedWithExpectedValue) {
  Bytes p = mh_packet(kAway, home_bu());
  const json good = dissect_ipv6(p);
  p.back() ^= 0x01;  // last octet of the Alternate CoA
  const json j = dissect_ipv6(p);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["checksum_ok"], false);
  EXPECT_EQ(j["mh"]["checksum"], good["mh"]["checksum"]);
  EXPECT_NE(j["mh"]["checksum_expected"], j["mh"]["checksum"]);
}

TEST(DissectMh, ChecksumWithPlainSourceFailsWhenHaoPresent) {
  // A BU whose checksum was computed over the care-of address (the scapy 2.5 mistake) must
  // not verify: the HAO address is the pseudo-header source (R6275-04).
  w::MobilityHeader mh;
  mh.message = home_bu();
  const Bytes bytes = w::encode_mobility_header(mh, kCoa, kHa);
  const json j = dissect_ipv6(w::encode_ipv6_packet(kAway, w::kIpProtoMobility, bytes));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["mh"]["checksum_ok"], false);
}

TEST(DissectMh, BareMobilityHeaderWithAndWithoutPseudoHeader) {
  w::MobilityHeader mh;
  mh.message = home_bu();
  const Bytes bytes = w::encode_mobility_header(mh, kHoa, kHa);
  json j = dissect(bytes, InputKind::MobilityHeader);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["input"], "mobility_header");
  EXPECT_TRUE(j["mh"]["checksum_ok"].is_null());
  EXPECT_EQ(j["mh"]["offset"], 0);
  EXPECT_EQ(j["mh"]["options"][1]["offset"], 14);
  j = dissect(bytes, InputKind::MobilityHeader, PseudoHeader{kHoa, kHa});
  EXPECT_EQ(j["mh"]["checksum_ok"], true);
  j = dissect(bytes, InputKind::MobilityHeader, PseudoHeader{kCoa, kHa});
  EXPECT_EQ(j["mh"]["checksum_ok"], false);
  // Auto: first octet 59 is a bare MH.
  j = dissect(bytes, InputKind::Auto);
  EXPECT_EQ(j["input"], "mobility_header");
  EXPECT_EQ(j["mh"]["type"], 5);
}

// ---- ICMPv6 ----

TEST(DissectIcmpv6, DhaadRequestAndReply) {
  json j = dissect_ipv6(icmp_packet({kCoa, kHa, 64, {}, {}}, w::DhaadRequest{0x1234, 0}));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["icmpv6"]["type"], 144);
  EXPECT_EQ(j["icmpv6"]["type_name"], std::string(w::to_string(w::Icmpv6Type::DhaadRequest)));
  EXPECT_EQ(j["icmpv6"]["code"], 0);
  EXPECT_EQ(j["icmpv6"]["checksum_ok"], true);
  EXPECT_EQ(j["icmpv6"]["message"]["identifier"], 0x1234);

  j = dissect_ipv6(icmp_packet({kHa, kCoa, 64, {}, {}}, w::DhaadReply{0x1234, 0, {kHa, kHa2}}));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["icmpv6"]["type"], 145);
  EXPECT_EQ(j["icmpv6"]["message"]["home_agents"], (json{"2001:db8:1::1", "2001:db8:1::2"}));
}

TEST(DissectIcmpv6, MobilePrefixSolicitationChecksumUsesHao) {
  const json j = dissect_ipv6(icmp_packet(kAway, w::MobilePrefixSolicitation{7, 0}));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["icmpv6"]["type"], 146);
  EXPECT_EQ(j["icmpv6"]["pseudo_header"]["source"], "2001:db8:1::100");
  EXPECT_EQ(j["icmpv6"]["checksum_ok"], true);
  EXPECT_EQ(j["icmpv6"]["message"]["identifier"], 7);
}

TEST(DissectIcmpv6, MobilePrefixAdvertisementWithPrefixAndRh2) {
  w::MobilePrefixAdvertisement mpa;
  mpa.identifier = 7;
  mpa.managed = true;
  w::PrefixInformationOption pio;
  pio.prefix_length = 64;
  pio.on_link = true;
  pio.autonomous = true;
  pio.valid_lifetime = 86400;
  pio.preferred_lifetime = 14400;
  pio.prefix = ip("2001:db8:1::");
  mpa.options.push_back(pio);
  const json j = dissect_ipv6(icmp_packet(kToMn, mpa));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["icmpv6"]["pseudo_header"]["destination"], "2001:db8:1::100");
  EXPECT_EQ(j["icmpv6"]["checksum_ok"], true);
  EXPECT_EQ(j["icmpv6"]["message"]["flags"], (json{{"M", true}, {"O", false}}));
  ASSERT_EQ(j["icmpv6"]["options"].size(), 1u);
  const json& o = j["icmpv6"]["options"][0];
  EXPECT_EQ(o["type"], 3);
  EXPECT_EQ(o["layer_offset"], 8);
  EXPECT_EQ(o["length"], 4);
  EXPECT_EQ(o["prefix"], "2001:db8:1::");
  EXPECT_EQ(o["valid_lifetime"], 86400);
  EXPECT_EQ(o["flags"]["R"], false);
}

TEST(DissectIcmpv6, R6275_66_68_RouterAdvertisementFromHomeAgent) {
  w::RouterAdvertisement ra;
  ra.cur_hop_limit = 64;
  ra.home_agent = true;
  ra.router_lifetime = 1800;
  ra.options.push_back(w::SourceLinkLayerAddressOption{{2, 0, 0, 0, 0, 1}});
  w::PrefixInformationOption pio;
  pio.prefix_length = 64;
  pio.on_link = true;
  pio.router_address = true;
  pio.prefix = kHa;
  ra.options.push_back(pio);
  ra.options.push_back(w::AdvertisementIntervalOption{0, 1000});
  ra.options.push_back(w::HomeAgentInformationOption{0, 10, 1800});
  ra.options.push_back(w::MtuOption{0, 1500});
  ra.options.push_back(w::UnknownNdOption{200, {1, 2, 3, 4, 5, 6}});
  const json j = dissect_ipv6(icmp_packet({ip("fe80::1"), ip("ff02::1"), 255, {}, {}}, ra));
  ASSERT_FALSE(is_error(j)) << j.dump();
  const json& icmp = j["icmpv6"];
  EXPECT_EQ(icmp["type"], 134);
  EXPECT_EQ(icmp["checksum_ok"], true);
  EXPECT_EQ(icmp["message"]["flags"], (json{{"M", false}, {"O", false}, {"H", true}}));
  EXPECT_EQ(icmp["message"]["router_lifetime"], 1800);
  const json& o = icmp["options"];
  ASSERT_EQ(o.size(), 6u);
  EXPECT_EQ(o[0]["address"], "02:00:00:00:00:01");
  EXPECT_EQ(o[0]["layer_offset"], 16);
  EXPECT_EQ(o[1]["flags"]["R"], true);
  EXPECT_EQ(o[1]["prefix"], "2001:db8:1::1");
  EXPECT_EQ(o[1]["layer_offset"], 24);
  EXPECT_EQ(o[2]["interval_ms"], 1000);
  EXPECT_EQ(o[3]["type"], 8);
  EXPECT_EQ(o[3]["preference"], 10);
  EXPECT_EQ(o[3]["lifetime"], 1800);  // seconds (7.4)
  EXPECT_EQ(o[4]["mtu"], 1500);
  EXPECT_EQ(o[5]["name"], "unknown");
  EXPECT_EQ(o[5]["data"], "010203040506");
  EXPECT_EQ(o[5]["layer_offset"], 80);  // 16 + 8 + 32 + 8 + 8 + 8
}

TEST(DissectIcmpv6, BareIcmpv6AndNonMobilityTypes) {
  w::Icmpv6Packet p;
  p.message = w::DhaadRequest{1, 0};
  const Bytes bytes = w::encode_icmpv6(p, kCoa, kHa);
  json j = dissect(bytes, InputKind::Icmpv6);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_TRUE(j["icmpv6"]["checksum_ok"].is_null());
  EXPECT_EQ(dissect(bytes, InputKind::Icmpv6, PseudoHeader{kCoa, kHa})["icmpv6"]["checksum_ok"],
            true);
  EXPECT_EQ(dissect(bytes, InputKind::Auto)["input"], "icmpv6");
  // Echo Request: not a Mobile IPv6 message.
  const Bytes echo{128, 0, 0, 0, 0, 1, 0, 1};
  j = dissect(echo, InputKind::Icmpv6);
  EXPECT_FALSE(is_error(j));
  EXPECT_THAT(j["skipped"].get<std::string>(), ::testing::HasSubstr("128"));
  j = dissect_ipv6(w::encode_ipv6_packet({kCoa, kHa, 64, {}, {}}, w::kIpProtoIcmpv6, echo));
  EXPECT_FALSE(is_error(j));
  EXPECT_TRUE(j.contains("skipped"));
}

// ---- Other upper layers ----

TEST(DissectIpv6, OtherUpperLayersAreSkipped) {
  const Bytes udp{0x14, 0xe9, 0x00, 0x35, 0, 8, 0, 0};  // 5353 -> 53: not IKE (500/4500)
  json j = dissect_ipv6(w::encode_ipv6_packet({kCoa, kHa, 64, {}, {}}, 17, udp));
  EXPECT_FALSE(is_error(j));
  EXPECT_EQ(j["ipv6"]["upper_protocol_name"], "udp");
  EXPECT_THAT(j["skipped"].get<std::string>(), ::testing::HasSubstr("udp"));

  const Bytes esp{0, 0, 0x10, 0x01, 0, 0, 0, 5, 0xaa, 0xbb};
  j = dissect_ipv6(w::encode_ipv6_packet({kCoa, kHa, 64, {}, {}}, w::kIpProtoEsp, esp));
  EXPECT_FALSE(is_error(j));
  EXPECT_EQ(j["esp"]["spi"], 0x1001);
  EXPECT_EQ(j["esp"]["sequence"], 5);
}

TEST(DissectIpv6, FragmentsAreNotDissectedAsMessages) {
  const Bytes tail{1, 2, 3, 4, 5, 6, 7, 8};
  // A later fragment (offset 8 octets, M = 0): its data is the middle of an MH.
  Bytes later{w::kIpProtoMobility, 0, 0x00, 0x08, 0, 0, 0, 42};
  later.insert(later.end(), tail.begin(), tail.end());
  json j = dissect_ipv6(w::encode_ipv6_packet({kCoa, kHa, 64, {}, {}}, w::kIpProtoFragment, later));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ipv6"]["fragment"]["offset"], 8);
  EXPECT_EQ(j["ipv6"]["fragment"]["more_fragments"], false);
  EXPECT_EQ(j["ipv6"]["fragment"]["identification"], 42);
  EXPECT_TRUE(j.contains("skipped"));
  EXPECT_FALSE(j.contains("mh"));
  // A first fragment (offset 0, M = 1): the MH is incomplete, so it is not decoded either.
  Bytes first{w::kIpProtoMobility, 0, 0x00, 0x01, 0, 0, 0, 43};
  const Bytes mh_start{59, 3, 5, 0, 0, 0, 0, 1};
  first.insert(first.end(), mh_start.begin(), mh_start.end());
  j = dissect_ipv6(w::encode_ipv6_packet({kCoa, kHa, 64, {}, {}}, w::kIpProtoFragment, first));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ipv6"]["fragment"]["more_fragments"], true);
  EXPECT_EQ(j["ipv6"]["fragment"]["identification"], 43);
  EXPECT_TRUE(j.contains("skipped"));
  EXPECT_FALSE(j.contains("mh"));
}

// ---- Malformed input ----

TEST(DissectMalformed, EveryPrefixOfABuIsAnErrorNeverACrash) {
  const Bytes p = mh_packet(kAway, home_bu());
  for (std::size_t n = 0; n < p.size(); ++n) {
    const json j = dissect_ipv6(std::span(p.data(), n));
    ASSERT_TRUE(is_error(j)) << "prefix " << n << ": " << j.dump();
    EXPECT_FALSE(j["error"].get<std::string>().empty());
    EXPECT_LE(j["offset"].get<std::size_t>(), n) << n;
    EXPECT_TRUE(j["layer"] == "ipv6" || j["layer"] == "mh") << j.dump();
  }
}

TEST(DissectMalformed, TruncatedIpv6HeaderNamesTheLayer) {
  const Bytes p = mh_packet(kAway, home_bu());
  const json j = dissect_ipv6(std::span(p.data(), 20));
  EXPECT_EQ(j["error"], std::string(w::to_string(w::ParseErrc::Truncated)));
  EXPECT_EQ(j["layer"], "ipv6");
}

TEST(DissectMalformed, R6275_08_PayloadProtoNotNone) {
  Bytes p = mh_packet({kCn, kCoa, 64, {}, {}}, w::BindingRefreshRequest{});
  p[40] = 6;  // Payload Proto at MH offset 0
  const json j = dissect_ipv6(p);
  EXPECT_EQ(j["error"], std::string(w::to_string(w::ParseErrc::PayloadProtoNotNone)));
  EXPECT_EQ(j["layer"], "mh");
  EXPECT_EQ(j["layer_offset"], 0);
  EXPECT_EQ(j["offset"], 40);
  EXPECT_EQ(j["ipv6"]["upper_protocol"], 135);  // what decoded before the failure stays
  EXPECT_EQ(j["mh"]["payload_proto"], 6);
}

TEST(DissectMalformed, R6275_07_UnknownMhType) {
  Bytes p = mh_packet({kCn, kCoa, 64, {}, {}}, w::BindingRefreshRequest{});
  p[42] = 99;  // MH Type
  const json j = dissect_ipv6(p);
  EXPECT_EQ(j["error"], std::string(w::to_string(w::ParseErrc::UnknownMhType)));
  EXPECT_EQ(j["offset"], 42);
  EXPECT_EQ(j["mh"]["type"], 99);
}

TEST(DissectMalformed, R6275_09_HeaderLenTooShortForBu) {
  // A BU whose Header Len says 0 (8 octets): shorter than the 12-octet fixed part.
  Bytes mh{59, 0, 5, 0, 0, 0, 0, 1};
  const json j = dissect(mh, InputKind::MobilityHeader);
  EXPECT_EQ(j["error"], std::string(w::to_string(w::ParseErrc::HeaderLenTooShort)));
  EXPECT_EQ(j["layer"], "mh");
}

TEST(DissectMalformed, NotIpv6AndBadIcmpCode) {
  Bytes p = mh_packet({kCn, kCoa, 64, {}, {}}, w::BindingRefreshRequest{});
  p[0] = 0x45;
  json j = dissect(p, InputKind::Ipv6);
  EXPECT_EQ(j["error"], std::string(w::to_string(w::ParseErrc::NotIpv6)));
  EXPECT_EQ(j["offset"], 0);
  EXPECT_EQ(j["ipv6"]["version"], 4);

  w::Icmpv6Packet icmp;
  icmp.message = w::DhaadRequest{1, 0};
  Bytes bytes = w::encode_icmpv6(icmp, kCoa, kHa);
  bytes[1] = 1;  // code must be 0
  j = dissect(bytes, InputKind::Icmpv6);
  EXPECT_EQ(j["error"], std::string(w::to_string(w::ParseErrc::BadIcmpCode)));
  EXPECT_EQ(j["layer"], "icmpv6");
}

TEST(DissectMalformed, EmptyInputIsAnError) {
  EXPECT_TRUE(is_error(dissect(Bytes{}, InputKind::Ipv6)));
  EXPECT_TRUE(is_error(dissect(Bytes{}, InputKind::MobilityHeader)));
  EXPECT_TRUE(is_error(dissect(Bytes{}, InputKind::Icmpv6)));
  EXPECT_TRUE(is_error(dissect(Bytes{}, InputKind::Auto)));
}

TEST(DissectMalformed, MutatedPacketsNeverThrow) {
  // Deterministic mutations of valid packets of every kind; dissection and serialisation
  // must never throw or crash (run under ASan/UBSan in the sanitizer build).
  std::vector<Bytes> seeds{
      mh_packet(kAway, home_bu()),
      mh_packet(kToMn, w::BindingAck{}),
      mh_packet({kHa, kCoa, 64, {}, {}}, w::HomeAgentSwitch{0, {kHa2}, {}}),
      icmp_packet({kHa, kCoa, 64, {}, {}}, w::DhaadReply{1, 0, {kHa}}),
      icmp_packet({ip("fe80::1"), ip("ff02::1"), 255, {}, {}},
                  w::RouterAdvertisement{64, false, false, true, 0, 1800, 0, 0,
                                         {w::HomeAgentInformationOption{0, 1, 2}}}),
  };
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    Bytes p = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int flips = 1 + static_cast<int>(next() % 4);
    for (int k = 0; k < flips; ++k) {
      p[next() % p.size()] = static_cast<std::uint8_t>(next());
    }
    json j;
    ASSERT_NO_THROW(j = dissect(p, InputKind::Auto));
    ASSERT_NO_THROW((void)dump_line(j));
    errors += is_error(j) ? 1 : 0;
  }
  EXPECT_GT(errors, 0);  // the mutations do reach the error paths
}

// ---- Command line ----

struct CliResult {
  int rc;
  std::string out;
  std::string err;
};

CliResult run(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int rc = run_cli(args, in, out, err);
  return {rc, out.str(), err.str()};
}

json parse_array(const std::string& s) { return json::parse(s); }

class DissectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scratch_.ok());
  }
  std::string path(const std::string& name) { return scratch_.path(name); }
  void write_file(const std::string& p, const Bytes& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  }

  test::ScratchDir scratch_{"mip6-dissect"};
};

TEST_F(DissectCli, HexLinesWithCommentsColonsAndBlankLines) {
  const std::string bu = base::to_hex(mh_packet(kAway, home_bu()));
  std::string colons;
  for (std::size_t i = 0; i < bu.size(); i += 2) {
    colons += bu.substr(i, 2) + (i + 2 < bu.size() ? ":" : "");
  }
  const std::string input = "# a BU\n\n" + bu + "  # trailing comment\n   \n" + colons + "\n";
  const CliResult r = run({}, input);
  ASSERT_EQ(r.rc, kExitOk) << r.out << r.err;
  const json arr = parse_array(r.out);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["frame"], 1);
  EXPECT_EQ(arr[0]["line"], 3);
  EXPECT_EQ(arr[1]["frame"], 2);
  EXPECT_EQ(arr[1]["line"], 5);
  EXPECT_EQ(arr[0]["mh"], arr[1]["mh"]);
}

TEST_F(DissectCli, EmptyInputIsAnEmptyArray) {
  const CliResult r = run({}, "");
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(parse_array(r.out), json::array());
}

TEST_F(DissectCli, JsonLinesAndPretty) {
  const std::string bu = base::to_hex(mh_packet(kAway, home_bu()));
  CliResult r = run({"--jsonl"}, bu + "\n" + bu + "\n");
  ASSERT_EQ(r.rc, kExitOk);
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(json::parse(line)["mh"]["type"], 5);
    ++n;
  }
  EXPECT_EQ(n, 2);
  r = run({"--pretty"}, bu + "\n");
  ASSERT_EQ(r.rc, kExitOk);
  EXPECT_EQ(parse_array(r.out)[0]["mh"]["type"], 5);
  EXPECT_NE(r.out.find("\n    "), std::string::npos);
}

TEST_F(DissectCli, OddHexDigitsAndBadCharactersAreErrors) {
  const std::string bu = base::to_hex(mh_packet(kAway, home_bu()));
  const CliResult r = run({}, bu + "\n" + bu.substr(0, 11) + "\n60zz\n" + bu + "\n");
  EXPECT_EQ(r.rc, kExitMalformed);
  const json arr = parse_array(r.out);
  ASSERT_EQ(arr.size(), 4u);
  EXPECT_FALSE(is_error(arr[0]));
  EXPECT_EQ(arr[1]["error"], "odd_hex_digit_count");
  EXPECT_EQ(arr[1]["layer"], "hex");
  EXPECT_EQ(arr[1]["line"], 2);
  EXPECT_EQ(arr[2]["error"], "invalid_hex_character");
  EXPECT_EQ(arr[2]["offset"], 2);
  EXPECT_FALSE(is_error(arr[3]));  // one bad line does not stop the rest
}

TEST_F(DissectCli, TruncatedPacketGivesErrorAndExitStatus1) {
  const std::string bu = base::to_hex(mh_packet(kAway, home_bu()));
  const CliResult r = run({"--jsonl"}, bu.substr(0, bu.size() - 8) + "\n");
  EXPECT_EQ(r.rc, kExitMalformed);
  const json j = json::parse(r.out);
  EXPECT_TRUE(is_error(j));
  EXPECT_EQ(j["frame"], 1);
}

TEST_F(DissectCli, BareMhWithPseudoHeaderAddresses) {
  w::MobilityHeader mh;
  mh.message = home_bu();
  const std::string hex = base::to_hex(w::encode_mobility_header(mh, kHoa, kHa));
  CliResult r = run({"--mh", "--src", "2001:db8:1::100", "--dst", "2001:db8:1::1"}, hex + "\n");
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(parse_array(r.out)[0]["mh"]["checksum_ok"], true);
  r = run({"--icmpv6"}, hex + "\n");  // an MH is not an ICMPv6 message
  EXPECT_NE(parse_array(r.out)[0].dump(), "");
  EXPECT_FALSE(parse_array(r.out)[0].contains("mh"));
}

TEST_F(DissectCli, UsageErrorsExit2) {
  EXPECT_EQ(run({"--bogus"}).rc, kExitUsage);
  EXPECT_EQ(run({"--pcap"}).rc, kExitUsage);
  EXPECT_EQ(run({"--write-pcap"}).rc, kExitUsage);
  EXPECT_EQ(run({"--src", "2001:db8::1"}).rc, kExitUsage);
  EXPECT_EQ(run({"--src", "not-an-address", "--dst", "::1"}).rc, kExitUsage);
  EXPECT_EQ(run({"--mh", "--write-pcap", path("x.pcap")}).rc, kExitUsage);
  EXPECT_EQ(run({"--pcap", "a", "--write-pcap", "b"}).rc, kExitUsage);
  const CliResult help = run({"--help"});
  EXPECT_EQ(help.rc, kExitOk);
  EXPECT_THAT(help.out, ::testing::HasSubstr("Exit status"));
  EXPECT_THAT(help.out, ::testing::HasSubstr("--write-pcap"));
}

TEST_F(DissectCli, WritePcapThenReadPcapRoundTrip) {
  const std::vector<Bytes> packets{
      mh_packet(kAway, home_bu()),
      mh_packet(kToMn, w::BindingAck{}),
      mh_packet({kHa, kCoa, 64, {}, {}}, w::HomeAgentSwitch{0, {kHa2}, {}}),
      icmp_packet({kHa, kCoa, 64, {}, {}}, w::DhaadReply{1, 0, {kHa}}),
  };
  std::string input;
  for (const auto& p : packets) {
    input += base::to_hex(p) + "\n";
  }
  const std::string pcap = path("round.pcap");
  const CliResult w = run({"--write-pcap", pcap}, input);
  ASSERT_EQ(w.rc, kExitOk) << w.out << w.err;
  EXPECT_EQ(json::parse(w.out)["packets"], packets.size());

  const CliResult from_pcap = run({"--pcap", pcap});
  ASSERT_EQ(from_pcap.rc, kExitOk) << from_pcap.out << from_pcap.err;
  const CliResult from_hex = run({}, input);
  const json a = parse_array(from_pcap.out);
  const json b = parse_array(from_hex.out);
  ASSERT_EQ(a.size(), packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(a[i]["frame"], i + 1);
    EXPECT_EQ(a[i]["link"]["type"], "raw");
    EXPECT_EQ(a[i]["captured_length"], packets[i].size());
    EXPECT_EQ(a[i]["time"], std::to_string(i + 1) + ".000000");
    EXPECT_EQ(a[i]["ipv6"], b[i]["ipv6"]);
    EXPECT_EQ(a[i].value("mh", json()), b[i].value("mh", json()));
    EXPECT_EQ(a[i].value("icmpv6", json()), b[i].value("icmpv6", json()));
  }
}

TEST_F(DissectCli, WritePcapReportsBadLinesButWritesTheRest) {
  const std::string pcap = path("partial.pcap");
  const CliResult r = run({"--write-pcap", pcap},
                          base::to_hex(mh_packet(kAway, home_bu())) + "\nabc\n");
  EXPECT_EQ(r.rc, kExitMalformed);
  const json j = json::parse(r.out);
  EXPECT_EQ(j["packets"], 1);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["error"], "odd_hex_digit_count");
  EXPECT_EQ(run({"--write-pcap", scratch_.dir() + "/no/such/dir/x.pcap"}, "60\n").rc, kExitUsage);
}

TEST_F(DissectCli, MissingAndGarbagePcapFiles) {
  CliResult r = run({"--pcap", scratch_.dir() + "/does-not-exist.pcap"});
  EXPECT_EQ(r.rc, kExitUsage);
  json arr = parse_array(r.out);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0]["error"], "pcap_open_failed");
  EXPECT_EQ(arr[0]["layer"], "pcap");
  EXPECT_FALSE(r.err.empty());

  const std::string garbage = path("garbage.pcap");
  write_file(garbage, Bytes(100, 0x42));
  r = run({"--pcap", garbage});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_EQ(parse_array(r.out)[0]["error"], "pcap_open_failed");

  const std::string empty = path("empty.pcap");
  write_file(empty, {});
  EXPECT_EQ(run({"--pcap", empty}).rc, kExitUsage);
}

TEST_F(DissectCli, TruncatedPcapRecordKeepsEarlierFrames) {
  const std::string good = path("good.pcap");
  const Bytes packet = mh_packet(kAway, home_bu());
  ASSERT_TRUE(write_pcap(good, DLT_RAW, {packet, packet}).has_value());
  std::ifstream f(good, std::ios::binary);
  const Bytes bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u + 2 * (16 + packet.size()) - 1);  // file + 2 record headers
  const std::string cut = path("cut.pcap");
  write_file(cut, Bytes(bytes.begin(), bytes.end() - 10));  // second record's data cut short
  const CliResult r = run({"--pcap", cut});
  EXPECT_EQ(r.rc, kExitMalformed);
  const json arr = parse_array(r.out);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_FALSE(is_error(arr[0]));
  EXPECT_EQ(arr[1]["error"], "pcap_read_failed");
  EXPECT_EQ(arr[1]["frame"], 2);
}

TEST_F(DissectCli, UnknownLinktypeIsReported) {
  const std::string wifi = path("wifi.pcap");
  constexpr int kDltIeee80211 = 105;
  ASSERT_TRUE(write_pcap(wifi, kDltIeee80211, {Bytes(30, 0)}).has_value());
  const CliResult r = run({"--pcap", wifi});
  EXPECT_EQ(r.rc, kExitMalformed);
  const json arr = parse_array(r.out);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0]["error"], "unsupported_linktype");
  EXPECT_EQ(arr[0]["linktype"], kDltIeee80211);
  EXPECT_FALSE(is_supported_linktype(kDltIeee80211));
}

TEST_F(DissectCli, EthernetSllSll2AndLoopbackCaptures) {
  const Bytes ip6 = mh_packet(kAway, home_bu());
  auto with = [&](Bytes header) {
    header.insert(header.end(), ip6.begin(), ip6.end());
    return header;
  };
  const Bytes eth = with({2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd});
  const Bytes vlan = with({2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00, 0x2a, 0x86,
                           0xdd});
  Bytes ipv4 = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45, 0, 0, 20};
  ipv4.resize(34, 0);
  const Bytes runt{2, 0, 0, 0, 0, 1};
  const std::string eth_pcap = path("eth.pcap");
  ASSERT_TRUE(write_pcap(eth_pcap, DLT_EN10MB, {eth, vlan, ipv4, runt}).has_value());
  CliResult r = run({"--pcap", eth_pcap});
  EXPECT_EQ(r.rc, kExitMalformed);  // the runt frame
  json arr = parse_array(r.out);
  ASSERT_EQ(arr.size(), 4u);
  EXPECT_EQ(arr[0]["link"]["type"], "ethernet");
  EXPECT_EQ(arr[0]["link"]["header_length"], 14);
  EXPECT_EQ(arr[0]["mh"]["checksum_ok"], true);
  EXPECT_EQ(arr[1]["link"]["vlans"], (json{42}));
  EXPECT_EQ(arr[1]["link"]["header_length"], 18);
  EXPECT_EQ(arr[1]["mh"]["message"]["sequence"], 4242);
  EXPECT_THAT(arr[2]["skipped"].get<std::string>(), ::testing::HasSubstr("ipv4"));
  EXPECT_EQ(arr[3]["error"], std::string(w::to_string(w::ParseErrc::Truncated)));
  EXPECT_EQ(arr[3]["layer"], "link");

  // Linux cooked v1: 16 octets, protocol at 14. v2: 20 octets, protocol at 0.
  const Bytes sll = with({0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd});
  const Bytes sll2 = with({0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0});
  const std::string sll_pcap = path("sll.pcap");
  const std::string sll2_pcap = path("sll2.pcap");
  ASSERT_TRUE(write_pcap(sll_pcap, DLT_LINUX_SLL, {sll}).has_value());
  ASSERT_TRUE(write_pcap(sll2_pcap, DLT_LINUX_SLL2, {sll2}).has_value());
  r = run({"--pcap", sll_pcap});
  ASSERT_EQ(r.rc, kExitOk) << r.out;
  arr = parse_array(r.out);
  EXPECT_EQ(arr[0]["link"]["type"], "linux_sll");
  EXPECT_EQ(arr[0]["mh"]["type"], 5);
  r = run({"--pcap", sll2_pcap});
  ASSERT_EQ(r.rc, kExitOk) << r.out;
  arr = parse_array(r.out);
  EXPECT_EQ(arr[0]["link"]["type"], "linux_sll2");
  EXPECT_EQ(arr[0]["link"]["interface_index"], 3);
  EXPECT_EQ(arr[0]["mh"]["type"], 5);

  // BSD loopback, AF_INET6 = 30 (macOS) in host order, and 10 (Linux) for DLT_LOOP.
  const Bytes null_frame = with({30, 0, 0, 0});
  const std::string null_pcap = path("null.pcap");
  ASSERT_TRUE(write_pcap(null_pcap, DLT_NULL, {null_frame}).has_value());
  r = run({"--pcap", null_pcap});
  ASSERT_EQ(r.rc, kExitOk) << r.out;
  EXPECT_EQ(parse_array(r.out)[0]["mh"]["type"], 5);
}

TEST(DissectFrame, LinkLayerFailuresAreErrorsNotCrashes) {
  const Bytes short_sll(10, 0);
  EXPECT_EQ(dissect_frame(DLT_LINUX_SLL, short_sll)["layer"], "link");
  EXPECT_EQ(dissect_frame(DLT_LINUX_SLL2, short_sll)["layer"], "link");
  EXPECT_EQ(dissect_frame(DLT_NULL, Bytes{1})["layer"], "link");
  // A VLAN tag cut short.
  const Bytes cut_vlan{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00};
  EXPECT_TRUE(is_error(dissect_frame(DLT_EN10MB, cut_vlan)));
  EXPECT_TRUE(is_error(dissect_frame(9999, Bytes{1, 2, 3})));
  EXPECT_EQ(dissect_frame(9999, Bytes{})["error"], "unsupported_linktype");
  // Raw link carrying a truncated IPv4 header is an IPv4 error, IPv6 garbage an IPv6 error.
  EXPECT_EQ(dissect_frame(DLT_RAW, Bytes{0x45, 0, 0, 20})["layer"], "ipv4");
  EXPECT_EQ(dissect_frame(DLT_RAW, Bytes{0x60, 0})["layer"], "ipv6");
}

}  // namespace
}  // namespace mip6::dissect
