#pragma once
// Vendor ID payload (RFC 7296 3.12): opaque data, usually a hash of a vendor string.
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct VendorIdPayload {
  static constexpr PayloadType kType = PayloadType::VendorId;
  std::vector<std::uint8_t> data;

  [[nodiscard]] static ParseResult<VendorIdPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const VendorIdPayload&, const VendorIdPayload&) = default;
};

}  // namespace ike::wire
