#pragma once
// Delete payload (RFC 7296 3.11): Protocol ID, SPI Size, Num of SPIs, then the SPIs.
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct DeletePayload {
  static constexpr PayloadType kType = PayloadType::Delete;
  ProtocolId protocol = ProtocolId::Ike;
  std::uint8_t spi_size = 0;  // 0 for the IKE SA, 4 for ESP/AH
  std::vector<std::vector<std::uint8_t>> spis;  // each exactly spi_size octets

  static DeletePayload make_ike();  // Protocol 1, SPI Size 0, no SPIs (R7296-55)
  static DeletePayload make_child(ProtocolId protocol, std::span<const std::uint32_t> spis);
  // The SPIs as 32-bit values; empty unless spi_size == 4.
  [[nodiscard]] std::vector<std::uint32_t> spis32() const;

  // Num of SPIs x SPI Size must equal the bytes present (DeleteSpiCountMismatch).
  [[nodiscard]] static ParseResult<DeletePayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const DeletePayload&, const DeletePayload&) = default;
};

}  // namespace ike::wire
