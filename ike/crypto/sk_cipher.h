#pragma once
// Protection of the Encrypted payload SK (RFC 7296 §3.14): AES-GCM-16 per RFC 5282, or
// AES-CBC with HMAC-SHA2 (encrypt-then-MAC). One SkCipher holds one direction's keys
// (SK_ei/SK_ai or SK_er/SK_ar); both seal and open work with it.
//
// Who does what: the caller (the wire codec) builds the plaintext with add_sk_padding(),
// writes the IKE header and SK payload header with their final lengths (that is the AAD),
// then seals. On receipt it opens, then strip_sk_padding() gives the inner payloads' length.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ike/base/result.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

class SkCipher {
 public:
  SkCipher(const SkCipher&) = delete;
  SkCipher& operator=(const SkCipher&) = delete;
  virtual ~SkCipher() = default;

  [[nodiscard]] virtual EncrAlgorithm encr() const = 0;
  // Octets of IV on the wire: 8 for GCM (RFC 5282 §3.1), 16 for CBC.
  [[nodiscard]] virtual std::size_t iv_size() const = 0;
  // Octets of ICV after the ciphertext: 16 for GCM-16, the truncated HMAC for CBC.
  [[nodiscard]] virtual std::size_t icv_size() const = 0;
  // The encrypted part (payloads | padding | Pad Length) must be a multiple of this.
  [[nodiscard]] virtual std::size_t block_size() const = 0;

  // aad: IKE header through SK payload header. GCM authenticates aad as AAD; CBC's ICV
  // covers aad | iv | ciphertext (RFC 7296 §3.14). Returns ciphertext | ICV.
  // Fails (kErrInvalidLength) on a wrong IV size or a CBC plaintext not block-aligned.
  [[nodiscard]] virtual base::Result<std::vector<std::uint8_t>> seal(Bytes aad, Bytes iv,
                                                                    Bytes plaintext) = 0;
  // Inverse of seal. A modified aad, iv, ciphertext or ICV fails with
  // kErrAuthenticationFailed; nothing is decrypted for CBC before the ICV checks out.
  [[nodiscard]] virtual base::Result<std::vector<std::uint8_t>> open(
      Bytes aad, Bytes iv, Bytes ciphertext_and_icv) = 0;

  // A fresh IV from the injected source: random per message, as CBC requires (§3.14) and
  // GCM allows (RFC 5282 §3.1: unique per key; 2^64 random IVs make a repeat negligible).
  [[nodiscard]] std::vector<std::uint8_t> next_iv();

  // The SK payload body (after its 4-octet header): IV | ciphertext | ICV, with a fresh IV.
  [[nodiscard]] base::Result<std::vector<std::uint8_t>> seal_body(Bytes aad, Bytes plaintext);
  [[nodiscard]] base::Result<std::vector<std::uint8_t>> open_body(Bytes aad, Bytes body);
  // Length of that body for a plaintext (already padded) of `plaintext_size` octets.
  [[nodiscard]] std::size_t body_size(std::size_t plaintext_size) const {
    return iv_size() + plaintext_size + icv_size();
  }

 protected:
  explicit SkCipher(RandomSource& iv_source) : iv_source_(&iv_source) {}

 private:
  RandomSource* iv_source_;  // not owned; outlives the cipher
};

// encr_key: SK_e* (GCM: key | 4-octet salt, RFC 5282 §7.1). integ_key: SK_a* (empty for GCM).
// iv_source must outlive the returned cipher.
[[nodiscard]] base::Result<std::unique_ptr<SkCipher>> make_sk_cipher(
    EncrAlgorithm encr, std::uint16_t key_bits, IntegAlgorithm integ, Bytes encr_key,
    Bytes integ_key, RandomSource& iv_source = default_random());

// Size of payloads | Padding | Pad Length, aligned to block_size with the fewest pad octets.
[[nodiscard]] constexpr std::size_t sk_padded_size(std::size_t payloads_size,
                                                   std::size_t block_size) {
  const std::size_t b = block_size == 0 ? 1 : block_size;
  return (payloads_size + 1 + b - 1) / b * b;
}

// payloads | zero padding | Pad Length (RFC 7296 §3.14), a multiple of block_size.
[[nodiscard]] std::vector<std::uint8_t> add_sk_padding(Bytes payloads, std::size_t block_size);

// The length of the inner payloads in a decrypted SK plaintext: everything before the
// padding. Any pad length that fits is accepted (§3.14); kErrInvalidPadding otherwise.
[[nodiscard]] base::Result<std::size_t> strip_sk_padding(Bytes decrypted);

}  // namespace ike::crypto
