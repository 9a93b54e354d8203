#include "ike/wire/eap_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

ParseResult<EapPayload> EapPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t code = 0;
  std::uint8_t identifier = 0;
  std::uint16_t length = 0;
  if (!r.read_u8(code) || !r.read_u8(identifier) || !r.read_u16(length)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  if (length != body.size()) {
    return parse_fail(ParseErrc::EapLengthMismatch, 2);
  }
  EapPayload e;
  e.message.assign(body.begin(), body.end());
  return e;
}

EncodeStatus EapPayload::encode(base::ByteWriter& w) const {
  w.write_bytes(message);
  return {};
}

}  // namespace ike::wire
