#include "ike/wire/auth_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

std::string_view to_string(AuthMethod m) {
  switch (m) {
    case AuthMethod::RsaSignature: return "RSA_DIGITAL_SIGNATURE";
    case AuthMethod::SharedKeyMic: return "SHARED_KEY_MIC";
    case AuthMethod::DssSignature: return "DSS_DIGITAL_SIGNATURE";
    case AuthMethod::EcdsaSha256P256: return "ECDSA_SHA256_P256";
    case AuthMethod::EcdsaSha384P384: return "ECDSA_SHA384_P384";
    case AuthMethod::EcdsaSha512P521: return "ECDSA_SHA512_P521";
    case AuthMethod::DigitalSignature: return "DIGITAL_SIGNATURE";
  }
  return "UNKNOWN_AUTH_METHOD";
}

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
