// Fuzzes the mobility options decoder (RFC 6275 6.2, RFC 5026 8.1). The first input octet picks
// the options area's offset within the MH (alignment is relative to the MH start); the rest is
// the options area. A successful decode must round-trip byte for byte, and rebuilding the
// non-padding options with append_aligned must give an area that decodes to the same options.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "mip6/wire/mobility_options.h"

namespace {

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

bool is_padding(const mip6::wire::MobilityOption& o) {
  return std::holds_alternative<mip6::wire::Pad1Option>(o) ||
         std::holds_alternative<mip6::wire::PadNOption>(o);
}

mip6::wire::MobilityOptions without_padding(const mip6::wire::MobilityOptions& in) {
  mip6::wire::MobilityOptions out;
  for (const auto& o : in) {
    if (!is_padding(o)) {
      out.push_back(o);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mip6::wire;
  if (size == 0) {
    return 0;
  }
  const std::size_t mh_offset = 8 + data[0] % 16;
  const std::span<const std::uint8_t> area(data + 1, size - 1);
  auto options = decode_mobility_options(area, mh_offset);
  if (!options) {
    check(options.error().offset >= mh_offset && options.error().offset <= mh_offset + area.size());
    return 0;
  }
  std::vector<std::uint8_t> encoded;
  encode_mobility_options(*options, encoded);
  check(encoded.size() == area.size() && std::equal(encoded.begin(), encoded.end(), area.begin()));
  std::size_t total = 0;
  for (const auto& o : *options) {
    total += encoded_size(o);
  }
  check(total == area.size());
  auto again = decode_mobility_options(encoded, mh_offset);
  check(again.has_value() && *again == *options);

  MobilityOptions rebuilt;
  for (auto& o : without_padding(*options)) {
    append_aligned(rebuilt, mh_offset, std::move(o));
  }
  std::vector<std::uint8_t> rebuilt_bytes;
  encode_mobility_options(rebuilt, rebuilt_bytes);
  auto rebuilt_back = decode_mobility_options(rebuilt_bytes, mh_offset);
  check(rebuilt_back.has_value() && without_padding(*rebuilt_back) == without_padding(*options));
  return 0;
}
