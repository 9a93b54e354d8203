// Fuzzes the Mobility Header decoder (RFC 6275 6.1, RFC 5142). A successful decode must
// re-encode to the identical bytes and decode again to an equal value; anything else is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "mip6/wire/mobility_header.h"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mip6::wire;
  const std::span<const std::uint8_t> input(data, size);
  auto mh = decode_mobility_header(input);
  if (!mh) {
    check(!to_string(mh.error().code).empty());
    check(mh.error().offset <= size);
    return 0;
  }
  check(!to_string(type_of(mh->message)).empty());
  const std::vector<std::uint8_t> encoded = encode_mobility_header(*mh);
  check(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), input.begin()));
  auto again = decode_mobility_header(encoded);
  check(again.has_value() && *again == *mh);

  // The checksum-filling encoder produces a message that verifies for its pseudo-header.
  base::Ip6Addr src;
  base::Ip6Addr dst;
  src.bytes()[0] = 0x20;
  dst.bytes()[15] = 0x01;
  const auto summed = encode_mobility_header(*mh, src, dst);
  check(verify_mh_checksum(src, dst, summed));
  auto summed_back = decode_mobility_header(summed);
  check(summed_back.has_value() && summed_back->message == mh->message);
  return 0;
}
