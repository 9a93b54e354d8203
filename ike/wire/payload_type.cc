#include "ike/wire/payload_type.h"

namespace ike::wire {

std::string_view to_string(PayloadType t) {
  switch (t) {
    case PayloadType::NoNext: return "NONE";
    case PayloadType::SecurityAssociation: return "SA";
    case PayloadType::KeyExchange: return "KE";
    case PayloadType::IdInitiator: return "IDi";
    case PayloadType::IdResponder: return "IDr";
    case PayloadType::Certificate: return "CERT";
    case PayloadType::CertificateRequest: return "CERTREQ";
    case PayloadType::Authentication: return "AUTH";
    case PayloadType::Nonce: return "No";
    case PayloadType::Notify: return "N";
    case PayloadType::Delete: return "D";
    case PayloadType::VendorId: return "V";
    case PayloadType::TsInitiator: return "TSi";
    case PayloadType::TsResponder: return "TSr";
    case PayloadType::Encrypted: return "SK";
    case PayloadType::Configuration: return "CP";
    case PayloadType::Eap: return "EAP";
    case PayloadType::EncryptedFragment: return "SKF";
  }
  return "UNKNOWN";
}

bool is_known_payload_type(std::uint8_t type) { return type >= 33 && type <= 48; }

std::string_view to_string(ProtocolId p) {
  switch (p) {
    case ProtocolId::None: return "NONE";
    case ProtocolId::Ike: return "IKE";
    case ProtocolId::Ah: return "AH";
    case ProtocolId::Esp: return "ESP";
  }
  return "UNKNOWN";
}

}  // namespace ike::wire
