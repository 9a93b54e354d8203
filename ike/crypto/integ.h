#pragma once
// AUTH_HMAC_SHA2_*: HMAC-SHA2 truncated to half its output (RFC 4868 §2.1.1, §2.6), the IKE
// SK integrity transform for non-AEAD suites.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ike/base/result.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

class Integ {
 public:
  // `key` must be exactly integ_key_size(algorithm) octets (RFC 4868 §2.1.1).
  [[nodiscard]] static base::Result<Integ> create(IntegAlgorithm algorithm, Bytes key);

  [[nodiscard]] IntegAlgorithm algorithm() const { return algorithm_; }
  [[nodiscard]] std::size_t key_size() const { return hmac_.output_size(); }
  [[nodiscard]] std::size_t icv_size() const { return icv_size_; }

  // The truncated ICV over the concatenation of `parts`.
  [[nodiscard]] std::vector<std::uint8_t> compute(ByteParts parts) const;
  // Constant-time comparison; false for an ICV of the wrong length.
  [[nodiscard]] bool verify(ByteParts parts, Bytes icv) const;

 private:
  Integ(IntegAlgorithm algorithm, Hmac hmac, std::size_t icv_size)
      : algorithm_(algorithm), hmac_(std::move(hmac)), icv_size_(icv_size) {}

  IntegAlgorithm algorithm_;
  Hmac hmac_;
  std::size_t icv_size_;
};

}  // namespace ike::crypto
