#include "ike/wire/sk_payload.h"

namespace ike::wire {

ParseResult<SkPayload> SkPayload::decode(PayloadType inner_first,
                                         std::span<const std::uint8_t> body) {
  SkPayload sk;
  sk.inner_first = inner_first;
  sk.data.assign(body.begin(), body.end());
  return sk;
}

EncodeStatus SkPayload::encode(base::ByteWriter& w) const {
  w.write_bytes(data);
  return {};
}

ParseResult<std::span<const std::uint8_t>> strip_sk_padding(
    std::span<const std::uint8_t> plaintext) {
  if (plaintext.empty()) {
    return parse_fail(ParseErrc::Truncated, 0, static_cast<std::uint8_t>(PayloadType::Encrypted));
  }
  const std::size_t pad = plaintext.back();
  if (pad + 1 > plaintext.size()) {
    return parse_fail(ParseErrc::SkPadLengthOverrun, plaintext.size() - 1,
                      static_cast<std::uint8_t>(PayloadType::Encrypted));
  }
  return plaintext.first(plaintext.size() - pad - 1);
}

}  // namespace ike::wire
