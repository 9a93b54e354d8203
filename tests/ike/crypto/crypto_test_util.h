#pragma once
// Helpers shared by the ike::crypto tests: hex literals as RFCs print them, ASCII as bytes,
// and an independent one-shot HMAC to check our constructions against.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/base/hex.h"
#include "ike/base/secret_bytes.h"

namespace crypto_test {

using Vec = std::vector<std::uint8_t>;

// Hex with spaces/newlines as in RFC text; a typo in a vector aborts the test loudly.
inline Vec hex(std::string_view text) {
  auto bytes = base::from_hex(text);
  if (!bytes) {
    ADD_FAILURE() << "bad hex literal: " << text;
    return {};
  }
  return *bytes;
}

inline Vec ascii(std::string_view text) { return Vec(text.begin(), text.end()); }

inline Vec concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Vec out;
  for (auto p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

inline Vec to_vec(const base::SecretBytes& s) { return Vec(s.view().begin(), s.view().end()); }
inline Vec to_vec(std::span<const std::uint8_t> s) { return Vec(s.begin(), s.end()); }

// OpenSSL's one-shot HMAC(): a separate code path from ike::crypto's EVP_MAC contexts, used
// to recompute prf, prf+ and the key schedule step by step.
inline Vec raw_hmac(const EVP_MD* md, std::span<const std::uint8_t> key,
                    std::span<const std::uint8_t> data) {
  Vec out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  static const std::uint8_t kNoKey = 0;
  HMAC(md, key.empty() ? &kNoKey : key.data(), static_cast<int>(key.size()), data.data(),
       data.size(), out.data(), &len);
  out.resize(len);
  return out;
}

// prf+ per RFC 7296 §2.13, recomputed block by block with one-shot HMAC.
inline Vec hand_prf_plus(const EVP_MD* md, std::span<const std::uint8_t> key,
                         std::span<const std::uint8_t> seed, std::size_t length) {
  Vec out;
  Vec t;
  for (unsigned n = 1; out.size() < length; ++n) {
    const Vec counter = {static_cast<std::uint8_t>(n)};
    t = raw_hmac(md, key, concat({t, seed, counter}));
    out.insert(out.end(), t.begin(), t.end());
  }
  out.resize(length);
  return out;
}

}  // namespace crypto_test
