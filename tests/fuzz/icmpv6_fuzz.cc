// Fuzzes the ICMPv6 mobility decoders (RFC 6275 6.5-6.8, 7; RFC 4861 4.2, 4.6): a successful
// decode must re-encode to the identical bytes and decode again to an equal value. The raw ND
// option parser gets the same input on its own.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "mip6/wire/icmpv6_mobility.h"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

bool same(const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mip6::wire;
  const std::span<const std::uint8_t> input(data, size);

  auto packet = decode_icmpv6(input);
  if (packet) {
    check(is_mobility_icmpv6_type(static_cast<std::uint8_t>(type_of(packet->message))));
    check(!to_string(type_of(packet->message)).empty());
    const auto encoded = encode_icmpv6(*packet);
    check(same(encoded, input));
    auto again = decode_icmpv6(encoded);
    check(again.has_value() && *again == *packet);
    base::Ip6Addr src;
    base::Ip6Addr dst;
    src.bytes()[0] = 0xfe;
    dst.bytes()[0] = 0xff;
    check(verify_icmpv6_checksum(src, dst, encode_icmpv6(*packet, src, dst)));
  } else {
    check(packet.error().offset <= size);
  }

  auto options = decode_nd_options(input, 0);
  if (options) {
    std::vector<std::uint8_t> encoded;
    encode_nd_options(*options, encoded);
    check(same(encoded, input));
    auto again = decode_nd_options(encoded, 0);
    check(again.has_value() && *again == *options);
  } else {
    check(options.error().offset < size || size == 0);
  }
  return 0;
}
