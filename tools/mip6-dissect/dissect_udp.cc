// IPv4 and UDP for mip6-dissect: just enough to reach IKEv2 on ports 500 and
// 4500. A lab captures IKE over IPv4 too, so the IPv4 walk lives here rather
// than in mip6/wire, which is about Mobile IPv6 only.
#include <array>
#include <string>
#include <utility>

#include "ike/wire/non_esp_marker.h"
#include "ike/wire/parse_error.h"
#include "mip6/wire/parse_error.h"
#include "tools/mip6-dissect/dissect.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;

constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kUdpHeader = 8;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint16_t kPortIke = 500;
constexpr std::uint16_t kPortIkeNatT = 4500;
constexpr std::uint16_t kIpv4MoreFragments = 0x2000;
constexpr std::uint16_t kIpv4OffsetMask = 0x1fff;

std::uint16_t u16_at(std::span<const std::uint8_t> b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}
std::uint32_t u32_at(std::span<const std::uint8_t> b, std::size_t off) {
  return (std::uint32_t{b[off]} << 24) | (std::uint32_t{b[off + 1]} << 16) |
         (std::uint32_t{b[off + 2]} << 8) | std::uint32_t{b[off + 3]};
}

// RFC 1071 sum, not yet complemented.
std::uint32_t sum16(std::span<const std::uint8_t> b, std::uint32_t acc) {
  std::size_t i = 0;
  for (; i + 1 < b.size(); i += 2) {
    acc += u16_at(b, i);
  }
  if (i < b.size()) {
    acc += std::uint32_t{b[i]} << 8;
  }
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while ((acc >> 16) != 0) {
    acc = (acc & 0xffff) + (acc >> 16);
  }
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

std::string ipv4_text(std::span<const std::uint8_t> b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
         std::to_string(b[3]);
}

json layer_error(std::string_view name, std::size_t offset, std::size_t base,
                 std::string_view layer) {
  return json{{"error", std::string(name)},
              {"offset", base + offset},
              {"layer_offset", offset},
              {"layer", std::string(layer)}};
}

void merge(json& into, const json& from) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    into[it.key()] = it.value();
  }
}

json udp4500(std::span<const std::uint8_t> payload, std::size_t base, const IkeKeyTable* ike_keys) {
  auto c = ike::wire::classify_udp4500(payload);
  if (!c) {
    json err = layer_error(ike::wire::to_string(c.error().code), c.error().offset, base, "udp4500");
    err["udp4500"] = json{{"length", payload.size()}};
    return err;
  }
  json out{{"udp4500", json{{"kind", std::string(ike::wire::to_string(c->kind))}}}};
  switch (c->kind) {
    case ike::wire::Udp4500Kind::Ike:
      out["udp4500"]["non_esp_marker"] = true;
      merge(out, dissect_ikev2(c->payload, base + ike::wire::kNonEspMarkerSize, ike_keys));
      break;
    case ike::wire::Udp4500Kind::Esp: {
      // RFC 3948 2.1: the UDP payload starts with the ESP header (SPI, sequence
      // number).
      json esp{{"offset", base}, {"length", payload.size()}};
      if (payload.size() >= 8) {
        esp["spi"] = u32_at(payload, 0);
        esp["sequence"] = u32_at(payload, 4);
      }
      out["esp"] = std::move(esp);
      out["skipped"] = "esp in udp (encrypted payload)";
      break;
    }
    case ike::wire::Udp4500Kind::NatKeepalive: out["nat_keepalive"] = true; break;
  }
  return out;
}

}  // namespace

json dissect_udp(std::span<const std::uint8_t> udp, std::optional<bool> checksum_ok,
                 std::size_t base_offset, const IkeKeyTable* ike_keys) {
  if (udp.size() < kUdpHeader) {
    json err = layer_error(mip6::wire::to_string(mip6::wire::ParseErrc::Truncated), udp.size(),
                           base_offset, "udp");
    err["udp"] = json{{"offset", base_offset}, {"length", udp.size()}};
    return err;
  }
  const std::uint16_t sport = u16_at(udp, 0);
  const std::uint16_t dport = u16_at(udp, 2);
  const std::uint16_t length = u16_at(udp, 4);
  json u{{"offset", base_offset},
         {"source_port", sport},
         {"destination_port", dport},
         {"length", length},
         {"checksum", u16_at(udp, 6)},
         {"checksum_ok", checksum_ok ? json(*checksum_ok) : json(nullptr)}};
  if (length < kUdpHeader || length > udp.size()) {
    json err = layer_error(mip6::wire::to_string(mip6::wire::ParseErrc::LengthMismatch), 4,
                           base_offset, "udp");
    err["udp"] = std::move(u);
    return err;
  }
  if (udp.size() > length) {
    u["trailing_bytes"] = udp.size() - length;
  }
  const auto payload = udp.subspan(kUdpHeader, length - kUdpHeader);
  const std::size_t payload_base = base_offset + kUdpHeader;
  json out{{"udp", std::move(u)}};
  if (sport == kPortIkeNatT || dport == kPortIkeNatT) {
    merge(out, udp4500(payload, payload_base, ike_keys));
  } else if (sport == kPortIke || dport == kPortIke) {
    merge(out, dissect_ikev2(payload, payload_base, ike_keys));
  } else {
    out["skipped"] = "udp ports " + std::to_string(sport) + " -> " + std::to_string(dport) +
                     " are not dissected";
  }
  return out;
}

json dissect_ipv4(std::span<const std::uint8_t> packet, const IkeKeyTable* ike_keys) {
  const std::string truncated(mip6::wire::to_string(mip6::wire::ParseErrc::Truncated));
  if (packet.empty()) {
    return layer_error(truncated, 0, 0, "ipv4");
  }
  json ip{{"version", packet[0] >> 4}};
  auto fail = [&](std::string_view name, std::size_t offset) {
    json err = layer_error(name, offset, 0, "ipv4");
    err["ipv4"] = ip;
    return err;
  };
  if ((packet[0] >> 4) != 4) {
    return fail("not_ipv4", 0);
  }
  if (packet.size() < kIpv4MinHeader) {
    return fail(truncated, packet.size());
  }
  const std::size_t header_len = std::size_t{packet[0] & 0x0fu} * 4;
  const std::uint16_t total = u16_at(packet, 2);
  const std::uint16_t frag = u16_at(packet, 6);
  const std::uint8_t proto = packet[9];
  ip["header_length"] = header_len;
  ip["tos"] = packet[1];
  ip["total_length"] = total;
  ip["identification"] = u16_at(packet, 4);
  ip["flags"] = json{{"DF", (frag & 0x4000) != 0}, {"MF", (frag & kIpv4MoreFragments) != 0}};
  ip["fragment_offset"] = (frag & kIpv4OffsetMask) * 8;
  ip["ttl"] = packet[8];
  ip["protocol"] = proto;
  ip["header_checksum"] = u16_at(packet, 10);
  ip["source"] = ipv4_text(packet.subspan(12, 4));
  ip["destination"] = ipv4_text(packet.subspan(16, 4));
  if (header_len < kIpv4MinHeader) {
    return fail("ipv4_header_length_too_short", 0);
  }
  if (packet.size() < header_len) {
    return fail(truncated, packet.size());
  }
  ip["header_checksum_ok"] = fold(sum16(packet.first(header_len), 0)) == 0;
  if (total < header_len || total > packet.size()) {
    return fail(mip6::wire::to_string(mip6::wire::ParseErrc::LengthMismatch), 2);
  }
  if (packet.size() > total) {
    ip["trailing_bytes"] = packet.size() - total;
  }
  json out{{"ipv4", std::move(ip)}};
  if ((frag & (kIpv4MoreFragments | kIpv4OffsetMask)) != 0) {
    out["skipped"] = "fragmented ipv4 packet (not reassembled)";
    return out;
  }
  const auto upper = packet.subspan(header_len, total - header_len);
  if (proto != kProtoUdp) {
    out["skipped"] = "ipv4 protocol " + std::to_string(proto) + " is not dissected";
    return out;
  }
  std::optional<bool> checksum_ok;
  if (upper.size() >= kUdpHeader && u16_at(upper, 6) != 0) {  // 0: no checksum (RFC 768)
    // Pseudo-header (RFC 768): addresses, zero, protocol, UDP Length.
    const std::array<std::uint8_t, 4> tail{0, kProtoUdp, upper[4], upper[5]};
    std::uint32_t acc = sum16(packet.subspan(12, 8), 0);
    acc = sum16(tail, acc);
    checksum_ok = fold(sum16(upper, acc)) == 0;
  }
  merge(out, dissect_udp(upper, checksum_ok, header_len, ike_keys));
  return out;
}

}  // namespace mip6::dissect
