#pragma once
// Diffie-Hellman for IKEv2 KE payloads: MODP-2048 (group 14), ECP-256 (19), Curve25519 (31).
// Public values and shared secrets use the IKEv2 encodings (RFC 7296 §3.4, RFC 5903 §7,
// RFC 8031 §2); invalid peer values are a Result error (RFC 6989), never a crash.
#include <memory>

#include "ike/base/result.h"
#include "ike/base/secret_bytes.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

class KeyExchange {
 public:
  virtual ~KeyExchange() = default;
  [[nodiscard]] virtual DhGroup group() const = 0;
  // The KE payload's Key Exchange Data: MODP big-endian padded to 256 octets, ECP x | y
  // (64 octets, no 0x04 prefix), X25519 the 32-octet u-coordinate.
  [[nodiscard]] virtual Bytes public_value() const = 0;
  // g^ir from the peer's KE data: MODP padded to 256 octets, ECP the x coordinate (32),
  // X25519 its 32-octet output. Fails with kErrInvalidPublicValue for a wrong length, a
  // MODP value outside [2, p-2], a point not on P-256, or an all-zero X25519 result.
  [[nodiscard]] virtual base::Result<base::SecretBytes> compute_shared_secret(
      Bytes peer_public_value) const = 0;
};

[[nodiscard]] constexpr bool is_supported(DhGroup g) {
  return g == DhGroup::Modp2048 || g == DhGroup::Ecp256 || g == DhGroup::Curve25519;
}

// A fresh key pair from OpenSSL's key generation.
[[nodiscard]] base::Result<std::unique_ptr<KeyExchange>> generate_key_exchange(DhGroup group);

// A key pair from a fixed private key, for known-answer and deterministic tests:
//   Curve25519: the 32-octet scalar (clamped by X25519 itself, RFC 7748 §5);
//   ECP-256:    a 32-octet big-endian scalar in [1, n-1];
//   MODP-2048:  a big-endian exponent of 1..256 octets in [2, p-2].
[[nodiscard]] base::Result<std::unique_ptr<KeyExchange>> key_exchange_from_private_key(
    DhGroup group, Bytes private_key);

// How engines obtain key pairs, so tests can substitute deterministic ones.
class KeyExchangeFactory {
 public:
  virtual ~KeyExchangeFactory() = default;
  [[nodiscard]] virtual base::Result<std::unique_ptr<KeyExchange>> create(DhGroup group) = 0;
};

class OpenSslKeyExchangeFactory final : public KeyExchangeFactory {
 public:
  [[nodiscard]] base::Result<std::unique_ptr<KeyExchange>> create(DhGroup group) override {
    return generate_key_exchange(group);
  }
};

}  // namespace ike::crypto
