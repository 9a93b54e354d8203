#pragma once
// Nonce payload (RFC 7296 3.9): 16..256 octets of Nonce Data, nothing else.
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

constexpr std::size_t kMinNonceSize = 16;
constexpr std::size_t kMaxNonceSize = 256;

struct NoncePayload {
  static constexpr PayloadType kType = PayloadType::Nonce;
  std::vector<std::uint8_t> data;

  // Rejects sizes outside 16..256 (R7296-20) with NonceBadLength.
  [[nodiscard]] static ParseResult<NoncePayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const NoncePayload&, const NoncePayload&) = default;
};

}  // namespace ike::wire
