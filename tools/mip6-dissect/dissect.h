#pragma once
// mip6-dissect's JSON builder: one JSON object per packet, in process, so that tests and the
// other dissectors (IKEv2) can call and extend it. Never throws on bad input: a packet that
// does not decode gives {"error": "<ParseErrc name>", "offset": N, "layer": "..."} plus
// whatever decoded before the failure.
//
// Offsets ("offset" of errors and options) count from the start of the bytes handed to the
// function (the IPv6 packet, or the bare MH / ICMPv6 message); "layer_offset" (errors and
// options) counts from the start of the layer, i.e. of the MH for mobility options, which is
// what the alignment rules of RFC 6275 6.2 refer to.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>

#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"

namespace mip6::dissect {

class IkeKeyTable;  // dissect_ike_keys.h

// What the input bytes are.
enum class InputKind : std::uint8_t {
  Auto,            // IPv6 if the version nibble is 6; a bare MH if the first octet is 59;
                   // a bare ICMPv6 message if the first octet is a mobility ICMPv6 type
  Ipv6,            // a full IPv6 packet
  MobilityHeader,  // a bare Mobility Header (checksum only verified with addresses given)
  Icmpv6,          // a bare ICMPv6 message (ditto)
  Ipv4,            // a full IPv4 packet (Auto picks it for version nibble 4): IKE over IPv4
};
MIP6_ENUM_NAMES(InputKind, Auto, Ipv6, MobilityHeader, Icmpv6, Ipv4);

// Pseudo-header addresses for checking the checksum of a bare MH or ICMPv6 message.
struct PseudoHeader {
  base::Ip6Addr source;       // the home address when the packet carried a HAO
  base::Ip6Addr destination;  // the home address when the packet carried a type 2 RH
};

// A full IPv6 packet: header, HAO, type 2 RH, then the MH or mobility ICMPv6 message, or
// UDP (dissect_udp: IKEv2 on ports 500/4500). Other upper layers give {"skipped": reason}
// next to the "ipv6" object. `ike_keys` (optional, not owned) decrypts SK payloads.
[[nodiscard]] nlohmann::json dissect_ipv6(std::span<const std::uint8_t> packet,
                                          const IkeKeyTable* ike_keys = nullptr);

// A bare Mobility Header. With `pseudo` the checksum is verified ("checksum_ok"), without
// it "checksum_ok" is null. `base_offset` is added to every reported offset.
[[nodiscard]] nlohmann::json dissect_mobility_header(std::span<const std::uint8_t> mh,
                                                     const std::optional<PseudoHeader>& pseudo,
                                                     std::size_t base_offset = 0);

// A bare ICMPv6 message of one of the mobility types (RFC 6275 6.5-6.8, RA of 7.1-7.4).
[[nodiscard]] nlohmann::json dissect_icmpv6(std::span<const std::uint8_t> icmp,
                                            const std::optional<PseudoHeader>& pseudo,
                                            std::size_t base_offset = 0);

// A full IPv4 packet: a minimal header walk (RFC 791; options skipped, fragments not
// reassembled), then UDP. Other protocols give {"skipped": reason} next to the "ipv4" object.
[[nodiscard]] nlohmann::json dissect_ipv4(std::span<const std::uint8_t> packet,
                                          const IkeKeyTable* ike_keys = nullptr);

// A UDP datagram, header included. Port 500 (either side) carries an IKEv2 message, port 4500
// the RFC 3948 framing: non-ESP marker + IKEv2, ESP ({"esp": {"spi", "sequence"}}) or a NAT
// keepalive. `checksum_ok` is what the caller computed over its pseudo-header (null when
// unknown, or when an IPv4 sender left the checksum 0).
[[nodiscard]] nlohmann::json dissect_udp(std::span<const std::uint8_t> udp,
                                         std::optional<bool> checksum_ok,
                                         std::size_t base_offset = 0,
                                         const IkeKeyTable* ike_keys = nullptr);

// An IKEv2 message (RFC 7296 3.1), without the non-ESP marker: {"ikev2": {"header", "payloads"}}.
// The SK payload is shown as {"encrypted": {"inner_first", "length", "decrypted"}}. Errors have
// layer "ikev2" and the ike::wire ParseErrc name.
//
// With `ike_keys` holding the SA's SPI pair, SK is opened (RFC 7296 3.14: SK_ei/SK_ai for a
// message with the I flag, else SK_er/SK_ar; the ICV is verified before anything is shown)
// and "encrypted" gains "decrypted": true, "decrypt_status": "ok", the suite, "keys_used"
// ("SK_ei/SK_ai" or "SK_er/SK_ar"; never the keys themselves), "iv", "icv",
// "pad_length" and "payloads": the inner payloads dissected like the clear ones ("offset"
// = where the payload's ciphertext sits in the input, "layer_offset" = offset in the
// plaintext). Otherwise "decrypt_status" says why not: "no_key" (and the packet gets a
// "note"), or a failure that makes the packet an error with layer "ikev2_sk":
// "sk_integrity_check_failed", "sk_body_too_short", "sk_invalid_padding", or the ParseErrc
// name of an inner payload that does not parse.
[[nodiscard]] nlohmann::json dissect_ikev2(std::span<const std::uint8_t> message,
                                           std::size_t base_offset = 0,
                                           const IkeKeyTable* ike_keys = nullptr);

// Dispatches on `kind`; the result carries "input" naming what was dissected.
[[nodiscard]] nlohmann::json dissect(std::span<const std::uint8_t> bytes, InputKind kind,
                                     const std::optional<PseudoHeader>& pseudo = std::nullopt,
                                     const IkeKeyTable* ike_keys = nullptr);

// True when the object reports malformed input (has an "error" member).
[[nodiscard]] bool is_error(const nlohmann::json& packet);

// Serialises one object on one line. Invalid UTF-8 (never produced by the builders, which
// hex-encode non-printable strings) is replaced rather than thrown.
[[nodiscard]] std::string dump_line(const nlohmann::json& j);

}  // namespace mip6::dissect
