#include "ike/wire/non_esp_marker.h"

#include <algorithm>

namespace ike::wire {

ParseResult<Udp4500Datagram> classify_udp4500(std::span<const std::uint8_t> datagram) {
  if (datagram.size() == 1 && datagram[0] == 0xff) {
    return Udp4500Datagram{Udp4500Kind::NatKeepalive, datagram};
  }
  if (datagram.size() < kNonEspMarkerSize) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  if (datagram[0] == 0 && datagram[1] == 0 && datagram[2] == 0 && datagram[3] == 0) {
    return Udp4500Datagram{Udp4500Kind::Ike, datagram.subspan(kNonEspMarkerSize)};
  }
  return Udp4500Datagram{Udp4500Kind::Esp, datagram};
}

ParseResult<std::span<const std::uint8_t>> strip_non_esp_marker(
    std::span<const std::uint8_t> datagram) {
  auto c = classify_udp4500(datagram);
  if (!c) {
    return tl::unexpected(c.error());
  }
  if (c->kind != Udp4500Kind::Ike) {
    return parse_fail(ParseErrc::MissingNonEspMarker, 0);
  }
  return c->payload;
}

std::vector<std::uint8_t> add_non_esp_marker(std::span<const std::uint8_t> ike_message) {
  // Sized once and copied into: vector::insert after a fill trips GCC 12's -Warray-bounds.
  std::vector<std::uint8_t> out(kNonEspMarkerSize + ike_message.size(), 0);
  std::copy(ike_message.begin(), ike_message.end(), out.begin() + kNonEspMarkerSize);
  return out;
}

}  // namespace ike::wire
