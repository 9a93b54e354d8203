// The AUTH step of IKE_AUTH for both roles (RFC 7296 2.15; RFC 7427): which credential we prove
// ourselves with (PSK or certificate + signature), how the peer's AUTH is checked for the
// identity it claims, and the IKE_SA_INIT / IKE_AUTH payloads that prepare certificate
// authentication (N(SIGNATURE_HASH_ALGORITHMS), CERTREQ). The exchanges themselves are in
// ike_auth_task.cc; the signature work is in signature_auth.cc.
#include "ike/engine/ike_sa.h"

namespace ike::engine {
namespace {

// R7296-31: ID_IPV4_ADDR, ID_FQDN, ID_RFC822_ADDR, ID_KEY_ID and ID_IPV6_ADDR are accepted, and
// ID_DER_ASN1_DN for certificates (R7296-32). ID_DER_ASN1_GN is refused.
bool acceptable_id_type(wire::IdType t) {
  switch (t) {
    case wire::IdType::Ipv4Addr:
    case wire::IdType::Fqdn:
    case wire::IdType::Rfc822Addr:
    case wire::IdType::Ipv6Addr:
    case wire::IdType::DerAsn1Dn:
    case wire::IdType::KeyId: return true;
    default: break;
  }
  return false;
}

std::vector<std::uint8_t> encoded_id_body(const wire::IdPayload& id) {
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  if (!id.encode(w)) {
    out.clear();
  }
  return out;
}

IkeCounter counter_for(AuthFailure f) {
  switch (f) {
    case AuthFailure::MissingPayload: return IkeCounter::AuthMissingPayload;
    case AuthFailure::UnacceptableId: return IkeCounter::AuthUnacceptableId;
    case AuthFailure::NoCredentials: return IkeCounter::AuthNoCredentials;
    case AuthFailure::UnsupportedMethod: return IkeCounter::AuthUnsupportedMethod;
    case AuthFailure::NoCertificate: return IkeCounter::AuthNoCertificate;
    case AuthFailure::CertificateInvalid: return IkeCounter::AuthCertificateInvalid;
    case AuthFailure::CertificateUntrusted: return IkeCounter::AuthCertificateUntrusted;
    case AuthFailure::IdentityMismatch: return IkeCounter::AuthIdentityMismatch;
    case AuthFailure::BadSignature: return IkeCounter::AuthBadSignature;
  }
  return IkeCounter::AuthBadSignature;
}

}  // namespace

crypto::AuthInput IkeSa::auth_input(bool signer_is_initiator,
                                    std::span<const std::uint8_t> id_body) const {
  // R7296-27: RealMessage | the other side's nonce | prf(SK_p*, ID'); R7296-28: latest message.
  crypto::AuthInput in;
  in.real_message = signer_is_initiator ? init_request_ : init_response_;
  in.peer_nonce = signer_is_initiator ? nonce_r_ : nonce_i_;
  in.sk_p = signer_is_initiator ? keys_->sk_pi.view() : keys_->sk_pr.view();
  in.id_body = id_body;
  return in;
}

base::Result<void, AuthError> IkeSa::add_our_auth(std::vector<wire::Payload>& out,
                                                  bool as_initiator,
                                                  const wire::IdPayload& psk_peer) {
  const std::vector<std::uint8_t> id = encoded_id_body(config_.local_id);
  if (const LocalCertificate* local = env_.credentials.local_certificate()) {
    // Signature methods sign the same octets as PSK, without the "Key Pad" step (2.15).
    const std::vector<std::uint8_t> octets =
        crypto::signed_octets(*prf_, auth_input(as_initiator, id));
    auto built = build_signature_auth(*local, peer_signature_hashes_, octets);
    if (!built) {
      return base::fail(AuthError{AuthFailure::NoCredentials, built.error().detail});
    }
    for (auto& cert : built->certs) {
      out.push_back(wire::make_payload(std::move(cert)));  // stays in order: sort is stable
    }
    local_auth_method_ = built->auth.method;
    out.push_back(wire::make_payload(std::move(built->auth)));
    return {};
  }
  auto psk = env_.credentials.psk_for(psk_peer);
  if (!psk) {
    return base::fail(AuthError{AuthFailure::NoCredentials, "no PSK and no certificate"});
  }
  wire::AuthPayload auth;
  auth.method = wire::AuthMethod::SharedKeyMic;
  auth.data = auth_data(psk->view(), as_initiator, id);
  local_auth_method_ = auth.method;
  out.push_back(wire::make_payload(std::move(auth)));
  return {};
}

base::Result<void, AuthError> IkeSa::verify_peer_auth(const wire::IdPayload* id,
                                                      std::span<const std::uint8_t> id_raw,
                                                      const wire::AuthPayload* auth,
                                                      std::span<const wire::Payload> inner,
                                                      bool peer_is_initiator) {
  auto check = [&]() -> base::Result<void, AuthError> {
    if (id == nullptr || auth == nullptr) {
      return base::fail(AuthError{AuthFailure::MissingPayload, "IDx or AUTH missing"});
    }
    if (!acceptable_id_type(id->type)) {
      return base::fail(AuthError{AuthFailure::UnacceptableId, wire::to_string(id->type)});
    }
    const crypto::AuthInput in = auth_input(peer_is_initiator, id_raw);
    if (auth->method == wire::AuthMethod::SharedKeyMic) {
      // R7296-29: the PSK is the one of the identity claimed in IDx.
      auto psk = env_.credentials.psk_for(*id);
      if (!psk) {
        return base::fail(AuthError{AuthFailure::NoCredentials, "no PSK for the peer's ID"});
      }
      if (!crypto::verify_psk_auth_data(*prf_, psk->view(), in, auth->data)) {
        return base::fail(AuthError{AuthFailure::BadSignature, "PSK AUTH does not match"});
      }
      return {};
    }
    return verify_signature_auth(env_.credentials.trust_store(), *id, inner, *auth,
                                 crypto::signed_octets(*prf_, in));
  };
  auto result = check();
  if (!result) {
    counters_.inc(counter_for(result.error().failure));
  } else {
    peer_auth_method_ = auth->method;
  }
  return result;
}

wire::Payload IkeSa::signature_hash_notify() const {
  return wire::make_payload(wire::make_signature_hash_algorithms(supported_signature_hashes()));
}

void IkeSa::record_peer_signature_hashes(std::span<const wire::Payload> payloads) {
  peer_signature_hashes_.clear();
  if (const auto* n = wire::find_notify(payloads, wire::NotifyType::SignatureHashAlgorithms)) {
    if (auto ids = wire::decode_signature_hash_algorithms(*n)) {
      peer_signature_hashes_ = std::move(*ids);  // a malformed list counts as none (legacy)
    }
  }
}

std::optional<wire::Payload> IkeSa::certreq_payload() const {
  const crypto::TrustStore* trust = env_.credentials.trust_store();
  if (trust == nullptr) {
    return std::nullopt;
  }
  return wire::make_payload(
      wire::CertReqPayload{wire::CertEncoding::X509Signature, trust->certreq_authorities()});
}

}  // namespace ike::engine
