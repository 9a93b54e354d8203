#pragma once
// IANA IKEv2 transform numbers (RFC 7296 §3.3.2, RFC 4868 §8, RFC 5282 §7, RFC 8031 §3).
// Header-only on purpose: the wire codec (which does not link ike::crypto) includes it to name
// transforms, and keeps unknown IDs as raw integers so it can still echo or skip them.
#include <cstdint>
#include <string_view>

#include "ike/base/enum_names.h"

namespace ike::crypto {

// Transform Type field of the Transform substructure (RFC 7296 §3.3.2).
enum class TransformType : std::uint8_t {
  Encr = 1,
  Prf = 2,
  Integ = 3,
  Dh = 4,
  Esn = 5,
};
MIP6_ENUM_NAMES(TransformType, Encr, Prf, Integ, Dh, Esn);

// Transform attribute type Key Length (RFC 7296 §3.3.5); always sent in TV form.
inline constexpr std::uint16_t kKeyLengthAttribute = 14;

enum class EncrAlgorithm : std::uint16_t {
  Null = 11,       // ESP only, never IKE
  AesCbc = 12,     // RFC 3602; Key Length 128/192/256
  AesGcm8 = 18,    // RFC 4106/5282; named for logs only, not implemented
  AesGcm12 = 19,   // named for logs only, not implemented
  AesGcm16 = 20,   // RFC 4106/5282; Key Length 128/192/256
};
MIP6_ENUM_NAMES(EncrAlgorithm, Null, AesCbc, AesGcm8, AesGcm12, AesGcm16);

enum class PrfAlgorithm : std::uint16_t {
  HmacSha1 = 2,       // legacy; named for logs only, not implemented
  HmacSha2_256 = 5,   // RFC 4868
  HmacSha2_384 = 6,
  HmacSha2_512 = 7,
};
MIP6_ENUM_NAMES(PrfAlgorithm, HmacSha1, HmacSha2_256, HmacSha2_384, HmacSha2_512);

enum class IntegAlgorithm : std::uint16_t {
  None = 0,               // with an AEAD ENCR transform
  HmacSha1_96 = 2,        // legacy; named for logs only, not implemented
  HmacSha2_256_128 = 12,  // RFC 4868
  HmacSha2_384_192 = 13,
  HmacSha2_512_256 = 14,
};
MIP6_ENUM_NAMES(IntegAlgorithm, None, HmacSha1_96, HmacSha2_256_128, HmacSha2_384_192,
                HmacSha2_512_256);

enum class DhGroup : std::uint16_t {
  None = 0,
  Modp2048 = 14,    // RFC 3526 §3
  Ecp256 = 19,      // RFC 5903 (P-256)
  Curve25519 = 31,  // RFC 8031
};
MIP6_ENUM_NAMES(DhGroup, None, Modp2048, Ecp256, Curve25519);

enum class EsnMode : std::uint16_t {
  NoEsn = 0,
  Esn = 1,
};
MIP6_ENUM_NAMES(EsnMode, NoEsn, Esn);

}  // namespace ike::crypto
