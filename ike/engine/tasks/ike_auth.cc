#include "ike/engine/tasks/ike_auth.h"

#include <memory>
#include <utility>

#include "ike/crypto/auth.h"
#include "ike/engine/admission.h"
#include "ike/engine/sa_context.h"
#include "ike/engine/signature_auth.h"
#include "ike/engine/tasks/child_create.h"
#include "ike/engine/tasks/ike_delete.h"
#include "ike/engine/tasks/ike_dpd.h"
#include "ike/engine/tasks/ike_natd.h"
#include "ike/engine/tasks/ike_redirect.h"
#include "ike/engine/tasks/payloads.h"
#include "ike/engine/tasks/sa_lifetime.h"

namespace ike::engine {
namespace {

struct FoundId {
  const wire::IdPayload* id = nullptr;
  std::span<const std::uint8_t> raw;  // IDx' as received (2.15, R7296-11)
};

FoundId find_id(const wire::DecodedPayloads& inner, wire::PayloadType type) {
  for (std::size_t i = 0; i < inner.payloads.size() && i < inner.raw.size(); ++i) {
    if (inner.payloads[i].type == type) {
      return FoundId{inner.payloads[i].get<wire::IdPayload>(), inner.raw[i].body};
    }
  }
  return {};
}

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

// The signer's part of 2.15: its RealMessage (the latest version, R7296-28), the other side's
// nonce, its SK_p, and prf(SK_p, IDx') (R7296-27).
crypto::AuthInput auth_input(const SaContext& sa, bool signer_is_initiator,
                             std::span<const std::uint8_t> id_body) {
  crypto::AuthInput in;
  in.real_message = signer_is_initiator ? sa.init_request : sa.init_response;
  in.peer_nonce = signer_is_initiator ? sa.nonce_r : sa.nonce_i;
  in.sk_p = signer_is_initiator ? sa.keys->sk_pi.view() : sa.keys->sk_pr.view();
  in.id_body = id_body;
  return in;
}

// Appends our [CERT...] AUTH: a signature when credentials hold our certificate (RFC 7427
// when the peer announced hashes), else the PSK shared with `psk_peer` (R7296-27).
base::Result<void, AuthError> add_our_auth(SaContext& sa, std::vector<wire::Payload>& out,
                                           bool as_initiator, const wire::IdPayload& psk_peer) {
  const std::vector<std::uint8_t> id = encoded_id_body(sa.config.local_id);
  const crypto::AuthInput in = auth_input(sa, as_initiator, id);
  if (const LocalCertificate* local = sa.env.credentials.local_certificate()) {
    // Signature methods sign the same octets as PSK, without the "Key Pad" step (2.15).
    const std::vector<std::uint8_t> octets = crypto::signed_octets(*sa.prf, in);
    auto built = build_signature_auth(*local, sa.peer_signature_hashes, octets);
    if (!built) {
      return base::fail(AuthError{AuthFailure::NoCredentials, built.error().detail});
    }
    for (auto& cert : built->certs) {
      out.push_back(wire::make_payload(std::move(cert)));  // stays in order: sort is stable
    }
    sa.local_auth_method = built->auth.method;
    out.push_back(wire::make_payload(std::move(built->auth)));
    return {};
  }
  auto psk = sa.env.credentials.psk_for(psk_peer);
  if (!psk) {
    return base::fail(AuthError{AuthFailure::NoCredentials, "no PSK and no certificate"});
  }
  wire::AuthPayload auth;
  auth.method = wire::AuthMethod::SharedKeyMic;
  auth.data = crypto::psk_auth_data(*sa.prf, psk->view(), in);
  sa.local_auth_method = auth.method;
  out.push_back(wire::make_payload(std::move(auth)));
  return {};
}

// The peer's AUTH for the ID it claimed (`id_raw`: IDx' as received), PSK (R7296-29) or
// signature; a refusal is counted (AuthFailure counters) and returned.
base::Result<void, AuthError> verify_peer_auth(SaContext& sa, const wire::IdPayload* id,
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
    const crypto::AuthInput in = auth_input(sa, peer_is_initiator, id_raw);
    if (auth->method == wire::AuthMethod::SharedKeyMic) {
      // R7296-29: the PSK is the one of the identity claimed in IDx.
      auto psk = sa.env.credentials.psk_for(*id);
      if (!psk) {
        return base::fail(AuthError{AuthFailure::NoCredentials, "no PSK for the peer's ID"});
      }
      if (!crypto::verify_psk_auth_data(*sa.prf, psk->view(), in, auth->data)) {
        return base::fail(AuthError{AuthFailure::BadSignature, "PSK AUTH does not match"});
      }
      return {};
    }
    return verify_signature_auth(sa.env.credentials.trust_store(), *id, inner, *auth,
                                 crypto::signed_octets(*sa.prf, in));
  };
  auto result = check();
  if (!result) {
    sa.counters.inc(counter_for(result.error().failure));
  } else {
    sa.peer_auth_method = auth->method;
  }
  return result;
}

// Initiator whose IKE_AUTH response failed the AUTH check: INFORMATIONAL
// N(AUTHENTICATION_FAILED) (RFC 7296 2.21.2) with the next message ID, sent once, not
// retransmitted: the SA ends right after.
void notify_auth_failure(SaContext& sa) {
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::AuthenticationFailed)));
  auto bytes = sa.protect(sa.make_header(wire::ExchangeType::Informational, false,
                                         wire::MessageId(sa.tasks.next_request_id() + 1)),
                          std::move(inner));
  if (!bytes) {
    return;
  }
  sa.counters.inc(IkeCounter::AuthFailureNotified);
  sa.outputs.emplace_back(SendDatagram{sa.path, std::move(*bytes)});
}

// Both AUTHs verified, no redirect: the SA is up. The liveness clock and the rekey schedule
// start, keepalives if we are behind a NAT, the Child SA of IKE_AUTH is installed.
void establish(SaContext& sa) {
  if (!sa.transition(IkeSaState::Established)) {
    return;
  }
  const base::TimePoint now = sa.last_input;
  sa.last_authentic_input = now;  // dpd_interval
  start_sa_lifetimes(sa, now);    // ike_rekey_after (2.8)
  start_liveness_checks(sa);
  start_nat_keepalives(sa);
  if (sa.auth_child) {
    install_child_sa(sa, std::move(*sa.auth_child), now);  // recorded for Delete and rekey
    sa.auth_child.reset();
  }
  sa.outputs.emplace_back(
      SaEstablished{sa.spi_i, sa.spi_r, sa.peer_id, sa.assigned_address, sa.home_prefix});
}

}  // namespace

// ---- initiator ---------------------------------------------------------------------------

TaskStatus IkeAuth::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  out.push_back(wire::make_id_payload(true, sa_.config.local_id));
  if (!sa_.config.remote_id.data.empty()) {
    out.push_back(wire::make_id_payload(false, sa_.config.remote_id));
  }
  if (!add_our_auth(sa_, out, true, sa_.config.remote_id)) {
    return TaskStatus::Failed;
  }
  return TaskStatus::Done;
}

void IkeAuth::post_build(base::TimePoint) {
  if (sa_.initiator()) {
    (void)sa_.transition(IkeSaState::AuthRequestSent);
    return;
  }
  // Responder: our answer is out.
  if (!redirect_) {
    establish(sa_);
    return;
  }
  if (!sa_.transition(IkeSaState::Redirected)) {
    return;
  }
  sa_.counters.inc(IkeCounter::AuthRedirectsSent);
  sa_.auth_redirect = *redirect_;
  // The initiator should delete the SA now (R5685-23); if it does not, we do.
  arm_redirect_grace(sa_, sa_.last_input + sa_.config.auth_redirect_grace);
  sa_.outputs.emplace_back(RedirectSent{*redirect_, true});
}

TaskStatus IkeAuth::process_response(const InMessage& response) {
  const auto& inner = response.payloads;
  const auto* auth = wire::find_first<wire::AuthPayload>(inner);
  if (auth == nullptr) {
    // Without AUTH the response is an error answer (R7296-54).
    const std::optional<wire::NotifyType> error = first_error(inner);
    sa_.fail(
        error ? failure_for(*error).value_or(FailureReason::PeerError) : FailureReason::PeerError,
        error);
    return TaskStatus::DestroySa;
  }
  const FoundId idr = find_id(*response.inner, wire::PayloadType::IdResponder);
  if (idr.id != nullptr && !sa_.config.remote_id.data.empty() && *idr.id != sa_.config.remote_id) {
    sa_.counters.inc(IkeCounter::AuthUnacceptableId);  // not the identity we wanted to reach
    notify_auth_failure(sa_);                          // 2.21.2
    sa_.fail(FailureReason::AuthenticationFailed, std::nullopt, "IDr is not the configured peer");
    return TaskStatus::DestroySa;
  }
  if (auto verified = verify_peer_auth(sa_, idr.id, idr.raw, auth, inner, false); !verified) {
    notify_auth_failure(sa_);  // 2.21.2: tell the responder
    sa_.fail(FailureReason::AuthenticationFailed, std::nullopt, verified.error().detail);
    return TaskStatus::DestroySa;
  }
  sa_.peer_id = *idr.id;
  if (follow_redirect(inner)) {
    redirected_ = true;
    return TaskStatus::Last;  // RFC 5685 6, after the AUTH check: no CP, no Child SA
  }
  return TaskStatus::Done;
}

void IkeAuth::post_process(base::TimePoint) {
  if (!redirected_) {
    establish(sa_);
  }
}

bool IkeAuth::follow_redirect(std::span<const wire::Payload> inner) {
  const auto* notify = wire::find_notify(inner, wire::NotifyType::Redirect);
  if (notify == nullptr) {
    return false;
  }
  if (!sa_.config.announce_redirect_support && !sa_.config.redirected_from) {
    sa_.counters.inc(IkeCounter::RedirectIgnoredUnannounced);  // R5685-01/03
    sa_.outputs.emplace_back(InformationalNote{"redirect_unannounced", notify->type, 0});
    return false;
  }
  auto gateway = authentic_redirect_target(sa_, *notify);
  if (!gateway) {
    return false;
  }
  // Called only after the responder's AUTH verified (R5685-22). R5685-28: with a single
  // IKE_AUTH exchange this response is both the first and the last one.
  sa_.counters.inc(IkeCounter::AuthRedirectsReceived);
  sa_.auth_redirect = *gateway;
  if (!sa_.transition(IkeSaState::Redirected)) {
    return true;
  }
  sa_.outputs.emplace_back(RedirectReceived{std::move(*gateway)});
  // R5685-23: the IKE SA exists (both AUTHs verified): delete it.
  sa_.delete_detail = "redirected at IKE_AUTH";
  start_ike_delete(sa_, sa_.last_input);
  return true;
}

// ---- responder ---------------------------------------------------------------------------

TaskStatus IkeAuth::process_request(const InMessage& request) {
  const auto& inner = request.payloads;
  const FoundId idi = find_id(*request.inner, wire::PayloadType::IdInitiator);
  // R7296-29 (PSK of the identity claimed in IDi) or a certificate from a trusted CA that
  // names that identity (R7296-32); then our own [CERT] AUTH for it.
  answer_.push_back(wire::make_id_payload(false, sa_.config.local_id));
  base::Result<void, AuthError> ours = verify_peer_auth(
      sa_, idi.id, idi.raw, wire::find_first<wire::AuthPayload>(inner), inner, true);
  if (ours) {
    ours = add_our_auth(sa_, answer_, false, *idi.id);
  }
  if (!ours) {
    sa_.counters.inc(IkeCounter::AuthenticationFailedSent);  // R7296-53
    sa_.send_protected_error(request.path, request.header, request.bytes,
                             wire::make_notify(wire::NotifyType::AuthenticationFailed));
    sa_.fail(FailureReason::AuthenticationFailed, wire::NotifyType::AuthenticationFailed,
             ours.error().detail);
    return TaskStatus::DestroySa;
  }
  sa_.peer_id = *idi.id;
  follow_authentic_path(sa_, request.path);  // e.g. the initiator's float to NAT-T (2.23)
  if (decide_redirect(request)) {
    return TaskStatus::Last;  // RFC 5685 6: N(REDIRECT), no CP, no Child SA
  }
  return TaskStatus::Done;
}

TaskStatus IkeAuth::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  append_payloads(out, answer_);
  return TaskStatus::Done;
}

bool IkeAuth::decide_redirect(const InMessage& request) {
  if (sa_.env.auth_decision == nullptr) {
    return false;
  }
  AuthRequest context;
  context.peer_id = sa_.peer_id;
  context.initiator = request.path.remote.address;
  context.local = request.path.local.address;
  context.tag = sa_.tag;
  context.redirect_supported = sa_.peer_redirect_supported;
  context.redirected_from = sa_.peer_redirected_from;
  const AuthAnswer verdict = sa_.env.auth_decision->decide(context, sa_.last_input);
  const auto* redirect = std::get_if<Redirect>(&verdict);
  if (redirect == nullptr) {
    return false;
  }
  if (!sa_.peer_redirect_supported) {
    sa_.counters.inc(IkeCounter::AuthRedirectForbidden);  // R5685-03: serve instead
    return false;
  }
  auto notify = wire::make_redirect(wire::RedirectInfo{redirect->gateway, {}});  // R5685-37
  if (!notify) {
    sa_.counters.inc(IkeCounter::AuthRedirectForbidden);
    return false;
  }
  // IDr, [CERT], AUTH, N(REDIRECT): no SA, TS or CP, no Child SA (R5685-21).
  answer_.push_back(wire::make_payload(std::move(*notify)));
  redirect_ = redirect->gateway;
  return true;
}

}  // namespace ike::engine
