#include "ike/wire/nonce_payload.h"

namespace ike::wire {

ParseResult<NoncePayload> NoncePayload::decode(std::span<const std::uint8_t> body) {
  if (body.size() < kMinNonceSize || body.size() > kMaxNonceSize) {
    return parse_fail(ParseErrc::NonceBadLength, 0);
  }
  NoncePayload n;
  n.data.assign(body.begin(), body.end());
  return n;
}

EncodeStatus NoncePayload::encode(base::ByteWriter& w) const {
  w.write_bytes(data);
  return {};
}

}  // namespace ike::wire
