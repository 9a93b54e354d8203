#include "ike/wire/ke_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

ParseResult<KePayload> KePayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  KePayload ke;
  std::uint16_t reserved = 0;  // ignored on receipt (R7296-11)
  if (!r.read_u16(ke.dh_group) || !r.read_u16(reserved)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  ke.data.assign(r.rest().begin(), r.rest().end());
  return ke;
}

EncodeStatus KePayload::encode(base::ByteWriter& w) const {
  w.write_u16(dh_group);
  w.write_u16(0);
  w.write_bytes(data);
  return {};
}

}  // namespace ike::wire
