// Internet checksum over the IPv6 pseudo-header (RFC 8200 8.1), shared by the Mobility Header
// (RFC 6275 6.1.1, next header 135) and ICMPv6 (next header 58).
#include <cstdint>
#include <span>

#include "ike/base/ip6_addr.h"
#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"

namespace mip6::wire {

namespace {

// Sums 16-bit big-endian words into a wide accumulator; the carries are folded once at the end.
std::uint64_t add_words(std::uint64_t sum, std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  for (; i + 1 < n; i += 2) {
    sum += static_cast<std::uint32_t>((bytes[i] << 8) | bytes[i + 1]);
  }
  if (i < n) {
    sum += static_cast<std::uint32_t>(bytes[i] << 8);  // odd length: pad with a zero octet
  }
  return sum;
}

std::uint16_t fold(std::uint64_t sum) {
  while ((sum >> 16) != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(sum);
}

}  // namespace

std::uint16_t pseudo_header_checksum(const base::Ip6Addr& source, const base::Ip6Addr& destination,
                                     std::uint8_t next_header,
                                     std::span<const std::uint8_t> upper) {
  std::uint64_t sum = 0;
  sum = add_words(sum, source.bytes());
  sum = add_words(sum, destination.bytes());
  const auto len = static_cast<std::uint64_t>(upper.size());
  sum += (len >> 16) & 0xffff;  // 32-bit upper-layer packet length
  sum += len & 0xffff;
  sum += next_header;  // three zero octets, then next header
  sum = add_words(sum, upper);
  return static_cast<std::uint16_t>(~fold(sum));
}

bool verify_mh_checksum(const base::Ip6Addr& source, const base::Ip6Addr& destination,
                        std::span<const std::uint8_t> mh_bytes) {
  // R6275-06: the caller drops silently when this is false.
  return pseudo_header_checksum(source, destination, kIpProtoMobility, mh_bytes) == 0;
}

bool verify_icmpv6_checksum(const base::Ip6Addr& source, const base::Ip6Addr& destination,
                            std::span<const std::uint8_t> icmp_bytes) {
  return pseudo_header_checksum(source, destination, kIpProtoIcmpv6, icmp_bytes) == 0;
}

}  // namespace mip6::wire
