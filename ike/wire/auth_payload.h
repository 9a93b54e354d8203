#pragma once
// Authentication payload (RFC 7296 3.8; RFC 7427): Auth Method, 3 reserved octets, data.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

enum class AuthMethod : std::uint8_t {
  RsaSignature = 1,
  SharedKeyMic = 2,
  DssSignature = 3,
  EcdsaSha256P256 = 9,
  EcdsaSha384P384 = 10,
  EcdsaSha512P521 = 11,
  DigitalSignature = 14,  // RFC 7427: data = ASN.1 length | AlgorithmIdentifier | signature
};
MIP6_ENUM_NAMES(AuthMethod, RsaSignature, SharedKeyMic, DssSignature, EcdsaSha256P256,
                EcdsaSha384P384, EcdsaSha512P521, DigitalSignature);

struct AuthPayload {
  static constexpr PayloadType kType = PayloadType::Authentication;
  AuthMethod method = AuthMethod::SharedKeyMic;
  std::vector<std::uint8_t> data;

  [[nodiscard]] static ParseResult<AuthPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const AuthPayload&, const AuthPayload&) = default;
};

// Authentication Data of the Digital Signature method (RFC 7427 3): a 1-octet length, the DER
// AlgorithmIdentifier of that length, then the signature value. The DER itself is ike::crypto's
// business; this only frames it.
struct DigitalSignatureData {
  std::vector<std::uint8_t> algorithm_identifier;
  std::vector<std::uint8_t> signature;
  friend bool operator==(const DigitalSignatureData&, const DigitalSignatureData&) = default;
};
// Truncated when the length octet is missing or the AlgorithmIdentifier runs past the data.
[[nodiscard]] ParseResult<DigitalSignatureData> decode_digital_signature(
    std::span<const std::uint8_t> auth_data);
// FieldTooLong for an AlgorithmIdentifier over 255 octets.
[[nodiscard]] EncodeResult<std::vector<std::uint8_t>> encode_digital_signature(
    std::span<const std::uint8_t> algorithm_identifier, std::span<const std::uint8_t> signature);

}  // namespace ike::wire
