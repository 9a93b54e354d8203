#pragma once
// Deterministic stand-ins for randomness in tests (STYLE B5: "deterministic RNG and nonces,
// fixed DH"): the same seed always gives the same nonces, SPIs, IVs and DH key pairs, so
// engine tests can assert on exact bytes. Never use outside tests.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ike/crypto/crypto_error.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"

namespace test {

// SplitMix64 stream: fast, well spread, and trivially reproducible. Not cryptographic.
class DeterministicRandom final : public ike::crypto::RandomSource {
 public:
  explicit DeterministicRandom(std::uint64_t seed = 1) : state_(seed) {}

  void fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      if (available_ == 0) {
        word_ = next_word();
        available_ = 8;
      }
      b = static_cast<std::uint8_t>(word_ >> (8 * (8 - available_)));
      --available_;
    }
    bytes_produced_ += out.size();
  }

  [[nodiscard]] std::uint64_t bytes_produced() const { return bytes_produced_; }

 private:
  std::uint64_t next_word() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_;
  std::uint64_t word_ = 0;
  int available_ = 0;
  std::uint64_t bytes_produced_ = 0;
};

// "Fixed DH": key pairs whose private keys come from a DeterministicRandom, so both peers of
// a Loopback test derive the same keys on every run.
class DeterministicKeyExchangeFactory final : public ike::crypto::KeyExchangeFactory {
 public:
  explicit DeterministicKeyExchangeFactory(std::uint64_t seed = 7) : random_(seed) {}

  [[nodiscard]] base::Result<std::unique_ptr<ike::crypto::KeyExchange>> create(
      ike::crypto::DhGroup group) override {
    // 32 octets suit every group: an X25519 scalar, a P-256 scalar (retried in the ~2^-32
    // case it is >= n), a 256-bit MODP exponent.
    for (int attempt = 0; attempt < 16; ++attempt) {
      std::vector<std::uint8_t> priv = random_.bytes(32);
      if (group == ike::crypto::DhGroup::Modp2048) {
        priv[0] |= 0x80;  // full-size exponent, never < 2
      }
      auto kex = ike::crypto::key_exchange_from_private_key(group, priv);
      if (kex || kex.error().code != ike::crypto::kErrInvalidPrivateKey) {
        return kex;
      }
    }
    return base::fail(base::Error{ike::crypto::kErrInvalidPrivateKey, "no valid scalar"});
  }

 private:
  DeterministicRandom random_;
};

}  // namespace test
