#pragma once
// Randomness behind an interface so engines stay deterministic under test (STYLE B1: no
// rand() in engines). Production uses OpenSslRandom; tests use test::DeterministicRandom
// (tests/support/deterministic_random.h).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/secret_bytes.h"

namespace ike::crypto {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` completely. Cannot fail: a CSPRNG without entropy is not recoverable.
  virtual void fill(std::span<std::uint8_t> out) = 0;

  [[nodiscard]] std::vector<std::uint8_t> bytes(std::size_t n);
  [[nodiscard]] base::SecretBytes secret(std::size_t n);
};

// RAND_bytes from OpenSSL's default DRBG. Stateless, so one instance may be shared.
class OpenSslRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// A process-wide OpenSslRandom for defaults (it holds no state, so sharing is harmless).
RandomSource& default_random();

}  // namespace ike::crypto
