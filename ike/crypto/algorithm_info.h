#pragma once
// Sizes each supported transform needs (RFC 7296 §2.13-2.14, RFC 4868 §2, RFC 5282 §7.1,
// RFC 5903 §7, RFC 8031 §2). Header-only and constexpr so the wire codec can check KE and SK
// lengths without linking ike::crypto. 0 means "not supported by this implementation".
#include <cstddef>
#include <cstdint>

#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

inline constexpr std::size_t kGcmSaltSize = 4;  // RFC 5282 §7.1: salt follows the key
inline constexpr std::size_t kGcmIvSize = 8;    // RFC 5282 §3.1: explicit IV on the wire
inline constexpr std::size_t kGcmIcvSize = 16;  // ENCR_AES_GCM_16
inline constexpr std::size_t kAesBlockSize = 16;

// PRF output size; for HMAC the preferred key size is the same (RFC 4868 §2.1.2).
constexpr std::size_t prf_output_size(PrfAlgorithm a) {
  switch (a) {
    case PrfAlgorithm::HmacSha2_256: return 32;
    case PrfAlgorithm::HmacSha2_384: return 48;
    case PrfAlgorithm::HmacSha2_512: return 64;
    case PrfAlgorithm::HmacSha1: return 0;
  }
  return 0;
}

// SK_d, SK_pi, SK_pr length (RFC 7296 §2.14: the PRF's preferred key length).
constexpr std::size_t prf_key_size(PrfAlgorithm a) { return prf_output_size(a); }

// SK_a* length: the full HMAC output size, not the truncated ICV (RFC 4868 §2.1.1).
constexpr std::size_t integ_key_size(IntegAlgorithm a) {
  switch (a) {
    case IntegAlgorithm::HmacSha2_256_128: return 32;
    case IntegAlgorithm::HmacSha2_384_192: return 48;
    case IntegAlgorithm::HmacSha2_512_256: return 64;
    case IntegAlgorithm::None:
    case IntegAlgorithm::HmacSha1_96: return 0;
  }
  return 0;
}

constexpr std::size_t integ_icv_size(IntegAlgorithm a) {
  switch (a) {
    case IntegAlgorithm::HmacSha2_256_128: return 16;
    case IntegAlgorithm::HmacSha2_384_192: return 24;
    case IntegAlgorithm::HmacSha2_512_256: return 32;
    case IntegAlgorithm::None:
    case IntegAlgorithm::HmacSha1_96: return 0;
  }
  return 0;
}

constexpr bool is_aead(EncrAlgorithm a) {
  return a == EncrAlgorithm::AesGcm8 || a == EncrAlgorithm::AesGcm12 ||
         a == EncrAlgorithm::AesGcm16;
}

constexpr bool is_valid_aes_key_bits(std::uint16_t bits) {
  return bits == 128 || bits == 192 || bits == 256;
}

// SK_e* (or ESP encryption key) length: the AES key plus, for GCM, the 4-octet salt
// (RFC 5282 §7.1, RFC 4106 §8.1). 0 for unsupported algorithms or key lengths.
constexpr std::size_t encr_key_size(EncrAlgorithm a, std::uint16_t key_bits) {
  if (!is_valid_aes_key_bits(key_bits)) {
    return 0;
  }
  switch (a) {
    case EncrAlgorithm::AesCbc: return key_bits / 8;
    case EncrAlgorithm::AesGcm16: return key_bits / 8 + kGcmSaltSize;
    case EncrAlgorithm::Null:
    case EncrAlgorithm::AesGcm8:
    case EncrAlgorithm::AesGcm12: return 0;
  }
  return 0;
}

// KE payload data length for a group (RFC 7296 §3.4, RFC 5903 §7, RFC 8031 §2).
constexpr std::size_t dh_public_value_size(DhGroup g) {
  switch (g) {
    case DhGroup::Modp2048: return 256;
    case DhGroup::Ecp256: return 64;
    case DhGroup::Curve25519: return 32;
    case DhGroup::None: return 0;
  }
  return 0;
}

// g^ir length: MODP padded to the modulus, ECP the x coordinate, X25519 its output.
constexpr std::size_t dh_shared_secret_size(DhGroup g) {
  switch (g) {
    case DhGroup::Modp2048: return 256;
    case DhGroup::Ecp256: return 32;
    case DhGroup::Curve25519: return 32;
    case DhGroup::None: return 0;
  }
  return 0;
}

}  // namespace ike::crypto
