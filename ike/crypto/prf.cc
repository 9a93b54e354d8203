#include "ike/crypto/prf.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <string>

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

namespace {

// An unkeyed HMAC context with the digest set: making one means fetching the digest by name
// (a locked lookup, about 1 us), so each algorithm's is made once and duplicated per Prf.
// Immutable once made; duplicating only reads it.
EVP_MAC_CTX* prototype(PrfAlgorithm algorithm) {
  static const std::array<EVP_MAC_CTX*, 3> kPrototypes = [] {
    std::array<EVP_MAC_CTX*, 3> all{};
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    const std::array<PrfAlgorithm, 3> algorithms = {
        PrfAlgorithm::HmacSha2_256, PrfAlgorithm::HmacSha2_384, PrfAlgorithm::HmacSha2_512};
    for (std::size_t i = 0; mac != nullptr && i < algorithms.size(); ++i) {
      ossl::MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
      std::array<OSSL_PARAM, 2> params = {
          // OSSL_PARAM wants a mutable char*, but does not write through it.
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                           const_cast<char*>(digest_name(algorithms[i])), 0),
          OSSL_PARAM_construct_end()};
      if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx.get(), params.data()) == 1) {
        all[i] = ctx.release();
      }
    }
    EVP_MAC_free(mac);  // each context holds its own reference
    ERR_clear_error();
    return all;
  }();
  switch (algorithm) {
    case PrfAlgorithm::HmacSha2_256: return kPrototypes[0];
    case PrfAlgorithm::HmacSha2_384: return kPrototypes[1];
    case PrfAlgorithm::HmacSha2_512: return kPrototypes[2];
    case PrfAlgorithm::HmacSha1: break;
  }
  return nullptr;
}

}  // namespace

base::Result<Prf> Prf::create(PrfAlgorithm algorithm) {
  if (digest_name(algorithm) == nullptr) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(algorithm));
  }
  EVP_MAC_CTX* proto = prototype(algorithm);
  if (proto == nullptr) {
    return crypto_fail(kErrInternal, "HMAC context for " + std::string(to_string(algorithm)));
  }
  ossl::MacCtxPtr ctx(EVP_MAC_CTX_dup(proto));
  if (ctx == nullptr) {
    ERR_clear_error();
    return crypto_fail(kErrInternal, "EVP_MAC_CTX_dup");
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
    scratch_.reset();  // may hold another digest
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

EVP_MAC_CTX* Prf::rekeyed_scratch(Bytes key) const {
  if (scratch_ == nullptr) {
    scratch_ = dup_ctx(unkeyed_);
  }
  static constexpr std::uint8_t kEmpty = 0;  // see keyed_ctx
  MIP_CHECK(EVP_MAC_init(scratch_.get(), key.empty() ? &kEmpty : key.data(), key.size(),
                         nullptr) == 1);
  return scratch_.get();
}

base::SecretBytes Prf::compute(Bytes key, ByteParts data) const {
  EVP_MAC_CTX* ctx = rekeyed_scratch(key);
  base::SecretBytes out(output_size_);
  mac_final(ctx, data, out.mutable_view());
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
  // One keyed context for every block: EVP_MAC_init without a key returns it to the keyed
  // state, which costs half of what a context copy per block would.
  EVP_MAC_CTX* ctx = prf.rekeyed_scratch(key);
  base::SecretBytes out(length);
  base::SecretBytes t(block);
  std::span<std::uint8_t> dst = out.mutable_view();
  for (std::size_t n = 1; n <= blocks; ++n) {
    const std::array<std::uint8_t, 1> counter = {static_cast<std::uint8_t>(n)};
    // T0 is empty, so T1 = prf(K, S | 0x01).
    const Bytes previous = n == 1 ? Bytes{} : t.view();
    if (n > 1) {
      MIP_CHECK(EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1);
    }
    base::SecretBytes next(block);
    mac_final(ctx, {previous, seed, counter}, next.mutable_view());
    t = std::move(next);
    const std::size_t take = std::min(block, dst.size());
    std::copy_n(t.view().begin(), take, dst.begin());
    dst = dst.subspan(take);
  }
  return out;
}

}  // namespace ike::crypto
