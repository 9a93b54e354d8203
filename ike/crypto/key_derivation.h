#pragma once
// IKE SA and Child SA key derivation (RFC 7296 §2.14, §2.17, §2.18).
#include <cstddef>
#include <cstdint>

#include "ike/base/result.h"
#include "ike/base/secret_bytes.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

// The negotiated IKE SA suite, as far as key sizes go.
struct IkeSaTransforms {
  EncrAlgorithm encr = EncrAlgorithm::AesGcm16;
  std::uint16_t encr_key_bits = 256;
  PrfAlgorithm prf = PrfAlgorithm::HmacSha2_256;
  IntegAlgorithm integ = IntegAlgorithm::None;  // must be None with an AEAD ENCR (RFC 5282 §8)
};

struct IkeKeySizes {
  std::size_t sk_d = 0;  // PRF preferred key size
  std::size_t sk_a = 0;  // INTEG key size each; 0 with AEAD (RFC 5282 §7.1)
  std::size_t sk_e = 0;  // ENCR key size each, GCM salt included
  std::size_t sk_p = 0;  // PRF preferred key size
  [[nodiscard]] std::size_t total() const { return sk_d + 2 * sk_a + 2 * sk_e + 2 * sk_p; }
};

// Checks the suite is supported and consistent (AEAD without INTEG, CBC with one).
[[nodiscard]] base::Result<IkeKeySizes> ike_key_sizes(const IkeSaTransforms& t);

struct IkeSaKeys {
  base::SecretBytes sk_d;
  base::SecretBytes sk_ai;  // protects messages from the original initiator
  base::SecretBytes sk_ar;
  base::SecretBytes sk_ei;  // with GCM: key | 4-octet salt
  base::SecretBytes sk_er;
  base::SecretBytes sk_pi;
  base::SecretBytes sk_pr;
};

// SKEYSEED = prf(Ni | Nr, g^ir), nonces without payload headers (RFC 7296 §2.14).
[[nodiscard]] base::SecretBytes compute_skeyseed(const Prf& prf, Bytes ni, Bytes nr, Bytes g_ir);

// IKE SA rekey: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). `old_prf` is the OLD IKE
// SA's PRF; the new SA's keys then come from derive_ike_sa_keys with the NEW SA's PRF, SPIs
// and this exchange's nonces (RFC 7296 §2.18).
[[nodiscard]] base::SecretBytes compute_rekey_skeyseed(const Prf& old_prf, Bytes old_sk_d,
                                                      Bytes g_ir_new, Bytes ni, Bytes nr);

// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr),
// SPIs in network byte order (RFC 7296 §2.14).
[[nodiscard]] base::Result<IkeSaKeys> derive_ike_sa_keys(const Prf& prf, Bytes skeyseed, Bytes ni,
                                                         Bytes nr, std::uint64_t spi_i,
                                                         std::uint64_t spi_r,
                                                         const IkeKeySizes& sizes);

struct ChildKeySizes {
  std::size_t encr = 0;   // GCM: key | 4-octet salt (RFC 4106 §8.1)
  std::size_t integ = 0;  // 0 with AEAD
};

// ESP suite key sizes: AEAD needs IntegAlgorithm::None, AES-CBC needs an INTEG transform.
[[nodiscard]] base::Result<ChildKeySizes> child_key_sizes(EncrAlgorithm encr,
                                                          std::uint16_t encr_key_bits,
                                                          IntegAlgorithm integ);

// Keys of one Child SA pair. "_i" keys protect initiator->responder traffic, i.e. the SA whose
// SPI the responder chose (RFC 7296 §2.17).
struct ChildSaKeys {
  base::SecretBytes encr_i;
  base::SecretBytes integ_i;
  base::SecretBytes encr_r;
  base::SecretBytes integ_r;
};

// KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr), taken in the order encr_i, integ_i, encr_r,
// integ_r (RFC 7296 §2.17). `g_ir` is empty without PFS and for the first Child SA.
[[nodiscard]] base::Result<ChildSaKeys> derive_child_sa_keys(const Prf& prf, Bytes sk_d,
                                                             Bytes g_ir, Bytes ni, Bytes nr,
                                                             const ChildKeySizes& sizes);

}  // namespace ike::crypto
