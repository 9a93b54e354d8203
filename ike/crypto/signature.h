#pragma once
// Public-key signatures for IKEv2 AUTH (RFC 7296 2.15, 3.8; RFC 7427) through OpenSSL 3 EVP:
// RSASSA-PKCS1-v1_5, RSASSA-PSS and ECDSA, plus the ASN.1 AlgorithmIdentifier that names a
// scheme inside the Digital Signature method (14). DER is built and parsed by OpenSSL
// (X509_ALGOR, RSA_PSS_PARAMS), never by hand.
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/crypto/openssl_ptr.h"

namespace ike::crypto {

// Error codes (base::Error::code) of this file and x509.h, next to crypto_error.h's.
inline constexpr std::string_view kErrInvalidEncoding = "invalid_encoding";
inline constexpr std::string_view kErrKeyMismatch = "key_scheme_mismatch";

// Hash IDs of N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 4 and 7, IANA "IKEv2 Hash Algorithms").
enum class SignatureHash : std::uint16_t {
  Sha1 = 1,
  Sha2_256 = 2,
  Sha2_384 = 3,
  Sha2_512 = 4,
};
MIP6_ENUM_NAMES(SignatureHash, Sha1, Sha2_256, Sha2_384, Sha2_512);
[[nodiscard]] std::size_t digest_size(SignatureHash h);

enum class SignatureAlgorithm : std::uint8_t { RsaPkcs1, RsaPss, Ecdsa };
MIP6_ENUM_NAMES(SignatureAlgorithm, RsaPkcs1, RsaPss, Ecdsa);

struct SignatureScheme {
  SignatureAlgorithm algorithm = SignatureAlgorithm::Ecdsa;
  SignatureHash hash = SignatureHash::Sha2_256;
  // RSASSA-PSS only (RFC 4055 3.1): the MGF1 hash and the salt length in octets. Zero for the
  // other algorithms, so == compares schemes exactly.
  SignatureHash mgf1_hash = SignatureHash::Sha1;
  std::uint16_t salt_length = 0;

  static SignatureScheme rsa_pkcs1(SignatureHash h);
  // MGF1 with the same hash and a salt as long as the digest (RFC 7427 A.4.3 for SHA-256).
  static SignatureScheme rsa_pss(SignatureHash h);
  static SignatureScheme ecdsa(SignatureHash h);
  friend bool operator==(const SignatureScheme&, const SignatureScheme&) = default;
};

// The DER AlgorithmIdentifier of `s` (RFC 7427 3; Appendix A): sha*WithRSAEncryption with NULL
// parameters, ecdsa-with-SHA* without parameters, id-RSASSA-PSS with RSASSA-PSS-params whose
// DEFAULT fields are omitted (X.690 11.5).
[[nodiscard]] base::Result<std::vector<std::uint8_t>> encode_algorithm_identifier(
    const SignatureScheme& s);
// Parses a DER AlgorithmIdentifier that must fill `der` exactly. Fails with
// kErrInvalidEncoding for bad DER and kErrUnsupportedAlgorithm for an OID, hash, mask
// generation function or PSS parameter we do not implement.
[[nodiscard]] base::Result<SignatureScheme> decode_algorithm_identifier(
    std::span<const std::uint8_t> der);

// ECDSA signature layout: DER Ecdsa-Sig-Value (RFC 7427 3, RFC 3279) or r | s, each
// left-padded to the group order's size (RFC 4754 7: IKEv2 AUTH methods 9..11).
enum class EcdsaFormat : std::uint8_t { Der, Raw };

enum class KeyType : std::uint8_t { Rsa, EcP256, EcP384, EcP521, Unsupported };
MIP6_ENUM_NAMES(KeyType, Rsa, EcP256, EcP384, EcP521, Unsupported);

using PkeyRef = std::shared_ptr<EVP_PKEY>;  // shared: EVP_PKEY is reference counted anyway

class PublicKey {
 public:
  // Takes one reference to `key`.
  explicit PublicKey(ossl::PkeyPtr key);

  [[nodiscard]] KeyType type() const;
  [[nodiscard]] std::size_t bits() const;
  // Fails with kErrAuthenticationFailed for a signature that does not verify, and with
  // kErrKeyMismatch when `scheme` does not fit this key (e.g. ECDSA with an RSA key).
  [[nodiscard]] base::Result<void> verify(const SignatureScheme& scheme,
                                          std::span<const std::uint8_t> data,
                                          std::span<const std::uint8_t> signature,
                                          EcdsaFormat format = EcdsaFormat::Der) const;

 private:
  PkeyRef key_;
};

class PrivateKey {
 public:
  // The first private key in PEM text (PKCS#8, or traditional RSA/EC). Encrypted keys are
  // refused rather than prompting for a passphrase.
  [[nodiscard]] static base::Result<PrivateKey> from_pem(std::string_view pem);
  // Fresh keys, for tests: RSA of `bits`, or an EC key on P-256/384/521.
  [[nodiscard]] static base::Result<PrivateKey> generate(KeyType type, unsigned rsa_bits = 2048);

  [[nodiscard]] KeyType type() const;
  [[nodiscard]] std::size_t bits() const;
  [[nodiscard]] PublicKey public_key() const;
  [[nodiscard]] base::Result<std::vector<std::uint8_t>> sign(
      const SignatureScheme& scheme, std::span<const std::uint8_t> data,
      EcdsaFormat format = EcdsaFormat::Der) const;

 private:
  explicit PrivateKey(ossl::PkeyPtr key);
  PkeyRef key_;
};

}  // namespace ike::crypto
