#include "ike/crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "ike/base/check.h"

namespace ike::crypto {

std::vector<std::uint8_t> RandomSource::bytes(std::size_t n) {
  std::vector<std::uint8_t> out(n);
  fill(out);
  return out;
}

base::SecretBytes RandomSource::secret(std::size_t n) {
  base::SecretBytes out(n);
  fill(out.mutable_view());
  return out;
}

void OpenSslRandom::fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t chunk = out.size() < INT_MAX ? out.size() : INT_MAX;
    // RAND_bytes fails only when the DRBG cannot be seeded; no key may be made then.
    MIP_CHECK(RAND_bytes(out.data(), static_cast<int>(chunk)) == 1);
    out = out.subspan(chunk);
  }
}

RandomSource& default_random() {
  static OpenSslRandom instance;
  return instance;
}

}  // namespace ike::crypto
