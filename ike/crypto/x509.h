#pragma once
// X.509 certificates for IKEv2 certificate authentication (RFC 7296 3.6, 3.7, 4), through
// OpenSSL 3: PEM/DER loading, the identity checks behind "the peer's ID matches its
// certificate", the CERTREQ CA hash, and chain validation with X509_verify_cert. Input is text
// or bytes; reading files is the caller's business.
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/base/result.h"
#include "ike/crypto/signature.h"

namespace ike::crypto {

inline constexpr std::string_view kErrInvalidCertificate = "invalid_certificate";
inline constexpr std::string_view kErrUntrustedCertificate = "untrusted_certificate";

inline constexpr std::size_t kCaHashSize = 20;  // SHA-1 (RFC 7296 3.7)

class Certificate {
 public:
  [[nodiscard]] static base::Result<Certificate> from_der(std::span<const std::uint8_t> der);

  [[nodiscard]] std::span<const std::uint8_t> der() const { return der_; }
  [[nodiscard]] base::Result<PublicKey> public_key() const;
  // SHA-1 of the DER SubjectPublicKeyInfo: how CERTREQ names a CA (RFC 7296 3.7).
  [[nodiscard]] std::array<std::uint8_t, kCaHashSize> public_key_info_sha1() const;
  // One-line subject DN, for logs and tool output.
  [[nodiscard]] std::string subject() const;

  // Identity checks for IDi/IDr (RFC 7296 3.5, 4; RFC 5280 4.2.1.6). Only subjectAltName
  // entries count for names and addresses; the subject CN is never taken for a host name.
  // dNSName, compared case-insensitively, no wildcards.
  [[nodiscard]] bool has_dns_name(std::string_view name) const;
  [[nodiscard]] bool has_email(std::string_view address) const;  // rfc822Name
  // iPAddress, 4 or 16 octets.
  [[nodiscard]] bool has_ip_address(std::span<const std::uint8_t> address) const;
  // The subject DN equals `dn_der` (a DER Name, as in ID_DER_ASN1_DN), compared with
  // X509_NAME_cmp, i.e. on the canonical encoding.
  [[nodiscard]] bool subject_is(std::span<const std::uint8_t> dn_der) const;
  [[nodiscard]] std::vector<std::uint8_t> subject_der() const;

  [[nodiscard]] X509* native() const { return cert_.get(); }

 private:
  explicit Certificate(std::shared_ptr<X509> cert, std::vector<std::uint8_t> der)
      : cert_(std::move(cert)), der_(std::move(der)) {}
  std::shared_ptr<X509> cert_;  // shared: X509 is reference counted and never mutated here
  std::vector<std::uint8_t> der_;
};

// Every certificate in PEM text, in order; fails when there is none or one does not parse.
[[nodiscard]] base::Result<std::vector<Certificate>> certificates_from_pem(std::string_view pem);

// The CAs peers' certificates must chain to.
class TrustStore {
 public:
  void add(Certificate ca) { anchors_.push_back(std::move(ca)); }
  [[nodiscard]] bool empty() const { return anchors_.empty(); }
  [[nodiscard]] const std::vector<Certificate>& anchors() const { return anchors_; }
  // CERTREQ Certification Authority data: the concatenated SHA-1 hashes of the anchors'
  // SubjectPublicKeyInfo (RFC 7296 3.7).
  [[nodiscard]] std::vector<std::uint8_t> certreq_authorities() const;
  // The time validity periods are checked at. Unset (the default), OpenSSL takes the current
  // wall-clock time; tests fix it.
  void set_verification_time(std::optional<std::time_t> t) { verification_time_ = t; }

  // X509_verify_cert: `leaf` must chain to an anchor, through `intermediates` (untrusted, as
  // received in CERT payloads). Fails with kErrUntrustedCertificate and OpenSSL's static
  // reason text (X509_verify_cert_error_string) as detail.
  [[nodiscard]] base::Result<void> verify(const Certificate& leaf,
                                          std::span<const Certificate> intermediates) const;

 private:
  std::vector<Certificate> anchors_;
  std::optional<std::time_t> verification_time_;
};

}  // namespace ike::crypto
