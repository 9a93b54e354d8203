#include "ike/wire/cert_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

ParseResult<CertPayload> CertPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t enc = 0;
  if (!r.read_u8(enc)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  CertPayload c;
  c.encoding = static_cast<CertEncoding>(enc);
  c.data.assign(r.rest().begin(), r.rest().end());
  return c;
}

EncodeStatus CertPayload::encode(base::ByteWriter& w) const {
  w.write_u8(static_cast<std::uint8_t>(encoding));
  w.write_bytes(data);
  return {};
}

}  // namespace ike::wire
