#pragma once
// Identification payloads IDi/IDr (RFC 7296 3.5): ID Type, 3 reserved octets, data.
// AUTH is computed over the body exactly as received (IDx', 2.15): use the raw body span
// from DecodedMessage, never a re-encoding, since reserved octets are ignored on receipt.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

enum class IdType : std::uint8_t {
  Ipv4Addr = 1,
  Fqdn = 2,
  Rfc822Addr = 3,
  Ipv6Addr = 5,
  DerAsn1Dn = 9,
  DerAsn1Gn = 10,
  KeyId = 11,
};
MIP6_ENUM_NAMES(IdType, Ipv4Addr, Fqdn, Rfc822Addr, Ipv6Addr, DerAsn1Dn, DerAsn1Gn, KeyId);

struct IdPayload {
  IdType type = IdType::Fqdn;
  std::vector<std::uint8_t> data;

  static IdPayload make_fqdn(std::string_view fqdn);
  static IdPayload make_rfc822(std::string_view addr);
  static IdPayload make_ipv6(const base::Ip6Addr& addr);
  static IdPayload make_ipv4(const std::array<std::uint8_t, 4>& addr);
  static IdPayload make_key_id(std::span<const std::uint8_t> key_id);
  // An identity as operators write it in configuration and on command lines: "keyid:HEX" or
  // "@#HEX" (strongSwan's form) for ID_KEY_ID, an IPv6 address, "user@domain" for
  // ID_RFC822_ADDR, anything else ID_FQDN.
  static IdPayload from_text(std::string_view text);

  [[nodiscard]] std::optional<base::Ip6Addr> ipv6() const;  // when type is ID_IPV6_ADDR
  // FQDN / RFC822 text; empty for other types.
  [[nodiscard]] std::string_view text() const;
  // The identity as from_text() reads it, for any type: logs, events, configuration keys.
  // Types without a text form print as "TYPE:hex" ("keyid:..." for ID_KEY_ID).
  [[nodiscard]] std::string to_text() const;

  // ID_IPV4_ADDR must hold 4 octets, ID_IPV6_ADDR 16; other types are opaque here.
  [[nodiscard]] static ParseResult<IdPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const IdPayload&, const IdPayload&) = default;
};

}  // namespace ike::wire
