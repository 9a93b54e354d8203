#pragma once
// ICMPv6 messages Mobile IPv6 uses: DHAAD Request/Reply (RFC 6275 6.5/6.6), Mobile Prefix
// Solicitation/Advertisement (6.7/6.8), and the Router Advertisement with the options a
// Home Agents List is built from (7.1-7.4): H flag, Prefix Information with the R bit,
// Advertisement Interval and Home Agent Information.
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/parse_error.h"

namespace mip6::wire {

enum class Icmpv6Type : std::uint8_t {
  RouterAdvertisement = 134,
  DhaadRequest = 144,
  DhaadReply = 145,
  MobilePrefixSolicitation = 146,
  MobilePrefixAdvertisement = 147,
};
MIP6_ENUM_NAMES(Icmpv6Type, RouterAdvertisement, DhaadRequest, DhaadReply, MobilePrefixSolicitation,
                MobilePrefixAdvertisement);

enum class NdOptionType : std::uint8_t {
  SourceLinkLayerAddress = 1,
  PrefixInformation = 3,
  Mtu = 5,
  AdvertisementInterval = 7,
  HomeAgentInformation = 8,
};
MIP6_ENUM_NAMES(NdOptionType, SourceLinkLayerAddress, PrefixInformation, Mtu, AdvertisementInterval,
                HomeAgentInformation);

struct SourceLinkLayerAddressOption {
  std::vector<std::uint8_t> address;  // Length*8-2 octets (6 plus padding for Ethernet)
  friend bool operator==(const SourceLinkLayerAddressOption&,
                         const SourceLinkLayerAddressOption&) = default;
};
struct PrefixInformationOption {  // RFC 4861 4.6.2 + RFC 6275 7.2 R bit
  std::uint8_t prefix_length = 0;
  bool on_link = false;         // L 0x80
  bool autonomous = false;      // A 0x40
  bool router_address = false;  // R 0x20: `prefix` holds a full address of the router
  std::uint8_t other_flags = 0; // low 5 bits, kept verbatim
  std::uint32_t valid_lifetime = 0;
  std::uint32_t preferred_lifetime = 0;
  std::uint32_t reserved2 = 0;
  base::Ip6Addr prefix;
  friend bool operator==(const PrefixInformationOption&, const PrefixInformationOption&) = default;
};
struct MtuOption {
  std::uint16_t reserved = 0;
  std::uint32_t mtu = 0;
  friend bool operator==(const MtuOption&, const MtuOption&) = default;
};
struct AdvertisementIntervalOption {  // RFC 6275 7.3
  std::uint16_t reserved = 0;
  std::uint32_t interval_ms = 0;
  friend bool operator==(const AdvertisementIntervalOption&,
                         const AdvertisementIntervalOption&) = default;
};
struct HomeAgentInformationOption {  // RFC 6275 7.4
  std::uint16_t reserved = 0;
  std::uint16_t preference = 0;  // higher is better
  std::uint16_t lifetime = 0;    // seconds; 0 must not be sent
  friend bool operator==(const HomeAgentInformationOption&,
                         const HomeAgentInformationOption&) = default;
};
struct UnknownNdOption {
  std::uint8_t type = 0;
  std::vector<std::uint8_t> data;  // Length*8-2 octets
  friend bool operator==(const UnknownNdOption&, const UnknownNdOption&) = default;
};
using NdOption = std::variant<SourceLinkLayerAddressOption, PrefixInformationOption, MtuOption,
                              AdvertisementIntervalOption, HomeAgentInformationOption,
                              UnknownNdOption>;
using NdOptions = std::vector<NdOption>;

struct RouterAdvertisement {  // RFC 4861 4.2 + H flag (RFC 6275 7.1)
  std::uint8_t cur_hop_limit = 0;
  bool managed = false;     // M 0x80
  bool other = false;       // O 0x40
  bool home_agent = false;  // H 0x20
  std::uint8_t other_flags = 0;  // low 5 bits, kept verbatim
  std::uint16_t router_lifetime = 0;  // seconds
  std::uint32_t reachable_time = 0;
  std::uint32_t retrans_timer = 0;
  NdOptions options;
  friend bool operator==(const RouterAdvertisement&, const RouterAdvertisement&) = default;
};

struct DhaadRequest {
  std::uint16_t identifier = 0;
  std::uint16_t reserved = 0;
  friend bool operator==(const DhaadRequest&, const DhaadRequest&) = default;
};
struct DhaadReply {
  std::uint16_t identifier = 0;
  std::uint16_t reserved = 0;
  std::vector<base::Ip6Addr> home_agents;  // decreasing preference
  friend bool operator==(const DhaadReply&, const DhaadReply&) = default;
};
struct MobilePrefixSolicitation {
  std::uint16_t identifier = 0;
  std::uint16_t reserved = 0;
  friend bool operator==(const MobilePrefixSolicitation&,
                         const MobilePrefixSolicitation&) = default;
};
struct MobilePrefixAdvertisement {
  std::uint16_t identifier = 0;
  bool managed = false;  // M 0x80 of the flags octet
  bool other = false;    // O 0x40
  std::uint8_t reserved_flags = 0;  // low 6 bits
  std::uint8_t reserved = 0;        // octet after the flags
  NdOptions options;                // Prefix Information options
  friend bool operator==(const MobilePrefixAdvertisement&,
                         const MobilePrefixAdvertisement&) = default;
};

using Icmpv6Message = std::variant<RouterAdvertisement, DhaadRequest, DhaadReply,
                                   MobilePrefixSolicitation, MobilePrefixAdvertisement>;

struct Icmpv6Packet {
  std::uint8_t code = 0;
  std::uint16_t checksum = 0;  // as on the wire
  Icmpv6Message message;
  friend bool operator==(const Icmpv6Packet&, const Icmpv6Packet&) = default;
};

[[nodiscard]] Icmpv6Type type_of(const Icmpv6Message& m);

// True for the ICMPv6 types decoded here.
[[nodiscard]] bool is_mobility_icmpv6_type(std::uint8_t type);

// Decodes one of the ICMPv6 messages above. Other types fail with WrongIcmpType. The checksum
// is not verified here (see verify_icmpv6_checksum). DHAAD Request and Mobile Prefix
// Solicitation define no options: octets after their 8-octet body fail with LengthMismatch.
[[nodiscard]] ParseResult<Icmpv6Packet> decode_icmpv6(std::span<const std::uint8_t> bytes);

// Decodes ND options (RFC 4861 4.6): Length 0 is an error; unknown types are kept.
[[nodiscard]] ParseResult<NdOptions> decode_nd_options(std::span<const std::uint8_t> bytes,
                                                       std::size_t base_offset);
void encode_nd_options(const NdOptions& options, std::vector<std::uint8_t>& out);

[[nodiscard]] std::vector<std::uint8_t> encode_icmpv6(const Icmpv6Packet& packet);
[[nodiscard]] std::vector<std::uint8_t> encode_icmpv6(const Icmpv6Packet& packet,
                                                      const base::Ip6Addr& source,
                                                      const base::Ip6Addr& destination);
[[nodiscard]] bool verify_icmpv6_checksum(const base::Ip6Addr& source,
                                          const base::Ip6Addr& destination,
                                          std::span<const std::uint8_t> icmp_bytes);

}  // namespace mip6::wire
