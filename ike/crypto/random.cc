#include "ike/crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

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

namespace {

constexpr std::size_t kBlockSize = 512;
constexpr std::size_t kDirectAbove = kBlockSize / 4;

void rand_bytes(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    const std::size_t chunk = out.size() < INT_MAX ? out.size() : INT_MAX;
    // RAND_bytes fails only when the DRBG cannot be seeded; no key may be made then.
    MIP_CHECK(RAND_bytes(out.data(), static_cast<int>(chunk)) == 1);
    out = out.subspan(chunk);
  }
}

struct DrbgBlock {
  std::array<std::uint8_t, kBlockSize> octets{};
  std::size_t next = kBlockSize;  // octets before `next` are spent (and wiped)

  void discard() {
    OPENSSL_cleanse(octets.data(), octets.size());
    next = kBlockSize;
  }
  ~DrbgBlock() { discard(); }
};

thread_local DrbgBlock t_block;

void discard_block_in_child() { t_block.discard(); }

}  // namespace

void OpenSslRandom::fill(std::span<std::uint8_t> out) {
  static const bool atfork_registered =
      pthread_atfork(nullptr, nullptr, &discard_block_in_child) == 0;
  MIP_CHECK(atfork_registered);
  if (out.size() > kDirectAbove) {
    rand_bytes(out);
    return;
  }
  DrbgBlock& block = t_block;
  while (!out.empty()) {
    if (block.next == kBlockSize) {
      rand_bytes(block.octets);
      block.next = 0;
    }
    const std::size_t take = std::min(out.size(), kBlockSize - block.next);
    std::uint8_t* from = block.octets.data() + block.next;
    std::memcpy(out.data(), from, take);
    OPENSSL_cleanse(from, take);
    block.next += take;
    out = out.subspan(take);
  }
}

RandomSource& default_random() {
  static OpenSslRandom instance;
  return instance;
}

}  // namespace ike::crypto
