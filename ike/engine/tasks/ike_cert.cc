#include "ike/engine/tasks/ike_cert.h"

#include "ike/engine/sa_context.h"
#include "ike/engine/signature_auth.h"

namespace ike::engine {
namespace {

wire::Payload signature_hash_notify() {
  return wire::make_payload(wire::make_signature_hash_algorithms(supported_signature_hashes()));
}

// CERTREQ naming our trusted CAs (3.7); nullopt without any.
std::optional<wire::Payload> certreq_payload(const SaContext& sa) {
  const crypto::TrustStore* trust = sa.env.credentials.trust_store();
  if (trust == nullptr) {
    return std::nullopt;
  }
  return wire::make_payload(
      wire::CertReqPayload{wire::CertEncoding::X509Signature, trust->certreq_authorities()});
}

}  // namespace

TaskStatus IkeCert::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  if (exchange_ == wire::ExchangeType::IkeSaInit) {
    if (sa_.config.announce_signature_hashes) {
      out.push_back(signature_hash_notify());  // RFC 7427 4
    }
  } else if (auto certreq = certreq_payload(sa_)) {
    out.push_back(std::move(*certreq));  // IKE_AUTH: after AUTH, as strongSwan asks
  }
  return TaskStatus::Done;
}

TaskStatus IkeCert::process_response(const InMessage& response) {
  if (exchange_ == wire::ExchangeType::IkeSaInit) {
    record_peer_hashes(response);
  }
  return TaskStatus::Done;
}

TaskStatus IkeCert::process_request(const InMessage& request) {
  record_peer_hashes(request);
  return TaskStatus::Done;
}

TaskStatus IkeCert::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  // RFC 7427 4: answer the initiator's N(SIGNATURE_HASH_ALGORITHMS) with ours; CERTREQ for
  // the initiator's certificate (3.7), which strongSwan sends only when asked.
  if (!sa_.peer_signature_hashes.empty() && sa_.config.announce_signature_hashes) {
    out.push_back(signature_hash_notify());
  }
  if (auto certreq = certreq_payload(sa_)) {
    out.push_back(std::move(*certreq));
  }
  return TaskStatus::Done;
}

void IkeCert::record_peer_hashes(const InMessage& message) {
  sa_.peer_signature_hashes.clear();
  if (const auto* n =
          wire::find_notify(message.payloads, wire::NotifyType::SignatureHashAlgorithms)) {
    if (auto ids = wire::decode_signature_hash_algorithms(*n)) {
      sa_.peer_signature_hashes = std::move(*ids);  // a malformed list counts as none (legacy)
    }
  }
}

}  // namespace ike::engine
