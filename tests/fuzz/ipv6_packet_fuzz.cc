// Fuzzes the IPv6 header-chain walk (RFC 6275 6.3, 6.4; RFC 8200). On success the upper-layer
// span must lie inside the packet, and a packet rebuilt from what was found (HAO, type 2 RH,
// upper layer) must decode to the same findings. The upper layer is handed to the MH or ICMPv6
// decoder as the HA's receive path would.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

bool is_walked_extension(std::uint8_t nh) {
  using namespace mip6::wire;
  return nh == kIpProtoHopByHop || nh == kIpProtoDestOpts || nh == kIpProtoRouting ||
         nh == kIpProtoFragment;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mip6::wire;
  const std::span<const std::uint8_t> input(data, size);
  auto packet = decode_ipv6_packet(input);
  if (!packet) {
    check(packet.error().offset <= size);
    return 0;
  }
  const Ipv6Packet& p = *packet;
  check(p.upper.data() >= data && p.upper.data() + p.upper.size() <= data + size);
  check(p.upper_offset + p.upper.size() == 40U + p.header.payload_length);
  check(static_cast<std::size_t>(p.upper.data() - data) == p.upper_offset);

  if (p.type2_routing_header) {
    const auto rh_bytes = encode_type2_routing_header(*p.type2_routing_header);
    auto rh_back = decode_type2_routing_header(rh_bytes);
    check(rh_back.has_value() && *rh_back == *p.type2_routing_header);
  }

  if (!is_walked_extension(p.upper_protocol)) {
    Ipv6Build build;
    build.source = p.header.source;
    build.destination = p.header.destination;
    build.hop_limit = p.header.hop_limit;
    build.home_address_option = p.home_address_option;
    if (p.type2_routing_header) {
      build.type2_home_address = p.type2_routing_header->home_address;
    }
    const auto rebuilt = encode_ipv6_packet(build, p.upper_protocol, p.upper);
    auto back = decode_ipv6_packet(rebuilt);
    check(back.has_value());
    check(back->home_address_option == p.home_address_option);
    check(back->checksum_source() == p.checksum_source());
    check(back->checksum_destination() == p.checksum_destination());
    check(back->upper_protocol == p.upper_protocol);
    check(same(back->upper, p.upper));
  }

  // What the receive path does next.
  if (p.upper_protocol == kIpProtoMobility) {
    (void)verify_mh_checksum(p.checksum_source(), p.checksum_destination(), p.upper);
    auto mh = decode_mobility_header(p.upper);
    if (mh) {
      check(same(encode_mobility_header(*mh), p.upper));
    }
  } else if (p.upper_protocol == kIpProtoIcmpv6) {
    (void)verify_icmpv6_checksum(p.header.source, p.header.destination, p.upper);
    auto icmp = decode_icmpv6(p.upper);
    if (icmp) {
      check(same(encode_icmpv6(*icmp), p.upper));
    }
  }
  return 0;
}
