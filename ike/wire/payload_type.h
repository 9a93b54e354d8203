#pragma once
// Payload type numbers (RFC 7296 3.2) and IPsec protocol IDs (3.3.1), shared by every payload.
#include <cstdint>
#include <string_view>

namespace ike::wire {

enum class PayloadType : std::uint8_t {
  NoNext = 0,
  SecurityAssociation = 33,
  KeyExchange = 34,
  IdInitiator = 35,
  IdResponder = 36,
  Certificate = 37,
  CertificateRequest = 38,
  Authentication = 39,
  Nonce = 40,
  Notify = 41,
  Delete = 42,
  VendorId = 43,
  TsInitiator = 44,
  TsResponder = 45,
  Encrypted = 46,
  Configuration = 47,
  Eap = 48,
  // RFC 7383 fragment (SKF). Recognised by name only: decoded as an unknown payload until
  // fragmentation is implemented (we never announce IKEV2_FRAGMENTATION_SUPPORTED).
  EncryptedFragment = 53,
};

std::string_view to_string(PayloadType t);
// True for the types this library decodes into typed bodies (33..48).
[[nodiscard]] bool is_known_payload_type(std::uint8_t type);

// Protocol ID in proposals, Notify and Delete payloads. 0 = "no SA" in Notify.
enum class ProtocolId : std::uint8_t {
  None = 0,
  Ike = 1,
  Ah = 2,
  Esp = 3,
};

std::string_view to_string(ProtocolId p);

constexpr std::size_t kGenericHeaderSize = 4;
constexpr std::uint8_t kCriticalBit = 0x80;

}  // namespace ike::wire
