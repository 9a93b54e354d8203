#include "ike/crypto/nat_detection.h"

#include <openssl/evp.h>

#include <vector>

#include "ike/base/check.h"
#include "ike/crypto/crypto_error.h"

namespace ike::crypto {

base::Result<NatDetectionHash> nat_detection_hash(std::uint64_t spi_i, std::uint64_t spi_r,
                                                  Bytes address, std::uint16_t port) {
  if (address.size() != 4 && address.size() != 16) {
    return crypto_fail(kErrInvalidLength, "NAT-D address must be 4 or 16 octets");
  }
  std::vector<std::uint8_t> input;
  input.reserve(16 + address.size() + 2);
  for (std::uint64_t spi : {spi_i, spi_r}) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      input.push_back(static_cast<std::uint8_t>(spi >> shift));
    }
  }
  input.insert(input.end(), address.begin(), address.end());
  input.push_back(static_cast<std::uint8_t>(port >> 8));
  input.push_back(static_cast<std::uint8_t>(port & 0xff));
  NatDetectionHash out{};
  unsigned int len = 0;
  // SHA-1 is fixed by the RFC here; it is a hash of public values, not a security MAC.
  // Fetched once (EVP_sha1() would make OpenSSL 3 fetch it again on every call, and every
  // IKE_SA_INIT computes four of these).
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  MIP_CHECK(sha1 != nullptr);
  MIP_CHECK(EVP_Digest(input.data(), input.size(), out.data(), &len, sha1, nullptr) == 1);
  MIP_CHECK(len == out.size());
  return out;
}

}  // namespace ike::crypto
