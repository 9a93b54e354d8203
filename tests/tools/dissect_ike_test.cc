// mip6-dissect's IKEv2 layer, in process: UDP 500 and 4500 over IPv6 and IPv4,
// every payload outside SK, the RFC 5685 redirect notifies, ESP-in-UDP and
// keepalives, malformed messages, and a pcap round trip through the command
// line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ike/base/hex.h"
#include "tests/tools/ike_packets.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/dissect_cli.h"
#include "tools/mip6-dissect/pcap_io.h"
#include "tests/support/scratch_dir.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;
using namespace mip6::test_ike;  // NOLINT(google-build-using-namespace): test
                                 // vocabulary

std::string hex(const Bytes& b) {
  return base::to_hex(b);
}

// The payload objects of a dissected packet, by payload name (first of each).
const json& payload_named(const json& packet, const std::string& name) {
  static const json kNone;
  for (const auto& p : packet["ikev2"]["payloads"]) {
    if (p["name"] == name) {
      return p;
    }
  }
  return kNone;
}

std::vector<json> notifies(const json& packet) {
  std::vector<json> out;
  for (const auto& p : packet["ikev2"]["payloads"]) {
    if (p["type"] == 41) {
      out.push_back(p);
    }
  }
  return out;
}

// covers: R5685-01 (the initiator announces REDIRECT_SUPPORTED in IKE_SA_INIT)
TEST(DissectIke, SaInitRequestWithRedirectSupportedOverIpv6) {
  const Bytes ike = encode(sa_init_request());
  const json j = dissect(udp6(kMn, kGw1, kPortIke, kPortIke, ike), InputKind::Auto);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ipv6"]["upper_protocol_name"], "udp");
  EXPECT_EQ(j["udp"]["source_port"], 500);
  EXPECT_EQ(j["udp"]["destination_port"], 500);
  EXPECT_EQ(j["udp"]["checksum_ok"], true);
  const json& h = j["ikev2"]["header"];
  EXPECT_EQ(h["spi_i"], "0102030405060708");
  EXPECT_EQ(h["spi_r"], "0000000000000000");
  EXPECT_EQ(h["exchange_type"], 34);
  EXPECT_EQ(h["exchange_name"], std::string(iw::to_string(iw::ExchangeType::IkeSaInit)));
  EXPECT_EQ(h["flags"], (json{{"I", true}, {"V", false}, {"R", false}}));
  EXPECT_EQ(h["major_version"], 2);
  EXPECT_EQ(h["message_id"], 0);
  EXPECT_EQ(h["length"], ike.size());
  EXPECT_EQ(h["next_payload"], 33);
  EXPECT_EQ(j["ikev2"]["offset"], 48);  // 40 IPv6 + 8 UDP

  const auto& payloads = j["ikev2"]["payloads"];
  ASSERT_EQ(payloads.size(), 6u);
  EXPECT_EQ(payloads[0]["offset"], 48 + 28);
  EXPECT_EQ(payloads[0]["layer_offset"], 28);
  const json& sa =
      payload_named(j, std::string(iw::to_string(iw::PayloadType::SecurityAssociation)));
  ASSERT_EQ(sa["proposals"].size(), 1u);
  const json& prop = sa["proposals"][0];
  EXPECT_EQ(prop["protocol"], 1);
  EXPECT_EQ(prop["spi"], "");
  ASSERT_EQ(prop["transforms"].size(), 4u);
  EXPECT_EQ(prop["transforms"][0]["type_name"],
            std::string(iw::to_string(iw::TransformType::Encr)));
  EXPECT_EQ(prop["transforms"][0]["id"], 12);
  EXPECT_EQ(prop["transforms"][0]["id_name"], std::string(iw::to_string(iw::EncrId::AesCbc)));
  EXPECT_EQ(prop["transforms"][0]["key_length"], 256);
  EXPECT_EQ(prop["transforms"][3]["id_name"], std::string(iw::to_string(iw::DhGroup::Ecp256)));
  EXPECT_FALSE(prop["transforms"][3].contains("key_length"));

  const json& ke = payload_named(j, std::string(iw::to_string(iw::PayloadType::KeyExchange)));
  EXPECT_EQ(ke["dh_group"], 19);
  EXPECT_EQ(ke["data_length"], 64);
  const json& nonce = payload_named(j, std::string(iw::to_string(iw::PayloadType::Nonce)));
  EXPECT_EQ(nonce["nonce_length"], 32);
  EXPECT_EQ(nonce["nonce"], hex(ni_data()));

  const auto n = notifies(j);
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0]["notify_type"], 16388);
  EXPECT_EQ(n[0]["hash"], hex(Bytes(20, 0xa1)));
  EXPECT_EQ(n[1]["notify_name"],
            std::string(iw::to_string(iw::NotifyType::NatDetectionDestinationIp)));
  EXPECT_EQ(n[2]["notify_type"], 16406);
  EXPECT_EQ(n[2]["notify_name"], std::string(iw::to_string(iw::NotifyType::RedirectSupported)));
  EXPECT_EQ(n[2]["data_length"], 0);
  EXPECT_EQ(n[2]["error_notify"], false);
}

// covers: R5685-35, R5685-36 (REDIRECT carries the new GW identity and the
// initiator's Ni)
TEST(DissectIke, SaInitResponseWithOnlyRedirect) {
  const json j = dissect_ipv6(udp6(kGw1, kMn, kPortIke, kPortIke, encode(redirect_response(kGw2))));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ikev2"]["header"]["flags"]["R"], true);
  EXPECT_EQ(j["ikev2"]["header"]["flags"]["I"], false);
  const auto n = notifies(j);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(j["ikev2"]["payloads"].size(), 1u);
  EXPECT_EQ(n[0]["notify_type"], 16407);
  EXPECT_EQ(n[0]["protocol"], 0);
  EXPECT_EQ(n[0]["spi"], "");
  const json& r = n[0]["redirect"];
  EXPECT_EQ(r["gw_ident_type"], 2);
  EXPECT_EQ(r["gw_ident_type_name"], std::string(iw::to_string(iw::GwIdentType::Ipv6)));
  EXPECT_EQ(r["gw_ident"], "2001:db8:1::2");
  EXPECT_EQ(r["nonce"], hex(ni_data()));
  EXPECT_EQ(r["nonce_length"], 32);
}

// covers: R5685-38 (REDIRECTED_FROM holds the original gateway's address only)
TEST(DissectIke, RedirectedFromAndCookie) {
  json j = dissect_ipv6(udp6(kMn, kGw2, kPortIke, kPortIke, encode(redirected_from_request(kGw1))));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ikev2"]["header"]["spi_i"], "0102030405060709");
  const auto n = notifies(j);
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[2]["notify_type"], 16408);
  EXPECT_EQ(n[2]["redirected_from"]["gw_ident"], "2001:db8:1::1");
  EXPECT_FALSE(n[2]["redirected_from"].contains("nonce"));

  j = dissect_ipv6(udp6(kGw1, kMn, kPortIke, kPortIke, encode(cookie_response())));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(notifies(j).at(0)["cookie"], hex(pattern(16, 0x70)));
}

TEST(DissectIke, PayloadsOutsideSkAndTheEncryptedPayload) {
  const json j = dissect_ipv6(udp6(kMn, kGw1, kPortIke, kPortIke, encode(clear_payload_zoo())));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ikev2"]["header"]["spi_r"], "1112131415161718");
  EXPECT_EQ(j["ikev2"]["header"]["exchange_type"], 35);
  EXPECT_EQ(j["ikev2"]["header"]["message_id"], 1);
  const auto& p = j["ikev2"]["payloads"];
  ASSERT_EQ(p.size(), 8u);
  EXPECT_EQ(p[0]["type"], 35);
  EXPECT_EQ(p[0]["id_type"], 5);
  EXPECT_EQ(p[0]["value"], "2001:db8:1::100");
  EXPECT_EQ(p[1]["type"], 36);
  EXPECT_EQ(p[1]["id_type_name"], std::string(iw::to_string(iw::IdType::Fqdn)));
  EXPECT_EQ(p[1]["value"], "gw1.example");
  EXPECT_EQ(p[2]["auth_method"], 2);
  EXPECT_EQ(p[2]["data_length"], 32);
  // CP reply with INTERNAL_IP6_ADDRESS (RFC 4877 9) and MIP6_HOME_PREFIX (RFC
  // 5026 8.2).
  EXPECT_EQ(p[3]["cfg_type"], 2);
  ASSERT_EQ(p[3]["attributes"].size(), 2u);
  EXPECT_EQ(p[3]["attributes"][0]["internal_ip6_address"],
            (json{{"address", "2001:db8:1::100"}, {"prefix_len", 64}}));
  EXPECT_EQ(p[3]["attributes"][1]["mip6_home_prefix"],
            (json{{"lifetime", 3600}, {"prefix", "2001:db8:1::"}, {"prefix_len", 64}}));
  // TSi for the BU only: MH type 5 in the port high octets (RFC 4877 7.2).
  const json& ts = p[4]["selectors"].at(0);
  EXPECT_EQ(ts["ip_protocol"], 135);
  EXPECT_EQ(ts["start_address"], "2001:db8:1::100");
  EXPECT_EQ(ts["mh_types"], (json{{"first", 5}, {"last", 5}}));
  EXPECT_EQ(p[5]["protocol"], 3);
  EXPECT_EQ(p[5]["spis"], (json{"c0ffee01"}));
  EXPECT_EQ(p[6]["data"], hex(pattern(16, 0x33)));
  EXPECT_EQ(p[7]["type"], 46);
  EXPECT_EQ(p[7]["encrypted"]["inner_first"],
            std::string(iw::to_string(iw::PayloadType::IdInitiator)));
  EXPECT_EQ(p[7]["encrypted"]["length"], 48);
  EXPECT_EQ(p[7]["encrypted"]["decrypted"], false);
}

// covers: R7296-07 (port 4500: a 4-octet zero non-ESP marker precedes IKE; else
// ESP, 2.23)
TEST(DissectIke, Port4500NonEspMarkerEspAndKeepalive) {
  const Bytes ike = encode(sa_init_request());
  json j = dissect_ipv6(udp6(kMn, kGw1, kPortNatT, kPortNatT, iw::add_non_esp_marker(ike)));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["udp4500"]["kind"], std::string(iw::to_string(iw::Udp4500Kind::Ike)));
  EXPECT_EQ(j["udp4500"]["non_esp_marker"], true);
  EXPECT_EQ(j["ikev2"]["offset"], 48 + 4);
  EXPECT_EQ(j["ikev2"]["header"]["length"], ike.size());
  EXPECT_EQ(notifies(j).size(), 3u);

  j = dissect_ipv6(udp6(kMn, kGw1, kPortNatT, kPortNatT, esp_in_udp_payload()));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["udp4500"]["kind"], std::string(iw::to_string(iw::Udp4500Kind::Esp)));
  EXPECT_EQ(j["esp"]["spi"], 0x1234);
  EXPECT_EQ(j["esp"]["sequence"], 7);
  EXPECT_FALSE(j.contains("ikev2"));

  j = dissect_ipv6(udp6(kMn, kGw1, 4501, kPortNatT, Bytes{0xff}));
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["nat_keepalive"], true);

  j = dissect_ipv6(udp6(kMn, kGw1, kPortNatT, kPortNatT, Bytes{0, 0}));
  EXPECT_EQ(j["layer"], "udp4500");
  EXPECT_EQ(j["error"], std::string(iw::to_string(iw::ParseErrc::Truncated)));
}

TEST(DissectIke, IkeOverIpv4) {
  const Bytes pkt = udp4(kMn4, kGw4, kPortIke, kPortIke, encode(sa_init_request()));
  json j = dissect(pkt, InputKind::Auto);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["input"], "ipv4");
  EXPECT_EQ(j["ipv4"]["source"], "192.0.2.10");
  EXPECT_EQ(j["ipv4"]["destination"], "198.51.100.1");
  EXPECT_EQ(j["ipv4"]["protocol"], 17);
  EXPECT_EQ(j["ipv4"]["header_checksum_ok"], true);
  EXPECT_EQ(j["ipv4"]["flags"]["DF"], true);
  EXPECT_EQ(j["udp"]["checksum_ok"], true);
  EXPECT_EQ(j["ikev2"]["offset"], 28);
  EXPECT_EQ(j["ikev2"]["header"]["exchange_type"], 34);
  EXPECT_EQ(notifies(j).at(2)["notify_type"], 16406);

  // A corrupted UDP checksum is reported, not fatal.
  Bytes bad = pkt;
  bad[27] ^= 0x01;
  j = dissect_ipv4(bad);
  EXPECT_EQ(j["udp"]["checksum_ok"], false);
  // Fragments and other protocols are skipped; truncation is an ipv4 error.
  Bytes frag = pkt;
  frag[6] = 0x20;  // MF
  EXPECT_THAT(dissect_ipv4(frag)["skipped"].get<std::string>(), ::testing::HasSubstr("fragment"));
  EXPECT_EQ(dissect_ipv4(std::span(pkt.data(), 10))["layer"], "ipv4");
  Bytes longer = pkt;
  longer[3] = static_cast<std::uint8_t>(longer[3] + 1);  // Total Length past the capture
  EXPECT_EQ(dissect_ipv4(longer)["layer"], "ipv4");
}

TEST(DissectIkeMalformed, TruncatedAndBadLengthMessages) {
  const Bytes ike = encode(sa_init_request());
  // Length field says one octet more than the datagram holds.
  Bytes longer = ike;
  longer[27] = static_cast<std::uint8_t>(longer[27] + 1);
  json j = dissect_ipv6(udp6(kMn, kGw1, kPortIke, kPortIke, longer));
  ASSERT_TRUE(is_error(j));
  EXPECT_EQ(j["layer"], "ikev2");
  EXPECT_EQ(j["error"], std::string(iw::to_string(iw::ParseErrc::MessageLengthMismatch)));
  EXPECT_EQ(j["layer_offset"], 24);
  EXPECT_EQ(j["offset"], 48 + 24);
  EXPECT_EQ(j["ikev2"]["header"]["exchange_type"],
            34);  // the header is still shown
  EXPECT_EQ(j["udp"]["destination_port"], 500);

  // IKEv1 (major version 1) is rejected at the version octet.
  Bytes v1 = ike;
  v1[17] = 0x10;
  j = dissect_ipv6(udp6(kMn, kGw1, kPortIke, kPortIke, v1));
  EXPECT_EQ(j["error"], std::string(iw::to_string(iw::ParseErrc::MajorVersionTooLow)));
  EXPECT_EQ(j["layer_offset"], 17);

  // Every prefix of the message is an error, never a crash.
  for (std::size_t n = 0; n < ike.size(); ++n) {
    j = dissect_ikev2(std::span(ike.data(), n), 100);
    ASSERT_TRUE(is_error(j)) << n;
    EXPECT_EQ(j["layer"], "ikev2");
    EXPECT_LE(j["offset"].get<std::size_t>(), 100 + n);
  }
}

// covers: R5685-35 (a GW identity whose length disagrees with its type is
// malformed)
TEST(DissectIkeMalformed, RedirectWithBadGatewayIdentity) {
  Bytes ike = encode(redirect_response(kGw2));
  // Notify body at 28 + 4: Protocol, SPI size, type (2), then data: GW type, GW
  // length.
  constexpr std::size_t kGwLen = 28 + 4 + 4 + 1;
  ASSERT_EQ(ike[kGwLen], 16);
  ike[kGwLen] = 4;  // IPv6 identity claiming 4 octets
  const json j = dissect_ikev2(ike);
  ASSERT_TRUE(is_error(j)) << j.dump();
  EXPECT_EQ(j["error"], std::string(iw::to_string(iw::ParseErrc::GwIdentBadLength)));
  EXPECT_EQ(j["layer"], "ikev2");
  EXPECT_EQ(j["offset"], kGwLen);
  EXPECT_EQ(j["payload_type"], 41);
  ASSERT_EQ(j["ikev2"]["payloads"].size(),
            1u);  // the notify that failed is listed
  EXPECT_EQ(j["ikev2"]["payloads"][0]["type"], 41);
}

// covers: R4877-47 (a reply's INTERNAL_IP6_ADDRESS is 17 octets: address + prefix length)
TEST(DissectIkeMalformed, CpAttributeWithBadLengthPointsAtItsLengthField) {
  iw::Message m;
  m.header.spi_i = iw::Spi(kSpiI);
  m.header.exchange = iw::ExchangeType::IkeAuth;
  iw::CpPayload cp;
  cp.cfg_type = iw::CfgType::Reply;
  cp.attributes.push_back(iw::make_mip6_home_prefix_request());  // 4 octets, at body + 4
  cp.attributes.push_back(iw::CpAttribute{8, pattern(5, 1)});    // INTERNAL_IP6_ADDRESS, 5
  m.payloads.push_back(iw::make_payload(cp));
  const json j = dissect_ikev2(encode(m), 10);
  ASSERT_TRUE(is_error(j)) << j.dump();
  EXPECT_EQ(j["error"], std::string(iw::to_string(iw::ParseErrc::CpAttributeBadLength)));
  // IKE header 28, CP generic header 4, CFG Type + RESERVED 4, first attribute 4, then the
  // second attribute's Attribute Type (2) before its Length.
  EXPECT_EQ(j["layer_offset"], 28 + 4 + 4 + 4 + 2);
  EXPECT_EQ(j["offset"], 10 + 28 + 4 + 4 + 4 + 2);
  EXPECT_EQ(j["payload_type"], 47);
}

TEST(DissectIkeMalformed, MutatedIpv4PacketsNeverThrow) {
  const Bytes pkt =
      udp4(kMn4, kGw4, kPortNatT, kPortNatT, iw::add_non_esp_marker(encode(cookie_response())));
  for (std::size_t n = 0; n <= pkt.size(); ++n) {
    const json j = dissect(std::span(pkt.data(), n), InputKind::Auto);
    EXPECT_FALSE(dump_line(j).empty());
    if (n < pkt.size()) {
      EXPECT_TRUE(is_error(j)) << n << ": " << j.dump();
    }
  }
  for (std::size_t i = 0; i < pkt.size(); ++i) {
    Bytes m = pkt;
    m[i] = static_cast<std::uint8_t>(m[i] ^ 0xa5);
    EXPECT_FALSE(dump_line(dissect(m, InputKind::Auto)).empty());
  }
}

TEST(DissectIkeMalformed, MutatedMessagesNeverThrow) {
  const std::vector<Bytes> seeds{encode(sa_init_request()), encode(redirect_response(kGw2)),
                                 encode(clear_payload_zoo()), encode(cookie_response())};
  for (const auto& seed : seeds) {
    for (std::size_t i = 0; i < seed.size(); ++i) {
      for (std::uint8_t v : {std::uint8_t{0}, std::uint8_t{0xff}, std::uint8_t{0x21}}) {
        Bytes m = seed;
        m[i] = v;
        const json j =
            dissect_ipv6(udp6(kMn, kGw1, kPortNatT, kPortIke, iw::add_non_esp_marker(m)));
        EXPECT_FALSE(dump_line(j).empty());
        if (is_error(j)) {
          EXPECT_FALSE(j["layer"].get<std::string>().empty());
        }
      }
    }
  }
}

TEST(DissectIke, OtherUdpPortsAreSkipped) {
  const json j = dissect_ipv6(udp6(kMn, kGw1, 5353, 53, Bytes{1, 2, 3}));
  ASSERT_FALSE(is_error(j));
  EXPECT_EQ(j["udp"]["source_port"], 5353);
  EXPECT_THAT(j["skipped"].get<std::string>(), ::testing::HasSubstr("udp"));
  EXPECT_FALSE(j.contains("ikev2"));
  // A UDP Length larger than the datagram is a udp error.
  Bytes p = udp6(kMn, kGw1, 5353, 53, Bytes{1, 2, 3});
  p[45] = 0x40;
  EXPECT_EQ(dissect_ipv6(p)["layer"], "udp");
}

class DissectIkeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scratch_.ok());
  }
  std::string path(const std::string& name) { return scratch_.path(name); }
  test::ScratchDir scratch_{"mip6-dissect-ike"};
};

// Hex in, pcap out (--write-pcap), pcap back in (--pcap): IPv6 and IPv4 frames
// on one file.
TEST_F(DissectIkeCli, PcapRoundTrip) {
  const std::string pcap = path("ike.pcap");
  const Bytes v6 = udp6(kGw1, kMn, kPortIke, kPortIke, encode(redirect_response(kGw2)));
  const Bytes v4 =
      udp4(kMn4, kGw4, kPortNatT, kPortNatT, iw::add_non_esp_marker(encode(sa_init_request())));
  std::istringstream in("# redirect\n" + hex(v6) + "\n" + hex(v4) + "\n");
  std::ostringstream out;
  std::ostringstream err;
  std::vector<std::string> args{"--write-pcap", pcap};
  ASSERT_EQ(run_cli(args, in, out, err), kExitOk) << out.str() << err.str();

  std::istringstream none;
  std::ostringstream out2;
  args = {"--pcap", pcap, "--jsonl"};
  ASSERT_EQ(run_cli(args, none, out2, err), kExitOk) << out2.str() << err.str();
  std::istringstream lines(out2.str());
  std::vector<json> frames;
  for (std::string line; std::getline(lines, line);) {
    frames.push_back(json::parse(line));
  }
  ASSERT_EQ(frames.size(), 2u) << out2.str();
  EXPECT_EQ(frames[0]["link"]["type"], "raw");
  EXPECT_EQ(notifies(frames[0]).at(0)["redirect"]["gw_ident"], "2001:db8:1::2");
  EXPECT_EQ(frames[1]["ipv4"]["source"], "192.0.2.10");
  EXPECT_EQ(frames[1]["udp4500"]["non_esp_marker"], true);
  EXPECT_EQ(frames[1]["ikev2"]["header"]["spi_i"], "0102030405060708");
}

// Ethernet and loopback captures of IPv4 reach the IKE layer too.
TEST(DissectIkeFrame, EthernetAndLoopbackIpv4) {
  const Bytes v4 = udp4(kMn4, kGw4, kPortIke, kPortIke, encode(cookie_response()));
  Bytes eth{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00};
  eth.insert(eth.end(), v4.begin(), v4.end());
  json j = dissect_frame(DLT_EN10MB, eth);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["link"]["ethertype"], 0x0800);
  EXPECT_EQ(notifies(j).at(0)["notify_type"], 16390);
  Bytes loop{0, 0, 0, 2};  // DLT_LOOP: AF_INET in network order
  loop.insert(loop.end(), v4.begin(), v4.end());
  j = dissect_frame(DLT_LOOP, loop);
  ASSERT_FALSE(is_error(j)) << j.dump();
  EXPECT_EQ(j["ipv4"]["protocol"], 17);
  EXPECT_EQ(j["ikev2"]["header"]["flags"]["R"], true);
}

}  // namespace
}  // namespace mip6::dissect
