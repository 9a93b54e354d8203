#pragma once
// Configuration payload (RFC 7296 3.15) with typed helpers for the attributes Mobile IPv6
// uses: INTERNAL_IP6_ADDRESS (RFC 4877 9), INTERNAL_IP6_DNS and MIP6_HOME_PREFIX (RFC 5026).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

enum class CfgType : std::uint8_t {
  Request = 1,
  Reply = 2,
  Set = 3,
  Ack = 4,
};
MIP6_ENUM_NAMES(CfgType, Request, Reply, Set, Ack);

enum class CpAttrType : std::uint16_t {
  InternalIp4Address = 1,
  InternalIp4Netmask = 2,
  InternalIp4Dns = 3,
  InternalIp4Nbns = 4,
  InternalIp4Dhcp = 6,
  ApplicationVersion = 7,
  InternalIp6Address = 8,
  InternalIp6Dns = 10,
  InternalIp6Dhcp = 12,
  InternalIp4Subnet = 13,
  SupportedAttributes = 14,
  InternalIp6Subnet = 15,
  Mip6HomePrefix = 16,
};
MIP6_ENUM_NAMES(CpAttrType, InternalIp4Address, InternalIp4Netmask, InternalIp4Dns, InternalIp4Nbns,
                InternalIp4Dhcp, ApplicationVersion, InternalIp6Address, InternalIp6Dns,
                InternalIp6Dhcp, InternalIp4Subnet, SupportedAttributes, InternalIp6Subnet,
                Mip6HomePrefix);

struct CpAttribute {
  std::uint16_t type = 0;  // 15 bits; the R bit is ignored on receipt and sent as 0
  std::vector<std::uint8_t> value;

  [[nodiscard]] bool is(CpAttrType t) const { return type == static_cast<std::uint16_t>(t); }
  friend bool operator==(const CpAttribute&, const CpAttribute&) = default;
};

struct CpPayload {
  static constexpr PayloadType kType = PayloadType::Configuration;
  CfgType cfg_type = CfgType::Request;
  std::vector<CpAttribute> attributes;  // unknown types kept; the engine ignores them (R7296-51)

  [[nodiscard]] const CpAttribute* find(CpAttrType t) const;

  // Frames attributes only; their lengths are judged by the typed helpers below.
  [[nodiscard]] static ParseResult<CpPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const CpPayload&, const CpPayload&) = default;
};

// Typed helper errors carry offsets relative to the attribute header.

// INTERNAL_IP6_ADDRESS: empty in a request (or a suggested address), 16-octet address +
// prefix length in a reply (17 octets; RFC 4877 9, R4877-46/47).
struct InternalIp6Address {
  base::Ip6Addr address;
  std::uint8_t prefix_len = 0;
  friend bool operator==(const InternalIp6Address&, const InternalIp6Address&) = default;
};
CpAttribute make_internal_ip6_address_request();
CpAttribute make_internal_ip6_address(const InternalIp6Address& a);
// nullopt for the empty (request) form.
[[nodiscard]] ParseResult<std::optional<InternalIp6Address>> decode_internal_ip6_address(
    const CpAttribute& attr);

// INTERNAL_IP6_DNS: empty in a request, 16 octets in a reply.
CpAttribute make_internal_ip6_dns_request();
CpAttribute make_internal_ip6_dns(const base::Ip6Addr& server);
[[nodiscard]] ParseResult<std::optional<base::Ip6Addr>> decode_internal_ip6_dns(
    const CpAttribute& attr);

// MIP6_HOME_PREFIX (RFC 5026 8.2): empty in a request; in a reply 21 octets in the order
// lifetime (4), prefix (16), prefix length (1).
struct Mip6HomePrefix {
  std::uint32_t lifetime = 0;  // seconds (unit UNVERIFIED in RFC 5026, see the digest)
  base::Ip6Addr prefix;
  std::uint8_t prefix_len = 0;
  friend bool operator==(const Mip6HomePrefix&, const Mip6HomePrefix&) = default;
};
CpAttribute make_mip6_home_prefix_request();
CpAttribute make_mip6_home_prefix(const Mip6HomePrefix& hp);
[[nodiscard]] ParseResult<std::optional<Mip6HomePrefix>> decode_mip6_home_prefix(
    const CpAttribute& attr);

}  // namespace ike::wire
