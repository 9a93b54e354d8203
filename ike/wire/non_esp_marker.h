#pragma once
// UDP port 4500 framing (RFC 7296 2.23, RFC 3948 2): an IKE message is preceded by four zero
// octets (the non-ESP marker), which no length, AUTH or ICV covers; anything else with a
// non-zero first word is ESP, and the single octet 0xFF is a NAT keepalive.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/wire/parse_error.h"

namespace ike::wire {

constexpr std::size_t kNonEspMarkerSize = 4;

enum class Udp4500Kind : std::uint8_t {
  Ike,           // payload = the IKE message, marker removed
  Esp,           // payload = the whole datagram (starts with the ESP SPI)
  NatKeepalive,  // payload = the 0xFF octet
};
MIP6_ENUM_NAMES(Udp4500Kind, Ike, Esp, NatKeepalive);

struct Udp4500Datagram {
  Udp4500Kind kind = Udp4500Kind::Ike;
  std::span<const std::uint8_t> payload;
};

// Fails with Truncated for 0, 2 or 3 octets, or a single octet other than 0xFF.
[[nodiscard]] ParseResult<Udp4500Datagram> classify_udp4500(
    std::span<const std::uint8_t> datagram);
// The IKE message after the marker; MissingNonEspMarker when the first word is not zero.
[[nodiscard]] ParseResult<std::span<const std::uint8_t>> strip_non_esp_marker(
    std::span<const std::uint8_t> datagram);
// Marker + message, ready for port 4500.
[[nodiscard]] std::vector<std::uint8_t> add_non_esp_marker(
    std::span<const std::uint8_t> ike_message);

}  // namespace ike::wire
