#pragma once
// Stateless IKE_SA_INIT cookies (RFC 7296 2.6, R7296-21..23), as the RFC suggests:
//   Cookie = <VersionIDofSecret> | HMAC-SHA-256(<secret>, Ni | IPi | SPIi)
// with a 4-octet version ID (36 octets in all, within the 1..64 of 3.10.1). The secret is
// rotated every `rotation` of (caller-supplied) time; a cookie made with the previous secret
// is still accepted, so a cookie handed out just before a rotation survives its round trip.
// Secrets are drawn from the injected RandomSource and kept in SecretBytes (STYLE B3); the
// HMAC is OpenSSL's (crypto::Prf), nothing is hand-rolled.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/secret_bytes.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/wire/header.h"

namespace ike::engine {

class CookieJar {
 public:
  static constexpr std::size_t kVersionSize = 4;
  static constexpr std::size_t kSecretSize = 32;
  static constexpr std::size_t kCookieSize = kVersionSize + 32;  // HMAC-SHA-256 output

  // `random` must outlive the jar. The first secret is drawn lazily, on first use.
  CookieJar(crypto::RandomSource& random, base::Duration rotation);

  // The cookie for this request at `now` (rotating the secret first when it is due).
  [[nodiscard]] std::vector<std::uint8_t> make(std::span<const std::uint8_t> nonce_i,
                                               const base::Ip6Addr& initiator, wire::Spi spi_i,
                                               base::TimePoint now);
  // True when `cookie` was made by make() for the same Ni, IPi and SPIi with the current or
  // the previous secret (R7296-23: anything else is treated as no cookie).
  [[nodiscard]] bool verify(std::span<const std::uint8_t> cookie,
                            std::span<const std::uint8_t> nonce_i, const base::Ip6Addr& initiator,
                            wire::Spi spi_i, base::TimePoint now);

  [[nodiscard]] std::uint32_t version() const { return current_ ? current_->version : 0; }

 private:
  struct Secret {
    std::uint32_t version = 0;
    crypto::Hmac hmac;  // keyed with the secret once; the secret bytes are not kept otherwise
  };
  void rotate_if_due(base::TimePoint now);
  [[nodiscard]] Secret new_secret(std::uint32_t version);
  static void compute(const Secret& s, std::span<const std::uint8_t> nonce_i,
                      const base::Ip6Addr& initiator, wire::Spi spi_i,
                      std::span<std::uint8_t, kCookieSize> out);

  crypto::RandomSource& random_;
  base::Duration rotation_;
  crypto::Prf prf_;
  std::optional<Secret> current_;
  std::optional<Secret> previous_;
  base::TimePoint rotated_at_{};
};

}  // namespace ike::engine
