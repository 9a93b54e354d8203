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

// OpenSSL's default DRBG, drawn in 512-octet blocks: one RAND_bytes call costs about 1 us
// whatever its size, and an IKE SA setup asks for a handful of short values (SPI, nonce, IV,
// Child SPI). The block is per thread, each octet is handed out once and wiped as it goes,
// and a forked child discards its copy (pthread_atfork) so parent and child never share
// output. Requests above a quarter block go to RAND_bytes directly. The object itself holds
// no state, so one instance may be shared.
class OpenSslRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// A process-wide OpenSslRandom for defaults (it holds no state, so sharing is harmless).
RandomSource& default_random();

}  // namespace ike::crypto
