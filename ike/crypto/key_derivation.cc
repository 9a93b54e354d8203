#include "ike/crypto/key_derivation.h"

#include <algorithm>
#include <array>
#include <vector>

#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

std::array<std::uint8_t, 8> spi_bytes(std::uint64_t spi) {
  std::array<std::uint8_t, 8> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(spi >> (56 - 8 * i));
  }
  return out;
}

// Cuts the next n octets off the front of `rest` into their own SecretBytes.
base::SecretBytes take(Bytes& rest, std::size_t n) {
  base::SecretBytes out(rest.first(n));
  rest = rest.subspan(n);
  return out;
}

bool is_supported_encr(EncrAlgorithm e) {
  return e == EncrAlgorithm::AesCbc || e == EncrAlgorithm::AesGcm16;
}

}  // namespace

base::Result<IkeKeySizes> ike_key_sizes(const IkeSaTransforms& t) {
  if (prf_output_size(t.prf) == 0) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(t.prf));
  }
  auto child = child_key_sizes(t.encr, t.encr_key_bits, t.integ);
  if (!child) {
    return base::fail(child.error());
  }
  IkeKeySizes sizes;
  sizes.sk_d = prf_key_size(t.prf);
  sizes.sk_a = child->integ;
  sizes.sk_e = child->encr;
  sizes.sk_p = prf_key_size(t.prf);
  return sizes;
}

base::Result<ChildKeySizes> child_key_sizes(EncrAlgorithm encr, std::uint16_t encr_key_bits,
                                            IntegAlgorithm integ) {
  if (!is_supported_encr(encr)) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(encr));
  }
  if (!is_valid_aes_key_bits(encr_key_bits)) {
    return crypto_fail(kErrInvalidKeyLength, "AES key length must be 128, 192 or 256 bits");
  }
  if (is_aead(encr)) {
    if (integ != IntegAlgorithm::None) {
      return crypto_fail(kErrUnsupportedAlgorithm, "AEAD with an INTEG transform");
    }
  } else if (integ_key_size(integ) == 0) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(integ));
  }
  return ChildKeySizes{encr_key_size(encr, encr_key_bits), integ_key_size(integ)};
}

base::SecretBytes compute_skeyseed(const Prf& prf, Bytes ni, Bytes nr, Bytes g_ir) {
  // The key is Ni | Nr; HMAC takes it at any length, so concatenate rather than truncate.
  base::SecretBytes key(ni.size() + nr.size());
  std::span<std::uint8_t> k = key.mutable_view();
  std::copy(ni.begin(), ni.end(), k.begin());
  std::copy(nr.begin(), nr.end(), k.begin() + static_cast<std::ptrdiff_t>(ni.size()));
  return prf.compute(key.view(), {g_ir});
}

base::SecretBytes compute_rekey_skeyseed(const Prf& old_prf, Bytes old_sk_d, Bytes g_ir_new,
                                         Bytes ni, Bytes nr) {
  return old_prf.compute(old_sk_d, {g_ir_new, ni, nr});
}

base::Result<IkeSaKeys> derive_ike_sa_keys(const Prf& prf, Bytes skeyseed, Bytes ni, Bytes nr,
                                           std::uint64_t spi_i, std::uint64_t spi_r,
                                           const IkeKeySizes& sizes) {
  const auto spii = spi_bytes(spi_i);
  const auto spir = spi_bytes(spi_r);
  std::vector<std::uint8_t> seed;
  seed.reserve(ni.size() + nr.size() + 16);
  seed.insert(seed.end(), ni.begin(), ni.end());
  seed.insert(seed.end(), nr.begin(), nr.end());
  seed.insert(seed.end(), spii.begin(), spii.end());
  seed.insert(seed.end(), spir.begin(), spir.end());
  auto keymat = prf_plus(prf, skeyseed, seed, sizes.total());
  if (!keymat) {
    return base::fail(keymat.error());
  }
  Bytes rest = keymat->view();
  IkeSaKeys keys;
  keys.sk_d = take(rest, sizes.sk_d);
  keys.sk_ai = take(rest, sizes.sk_a);
  keys.sk_ar = take(rest, sizes.sk_a);
  keys.sk_ei = take(rest, sizes.sk_e);
  keys.sk_er = take(rest, sizes.sk_e);
  keys.sk_pi = take(rest, sizes.sk_p);
  keys.sk_pr = take(rest, sizes.sk_p);
  return keys;
}

base::Result<ChildSaKeys> derive_child_sa_keys(const Prf& prf, Bytes sk_d, Bytes g_ir, Bytes ni,
                                               Bytes nr, const ChildKeySizes& sizes) {
  // The seed holds g^ir with PFS, so it is secret too.
  base::SecretBytes seed(g_ir.size() + ni.size() + nr.size());
  std::span<std::uint8_t> s = seed.mutable_view();
  auto out = std::copy(g_ir.begin(), g_ir.end(), s.begin());
  out = std::copy(ni.begin(), ni.end(), out);
  std::copy(nr.begin(), nr.end(), out);
  auto keymat = prf_plus(prf, sk_d, seed.view(), 2 * (sizes.encr + sizes.integ));
  if (!keymat) {
    return base::fail(keymat.error());
  }
  Bytes rest = keymat->view();
  ChildSaKeys keys;
  keys.encr_i = take(rest, sizes.encr);
  keys.integ_i = take(rest, sizes.integ);
  keys.encr_r = take(rest, sizes.encr);
  keys.integ_r = take(rest, sizes.integ);
  return keys;
}

}  // namespace ike::crypto
