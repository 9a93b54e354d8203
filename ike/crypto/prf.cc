#include "ike/crypto/prf.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "ike/base/check.h"
#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

const char* digest_name(PrfAlgorithm a) {
  switch (a) {
    case PrfAlgorithm::HmacSha2_256: return "SHA256";
    case PrfAlgorithm::HmacSha2_384: return "SHA384";
    case PrfAlgorithm::HmacSha2_512: return "SHA512";
    case PrfAlgorithm::HmacSha1: return nullptr;
  }
  return nullptr;
}

// EVP_MAC_CTX_dup and EVP_MAC_init fail only on allocation failure or a broken provider; with
// HMAC no key or input value can make them fail, so like bad_alloc that is fatal.
ossl::MacCtxPtr dup_ctx(const ossl::MacCtxPtr& ctx) {
  ossl::MacCtxPtr copy(EVP_MAC_CTX_dup(ctx.get()));
  MIP_CHECK(copy != nullptr);
  return copy;
}

// Feeds the parts to a keyed context and writes the full MAC to out.
void mac_final(EVP_MAC_CTX* ctx, ByteParts parts, std::span<std::uint8_t> out) {
  for (Bytes part : parts) {
    if (!part.empty()) {
      MIP_CHECK(EVP_MAC_update(ctx, part.data(), part.size()) == 1);
    }
  }
  std::size_t written = 0;
  MIP_CHECK(EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1);
  MIP_CHECK(written == out.size());
}

}  // namespace

Hmac::Hmac(const Hmac& other) : ctx_(dup_ctx(other.ctx_)), output_size_(other.output_size_) {}

Hmac& Hmac::operator=(const Hmac& other) {
  if (this != &other) {
    ctx_ = dup_ctx(other.ctx_);
    output_size_ = other.output_size_;
  }
  return *this;
}

void Hmac::compute_into(ByteParts parts, std::span<std::uint8_t> out) const {
  MIP_CHECK(out.size() == output_size_);
  ossl::MacCtxPtr ctx = dup_ctx(ctx_);
  mac_final(ctx.get(), parts, out);
}

base::SecretBytes Hmac::compute(ByteParts parts) const {
  base::SecretBytes out(output_size_);
  compute_into(parts, out.mutable_view());
  return out;
}

base::Result<Prf> Prf::create(PrfAlgorithm algorithm) {
  const char* digest = digest_name(algorithm);
  if (digest == nullptr) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(algorithm));
  }
  // One fetch per process: every IKE SA makes a Prf, and a fetch is a locked name lookup in
  // OpenSSL 3. The method is immutable and shared; it lives until exit.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (mac == nullptr) {
    ERR_clear_error();
    return crypto_fail(kErrInternal, "EVP_MAC_fetch(HMAC)");
  }
  ossl::MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  if (ctx == nullptr) {
    ERR_clear_error();
    return crypto_fail(kErrInternal, "EVP_MAC_CTX_new");
  }
  // OSSL_PARAM wants a mutable char*, but does not write through it.
  std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx.get(), params.data()) != 1) {
    ERR_clear_error();
    return crypto_fail(kErrInternal, "EVP_MAC_CTX_set_params(digest)");
  }
  return Prf(algorithm, std::move(ctx), prf_output_size(algorithm));
}

Prf::Prf(const Prf& other)
    : algorithm_(other.algorithm_),
      unkeyed_(dup_ctx(other.unkeyed_)),
      output_size_(other.output_size_) {}

Prf& Prf::operator=(const Prf& other) {
  if (this != &other) {
    algorithm_ = other.algorithm_;
    unkeyed_ = dup_ctx(other.unkeyed_);
    output_size_ = other.output_size_;
  }
  return *this;
}

ossl::MacCtxPtr Prf::keyed_ctx(Bytes key) const {
  ossl::MacCtxPtr ctx = dup_ctx(unkeyed_);
  // A null key pointer would mean "keep the previous key" to EVP_MAC_init; an empty key must
  // still be an (all-zero padded) key, so pass a valid pointer with length 0.
  static constexpr std::uint8_t kEmpty = 0;
  const std::uint8_t* key_ptr = key.empty() ? &kEmpty : key.data();
  MIP_CHECK(EVP_MAC_init(ctx.get(), key_ptr, key.size(), nullptr) == 1);
  return ctx;
}

Hmac Prf::keyed(Bytes key) const { return Hmac(keyed_ctx(key), output_size_); }

base::SecretBytes Prf::compute(Bytes key, ByteParts data) const {
  // One context copy instead of keyed(key).compute(data)'s two: prf is on the hot path.
  ossl::MacCtxPtr ctx = keyed_ctx(key);
  base::SecretBytes out(output_size_);
  mac_final(ctx.get(), data, out.mutable_view());
  return out;
}

base::Result<base::SecretBytes> prf_plus(const Prf& prf, Bytes key, Bytes seed,
                                         std::size_t length) {
  const std::size_t block = prf.output_size();
  const std::size_t blocks = (length + block - 1) / block;
  // The block counter is one octet (RFC 7296 §2.13: undefined past 255 blocks).
  if (blocks > 255) {
    return crypto_fail(kErrOutputTooLong, "prf+ limited to 255 blocks");
  }
  const Hmac hmac = prf.keyed(key);
  base::SecretBytes out(length);
  base::SecretBytes t(block);
  std::span<std::uint8_t> dst = out.mutable_view();
  for (std::size_t n = 1; n <= blocks; ++n) {
    const std::array<std::uint8_t, 1> counter = {static_cast<std::uint8_t>(n)};
    // T0 is empty, so T1 = prf(K, S | 0x01).
    const Bytes previous = n == 1 ? Bytes{} : t.view();
    base::SecretBytes next(block);
    hmac.compute_into({previous, seed, counter}, next.mutable_view());
    t = std::move(next);
    const std::size_t take = std::min(block, dst.size());
    std::copy_n(t.view().begin(), take, dst.begin());
    dst = dst.subspan(take);
  }
  return out;
}

}  // namespace ike::crypto
