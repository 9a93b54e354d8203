#pragma once
// Payload type numbers (RFC 7296 3.2) and IPsec protocol IDs (3.3.1), shared by every payload.
#include <cstdint>
#include <string_view>

#include "ike/base/enum_names.h"

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

MIP6_ENUM_NAMES(PayloadType, NoNext, SecurityAssociation, KeyExchange, IdInitiator, IdResponder,
                Certificate, CertificateRequest, Authentication, Nonce, Notify, Delete, VendorId,
                TsInitiator, TsResponder, Encrypted, Configuration, Eap, EncryptedFragment);
// True for the types this library decodes into typed bodies (33..48).
[[nodiscard]] bool is_known_payload_type(std::uint8_t type);

// Protocol ID in proposals, Notify and Delete payloads. 0 = "no SA" in Notify.
enum class ProtocolId : std::uint8_t {
  None = 0,
  Ike = 1,
  Ah = 2,
  Esp = 3,
};

MIP6_ENUM_NAMES(ProtocolId, None, Ike, Ah, Esp);

constexpr std::size_t kGenericHeaderSize = 4;
constexpr std::uint8_t kCriticalBit = 0x80;

}  // namespace ike::wire
