#include "ike/engine/signature_auth.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace ike::engine {
namespace {

using crypto::SignatureHash;
using crypto::SignatureScheme;

constexpr std::array<std::uint16_t, 3> kSupportedHashes = {
    static_cast<std::uint16_t>(SignatureHash::Sha2_256),
    static_cast<std::uint16_t>(SignatureHash::Sha2_384),
    static_cast<std::uint16_t>(SignatureHash::Sha2_512),
};

bool announced(std::span<const std::uint16_t> peer_hashes, SignatureHash h) {
  return std::find(peer_hashes.begin(), peer_hashes.end(), static_cast<std::uint16_t>(h)) !=
         peer_hashes.end();
}

// The hash an ECDSA key is "made for" (RFC 5656 6.2.1 style pairing, as in methods 9-11).
SignatureHash natural_hash(crypto::KeyType k) {
  switch (k) {
    case crypto::KeyType::EcP384: return SignatureHash::Sha2_384;
    case crypto::KeyType::EcP521: return SignatureHash::Sha2_512;
    default: return SignatureHash::Sha2_256;
  }
}

// RFC 7427 4: a hash from the peer's list; the key's natural hash first, then ours in order.
std::optional<SignatureHash> choose_hash(crypto::KeyType k,
                                         std::span<const std::uint16_t> peer_hashes) {
  if (announced(peer_hashes, natural_hash(k))) {
    return natural_hash(k);
  }
  for (const std::uint16_t id : kSupportedHashes) {
    if (announced(peer_hashes, static_cast<SignatureHash>(id))) {
      return static_cast<SignatureHash>(id);
    }
  }
  return std::nullopt;
}

// Legacy methods (RFC 7296 3.8, RFC 4754 7): the key type fixes the method and the hash.
std::optional<wire::AuthMethod> legacy_method(crypto::KeyType k) {
  switch (k) {
    case crypto::KeyType::Rsa: return wire::AuthMethod::RsaSignature;
    case crypto::KeyType::EcP256: return wire::AuthMethod::EcdsaSha256P256;
    case crypto::KeyType::EcP384: return wire::AuthMethod::EcdsaSha384P384;
    case crypto::KeyType::EcP521: return wire::AuthMethod::EcdsaSha512P521;
    case crypto::KeyType::Unsupported: break;
  }
  return std::nullopt;
}

struct LegacyScheme {
  SignatureScheme scheme;
  crypto::KeyType key;  // the key type the method demands (Rsa: any RSA size)
};

std::optional<LegacyScheme> legacy_scheme(wire::AuthMethod m) {
  switch (m) {
    case wire::AuthMethod::RsaSignature:
      return LegacyScheme{SignatureScheme::rsa_pkcs1(SignatureHash::Sha1), crypto::KeyType::Rsa};
    case wire::AuthMethod::EcdsaSha256P256:
      return LegacyScheme{SignatureScheme::ecdsa(SignatureHash::Sha2_256), crypto::KeyType::EcP256};
    case wire::AuthMethod::EcdsaSha384P384:
      return LegacyScheme{SignatureScheme::ecdsa(SignatureHash::Sha2_384), crypto::KeyType::EcP384};
    case wire::AuthMethod::EcdsaSha512P521:
      return LegacyScheme{SignatureScheme::ecdsa(SignatureHash::Sha2_512), crypto::KeyType::EcP521};
    default: break;
  }
  return std::nullopt;
}

base::Result<void, AuthError> refuse(AuthFailure f, std::string_view detail) {
  return base::fail(AuthError{f, detail});
}

}  // namespace

std::span<const std::uint16_t> supported_signature_hashes() {
  return kSupportedHashes;
}

bool is_signature_method(wire::AuthMethod m) {
  return m == wire::AuthMethod::RsaSignature || m == wire::AuthMethod::EcdsaSha256P256 ||
         m == wire::AuthMethod::EcdsaSha384P384 || m == wire::AuthMethod::EcdsaSha512P521 ||
         m == wire::AuthMethod::DigitalSignature;
}

bool identity_matches_certificate(const wire::IdPayload& id, const crypto::Certificate& cert) {
  switch (id.type) {
    case wire::IdType::Fqdn: return cert.has_dns_name(id.text());
    case wire::IdType::Rfc822Addr: return cert.has_email(id.text());
    case wire::IdType::Ipv4Addr:
    case wire::IdType::Ipv6Addr: return cert.has_ip_address(id.data);
    case wire::IdType::DerAsn1Dn: return cert.subject_is(id.data);
    default: break;
  }
  return false;
}

base::Result<SignatureAuth> build_signature_auth(const LocalCertificate& local,
                                                 std::span<const std::uint16_t> peer_hashes,
                                                 std::span<const std::uint8_t> signed_octets) {
  const crypto::KeyType key_type = local.key.type();
  SignatureAuth out;
  out.certs.push_back(
      wire::CertPayload{wire::CertEncoding::X509Signature,
                        {local.certificate.der().begin(), local.certificate.der().end()}});
  for (const auto& c : local.chain) {
    out.certs.push_back(
        wire::CertPayload{wire::CertEncoding::X509Signature, {c.der().begin(), c.der().end()}});
  }
  if (auto hash = choose_hash(key_type, peer_hashes)) {
    // RFC 7427 3: AUTH data = length | AlgorithmIdentifier | signature (ECDSA in DER).
    const SignatureScheme scheme = key_type != crypto::KeyType::Rsa ? SignatureScheme::ecdsa(*hash)
                                   : local.prefer_rsa_pss ? SignatureScheme::rsa_pss(*hash)
                                                          : SignatureScheme::rsa_pkcs1(*hash);
    auto algorithm = crypto::encode_algorithm_identifier(scheme);
    if (!algorithm) {
      return base::fail(algorithm.error());
    }
    auto sig = local.key.sign(scheme, signed_octets, crypto::EcdsaFormat::Der);
    if (!sig) {
      return base::fail(sig.error());
    }
    auto data = wire::encode_digital_signature(*algorithm, *sig);
    if (!data) {
      return base::fail(base::Error{"encode_failed", wire::to_string(data.error().code)});
    }
    out.auth.method = wire::AuthMethod::DigitalSignature;
    out.auth.data = std::move(*data);
    return out;
  }
  // The peer did not announce RFC 7427 (or shares no hash): the key's own legacy method.
  const auto method = legacy_method(key_type);
  const auto legacy = method ? legacy_scheme(*method) : std::nullopt;
  if (!legacy) {
    return base::fail(base::Error{"unsupported_key", crypto::to_string(key_type)});
  }
  auto sig = local.key.sign(legacy->scheme, signed_octets, crypto::EcdsaFormat::Raw);
  if (!sig) {
    return base::fail(sig.error());
  }
  out.auth.method = *method;
  out.auth.data = std::move(*sig);
  return out;
}

base::Result<void, AuthError> verify_signature_auth(const crypto::TrustStore* trust,
                                                    const wire::IdPayload& peer_id,
                                                    std::span<const wire::Payload> inner,
                                                    const wire::AuthPayload& auth,
                                                    std::span<const std::uint8_t> signed_octets) {
  if (!is_signature_method(auth.method)) {
    return refuse(AuthFailure::UnsupportedMethod, wire::to_string(auth.method));
  }
  if (trust == nullptr) {
    return refuse(AuthFailure::NoCredentials, "no trusted CA for signature authentication");
  }
  // RFC 7296 3.6: the first certificate carries the key that signed AUTH.
  std::vector<const wire::CertPayload*> x509;
  for (const auto& p : inner) {
    const auto* c = p.get<wire::CertPayload>();
    if (c != nullptr && c->encoding == wire::CertEncoding::X509Signature) {
      x509.push_back(c);
    }
  }
  if (x509.empty()) {
    return refuse(AuthFailure::NoCertificate, "signature AUTH without an X.509 CERT");
  }
  auto leaf = crypto::Certificate::from_der(x509.front()->data);
  if (!leaf) {
    return refuse(AuthFailure::CertificateInvalid, leaf.error().detail);
  }
  std::vector<crypto::Certificate> chain;
  for (std::size_t i = 1; i < x509.size(); ++i) {
    auto c = crypto::Certificate::from_der(x509[i]->data);
    if (!c) {
      return refuse(AuthFailure::CertificateInvalid, c.error().detail);
    }
    chain.push_back(std::move(*c));
  }
  if (auto trusted = trust->verify(*leaf, chain); !trusted) {
    return refuse(AuthFailure::CertificateUntrusted, trusted.error().detail);
  }
  if (!identity_matches_certificate(peer_id, *leaf)) {
    return refuse(AuthFailure::IdentityMismatch, "peer ID is not in its certificate");
  }
  auto key = leaf->public_key();
  if (!key) {
    return refuse(AuthFailure::CertificateInvalid, key.error().detail);
  }

  SignatureScheme scheme;
  std::span<const std::uint8_t> signature = auth.data;
  crypto::EcdsaFormat format = crypto::EcdsaFormat::Der;
  wire::DigitalSignatureData framed;
  if (auth.method == wire::AuthMethod::DigitalSignature) {
    auto decoded = wire::decode_digital_signature(auth.data);
    if (!decoded) {
      return refuse(AuthFailure::BadSignature, "method 14 data truncated");
    }
    framed = std::move(*decoded);
    auto parsed = crypto::decode_algorithm_identifier(framed.algorithm_identifier);
    if (!parsed) {
      return refuse(AuthFailure::UnsupportedMethod, parsed.error().detail);
    }
    // We announced only SHA-2 (RFC 7427 4); SHA-1 signatures are refused (RFC 8247 3.2).
    if (parsed->hash == SignatureHash::Sha1 ||
        (parsed->algorithm == crypto::SignatureAlgorithm::RsaPss &&
         parsed->mgf1_hash == SignatureHash::Sha1)) {
      return refuse(AuthFailure::UnsupportedMethod, "SHA-1 signature hash");
    }
    scheme = *parsed;
    signature = framed.signature;
  } else {
    const auto legacy = legacy_scheme(auth.method);
    const crypto::KeyType key_type = key->type();
    if (!legacy || key_type != legacy->key) {
      return refuse(AuthFailure::BadSignature, "certificate key does not fit the AUTH method");
    }
    scheme = legacy->scheme;
    format = crypto::EcdsaFormat::Raw;
  }
  if (auto ok = key->verify(scheme, signed_octets, signature, format); !ok) {
    return refuse(AuthFailure::BadSignature, ok.error().detail);
  }
  return {};
}

}  // namespace ike::engine
