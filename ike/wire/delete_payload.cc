#include "ike/wire/delete_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

DeletePayload DeletePayload::make_ike() { return DeletePayload{}; }

DeletePayload DeletePayload::make_child(ProtocolId protocol,
                                        std::span<const std::uint32_t> spis) {
  DeletePayload d;
  d.protocol = protocol;
  d.spi_size = 4;
  for (std::uint32_t spi : spis) {
    std::vector<std::uint8_t> bytes;
    base::ByteWriter(bytes).write_u32(spi);
    d.spis.push_back(std::move(bytes));
  }
  return d;
}

std::vector<std::uint32_t> DeletePayload::spis32() const {
  std::vector<std::uint32_t> out;
  if (spi_size != 4) {
    return out;
  }
  for (const auto& s : spis) {
    base::ByteReader r(s);
    std::uint32_t v = 0;
    if (r.read_u32(v)) {
      out.push_back(v);
    }
  }
  return out;
}

ParseResult<DeletePayload> DeletePayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t protocol = 0;
  DeletePayload d;
  std::uint16_t count = 0;
  if (!r.read_u8(protocol) || !r.read_u8(d.spi_size) || !r.read_u16(count)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  d.protocol = static_cast<ProtocolId>(protocol);
  // An SPI Size of 0 with a non-zero count would be a list of nothing: reject it too.
  if ((d.spi_size == 0 && count != 0) ||
      std::size_t{count} * d.spi_size != r.remaining()) {
    return parse_fail(ParseErrc::DeleteSpiCountMismatch, 2);
  }
  for (std::uint16_t i = 0; i < count; ++i) {
    std::span<const std::uint8_t> spi;
    if (!r.read_span(d.spi_size, spi)) {
      return parse_fail(ParseErrc::DeleteSpiCountMismatch, 2);  // unreachable: size checked
    }
    d.spis.emplace_back(spi.begin(), spi.end());
  }
  return d;
}

EncodeStatus DeletePayload::encode(base::ByteWriter& w) const {
  constexpr auto kSelf = static_cast<std::uint8_t>(kType);
  if (spis.size() > 0xffff) {
    return encode_fail(EncodeErrc::CountTooLarge, kSelf);
  }
  w.write_u8(static_cast<std::uint8_t>(protocol));
  w.write_u8(spi_size);
  w.write_u16(static_cast<std::uint16_t>(spis.size()));
  for (const auto& s : spis) {
    if (s.size() != spi_size) {
      return encode_fail(EncodeErrc::FieldTooLong, kSelf);
    }
    w.write_bytes(s);
  }
  return {};
}

}  // namespace ike::wire
