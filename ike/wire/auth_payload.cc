#include "ike/wire/auth_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

ParseResult<AuthPayload> AuthPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t method = 0;
  if (!r.read_u8(method) || !r.skip(3)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  AuthPayload a;
  a.method = static_cast<AuthMethod>(method);
  a.data.assign(r.rest().begin(), r.rest().end());
  return a;
}

EncodeStatus AuthPayload::encode(base::ByteWriter& w) const {
  w.write_u8(static_cast<std::uint8_t>(method));
  w.write_zeros(3);
  w.write_bytes(data);
  return {};
}

ParseResult<DigitalSignatureData> decode_digital_signature(
    std::span<const std::uint8_t> auth_data) {
  base::ByteReader r(auth_data);
  std::uint8_t len = 0;
  std::span<const std::uint8_t> algorithm;
  if (!r.read_u8(len)) {
    return parse_fail(ParseErrc::Truncated, 0, static_cast<std::uint8_t>(AuthPayload::kType));
  }
  if (!r.read_span(len, algorithm)) {
    return parse_fail(ParseErrc::Truncated, 1, static_cast<std::uint8_t>(AuthPayload::kType));
  }
  DigitalSignatureData d;
  d.algorithm_identifier.assign(algorithm.begin(), algorithm.end());
  d.signature.assign(r.rest().begin(), r.rest().end());
  return d;
}

EncodeResult<std::vector<std::uint8_t>> encode_digital_signature(
    std::span<const std::uint8_t> algorithm_identifier, std::span<const std::uint8_t> signature) {
  if (algorithm_identifier.size() > 0xff) {
    return encode_fail(EncodeErrc::FieldTooLong);
  }
  std::vector<std::uint8_t> out;
  out.reserve(1 + algorithm_identifier.size() + signature.size());
  out.push_back(static_cast<std::uint8_t>(algorithm_identifier.size()));
  out.insert(out.end(), algorithm_identifier.begin(), algorithm_identifier.end());
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

}  // namespace ike::wire
