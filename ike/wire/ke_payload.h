#pragma once
// Key Exchange payload (RFC 7296 3.4): DH Group Num, 2 reserved octets, Key Exchange Data.
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct KePayload {
  static constexpr PayloadType kType = PayloadType::KeyExchange;
  std::uint16_t dh_group = 0;  // see DhGroup in sa_payload.h
  // Length per group (256 for MODP 2048, 64 for P-256, 32 for X25519) is the engine's check:
  // a wrong size there is INVALID_SYNTAX, not a framing error.
  std::vector<std::uint8_t> data;

  [[nodiscard]] static ParseResult<KePayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const KePayload&, const KePayload&) = default;
};

}  // namespace ike::wire
