#pragma once
// EAP payload (RFC 7296 3.16): one EAP message, opaque here. Only its framing is checked:
// the 4-octet EAP header's Length must equal the payload body (RFC 3748 4).
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct EapPayload {
  static constexpr PayloadType kType = PayloadType::Eap;
  std::vector<std::uint8_t> message;  // Code | Identifier | Length | Type-Data

  [[nodiscard]] static ParseResult<EapPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const EapPayload&, const EapPayload&) = default;
};

}  // namespace ike::wire
