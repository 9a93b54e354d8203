#pragma once
// IPv6 pieces Mobile IPv6 adds or relies on: the Home Address destination option
// (RFC 6275 6.3), the type 2 routing header (6.4), and a bounded walk over an IPv6 packet
// that finds them and the upper-layer header (MH 135 or ICMPv6 58).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "mip6/wire/parse_error.h"

namespace mip6::wire {

inline constexpr std::uint8_t kIpProtoHopByHop = 0;
inline constexpr std::uint8_t kIpProtoRouting = 43;
inline constexpr std::uint8_t kIpProtoFragment = 44;
inline constexpr std::uint8_t kIpProtoEsp = 50;
inline constexpr std::uint8_t kIpProtoIcmpv6 = 58;
inline constexpr std::uint8_t kIpProtoDestOpts = 60;
inline constexpr std::uint8_t kHomeAddressOptionType = 201;  // 0xC9

struct HomeAddressOption {
  base::Ip6Addr home_address;
  friend bool operator==(const HomeAddressOption&, const HomeAddressOption&) = default;
};

// A Destination Options header carrying a Home Address option, padded to 8n+6 (RFC 6275 6.3):
// next header, hdr ext len 2, PadN(2), HAO(18) = 24 octets.
[[nodiscard]] std::vector<std::uint8_t> encode_home_address_dest_opts(
    std::uint8_t next_header, const HomeAddressOption& hao);

struct Type2RoutingHeader {  // RFC 6275 6.4: Hdr Ext Len 2, Segments Left 1
  std::uint8_t next_header = 0;
  std::uint32_t reserved = 0;
  base::Ip6Addr home_address;
  friend bool operator==(const Type2RoutingHeader&, const Type2RoutingHeader&) = default;
};
[[nodiscard]] ParseResult<Type2RoutingHeader> decode_type2_routing_header(
    std::span<const std::uint8_t> bytes);
[[nodiscard]] std::vector<std::uint8_t> encode_type2_routing_header(const Type2RoutingHeader& rh);

struct Ipv6Header {
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;
  std::uint16_t payload_length = 0;
  std::uint8_t next_header = 0;
  std::uint8_t hop_limit = 0;
  base::Ip6Addr source;
  base::Ip6Addr destination;
};

// The result of walking an IPv6 packet's header chain.
struct Ipv6Packet {
  Ipv6Header header;
  std::optional<HomeAddressOption> home_address_option;
  std::optional<Type2RoutingHeader> type2_routing_header;
  std::uint8_t upper_protocol = 0;           // first header that is not an extension header
  std::size_t upper_offset = 0;              // offset of that header in the packet
  std::span<const std::uint8_t> upper;       // its bytes, up to the IPv6 payload length
  // Addresses for upper-layer checksums: HAO value as source, RH2 home address as destination.
  [[nodiscard]] base::Ip6Addr checksum_source() const {
    return home_address_option ? home_address_option->home_address : header.source;
  }
  [[nodiscard]] base::Ip6Addr checksum_destination() const {
    return type2_routing_header ? type2_routing_header->home_address : header.destination;
  }
};

// Walks hop-by-hop, destination options, routing and fragment headers (at most 8), picking
// up a HAO and a type 2 RH. Stops at the first other header. Fails on truncation, bad
// lengths, a misaligned or wrongly sized HAO, or a malformed type 2 RH.
// Routing headers of other types are skipped. A non-first fragment (offset != 0) stops the
// walk at its Fragment header: upper_protocol is then 44 and `upper` starts at that header.
// Octets past the IPv6 payload length (link-layer padding) are ignored.
[[nodiscard]] ParseResult<Ipv6Packet> decode_ipv6_packet(std::span<const std::uint8_t> bytes);

// Builds an IPv6 packet: fixed header, optional HAO destination options, optional type 2 RH,
// then `upper` with next header `upper_protocol`. Payload length is filled in.
struct Ipv6Build {
  base::Ip6Addr source;
  base::Ip6Addr destination;
  std::uint8_t hop_limit = 64;
  std::optional<HomeAddressOption> home_address_option;
  std::optional<base::Ip6Addr> type2_home_address;
};
[[nodiscard]] std::vector<std::uint8_t> encode_ipv6_packet(const Ipv6Build& build,
                                                           std::uint8_t upper_protocol,
                                                           std::span<const std::uint8_t> upper);

}  // namespace mip6::wire
