// mip6-wire-vectors: encodes, with OUR encoders, one full IPv6 packet per Mobility Header
// message, mobility option and Mobile IPv6 ICMPv6 message, and prints one JSON line each:
//   {"name": ..., "description": ..., "hex": <packet>, "expected": {...}}
// "expected" states the values the packet was built from, in mip6-dissect's JSON schema
// (only the fields a reader can check; names and derived values are left out). The oracle
// scripts parse "hex" with scapy and tshark and compare against "expected"; they also check
// that "expected" is contained in mip6-dissect's output.
//
// Option lists are padded here, explicitly, so that the encoder appends nothing and the
// expected offsets come from this file's own arithmetic, not from the codec under test.
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ike/base/hex.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"
#include "mip6/wire/mobility_options.h"

namespace {

using nlohmann::json;
namespace w = mip6::wire;

base::Ip6Addr ip(const char* text) { return *base::Ip6Addr::parse(text); }

// The lab's addresses (RFC 3849 documentation prefix).
const base::Ip6Addr kHa = ip("2001:db8:1::1");
const base::Ip6Addr kHa2 = ip("2001:db8:1::2");
const base::Ip6Addr kHa3 = ip("2001:db8:4::1");
const base::Ip6Addr kHoa = ip("2001:db8:1::100");
const base::Ip6Addr kCoa = ip("2001:db8:2::100");
const base::Ip6Addr kCn = ip("2001:db8:3::1");
const base::Ip6Addr kHaAnycast = ip("2001:db8:1::fdff:ffff:ffff:fffe");
const base::Ip6Addr kHaLinkLocal = ip("fe80::1");
const base::Ip6Addr kAllNodes = ip("ff02::1");
const base::Ip6Addr kHomePrefix = ip("2001:db8:1::");

// Encoded size of an option, from RFC 6275 6.2 (not from the codec).
std::size_t size_of(const w::MobilityOption& o) {
  if (std::holds_alternative<w::Pad1Option>(o)) {
    return 1;
  }
  if (const auto* padn = std::get_if<w::PadNOption>(&o)) {
    return 2 + padn->data.size();
  }
  if (std::holds_alternative<w::BindingRefreshAdviceOption>(o)) {
    return 4;
  }
  if (std::holds_alternative<w::AlternateCareOfAddressOption>(o)) {
    return 18;
  }
  if (std::holds_alternative<w::NonceIndicesOption>(o)) {
    return 6;
  }
  if (const auto* bad = std::get_if<w::BindingAuthorizationDataOption>(&o)) {
    return 2 + bad->authenticator.size();
  }
  if (const auto* dns = std::get_if<w::DnsUpdateOption>(&o)) {
    return 4 + dns->mn_identity.size();
  }
  return 2 + std::get<w::UnknownMobilityOption>(o).data.size();
}

// Pads so that the MH ends on a multiple of 8 octets (R6275-02).
void pad_to_8(w::MobilityOptions& options, std::size_t start) {
  std::size_t end = start;
  for (const auto& o : options) {
    end += size_of(o);
  }
  const std::size_t pad = (8 - end % 8) % 8;
  if (pad == 1) {
    options.emplace_back(w::Pad1Option{});
  } else if (pad >= 2) {
    options.emplace_back(w::PadNOption{std::vector<std::uint8_t>(pad - 2, 0)});
  }
}

json options_expected(const w::MobilityOptions& options, std::size_t start) {
  json arr = json::array();
  std::size_t off = start;
  for (const auto& o : options) {
    json e{{"layer_offset", off}, {"size", size_of(o)}};
    if (std::holds_alternative<w::Pad1Option>(o)) {
      e["type"] = 0;
    } else if (const auto* padn = std::get_if<w::PadNOption>(&o)) {
      e["type"] = 1;
      e["length"] = padn->data.size();
      e["data"] = base::to_hex(padn->data);
    } else if (const auto* bra = std::get_if<w::BindingRefreshAdviceOption>(&o)) {
      e["type"] = 2;
      e["length"] = 2;
      e["refresh_interval"] = bra->refresh_interval;
      e["refresh_interval_seconds"] = bra->refresh_interval * 4;
    } else if (const auto* acoa = std::get_if<w::AlternateCareOfAddressOption>(&o)) {
      e["type"] = 3;
      e["length"] = 16;
      e["address"] = acoa->address.to_string();
    } else if (const auto* nonce = std::get_if<w::NonceIndicesOption>(&o)) {
      e["type"] = 4;
      e["length"] = 4;
      e["home_nonce_index"] = nonce->home_nonce_index;
      e["care_of_nonce_index"] = nonce->care_of_nonce_index;
    } else if (const auto* bad = std::get_if<w::BindingAuthorizationDataOption>(&o)) {
      e["type"] = 5;
      e["length"] = bad->authenticator.size();
      e["authenticator"] = base::to_hex(bad->authenticator);
    } else if (const auto* dns = std::get_if<w::DnsUpdateOption>(&o)) {
      e["type"] = 17;
      e["length"] = 2 + dns->mn_identity.size();
      e["status"] = dns->status;
      e["flags"] = json{{"R", dns->remove}};
      e["reserved"] = dns->reserved;
      e["mn_identity"] = dns->mn_identity;
    } else if (const auto* unknown = std::get_if<w::UnknownMobilityOption>(&o)) {
      e["type"] = unknown->type;
      e["length"] = unknown->data.size();
      e["data"] = base::to_hex(unknown->data);
    }
    arr.push_back(e);
    off += size_of(o);
  }
  return arr;
}

struct Vector {
  std::string name;
  std::string description;
  std::vector<std::uint8_t> packet;
  json expected;
};

std::vector<Vector> g_vectors;

json ipv6_expected(const w::Ipv6Build& b, std::uint8_t upper) {
  json e{{"source", b.source.to_string()},
         {"destination", b.destination.to_string()},
         {"hop_limit", b.hop_limit},
         {"upper_protocol", upper}};
  e["hao"] = b.home_address_option
                 ? json{{"home_address", b.home_address_option->home_address.to_string()}}
                 : json(nullptr);
  e["rh2"] = b.type2_home_address ? json{{"home_address", b.type2_home_address->to_string()}}
                                  : json(nullptr);
  return e;
}

// Builds the packet: MH checksum over the pseudo-header with the HoA from the HAO as source
// and the RH2 home address as destination (RFC 6275 6.1.1).
void add_mh(const std::string& name, const std::string& description, const w::Ipv6Build& b,
            const w::MobilityMessage& message, std::size_t options_start, json message_expected) {
  w::MobilityHeader mh;
  mh.message = message;
  const base::Ip6Addr src = b.home_address_option ? b.home_address_option->home_address : b.source;
  const base::Ip6Addr dst = b.type2_home_address ? *b.type2_home_address : b.destination;
  const auto bytes = w::encode_mobility_header(mh, src, dst);
  const auto options = std::visit([](const auto& m) { return m.options; }, message);
  json expected{{"ipv6", ipv6_expected(b, w::kIpProtoMobility)}};
  std::size_t total = options_start;
  for (const auto& o : options) {
    total += size_of(o);
  }
  expected["mh"] = json{{"payload_proto", 59},
                        {"header_len", total / 8 - 1},
                        {"length", total},
                        {"type", static_cast<int>(w::type_of(message))},
                        {"reserved", 0},
                        {"checksum", (bytes.size() >= 6) ? ((bytes[4] << 8) | bytes[5]) : -1},
                        {"checksum_ok", true},
                        {"message", std::move(message_expected)},
                        {"options", options_expected(options, options_start)}};
  g_vectors.push_back({name, description, w::encode_ipv6_packet(b, w::kIpProtoMobility, bytes),
                       std::move(expected)});
}

json nd_options_expected(const w::NdOptions& options, std::size_t start) {
  json arr = json::array();
  std::size_t off = start;
  for (const auto& o : options) {
    json e{{"layer_offset", off}};
    std::size_t size = 8;
    if (const auto* slla = std::get_if<w::SourceLinkLayerAddressOption>(&o)) {
      size = 2 + slla->address.size();
      e["type"] = 1;
      std::string mac;
      for (std::size_t i = 0; i < slla->address.size(); ++i) {
        mac += (i ? ":" : "") + base::to_hex(std::span(&slla->address[i], 1));
      }
      e["address"] = mac;
    } else if (const auto* pio = std::get_if<w::PrefixInformationOption>(&o)) {
      size = 32;
      e["type"] = 3;
      e["prefix_length"] = pio->prefix_length;
      e["flags"] = json{{"L", pio->on_link}, {"A", pio->autonomous}, {"R", pio->router_address}};
      e["valid_lifetime"] = pio->valid_lifetime;
      e["preferred_lifetime"] = pio->preferred_lifetime;
      e["prefix"] = pio->prefix.to_string();
    } else if (const auto* mtu = std::get_if<w::MtuOption>(&o)) {
      e["type"] = 5;
      e["mtu"] = mtu->mtu;
    } else if (const auto* adv = std::get_if<w::AdvertisementIntervalOption>(&o)) {
      e["type"] = 7;
      e["interval_ms"] = adv->interval_ms;
    } else if (const auto* hai = std::get_if<w::HomeAgentInformationOption>(&o)) {
      e["type"] = 8;
      e["preference"] = hai->preference;
      e["lifetime"] = hai->lifetime;
    }
    e["length"] = size / 8;
    e["size"] = size;
    arr.push_back(e);
    off += size;
  }
  return arr;
}

void add_icmp(const std::string& name, const std::string& description, const w::Ipv6Build& b,
              const w::Icmpv6Packet& packet, json message_expected,
              std::optional<json> options = std::nullopt) {
  const base::Ip6Addr src = b.home_address_option ? b.home_address_option->home_address : b.source;
  const base::Ip6Addr dst = b.type2_home_address ? *b.type2_home_address : b.destination;
  const auto bytes = w::encode_icmpv6(packet, src, dst);
  json icmp{{"type", static_cast<int>(w::type_of(packet.message))},
            {"code", 0},
            {"length", bytes.size()},
            {"checksum", (bytes[2] << 8) | bytes[3]},
            {"checksum_ok", true},
            {"message", std::move(message_expected)}};
  if (options) {
    icmp["options"] = *options;
  }
  json expected{{"ipv6", ipv6_expected(b, w::kIpProtoIcmpv6)}, {"icmpv6", std::move(icmp)}};
  g_vectors.push_back({name, description, w::encode_ipv6_packet(b, w::kIpProtoIcmpv6, bytes),
                       std::move(expected)});
}

std::array<std::uint8_t, 8> cookie(std::uint8_t seed) {
  std::array<std::uint8_t, 8> c{};
  for (std::size_t i = 0; i < c.size(); ++i) {
    c[i] = static_cast<std::uint8_t>(seed + i * 17);
  }
  return c;
}
std::string hex8(const std::array<std::uint8_t, 8>& a) { return base::to_hex(a); }

void build_mh_vectors() {
  {  // BRR (6.1.2): no options, Header Len 0.
    w::BindingRefreshRequest m;
    add_mh("brr", "Binding Refresh Request, CN to MN", {kCn, kCoa, 64, {}, {}}, m, 8,
           json{{"reserved", 0}});
  }
  {  // Return-routability messages, parsed for dissection only.
    w::HomeTestInit hoti;
    hoti.init_cookie = cookie(1);
    w::MobilityOptions opts;
    pad_to_8(opts, 16);
    hoti.options = opts;
    add_mh("hoti", "Home Test Init", {kHoa, kCn, 64, {}, {}}, hoti, 16,
           json{{"reserved", 0}, {"init_cookie", hex8(hoti.init_cookie)}});
    w::CareOfTestInit coti;
    coti.init_cookie = cookie(2);
    add_mh("coti", "Care-of Test Init", {kCoa, kCn, 64, {}, {}}, coti, 16,
           json{{"reserved", 0}, {"init_cookie", hex8(coti.init_cookie)}});
    w::HomeTest hot;
    hot.nonce_index = 0x0102;
    hot.init_cookie = cookie(1);
    hot.keygen_token = cookie(9);
    add_mh("hot", "Home Test", {kCn, kHoa, 64, {}, {}}, hot, 24,
           json{{"nonce_index", hot.nonce_index},
                {"init_cookie", hex8(hot.init_cookie)},
                {"keygen_token", hex8(hot.keygen_token)}});
    w::CareOfTest cot;
    cot.nonce_index = 0x0304;
    cot.init_cookie = cookie(2);
    cot.keygen_token = cookie(33);
    add_mh("cot", "Care-of Test", {kCn, kCoa, 64, {}, {}}, cot, 24,
           json{{"nonce_index", cot.nonce_index},
                {"init_cookie", hex8(cot.init_cookie)},
                {"keygen_token", hex8(cot.keygen_token)}});
  }
  auto bu_expected = [](const w::BindingUpdate& bu) {
    return json{{"sequence", bu.sequence},
                {"flags", json{{"A", bu.ack},
                               {"H", bu.home_registration},
                               {"L", bu.link_local_compat},
                               {"K", bu.key_mgmt_mobility}}},
                {"other_flags", bu.other_flags},
                {"reserved", bu.reserved},
                {"lifetime", bu.lifetime},
                {"lifetime_seconds", bu.lifetime * 4}};
  };
  const w::Ipv6Build away{kCoa, kHa, 64, w::HomeAddressOption{kHoa}, {}};
  {  // Home registration BU: HAO + PadN + Alternate CoA at 8n+6 (6.1.7 worked example).
    w::BindingUpdate bu;
    bu.sequence = 4242;
    bu.ack = true;
    bu.home_registration = true;
    bu.key_mgmt_mobility = true;
    bu.lifetime = 150;
    w::append_aligned(bu.options, 12, w::AlternateCareOfAddressOption{kCoa});
    pad_to_8(bu.options, 12);
    add_mh("bu_home", "home registration BU with HAO, PadN, Alternate CoA", away, bu, 12,
           bu_expected(bu));
  }
  {  // BU to a CN: Nonce Indices (2n) and Binding Authorization Data last at 8n+2.
    w::BindingUpdate bu;
    bu.sequence = 7;
    bu.ack = true;
    bu.link_local_compat = true;
    bu.lifetime = 100;
    w::append_aligned(bu.options, 12, w::NonceIndicesOption{0x1111, 0x2222});
    w::BindingAuthorizationDataOption bad;
    for (std::uint8_t i = 0; i < 12; ++i) {
      bad.authenticator.push_back(static_cast<std::uint8_t>(0xa0 + i));
    }
    w::append_aligned(bu.options, 12, bad);
    add_mh("bu_cn_nonce_bad", "correspondent BU with HAO, Nonce Indices, Binding Auth Data",
           {kCoa, kCn, 64, w::HomeAddressOption{kHoa}, {}}, bu, 12, bu_expected(bu));
  }
  {  // RFC 5026 8.1: DNS Update option in a home registration BU (R = 0, status 0).
    w::BindingUpdate bu;
    bu.sequence = 4243;
    bu.ack = true;
    bu.home_registration = true;
    bu.lifetime = 1000;
    w::append_aligned(bu.options, 12, w::AlternateCareOfAddressOption{kCoa});
    w::DnsUpdateOption dns;
    dns.mn_identity = "mn1.example.com";
    w::append_aligned(bu.options, 12, dns);
    pad_to_8(bu.options, 12);
    add_mh("bu_dns_update", "home registration BU with Alternate CoA and DNS Update option",
           away, bu, 12, bu_expected(bu));
  }
  {  // Deregistration from home: no HAO, Lifetime 0, Alternate CoA = HoA (R6275-64).
    w::BindingUpdate bu;
    bu.sequence = 4244;
    bu.ack = true;
    bu.home_registration = true;
    bu.lifetime = 0;
    w::append_aligned(bu.options, 12, w::AlternateCareOfAddressOption{kHoa});
    pad_to_8(bu.options, 12);
    add_mh("bu_dereg_home", "deregistration BU sent from the home link", {kHoa, kHa, 64, {}, {}},
           bu, 12, bu_expected(bu));
  }
  {  // Unknown option type 42 between known ones: receivers skip it (R6275-10).
    w::BindingUpdate bu;
    bu.sequence = 9;
    bu.ack = true;
    bu.home_registration = true;
    bu.lifetime = 10;
    bu.options.push_back(w::UnknownMobilityOption{42, {0xde, 0xad, 0xbe}});
    w::append_aligned(bu.options, 12, w::AlternateCareOfAddressOption{kCoa});
    pad_to_8(bu.options, 12);
    add_mh("bu_unknown_option", "BU with an unknown mobility option before the Alternate CoA",
           away, bu, 12, bu_expected(bu));
  }
  auto ba_expected = [](const w::BindingAck& ba) {
    return json{{"status", static_cast<int>(ba.status)},
                {"flags", json{{"K", ba.key_mgmt_mobility}}},
                {"other_flags", ba.other_flags},
                {"sequence", ba.sequence},
                {"lifetime", ba.lifetime},
                {"lifetime_seconds", ba.lifetime * 4}};
  };
  const w::Ipv6Build to_mn{kHa, kCoa, 64, {}, kHoa};
  {  // BA with a type 2 RH (R6275-41) and a Binding Refresh Advice at 2n.
    w::BindingAck ba;
    ba.status = w::BaStatus::Accepted;
    ba.key_mgmt_mobility = true;
    ba.sequence = 4242;
    ba.lifetime = 150;
    w::append_aligned(ba.options, 12, w::BindingRefreshAdviceOption{100});
    pad_to_8(ba.options, 12);
    add_mh("ba_bra_rh2", "BA accepted, K, Binding Refresh Advice, type 2 RH", to_mn, ba, 12,
           ba_expected(ba));
  }
  {  // BA 135 carries the last accepted sequence number (R6275-24).
    w::BindingAck ba;
    ba.status = w::BaStatus::SequenceNumberOutOfWindow;
    ba.sequence = 4200;
    ba.lifetime = 0;
    pad_to_8(ba.options, 12);
    add_mh("ba_135_rh2", "BA sequence number out of window, type 2 RH", to_mn, ba, 12,
           ba_expected(ba));
  }
  {  // RFC 5026 8.1: DNS Update result in the BA (130 = DNS update failed).
    w::BindingAck ba;
    ba.status = w::BaStatus::Accepted;
    ba.sequence = 4243;
    ba.lifetime = 1000;
    w::DnsUpdateOption dns;
    dns.status = 130;
    dns.mn_identity = "mn1.example.com";
    ba.options.push_back(dns);
    pad_to_8(ba.options, 12);
    add_mh("ba_dns_update", "BA with DNS Update option status 130, type 2 RH", to_mn, ba, 12,
           ba_expected(ba));
  }
  {  // BE status 1 with the HoA from the offending HAO (R6275-73).
    w::BindingError be;
    be.status = w::BeStatus::UnknownBindingForHomeAddress;
    be.home_address = kHoa;
    add_mh("be", "Binding Error status 1", {kCn, kCoa, 64, {}, {}}, be, 24,
           json{{"status", 1}, {"reserved", 0}, {"home_address", kHoa.to_string()}});
  }
  {  // RFC 5142 4: no addresses, no options: 8 octets, Header Len 0 (R5142-05).
    w::HomeAgentSwitch has;
    add_mh("ha_switch_0", "Home Agent Switch with no addresses", {kHa, kCoa, 64, {}, {}}, has, 8,
           json{{"address_count", 0}, {"reserved", 0}, {"home_agents", json::array()}});
  }
  {  // RFC 5142 4: two addresses and a Binding Refresh Advice (R5142-01, R5142-09).
    w::HomeAgentSwitch has;
    has.home_agents = {kHa2, kHa3};
    w::append_aligned(has.options, 40, w::BindingRefreshAdviceOption{30});
    pad_to_8(has.options, 40);
    add_mh("ha_switch_2_bra", "Home Agent Switch with two addresses and a BRA",
           {kHa, kCoa, 64, {}, {}}, has, 40,
           json{{"address_count", 2},
                {"reserved", 0},
                {"home_agents", json::array({kHa2.to_string(), kHa3.to_string()})}});
  }
}

void build_icmp_vectors() {
  {
    w::Icmpv6Packet p;
    p.message = w::DhaadRequest{0x1234, 0};
    add_icmp("dhaad_request", "DHAAD Request to the Home-Agents anycast address",
             {kCoa, kHaAnycast, 64, {}, {}}, p, json{{"identifier", 0x1234}, {"reserved", 0}});
  }
  {
    w::Icmpv6Packet p;
    p.message = w::DhaadReply{0x1234, 0, {kHa, kHa2}};
    add_icmp("dhaad_reply", "DHAAD Reply with two home agents", {kHa, kCoa, 64, {}, {}}, p,
             json{{"identifier", 0x1234},
                  {"reserved", 0},
                  {"home_agents", json::array({kHa.to_string(), kHa2.to_string()})}});
  }
  {  // Sent with a HAO (RFC 6275 11.4.2): the checksum uses the HoA as source.
    w::Icmpv6Packet p;
    p.message = w::MobilePrefixSolicitation{0x4321, 0};
    add_icmp("mps_hao", "Mobile Prefix Solicitation with HAO",
             {kCoa, kHa, 64, w::HomeAddressOption{kHoa}, {}}, p,
             json{{"identifier", 0x4321}, {"reserved", 0}});
  }
  {  // Sent with a type 2 RH: the checksum uses the HoA as destination.
    w::Icmpv6Packet p;
    w::MobilePrefixAdvertisement mpa;
    mpa.identifier = 0x4321;
    mpa.other = true;
    w::PrefixInformationOption pio;
    pio.prefix_length = 64;
    pio.on_link = true;
    pio.autonomous = true;
    pio.valid_lifetime = 86400;
    pio.preferred_lifetime = 14400;
    pio.prefix = kHomePrefix;
    mpa.options.push_back(pio);
    p.message = mpa;
    add_icmp("mpa_rh2", "Mobile Prefix Advertisement with a PIO, type 2 RH",
             {kHa, kCoa, 64, {}, kHoa}, p,
             json{{"identifier", 0x4321},
                  {"flags", json{{"M", false}, {"O", true}}},
                  {"reserved_flags", 0},
                  {"reserved", 0}},
             nd_options_expected(mpa.options, 8));
  }
  {  // RFC 6275 7.1-7.4: H flag, SLLA, MTU, PIO with R, Advertisement Interval, HA Info.
    w::Icmpv6Packet p;
    w::RouterAdvertisement ra;
    ra.cur_hop_limit = 64;
    ra.other = true;
    ra.home_agent = true;
    ra.router_lifetime = 1800;
    ra.options.push_back(w::SourceLinkLayerAddressOption{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}});
    ra.options.push_back(w::MtuOption{0, 1500});
    w::PrefixInformationOption pio;
    pio.prefix_length = 64;
    pio.on_link = true;
    pio.autonomous = true;
    pio.router_address = true;
    pio.valid_lifetime = 2592000;
    pio.preferred_lifetime = 604800;
    pio.prefix = kHa;  // R = 1: a full global address of the HA (R6275-68)
    ra.options.push_back(pio);
    ra.options.push_back(w::AdvertisementIntervalOption{0, 1000});
    ra.options.push_back(w::HomeAgentInformationOption{0, 10, 1800});
    p.message = ra;
    add_icmp("ra_home_agent", "Router Advertisement from a home agent (H, PIO R, HA Info)",
             {kHaLinkLocal, kAllNodes, 255, {}, {}}, p,
             json{{"cur_hop_limit", 64},
                  {"flags", json{{"M", false}, {"O", true}, {"H", true}}},
                  {"router_lifetime", 1800},
                  {"reachable_time", 0},
                  {"retrans_timer", 0}},
             nd_options_expected(ra.options, 16));
  }
}

}  // namespace

int main(int argc, char** argv) {
  build_mh_vectors();
  build_icmp_vectors();
  const bool hex_only = argc > 1 && std::string(argv[1]) == "--hex";
  for (const auto& v : g_vectors) {
    if (hex_only) {
      std::cout << "# " << v.name << '\n' << base::to_hex(v.packet) << '\n';
      continue;
    }
    json line{{"name", v.name},
              {"description", v.description},
              {"hex", base::to_hex(v.packet)},
              {"expected", v.expected}};
    std::cout << line.dump() << '\n';
  }
  return 0;
}
