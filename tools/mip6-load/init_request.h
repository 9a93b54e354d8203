#pragma once
// The IKE_SA_INIT request mip6-load sends (RFC 7296 1.2): HDR(SPIi, 0), SAi1, KEi, Ni and,
// by default, N(REDIRECT_SUPPORTED) (RFC 5685 3) or N(REDIRECTED_FROM). The message is
// encoded once with ike::wire; every request is a copy with a fresh SPIi and a fresh Ni
// stamped in (RFC 7296 2.10: nonces are never reused). The X25519 KE value is computed once:
// the responder's work does not depend on it being fresh, and a load tool must not spend
// its CPU on DH.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"

namespace mip6load {

struct RequestOptions {
  bool redirect_supported = true;                // N(REDIRECT_SUPPORTED)
  std::optional<base::Ip6Addr> redirected_from;  // N(REDIRECTED_FROM, addr) instead
  std::size_t nonce_size = 32;                   // 16..256 (R7296-20)
};

class RequestTemplate {
 public:
  [[nodiscard]] static base::Result<RequestTemplate, std::string> build(
      const RequestOptions& options);

  [[nodiscard]] std::size_t size() const { return bytes_.size(); }
  [[nodiscard]] std::size_t nonce_size() const { return nonce_size_; }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return bytes_; }
  // Writes one request with `spi_i` and `nonce` (nonce_size() octets) into `out` (size()).
  void stamp(std::span<std::uint8_t> out, std::uint64_t spi_i,
             std::span<const std::uint8_t> nonce) const;

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t nonce_offset_ = 0;
  std::size_t nonce_size_ = 0;
};

// xoshiro256** seeded from OpenSSL: SPIs and nonces need to be unpredictable enough that
// answers cannot be guessed by a third party in a lab, not key material, and the tool must
// make hundreds of thousands per second.
class FastRandom {
 public:
  FastRandom();  // seeded from RAND_bytes
  explicit FastRandom(std::uint64_t seed);
  std::uint64_t next();
  void fill(std::span<std::uint8_t> out);

 private:
  std::uint64_t s_[4];
};

}  // namespace mip6load
