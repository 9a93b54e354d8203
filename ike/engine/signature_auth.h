#pragma once
// Certificate authentication in IKE_AUTH (RFC 7296 2.15, 3.6-3.8; RFC 7427): our CERT and
// signature AUTH payloads, and the checks on the peer's: the end-entity CERT chains to a
// trusted CA, the peer's ID is bound to that certificate, and the AUTH signature over the
// signed octets verifies with its key. Pure functions; the IKE_AUTH task (tasks/ike_auth.h)
// supplies the signed octets.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/crypto/signature.h"
#include "ike/crypto/x509.h"
#include "ike/engine/peer_credentials.h"
#include "ike/wire/auth_payload.h"
#include "ike/wire/id_payload.h"
#include "ike/wire/message.h"

namespace ike::engine {

// What we announce in N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 4) and accept in method 14:
// SHA2-256/384/512. SHA-1 is left out (RFC 8247 3.2).
[[nodiscard]] std::span<const std::uint16_t> supported_signature_hashes();

// Why an AUTH was refused. Each reason has its own IkeCounter.
enum class AuthFailure : std::uint8_t {
  MissingPayload,        // no IDx or no AUTH in the message
  UnacceptableId,        // an ID type we do not accept
  NoCredentials,         // no PSK for the ID, or no trusted CA configured
  UnsupportedMethod,     // e.g. DSS, or a method 14 algorithm we do not implement
  NoCertificate,         // a signature AUTH without an X.509 CERT
  CertificateInvalid,    // the CERT does not parse
  CertificateUntrusted,  // X509_verify_cert failed against our CAs
  IdentityMismatch,      // the peer's ID is not in its certificate
  BadSignature,          // signature or PSK MIC does not verify
};
MIP6_ENUM_NAMES(AuthFailure, MissingPayload, UnacceptableId, NoCredentials, UnsupportedMethod,
                NoCertificate, CertificateInvalid, CertificateUntrusted, IdentityMismatch,
                BadSignature);

struct AuthError {
  AuthFailure failure = AuthFailure::BadSignature;
  std::string_view detail;  // static text: our own, or OpenSSL's verify error string
};

[[nodiscard]] bool is_signature_method(wire::AuthMethod m);

// The peer's ID bound to its end-entity certificate: ID_FQDN to a SAN dNSName, ID_RFC822_ADDR
// to a SAN rfc822Name, ID_IPV4_ADDR/ID_IPV6_ADDR to a SAN iPAddress, ID_DER_ASN1_DN to the
// subject. Other types (ID_KEY_ID, ID_DER_ASN1_GN) never match a certificate.
[[nodiscard]] bool identity_matches_certificate(const wire::IdPayload& id,
                                                const crypto::Certificate& cert);

struct SignatureAuth {
  std::vector<wire::CertPayload> certs;  // end-entity first, then the chain
  wire::AuthPayload auth;
};
// Signs `signed_octets` (RFC 7296 2.15) with our key. Method 14 (RFC 7427) when the peer
// announced a hash we share, preferring the one that matches the key size; otherwise the
// key's legacy method: 1 (RSA, PKCS#1 v1.5 SHA-1) or 9/10/11 (ECDSA P-256/384/521, r|s).
[[nodiscard]] base::Result<SignatureAuth> build_signature_auth(
    const LocalCertificate& local, std::span<const std::uint16_t> peer_hashes,
    std::span<const std::uint8_t> signed_octets);

// Checks a signature AUTH (methods 1, 9-11, 14) from the peer claiming `peer_id`, with the CERT
// payloads among `inner` (the first X.509 one is the end entity, the rest untrusted chain).
[[nodiscard]] base::Result<void, AuthError> verify_signature_auth(
    const crypto::TrustStore* trust, const wire::IdPayload& peer_id,
    std::span<const wire::Payload> inner, const wire::AuthPayload& auth,
    std::span<const std::uint8_t> signed_octets);

}  // namespace ike::engine
