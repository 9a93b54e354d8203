#include "ike/crypto/key_exchange.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <vector>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "ike/crypto/openssl_ptr.h"

namespace ike::crypto {
namespace {

constexpr char kX25519Name[] = "X25519";
constexpr char kEcName[] = "EC";
constexpr char kDhName[] = "DH";
constexpr char kP256GroupName[] = "prime256v1";
constexpr char kModp2048GroupName[] = "modp_2048";
constexpr std::size_t kP256CoordinateSize = 32;
constexpr std::size_t kModp2048Size = 256;

// OpenSSL leaves reasons on its per-thread error queue; drop them so one bad peer value does
// not leak into an unrelated later error report.
tl::unexpected<base::Error> ossl_fail(std::string_view code, std::string_view detail) {
  ERR_clear_error();
  return crypto_fail(code, detail);
}

ossl::BnPtr modp2048_prime() { return ossl::BnPtr(BN_get_rfc3526_prime_2048(nullptr)); }

// Builds an EVP_PKEY of `type` ("EC", "DH") from an OSSL_PARAM_BLD.
base::Result<ossl::PkeyPtr> pkey_from_params(const char* type, OSSL_PARAM_BLD* bld,
                                             int selection) {
  ossl::ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return ossl_fail(kErrInternal, "EVP_PKEY_fromdata_init");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    // For ECP this is where a point off the curve or a coordinate >= p is refused.
    return ossl_fail(kErrInvalidPublicValue, "EVP_PKEY_fromdata");
  }
  return ossl::PkeyPtr(raw);
}

bool bn_to_padded(const BIGNUM* bn, std::span<std::uint8_t> out) {
  return BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) == static_cast<int>(out.size());
}

bool all_zero(Bytes bytes) {
  std::uint8_t acc = 0;
  for (std::uint8_t b : bytes) {
    acc |= b;
  }
  return acc == 0;
}

// One class for all three groups: OpenSSL's EVP_PKEY hides the differences except for the
// encodings, which the group switch below handles.
class EvpKeyExchange final : public KeyExchange {
 public:
  EvpKeyExchange(DhGroup group, ossl::PkeyPtr key, std::vector<std::uint8_t> public_value)
      : group_(group), key_(std::move(key)), public_value_(std::move(public_value)) {}

  [[nodiscard]] DhGroup group() const override { return group_; }
  [[nodiscard]] Bytes public_value() const override { return public_value_; }

  [[nodiscard]] base::Result<base::SecretBytes> compute_shared_secret(
      Bytes peer) const override {
    if (peer.size() != dh_public_value_size(group_)) {
      return crypto_fail(kErrInvalidPublicValue, "KE data length does not match the group");
    }
    auto peer_key = import_peer(peer);
    if (!peer_key) {
      return base::fail(peer_key.error());
    }
    return derive(peer_key->get());
  }

 private:
  base::Result<ossl::PkeyPtr> import_peer(Bytes peer) const {
    switch (group_) {
      case DhGroup::Curve25519: {
        // Through a per-thread import context: EVP_PKEY_new_raw_public_key_ex looks the key
        // manager up by name on every call, which costs more than the import itself.
        thread_local const ossl::PkeyCtxPtr import_ctx = [] {
          ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, kX25519Name, nullptr));
          if (ctx != nullptr && EVP_PKEY_fromdata_init(ctx.get()) != 1) {
            ctx.reset();
          }
          return ctx;
        }();
        if (import_ctx == nullptr) {
          return ossl_fail(kErrInternal, "X25519 import context");
        }
        std::array<OSSL_PARAM, 2> params = {
            // OSSL_PARAM wants a mutable pointer, but fromdata only reads through it.
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                              const_cast<std::uint8_t*>(peer.data()),
                                              peer.size()),
            OSSL_PARAM_construct_end()};
        EVP_PKEY* raw = nullptr;
        if (EVP_PKEY_fromdata(import_ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) {
          raw = nullptr;
        }
        ossl::PkeyPtr key(raw);
        if (key == nullptr) {
          return ossl_fail(kErrInvalidPublicValue, "X25519 public value");
        }
        return key;
      }
      case DhGroup::Ecp256: {
        // RFC 5903 §7: x | y without the SEC1 0x04 prefix; OpenSSL wants the prefix back.
        std::array<std::uint8_t, 1 + 2 * kP256CoordinateSize> sec1{};
        sec1[0] = POINT_CONVERSION_UNCOMPRESSED;
        std::copy(peer.begin(), peer.end(), sec1.begin() + 1);
        ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (bld == nullptr ||
            OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                            kP256GroupName, 0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, sec1.data(),
                                             sec1.size()) != 1) {
          return ossl_fail(kErrInternal, "OSSL_PARAM_BLD");
        }
        return pkey_from_params(kEcName, bld.get(), EVP_PKEY_PUBLIC_KEY);
      }
      case DhGroup::Modp2048: {
        // RFC 6989 §2.2: 1 < y < p-1. Group 14's p is a safe prime, so with y = 1 and y = p-1
        // excluded every remaining value lies in a large subgroup; no y^q check is needed.
        ossl::BnPtr y(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr));
        ossl::BnPtr p = modp2048_prime();
        ossl::BnPtr p_minus_1(BN_dup(p.get()));
        if (y == nullptr || p == nullptr || p_minus_1 == nullptr ||
            BN_sub_word(p_minus_1.get(), 1) != 1) {
          return ossl_fail(kErrInternal, "BIGNUM");
        }
        if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), p_minus_1.get()) >= 0) {
          return crypto_fail(kErrInvalidPublicValue, "MODP value outside [2, p-2]");
        }
        ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (bld == nullptr ||
            OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                            kModp2048GroupName, 0) != 1 ||
            OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, y.get()) != 1) {
          return ossl_fail(kErrInternal, "OSSL_PARAM_BLD");
        }
        return pkey_from_params(kDhName, bld.get(), EVP_PKEY_PUBLIC_KEY);
      }
      case DhGroup::None: break;
    }
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(group_));
  }

  base::Result<base::SecretBytes> derive(EVP_PKEY* peer) const {
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1) {
      return ossl_fail(kErrInternal, "EVP_PKEY_derive_init");
    }
    // ECP: OpenSSL's public-key check (on curve, not infinity) on top of the import checks.
    // MODP: already range-checked above; OpenSSL's full check would add a 2048-bit y^q.
    const int validate = group_ == DhGroup::Modp2048 ? 0 : 1;
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, validate) != 1) {
      return ossl_fail(kErrInvalidPublicValue, "peer public value rejected");
    }
    const std::size_t expected = dh_shared_secret_size(group_);
    std::size_t len = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len > expected) {
      return ossl_fail(kErrInternal, "EVP_PKEY_derive size");
    }
    base::SecretBytes raw(len);
    if (EVP_PKEY_derive(ctx.get(), raw.mutable_view().data(), &len) != 1) {
      // OpenSSL refuses an all-zero X25519 output (RFC 7748 §6.1) here.
      return ossl_fail(kErrInvalidPublicValue, "EVP_PKEY_derive");
    }
    // DH strips leading zero octets; IKEv2 wants g^ir padded to the modulus (§2.14).
    base::SecretBytes secret(expected);
    std::span<std::uint8_t> dst = secret.mutable_view();
    std::copy_n(raw.view().begin(), len, dst.begin() + static_cast<std::ptrdiff_t>(expected - len));
    if (all_zero(secret.view())) {
      return crypto_fail(kErrInvalidPublicValue, "all-zero shared secret");
    }
    return secret;
  }

  DhGroup group_;
  ossl::PkeyPtr key_;
  std::vector<std::uint8_t> public_value_;
};

// The IKEv2 encoding of a key's public half.
base::Result<std::vector<std::uint8_t>> encode_public(DhGroup group, EVP_PKEY* key) {
  std::vector<std::uint8_t> out(dh_public_value_size(group));
  switch (group) {
    case DhGroup::Curve25519: {
      std::size_t len = out.size();
      if (EVP_PKEY_get_raw_public_key(key, out.data(), &len) != 1 || len != out.size()) {
        return ossl_fail(kErrInternal, "X25519 public key");
      }
      return out;
    }
    case DhGroup::Ecp256: {
      BIGNUM* x = nullptr;
      BIGNUM* y = nullptr;
      const bool got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
                       EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
      const ossl::BnPtr xp(x);
      const ossl::BnPtr yp(y);
      const std::span<std::uint8_t> all(out);
      if (!got || !bn_to_padded(x, all.first(kP256CoordinateSize)) ||
          !bn_to_padded(y, all.subspan(kP256CoordinateSize))) {
        return ossl_fail(kErrInternal, "ECP public key");
      }
      return out;
    }
    case DhGroup::Modp2048: {
      BIGNUM* pub = nullptr;
      const bool got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &pub) == 1;
      const ossl::BnPtr pubp(pub);
      if (!got || !bn_to_padded(pub, out)) {
        return ossl_fail(kErrInternal, "MODP public key");
      }
      return out;
    }
    case DhGroup::None: break;
  }
  return crypto_fail(kErrUnsupportedAlgorithm, to_string(group));
}

base::Result<std::unique_ptr<KeyExchange>> wrap(DhGroup group, ossl::PkeyPtr key) {
  auto pub = encode_public(group, key.get());
  if (!pub) {
    return base::fail(pub.error());
  }
  return std::unique_ptr<KeyExchange>(
      std::make_unique<EvpKeyExchange>(group, std::move(key), std::move(*pub)));
}

base::Result<ossl::PkeyPtr> ecp256_from_private(Bytes private_key) {
  if (private_key.size() != kP256CoordinateSize) {
    return crypto_fail(kErrInvalidPrivateKey, "ECP-256 private key must be 32 octets");
  }
  ossl::EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  ossl::SecretBnPtr d(BN_secure_new());
  ossl::BnCtxPtr bn_ctx(BN_CTX_new());
  if (group == nullptr || d == nullptr || bn_ctx == nullptr ||
      BN_bin2bn(private_key.data(), static_cast<int>(private_key.size()), d.get()) == nullptr) {
    return ossl_fail(kErrInternal, "BIGNUM");
  }
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return crypto_fail(kErrInvalidPrivateKey, "ECP-256 scalar outside [1, n-1]");
  }
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  ossl::EcPointPtr q(EC_POINT_new(group.get()));
  std::array<std::uint8_t, 1 + 2 * kP256CoordinateSize> sec1{};
  if (q == nullptr ||
      EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, sec1.data(),
                         sec1.size(), bn_ctx.get()) != sec1.size()) {
    return ossl_fail(kErrInternal, "EC_POINT_mul");
  }
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, sec1.data(),
                                       sec1.size()) != 1) {
    return ossl_fail(kErrInternal, "OSSL_PARAM_BLD");
  }
  return pkey_from_params(kEcName, bld.get(), EVP_PKEY_KEYPAIR);
}

base::Result<ossl::PkeyPtr> modp2048_from_private(Bytes private_key) {
  if (private_key.empty() || private_key.size() > kModp2048Size) {
    return crypto_fail(kErrInvalidPrivateKey, "MODP-2048 exponent must be 1..256 octets");
  }
  ossl::BnPtr p = modp2048_prime();
  ossl::BnPtr p_minus_1(BN_dup(p.get()));
  ossl::SecretBnPtr x(BN_secure_new());
  ossl::BnPtr g(BN_new());
  ossl::BnPtr pub(BN_new());
  ossl::BnCtxPtr bn_ctx(BN_CTX_new());
  if (p == nullptr || p_minus_1 == nullptr || x == nullptr || g == nullptr || pub == nullptr ||
      bn_ctx == nullptr || BN_sub_word(p_minus_1.get(), 1) != 1 || BN_set_word(g.get(), 2) != 1 ||
      BN_bin2bn(private_key.data(), static_cast<int>(private_key.size()), x.get()) == nullptr) {
    return ossl_fail(kErrInternal, "BIGNUM");
  }
  if (BN_cmp(x.get(), BN_value_one()) <= 0 || BN_cmp(x.get(), p_minus_1.get()) >= 0) {
    return crypto_fail(kErrInvalidPrivateKey, "MODP-2048 exponent outside [2, p-2]");
  }
  // RFC 3526 §3: generator 2.
  if (BN_mod_exp_mont_consttime(pub.get(), g.get(), x.get(), p.get(), bn_ctx.get(), nullptr) !=
      1) {
    return ossl_fail(kErrInternal, "BN_mod_exp");
  }
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kModp2048GroupName,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, x.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.get()) != 1) {
    return ossl_fail(kErrInternal, "OSSL_PARAM_BLD");
  }
  return pkey_from_params(kDhName, bld.get(), EVP_PKEY_KEYPAIR);
}

}  // namespace

base::Result<std::unique_ptr<KeyExchange>> generate_key_exchange(DhGroup group) {
  if (!is_supported(group)) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(group));
  }
  EVP_PKEY* raw = nullptr;
  switch (group) {
    case DhGroup::Curve25519:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, kX25519Name);
      break;
    case DhGroup::Ecp256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, kEcName, kP256GroupName);
      break;
    case DhGroup::Modp2048: {
      ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, kDhName, nullptr));
      std::array<OSSL_PARAM, 2> params = {
          OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                           const_cast<char*>(kModp2048GroupName), 0),
          OSSL_PARAM_construct_end()};
      if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
          EVP_PKEY_CTX_set_params(ctx.get(), params.data()) != 1 ||
          EVP_PKEY_generate(ctx.get(), &raw) != 1) {
        raw = nullptr;
      }
      break;
    }
    case DhGroup::None: break;
  }
  if (raw == nullptr) {
    return ossl_fail(kErrInternal, "key generation");
  }
  return wrap(group, ossl::PkeyPtr(raw));
}

base::Result<std::unique_ptr<KeyExchange>> key_exchange_from_private_key(DhGroup group,
                                                                         Bytes private_key) {
  switch (group) {
    case DhGroup::Curve25519: {
      if (private_key.size() != 32) {
        return crypto_fail(kErrInvalidPrivateKey, "X25519 private key must be 32 octets");
      }
      ossl::PkeyPtr key(EVP_PKEY_new_raw_private_key_ex(nullptr, kX25519Name, nullptr,
                                                        private_key.data(), private_key.size()));
      if (key == nullptr) {
        return ossl_fail(kErrInternal, "X25519 private key");
      }
      return wrap(group, std::move(key));
    }
    case DhGroup::Ecp256: {
      auto key = ecp256_from_private(private_key);
      if (!key) {
        return base::fail(key.error());
      }
      return wrap(group, std::move(*key));
    }
    case DhGroup::Modp2048: {
      auto key = modp2048_from_private(private_key);
      if (!key) {
        return base::fail(key.error());
      }
      return wrap(group, std::move(*key));
    }
    case DhGroup::None: break;
  }
  return crypto_fail(kErrUnsupportedAlgorithm, to_string(group));
}

}  // namespace ike::crypto
