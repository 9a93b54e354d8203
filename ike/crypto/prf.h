#pragma once
// HMAC-SHA2 as IKEv2 PRF (RFC 4868 §2.1.2) and prf+ (RFC 7296 §2.13), through EVP_MAC.
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "ike/base/result.h"
#include "ike/base/secret_bytes.h"
#include "ike/crypto/openssl_ptr.h"
#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

using Bytes = std::span<const std::uint8_t>;
// Message given in pieces, MACed as their concatenation (saves building Ni|Nr|SPIi|SPIr).
using ByteParts = std::initializer_list<Bytes>;

// An HMAC with its key already scheduled; each compute() works on a copy, so compute() is
// const and an Hmac may be used from several threads.
class Hmac {
 public:
  Hmac(const Hmac& other);
  Hmac& operator=(const Hmac& other);
  Hmac(Hmac&&) noexcept = default;
  Hmac& operator=(Hmac&&) noexcept = default;
  ~Hmac() = default;

  [[nodiscard]] std::size_t output_size() const { return output_size_; }
  // HMAC(key, parts[0] | parts[1] | ...), full length.
  [[nodiscard]] base::SecretBytes compute(ByteParts parts) const;
  // Same, written to out; out.size() must be output_size().
  void compute_into(ByteParts parts, std::span<std::uint8_t> out) const;

 private:
  friend class Prf;
  friend class Integ;
  Hmac(ossl::MacCtxPtr ctx, std::size_t output_size)
      : ctx_(std::move(ctx)), output_size_(output_size) {}

  ossl::MacCtxPtr ctx_;
  std::size_t output_size_ = 0;
};

// PRF_HMAC_SHA2_{256,384,512}.
class Prf {
 public:
  [[nodiscard]] static base::Result<Prf> create(PrfAlgorithm algorithm);

  Prf(const Prf& other);
  Prf& operator=(const Prf& other);
  Prf(Prf&&) noexcept = default;
  Prf& operator=(Prf&&) noexcept = default;
  ~Prf() = default;

  [[nodiscard]] PrfAlgorithm algorithm() const { return algorithm_; }
  [[nodiscard]] std::size_t output_size() const { return output_size_; }
  // Preferred key size: SK_d, SK_pi and SK_pr have this length (RFC 7296 §2.14).
  [[nodiscard]] std::size_t key_size() const { return output_size_; }

  // prf(key, data): HMAC accepts any key length (longer keys are hashed, RFC 2104).
  // Re-keys one context this Prf keeps for the purpose (a context copy per call would cost
  // half a microsecond): so unlike Hmac, one Prf must not be used from two threads at once
  // (by compute() or prf_plus()).
  [[nodiscard]] base::SecretBytes compute(Bytes key, ByteParts data) const;
  // The key scheduled once, for many computations under one key (prf+, AUTH).
  [[nodiscard]] Hmac keyed(Bytes key) const;

 private:
  Prf(PrfAlgorithm algorithm, ossl::MacCtxPtr unkeyed, std::size_t output_size)
      : algorithm_(algorithm), unkeyed_(std::move(unkeyed)), output_size_(output_size) {}
  [[nodiscard]] ossl::MacCtxPtr keyed_ctx(Bytes key) const;
  // scratch_, made on first use and keyed with `key`: compute()'s and prf_plus's context.
  [[nodiscard]] EVP_MAC_CTX* rekeyed_scratch(Bytes key) const;
  friend base::Result<base::SecretBytes> prf_plus(const Prf& prf, Bytes key, Bytes seed,
                                                  std::size_t length);

  PrfAlgorithm algorithm_;
  ossl::MacCtxPtr unkeyed_;  // digest chosen, no key: keyed() duplicates it
  std::size_t output_size_;
  mutable ossl::MacCtxPtr scratch_;  // compute()'s context, made on first use, never copied
};

// prf+(K, S) = T1 | T2 | ... truncated to `length` octets, where T1 = prf(K, S | 0x01) and
// Tn = prf(K, Tn-1 | S | n) (RFC 7296 §2.13). Fails with kErrOutputTooLong past 255 blocks.
[[nodiscard]] base::Result<base::SecretBytes> prf_plus(const Prf& prf, Bytes key, Bytes seed,
                                                      std::size_t length);

}  // namespace ike::crypto
