#include "ike/crypto/nat_detection.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "ike/base/check.h"
#include "ike/crypto/crypto_error.h"
#include "ike/crypto/openssl_ptr.h"

namespace ike::crypto {

base::Result<NatDetectionHash> nat_detection_hash(std::uint64_t spi_i, std::uint64_t spi_r,
                                                  Bytes address, std::uint16_t port) {
  if (address.size() != 4 && address.size() != 16) {
    return crypto_fail(kErrInvalidLength, "NAT-D address must be 4 or 16 octets");
  }
  // SPIi | SPIr | address | port, at most 34 octets: built on the stack, since every
  // IKE_SA_INIT computes four of these.
  std::array<std::uint8_t, 16 + 16 + 2> input{};
  std::size_t n = 0;
  for (std::uint64_t spi : {spi_i, spi_r}) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      input[n++] = static_cast<std::uint8_t>(spi >> shift);
    }
  }
  std::copy(address.begin(), address.end(), input.begin() + static_cast<std::ptrdiff_t>(n));
  n += address.size();
  input[n++] = static_cast<std::uint8_t>(port >> 8);
  input[n++] = static_cast<std::uint8_t>(port & 0xff);
  NatDetectionHash out{};
  unsigned int len = 0;
  // SHA-1 is fixed by the RFC here; it is a hash of public values, not a security MAC.
  // Fetched once (EVP_sha1() would make OpenSSL 3 fetch it again on every call), and one
  // digest context per thread, reused.
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  MIP_CHECK(sha1 != nullptr);
  thread_local const ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  MIP_CHECK(ctx != nullptr);
  MIP_CHECK(EVP_DigestInit_ex2(ctx.get(), sha1, nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), input.data(), n) == 1 &&
            EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1);
  MIP_CHECK(len == out.size());
  return out;
}

}  // namespace ike::crypto
