#include "ike/crypto/integ.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

base::Result<PrfAlgorithm> hmac_of(IntegAlgorithm a) {
  switch (a) {
    case IntegAlgorithm::HmacSha2_256_128: return PrfAlgorithm::HmacSha2_256;
    case IntegAlgorithm::HmacSha2_384_192: return PrfAlgorithm::HmacSha2_384;
    case IntegAlgorithm::HmacSha2_512_256: return PrfAlgorithm::HmacSha2_512;
    case IntegAlgorithm::None:
    case IntegAlgorithm::HmacSha1_96: break;
  }
  return crypto_fail(kErrUnsupportedAlgorithm, to_string(a));
}

}  // namespace

base::Result<Integ> Integ::create(IntegAlgorithm algorithm, Bytes key) {
  auto hash = hmac_of(algorithm);
  if (!hash) {
    return base::fail(hash.error());
  }
  if (key.size() != integ_key_size(algorithm)) {
    return crypto_fail(kErrInvalidKeyLength, to_string(algorithm));
  }
  auto prf = Prf::create(*hash);
  if (!prf) {
    return base::fail(prf.error());
  }
  return Integ(algorithm, prf->keyed(key), integ_icv_size(algorithm));
}

std::vector<std::uint8_t> Integ::compute(ByteParts parts) const {
  const base::SecretBytes full = hmac_.compute(parts);
  return std::vector<std::uint8_t>(full.view().begin(), full.view().begin() + icv_size_);
}

bool Integ::verify(ByteParts parts, Bytes icv) const {
  if (icv.size() != icv_size_) {
    return false;
  }
  const base::SecretBytes full = hmac_.compute(parts);
  return CRYPTO_memcmp(full.view().data(), icv.data(), icv_size_) == 0;
}

}  // namespace ike::crypto
