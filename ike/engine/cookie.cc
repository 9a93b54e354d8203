#include "ike/engine/cookie.h"

#include <openssl/crypto.h>

#include <array>

#include "ike/base/check.h"

namespace ike::engine {
namespace {

crypto::Prf hmac_sha256() {
  auto prf = crypto::Prf::create(crypto::PrfAlgorithm::HmacSha2_256);
  MIP_CHECK(prf.has_value());  // OpenSSL without SHA-256 cannot run IKEv2 at all
  return std::move(*prf);
}

}  // namespace

CookieJar::CookieJar(crypto::RandomSource& random, base::Duration rotation)
    : random_(random), rotation_(rotation), prf_(hmac_sha256()) {}

CookieJar::Secret CookieJar::new_secret(std::uint32_t version) {
  base::SecretBytes secret(kSecretSize);
  random_.fill(secret.mutable_view());
  return Secret{version, prf_.keyed(secret.view())};
}

void CookieJar::rotate_if_due(base::TimePoint now) {
  if (!current_) {
    current_ = new_secret(1);
    rotated_at_ = now;
    return;
  }
  if (now - rotated_at_ < rotation_) {
    return;
  }
  // After two periods or more the previous secret is stale as well: cookies live at most
  // two periods (one round trip is all they need).
  const bool skipped = now - rotated_at_ >= 2 * rotation_;
  const std::uint32_t next = current_->version + 1;
  if (skipped) {
    previous_.reset();
  } else {
    previous_ = std::move(current_);
  }
  current_ = new_secret(next);
  rotated_at_ = now;
}

void CookieJar::compute(const Secret& s, std::span<const std::uint8_t> nonce_i,
                        const base::Ip6Addr& initiator, wire::Spi spi_i,
                        std::span<std::uint8_t, kCookieSize> out) {
  for (std::size_t i = 0; i < kVersionSize; ++i) {
    out[i] = static_cast<std::uint8_t>(s.version >> (8 * (kVersionSize - 1 - i)));
  }
  std::array<std::uint8_t, 8> spi{};
  for (std::size_t i = 0; i < spi.size(); ++i) {
    spi[i] = static_cast<std::uint8_t>(spi_i.value() >> (8 * (7 - i)));
  }
  // Hash(Ni | IPi | SPIi | <secret>) of RFC 7296 2.6, as an HMAC keyed with the secret.
  s.hmac.compute_into({nonce_i, initiator.bytes(), spi}, out.subspan<kVersionSize>());
}

std::vector<std::uint8_t> CookieJar::make(std::span<const std::uint8_t> nonce_i,
                                          const base::Ip6Addr& initiator, wire::Spi spi_i,
                                          base::TimePoint now) {
  rotate_if_due(now);
  std::vector<std::uint8_t> cookie(kCookieSize);
  compute(*current_, nonce_i, initiator, spi_i, std::span<std::uint8_t, kCookieSize>(cookie));
  return cookie;
}

bool CookieJar::verify(std::span<const std::uint8_t> cookie, std::span<const std::uint8_t> nonce_i,
                       const base::Ip6Addr& initiator, wire::Spi spi_i, base::TimePoint now) {
  rotate_if_due(now);
  if (cookie.size() != kCookieSize) {
    return false;
  }
  std::uint32_t version = 0;
  for (std::size_t i = 0; i < kVersionSize; ++i) {
    version = (version << 8) | cookie[i];
  }
  const Secret* s = nullptr;
  if (current_ && current_->version == version) {
    s = &*current_;
  } else if (previous_ && previous_->version == version) {
    s = &*previous_;
  }
  if (s == nullptr) {
    return false;
  }
  std::array<std::uint8_t, kCookieSize> expected{};
  compute(*s, nonce_i, initiator, spi_i, expected);
  return CRYPTO_memcmp(expected.data(), cookie.data(), kCookieSize) == 0;
}

}  // namespace ike::engine
