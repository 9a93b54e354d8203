#include "tools/mip6-dissect/dissect.h"

#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ike/base/hex.h"
#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"
#include "mip6/wire/mobility_options.h"
#include "mip6/wire/parse_error.h"
#include "ike/base/overloaded.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;
namespace wire = mip6::wire;

using base::Overloaded;

// BU/BA lifetimes and the Binding Refresh Advice interval count 4-second units (6.1.7).
constexpr std::uint32_t kLifetimeUnitSeconds = 4;
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::uint8_t kIpProtoUdp = 17;

std::string addr(const base::Ip6Addr& a) { return a.to_string(); }

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& a) {
  return base::to_hex(std::span<const std::uint8_t>(a.data(), a.size()));
}
std::string hex(std::span<const std::uint8_t> s) { return base::to_hex(s); }

bool printable(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) {
      return false;
    }
  }
  return true;
}

std::string_view protocol_name(std::uint8_t p) {
  switch (p) {
    case wire::kIpProtoHopByHop: return "hop_by_hop";
    case 6: return "tcp";
    case 17: return "udp";
    case wire::kIpProtoRouting: return "routing";
    case wire::kIpProtoFragment: return "fragment";
    case wire::kIpProtoEsp: return "esp";
    case 51: return "ah";
    case wire::kIpProtoIcmpv6: return "icmpv6";
    case wire::kIpProtoNone: return "none";
    case wire::kIpProtoDestOpts: return "destination_options";
    case wire::kIpProtoMobility: return "mobility_header";
    default: return "other";
  }
}

std::uint16_t u16_at(std::span<const std::uint8_t> b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}
std::uint32_t u32_at(std::span<const std::uint8_t> b, std::size_t off) {
  return (std::uint32_t{b[off]} << 24) | (std::uint32_t{b[off + 1]} << 16) |
         (std::uint32_t{b[off + 2]} << 8) | std::uint32_t{b[off + 3]};
}

json error_object(std::string_view layer, const wire::ParseError& e, std::size_t base_offset) {
  return json{{"error", std::string(wire::to_string(e.code))},
              {"offset", base_offset + e.offset},
              {"layer_offset", e.offset},
              {"layer", std::string(layer)}};
}

// Merges an error object into `into` (keeps what decoded before the failure).
void merge(json& into, const json& from) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    into[it.key()] = it.value();
  }
}

// The checksum the sender should have written: the pseudo-header sum over the message with
// its checksum field zeroed (RFC 6275 6.1.1 for the MH, RFC 4443 2.3 for ICMPv6).
std::uint16_t expected_checksum(const PseudoHeader& ph, std::uint8_t next_header,
                                std::span<const std::uint8_t> bytes, std::size_t field) {
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  copy[field] = 0;
  copy[field + 1] = 0;
  return wire::pseudo_header_checksum(ph.source, ph.destination, next_header, copy);
}

json pseudo_json(const std::optional<PseudoHeader>& pseudo) {
  if (!pseudo) {
    return nullptr;
  }
  return json{{"source", addr(pseudo->source)}, {"destination", addr(pseudo->destination)}};
}

// ---- Mobility options (RFC 6275 6.2, RFC 5026 8.1) ----

json option_json(const wire::MobilityOption& option, std::size_t offset) {
  const std::size_t size = wire::encoded_size(option);
  json o{{"offset", offset}, {"size", size}};
  auto typed = [&](wire::MobilityOptionType t) {
    o["type"] = static_cast<int>(t);
    o["name"] = std::string(wire::to_string(t));
    if (t != wire::MobilityOptionType::Pad1) {
      o["length"] = size - 2;
    }
  };
  std::visit(
      Overloaded{
          [&](const wire::Pad1Option&) { typed(wire::MobilityOptionType::Pad1); },
          [&](const wire::PadNOption& p) {
            typed(wire::MobilityOptionType::PadN);
            o["data"] = hex(p.data);
          },
          [&](const wire::BindingRefreshAdviceOption& p) {
            typed(wire::MobilityOptionType::BindingRefreshAdvice);
            o["refresh_interval"] = p.refresh_interval;
            o["refresh_interval_seconds"] =
                std::uint32_t{p.refresh_interval} * kLifetimeUnitSeconds;
          },
          [&](const wire::AlternateCareOfAddressOption& p) {
            typed(wire::MobilityOptionType::AlternateCareOfAddress);
            o["address"] = addr(p.address);
          },
          [&](const wire::NonceIndicesOption& p) {
            typed(wire::MobilityOptionType::NonceIndices);
            o["home_nonce_index"] = p.home_nonce_index;
            o["care_of_nonce_index"] = p.care_of_nonce_index;
          },
          [&](const wire::BindingAuthorizationDataOption& p) {
            typed(wire::MobilityOptionType::BindingAuthorizationData);
            o["authenticator"] = hex(p.authenticator);
          },
          [&](const wire::DnsUpdateOption& p) {
            typed(wire::MobilityOptionType::DnsUpdate);
            o["status"] = p.status;
            o["status_name"] =
                std::string(wire::to_string(static_cast<wire::DnsUpdateStatus>(p.status)));
            o["success"] = wire::dns_update_succeeded(p.status);
            o["flags"] = json{{"R", p.remove}};
            o["reserved"] = p.reserved;
            const std::span<const std::uint8_t> id(
                reinterpret_cast<const std::uint8_t*>(p.mn_identity.data()), p.mn_identity.size());
            // JSON strings must be valid UTF-8: show raw octets as hex when not plain ASCII.
            o["mn_identity"] = printable(p.mn_identity) ? json(p.mn_identity) : json(nullptr);
            o["mn_identity_hex"] = hex(id);
          },
          [&](const wire::UnknownMobilityOption& p) {
            o["type"] = p.type;
            o["name"] = "unknown";
            o["length"] = p.data.size();
            o["data"] = hex(p.data);
          },
      },
      option);
  return o;
}

json options_json(const wire::MobilityOptions& options, std::size_t start, std::size_t base) {
  json arr = json::array();
  std::size_t off = start;
  for (const auto& opt : options) {
    json o = option_json(opt, base + off);
    o["layer_offset"] = off;  // from the start of the MH: what the alignment rules use (6.2)
    arr.push_back(std::move(o));
    off += wire::encoded_size(opt);
  }
  return arr;
}

json flags_bu(const wire::BindingUpdate& m) {
  return json{{"A", m.ack}, {"H", m.home_registration}, {"L", m.link_local_compat},
              {"K", m.key_mgmt_mobility}};
}

// Returns the message fields and sets `options_start` (MH offset where options begin).
json mh_message_json(const wire::MobilityMessage& msg, std::size_t& options_start) {
  json m = json::object();
  std::visit(
      Overloaded{
          [&](const wire::BindingRefreshRequest& b) {
            options_start = 8;
            m["reserved"] = b.reserved;
          },
          [&](const wire::HomeTestInit& b) {
            options_start = 16;
            m["reserved"] = b.reserved;
            m["init_cookie"] = hex(b.init_cookie);
          },
          [&](const wire::CareOfTestInit& b) {
            options_start = 16;
            m["reserved"] = b.reserved;
            m["init_cookie"] = hex(b.init_cookie);
          },
          [&](const wire::HomeTest& b) {
            options_start = 24;
            m["nonce_index"] = b.nonce_index;
            m["init_cookie"] = hex(b.init_cookie);
            m["keygen_token"] = hex(b.keygen_token);
          },
          [&](const wire::CareOfTest& b) {
            options_start = 24;
            m["nonce_index"] = b.nonce_index;
            m["init_cookie"] = hex(b.init_cookie);
            m["keygen_token"] = hex(b.keygen_token);
          },
          [&](const wire::BindingUpdate& b) {
            options_start = 12;
            m["sequence"] = b.sequence;
            m["flags"] = flags_bu(b);
            m["other_flags"] = b.other_flags;
            m["reserved"] = b.reserved;
            m["lifetime"] = b.lifetime;
            m["lifetime_seconds"] = std::uint32_t{b.lifetime} * kLifetimeUnitSeconds;
          },
          [&](const wire::BindingAck& b) {
            options_start = 12;
            m["status"] = static_cast<int>(b.status);
            m["status_name"] = std::string(wire::to_string(b.status));
            m["accepted"] = wire::is_accepted(b.status);
            m["flags"] = json{{"K", b.key_mgmt_mobility}};
            m["other_flags"] = b.other_flags;
            m["sequence"] = b.sequence;
            m["lifetime"] = b.lifetime;
            m["lifetime_seconds"] = std::uint32_t{b.lifetime} * kLifetimeUnitSeconds;
          },
          [&](const wire::BindingError& b) {
            options_start = 24;
            m["status"] = static_cast<int>(b.status);
            m["status_name"] = std::string(wire::to_string(b.status));
            m["reserved"] = b.reserved;
            m["home_address"] = addr(b.home_address);
          },
          [&](const wire::HomeAgentSwitch& b) {
            options_start = 8 + 16 * b.home_agents.size();
            m["address_count"] = b.home_agents.size();
            m["reserved"] = b.reserved;
            json list = json::array();
            for (const auto& a : b.home_agents) {
              list.push_back(addr(a));
            }
            m["home_agents"] = list;
          },
      },
      msg);
  return m;
}

const wire::MobilityOptions& mh_options(const wire::MobilityMessage& msg) {
  return std::visit([](const auto& m) -> const wire::MobilityOptions& { return m.options; },
                    msg);
}

// ---- ND options (RFC 4861 4.6, RFC 6275 7.2-7.4) ----

std::size_t nd_option_size(const wire::NdOption& option) {
  return std::visit(
      Overloaded{
          [](const wire::SourceLinkLayerAddressOption& o) -> std::size_t {
            return 2 + o.address.size();
          },
          [](const wire::PrefixInformationOption&) -> std::size_t { return 32; },
          [](const wire::MtuOption&) -> std::size_t { return 8; },
          [](const wire::AdvertisementIntervalOption&) -> std::size_t { return 8; },
          [](const wire::HomeAgentInformationOption&) -> std::size_t { return 8; },
          [](const wire::UnknownNdOption& o) -> std::size_t { return 2 + o.data.size(); },
      },
      option);
}

std::string mac_string(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) {
      out.push_back(':');
    }
    out += base::to_hex(bytes.subspan(i, 1));
  }
  return out;
}

json nd_option_json(const wire::NdOption& option) {
  const std::size_t size = nd_option_size(option);
  json o{{"size", size}, {"length", size / 8}};
  auto typed = [&](wire::NdOptionType t) {
    o["type"] = static_cast<int>(t);
    o["name"] = std::string(wire::to_string(t));
  };
  std::visit(Overloaded{
                 [&](const wire::SourceLinkLayerAddressOption& p) {
                   typed(wire::NdOptionType::SourceLinkLayerAddress);
                   o["address"] = mac_string(p.address);
                 },
                 [&](const wire::PrefixInformationOption& p) {
                   typed(wire::NdOptionType::PrefixInformation);
                   o["prefix_length"] = p.prefix_length;
                   o["flags"] =
                       json{{"L", p.on_link}, {"A", p.autonomous}, {"R", p.router_address}};
                   o["other_flags"] = p.other_flags;
                   o["valid_lifetime"] = p.valid_lifetime;
                   o["preferred_lifetime"] = p.preferred_lifetime;
                   o["reserved2"] = p.reserved2;
                   o["prefix"] = addr(p.prefix);
                 },
                 [&](const wire::MtuOption& p) {
                   typed(wire::NdOptionType::Mtu);
                   o["reserved"] = p.reserved;
                   o["mtu"] = p.mtu;
                 },
                 [&](const wire::AdvertisementIntervalOption& p) {
                   typed(wire::NdOptionType::AdvertisementInterval);
                   o["reserved"] = p.reserved;
                   o["interval_ms"] = p.interval_ms;
                 },
                 [&](const wire::HomeAgentInformationOption& p) {
                   typed(wire::NdOptionType::HomeAgentInformation);
                   o["reserved"] = p.reserved;
                   o["preference"] = p.preference;
                   o["lifetime"] = p.lifetime;  // seconds, unlike BU/BA lifetimes (7.4)
                 },
                 [&](const wire::UnknownNdOption& p) {
                   o["type"] = p.type;
                   o["name"] = "unknown";
                   o["data"] = hex(p.data);
                 },
             },
             option);
  return o;
}

json nd_options_json(const wire::NdOptions& options, std::size_t start, std::size_t base) {
  json arr = json::array();
  std::size_t off = start;
  for (const auto& opt : options) {
    json o = nd_option_json(opt);
    o["offset"] = base + off;
    o["layer_offset"] = off;  // from the start of the ICMPv6 message
    arr.push_back(std::move(o));
    off += nd_option_size(opt);
  }
  return arr;
}

json icmp_message_json(const wire::Icmpv6Message& msg, json& out, std::size_t base) {
  json m = json::object();
  std::visit(Overloaded{
                 [&](const wire::RouterAdvertisement& r) {
                   m["cur_hop_limit"] = r.cur_hop_limit;
                   m["flags"] = json{{"M", r.managed}, {"O", r.other}, {"H", r.home_agent}};
                   m["other_flags"] = r.other_flags;
                   m["router_lifetime"] = r.router_lifetime;
                   m["reachable_time"] = r.reachable_time;
                   m["retrans_timer"] = r.retrans_timer;
                   out["options"] = nd_options_json(r.options, 16, base);
                 },
                 [&](const wire::DhaadRequest& r) {
                   m["identifier"] = r.identifier;
                   m["reserved"] = r.reserved;
                 },
                 [&](const wire::DhaadReply& r) {
                   m["identifier"] = r.identifier;
                   m["reserved"] = r.reserved;
                   json list = json::array();
                   for (const auto& a : r.home_agents) {
                     list.push_back(addr(a));
                   }
                   m["home_agents"] = list;
                 },
                 [&](const wire::MobilePrefixSolicitation& r) {
                   m["identifier"] = r.identifier;
                   m["reserved"] = r.reserved;
                 },
                 [&](const wire::MobilePrefixAdvertisement& r) {
                   m["identifier"] = r.identifier;
                   m["flags"] = json{{"M", r.managed}, {"O", r.other}};
                   m["reserved_flags"] = r.reserved_flags;
                   m["reserved"] = r.reserved;
                   out["options"] = nd_options_json(r.options, 8, base);
                 },
             },
             msg);
  return m;
}

// Looks for a Fragment header between the fixed header and the upper layer: the upper
// bytes of a non-first fragment (or of a first fragment) are not a whole message.
std::optional<json> fragment_info(std::span<const std::uint8_t> packet,
                                  const wire::Ipv6Packet& p) {
  std::uint8_t nh = p.header.next_header;
  std::size_t off = kIpv6HeaderSize;
  // The codec stops at the Fragment header of a later fragment (upper_protocol 44), and
  // walks past the one of a first fragment: look up to and including upper_offset.
  while (off <= p.upper_offset && off + 8 <= packet.size()) {
    if (nh == wire::kIpProtoFragment) {
      const std::uint16_t offset_flags = u16_at(packet, off + 2);
      return json{{"offset", (offset_flags >> 3) * 8},
                  {"more_fragments", (offset_flags & 1) != 0},
                  {"identification", u32_at(packet, off + 4)}};
    }
    const std::uint8_t next = packet[off];
    off += (std::size_t{packet[off + 1]} + 1) * 8;
    nh = next;
  }
  return std::nullopt;
}

}  // namespace

json dissect_mobility_header(std::span<const std::uint8_t> mh,
                             const std::optional<PseudoHeader>& pseudo, std::size_t base_offset) {
  json out{{"offset", base_offset}, {"length", mh.size()}};
  if (mh.size() >= 3) {
    // Raw header octets, shown even when the message does not decode.
    out["payload_proto"] = mh[0];
    out["header_len"] = mh[1];
    out["type"] = mh[2];
  }
  auto decoded = wire::decode_mobility_header(mh);
  if (!decoded) {
    json err = error_object("mh", decoded.error(), base_offset);
    err["mh"] = std::move(out);
    return err;
  }
  const wire::MobilityHeader& h = *decoded;
  out["type_name"] = std::string(wire::to_string(wire::type_of(h.message)));
  out["reserved"] = h.reserved;
  out["checksum"] = h.checksum;
  out["pseudo_header"] = pseudo_json(pseudo);
  if (pseudo) {
    // RFC 6275 6.1.1: HAO address as source, RH2 home address as destination (R6275-04).
    out["checksum_ok"] = wire::verify_mh_checksum(pseudo->source, pseudo->destination, mh);
    out["checksum_expected"] = expected_checksum(*pseudo, wire::kIpProtoMobility, mh, 4);
  } else {
    out["checksum_ok"] = nullptr;
  }
  std::size_t options_start = 0;
  out["message"] = mh_message_json(h.message, options_start);
  out["options"] = options_json(mh_options(h.message), options_start, base_offset);
  return json{{"mh", std::move(out)}};
}

json dissect_icmpv6(std::span<const std::uint8_t> icmp, const std::optional<PseudoHeader>& pseudo,
                    std::size_t base_offset) {
  json out{{"offset", base_offset}, {"length", icmp.size()}};
  if (icmp.size() >= 2) {
    out["type"] = icmp[0];
    out["code"] = icmp[1];
  }
  if (!icmp.empty() && !wire::is_mobility_icmpv6_type(icmp[0])) {
    return json{{"icmpv6", std::move(out)},
                {"skipped", "icmpv6 type " + std::to_string(icmp[0]) +
                                " is not a Mobile IPv6 message"}};
  }
  auto decoded = wire::decode_icmpv6(icmp);
  if (!decoded) {
    json err = error_object("icmpv6", decoded.error(), base_offset);
    err["icmpv6"] = std::move(out);
    return err;
  }
  const wire::Icmpv6Packet& p = *decoded;
  out["type_name"] = std::string(wire::to_string(wire::type_of(p.message)));
  out["checksum"] = p.checksum;
  out["pseudo_header"] = pseudo_json(pseudo);
  if (pseudo) {
    out["checksum_ok"] = wire::verify_icmpv6_checksum(pseudo->source, pseudo->destination, icmp);
    out["checksum_expected"] = expected_checksum(*pseudo, wire::kIpProtoIcmpv6, icmp, 2);
  } else {
    out["checksum_ok"] = nullptr;
  }
  out["message"] = icmp_message_json(p.message, out, base_offset);
  return json{{"icmpv6", std::move(out)}};
}

json dissect_ipv6(std::span<const std::uint8_t> packet, const IkeKeyTable* ike_keys) {
  auto decoded = wire::decode_ipv6_packet(packet);
  if (!decoded) {
    json err = error_object("ipv6", decoded.error(), 0);
    if (!packet.empty()) {
      err["ipv6"] = json{{"version", packet[0] >> 4}};
    }
    return err;
  }
  const wire::Ipv6Packet& p = *decoded;
  const wire::Ipv6Header& h = p.header;
  json ip{{"version", 6},
          {"traffic_class", h.traffic_class},
          {"flow_label", h.flow_label},
          {"payload_length", h.payload_length},
          {"next_header", h.next_header},
          {"hop_limit", h.hop_limit},
          {"source", addr(h.source)},
          {"destination", addr(h.destination)}};
  ip["hao"] = p.home_address_option
                  ? json{{"home_address", addr(p.home_address_option->home_address)}}
                  : json(nullptr);
  ip["rh2"] = p.type2_routing_header
                  ? json{{"home_address", addr(p.type2_routing_header->home_address)},
                         {"next_header", p.type2_routing_header->next_header},
                         {"reserved", p.type2_routing_header->reserved}}
                  : json(nullptr);
  ip["upper_protocol"] = p.upper_protocol;
  ip["upper_protocol_name"] = std::string(protocol_name(p.upper_protocol));
  ip["upper_offset"] = p.upper_offset;
  ip["upper_length"] = p.upper.size();
  if (packet.size() > kIpv6HeaderSize + h.payload_length) {
    ip["trailing_bytes"] = packet.size() - kIpv6HeaderSize - h.payload_length;
  }

  json out{{"ipv6", std::move(ip)}};
  if (auto frag = fragment_info(packet, p)) {
    out["ipv6"]["fragment"] = *frag;
    out["skipped"] = "fragmented packet (not reassembled)";
    return out;
  }
  const PseudoHeader pseudo{p.checksum_source(), p.checksum_destination()};
  json upper;
  switch (p.upper_protocol) {
    case wire::kIpProtoMobility:
      upper = dissect_mobility_header(p.upper, pseudo, p.upper_offset);
      break;
    case wire::kIpProtoIcmpv6:
      upper = dissect_icmpv6(p.upper, pseudo, p.upper_offset);
      break;
    case kIpProtoUdp: {
      // RFC 8200 8.1: the checksum is mandatory over IPv6; 0 is never valid.
      const bool ok = wire::pseudo_header_checksum(pseudo.source, pseudo.destination,
                                                   kIpProtoUdp, p.upper) == 0 &&
                      p.upper.size() >= 8 && u16_at(p.upper, 6) != 0;
      upper = dissect_udp(p.upper, ok, p.upper_offset, ike_keys);
      break;
    }
    case wire::kIpProtoEsp: {
      json esp = json::object();
      if (p.upper.size() >= 8) {
        esp["spi"] = u32_at(p.upper, 0);
        esp["sequence"] = u32_at(p.upper, 4);
      }
      upper = json{{"esp", std::move(esp)}, {"skipped", "esp (encrypted payload)"}};
      break;
    }
    default:
      upper = json{{"skipped", "upper protocol " + std::to_string(p.upper_protocol) + " (" +
                                   std::string(protocol_name(p.upper_protocol)) +
                                   ") is not dissected"}};
      break;
  }
  merge(out, upper);
  return out;
}

json dissect(std::span<const std::uint8_t> bytes, InputKind kind,
             const std::optional<PseudoHeader>& pseudo, const IkeKeyTable* ike_keys) {
  if (kind == InputKind::Auto) {
    kind = InputKind::Ipv6;
    if (!bytes.empty() && (bytes[0] >> 4) != 6) {
      if ((bytes[0] >> 4) == 4) {
        kind = InputKind::Ipv4;
      } else if (bytes[0] == wire::kIpProtoNone) {
        kind = InputKind::MobilityHeader;
      } else if (wire::is_mobility_icmpv6_type(bytes[0])) {
        kind = InputKind::Icmpv6;
      }
    }
  }
  json out;
  switch (kind) {
    case InputKind::MobilityHeader:
      out = dissect_mobility_header(bytes, pseudo);
      break;
    case InputKind::Icmpv6:
      out = dissect_icmpv6(bytes, pseudo);
      break;
    case InputKind::Ipv4:
      out = dissect_ipv4(bytes, ike_keys);
      break;
    default:
      out = dissect_ipv6(bytes, ike_keys);
      break;
  }
  json result{{"input", std::string(to_string(kind))}, {"length", bytes.size()}};
  merge(result, out);
  return result;
}

bool is_error(const json& packet) { return packet.is_object() && packet.contains("error"); }

std::string dump_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace mip6::dissect
