// The whole receive path of a Mobility Header (IPv6 walk, checksum, MH decode, RFC 6275 9.2
// error replies) on arbitrary packets: it must never crash, and every reply it builds must
// itself decode as an IPv6 packet.
#include <cstddef>
#include <cstdint>
#include <span>

#include "mip6/engine/mh_receiver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const base::Ip6Addr kLocal = *base::Ip6Addr::parse("2001:db8:1::1");
  mip6::engine::MhReceiver receiver;
  const base::TimePoint now{};
  (void)receiver.on_packet(std::span<const std::uint8_t>(data, size), kLocal, now);
  for (const auto& reply : receiver.take_replies()) {
    if (!mip6::wire::decode_ipv6_packet(reply.packet)) {
      __builtin_trap();
    }
  }
  return 0;
}
