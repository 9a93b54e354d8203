#pragma once
// IANA IKEv2 transform numbers (RFC 7296 §3.3.2, RFC 4868 §8, RFC 5282 §7, RFC 8031 §3).
// Header-only on purpose: the wire codec (which does not link ike::crypto) includes it to name
// transforms, and keeps unknown IDs as raw integers so it can still echo or skip them.
#include <cstdint>
#include <string_view>

namespace ike::crypto {

// Transform Type field of the Transform substructure (RFC 7296 §3.3.2).
enum class TransformType : std::uint8_t {
  Encr = 1,
  Prf = 2,
  Integ = 3,
  Dh = 4,
  Esn = 5,
};

// Transform attribute type Key Length (RFC 7296 §3.3.5); always sent in TV form.
inline constexpr std::uint16_t kKeyLengthAttribute = 14;

enum class EncrAlgorithm : std::uint16_t {
  Null = 11,       // ESP only, never IKE
  AesCbc = 12,     // RFC 3602; Key Length 128/192/256
  AesGcm8 = 18,    // RFC 4106/5282; named for logs only, not implemented
  AesGcm12 = 19,   // named for logs only, not implemented
  AesGcm16 = 20,   // RFC 4106/5282; Key Length 128/192/256
};

enum class PrfAlgorithm : std::uint16_t {
  HmacSha1 = 2,       // legacy; named for logs only, not implemented
  HmacSha2_256 = 5,   // RFC 4868
  HmacSha2_384 = 6,
  HmacSha2_512 = 7,
};

enum class IntegAlgorithm : std::uint16_t {
  None = 0,               // with an AEAD ENCR transform
  HmacSha1_96 = 2,        // legacy; named for logs only, not implemented
  HmacSha2_256_128 = 12,  // RFC 4868
  HmacSha2_384_192 = 13,
  HmacSha2_512_256 = 14,
};

enum class DhGroup : std::uint16_t {
  None = 0,
  Modp2048 = 14,    // RFC 3526 §3
  Ecp256 = 19,      // RFC 5903 (P-256)
  Curve25519 = 31,  // RFC 8031
};

enum class EsnMode : std::uint16_t {
  NoEsn = 0,
  Esn = 1,
};

constexpr std::string_view to_string(TransformType t) {
  switch (t) {
    case TransformType::Encr: return "ENCR";
    case TransformType::Prf: return "PRF";
    case TransformType::Integ: return "INTEG";
    case TransformType::Dh: return "D-H";
    case TransformType::Esn: return "ESN";
  }
  return "UNKNOWN_TRANSFORM_TYPE";
}

constexpr std::string_view to_string(EncrAlgorithm a) {
  switch (a) {
    case EncrAlgorithm::Null: return "ENCR_NULL";
    case EncrAlgorithm::AesCbc: return "ENCR_AES_CBC";
    case EncrAlgorithm::AesGcm8: return "ENCR_AES_GCM_8";
    case EncrAlgorithm::AesGcm12: return "ENCR_AES_GCM_12";
    case EncrAlgorithm::AesGcm16: return "ENCR_AES_GCM_16";
  }
  return "UNKNOWN_ENCR";
}

constexpr std::string_view to_string(PrfAlgorithm a) {
  switch (a) {
    case PrfAlgorithm::HmacSha1: return "PRF_HMAC_SHA1";
    case PrfAlgorithm::HmacSha2_256: return "PRF_HMAC_SHA2_256";
    case PrfAlgorithm::HmacSha2_384: return "PRF_HMAC_SHA2_384";
    case PrfAlgorithm::HmacSha2_512: return "PRF_HMAC_SHA2_512";
  }
  return "UNKNOWN_PRF";
}

constexpr std::string_view to_string(IntegAlgorithm a) {
  switch (a) {
    case IntegAlgorithm::None: return "NONE";
    case IntegAlgorithm::HmacSha1_96: return "AUTH_HMAC_SHA1_96";
    case IntegAlgorithm::HmacSha2_256_128: return "AUTH_HMAC_SHA2_256_128";
    case IntegAlgorithm::HmacSha2_384_192: return "AUTH_HMAC_SHA2_384_192";
    case IntegAlgorithm::HmacSha2_512_256: return "AUTH_HMAC_SHA2_512_256";
  }
  return "UNKNOWN_INTEG";
}

constexpr std::string_view to_string(DhGroup g) {
  switch (g) {
    case DhGroup::None: return "NONE";
    case DhGroup::Modp2048: return "MODP_2048";
    case DhGroup::Ecp256: return "ECP_256";
    case DhGroup::Curve25519: return "CURVE25519";
  }
  return "UNKNOWN_DH";
}

constexpr std::string_view to_string(EsnMode e) {
  switch (e) {
    case EsnMode::NoEsn: return "NO_ESN";
    case EsnMode::Esn: return "ESN";
  }
  return "UNKNOWN_ESN";
}

}  // namespace ike::crypto
