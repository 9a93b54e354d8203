// RFC 5685 redirects once the IKE SA has keys (STYLE A1.2: strongSwan's ike_redirect.c and
// the IKE_AUTH part of ike_auth.c). The IKE_SA_INIT redirect is in ike_init_task.cc.
//   5  gateway-initiated: an INFORMATIONAL request N(REDIRECT, gw) from the original responder
//      (R5685-15..17), answered by the client (R5685-18), who moves and deletes the old SA
//      (R5685-19, the owner's part); the gateway deletes it after a grace period (R5685-20).
//   6  in IKE_AUTH: the responder redirects after verifying the initiator's AUTH (R5685-21),
//      the initiator acts only after verifying the responder's (R5685-22) and deletes the SA
//      (R5685-23).
// REDIRECT never carries Nonce Data here (R5685-16/37) and is never sent to a peer that did
// not announce support (R5685-03).
#include <utility>

#include "ike/engine/admission.h"
#include "ike/engine/ike_sa.h"

namespace ike::engine {

std::optional<wire::GwIdentity> IkeSa::authentic_redirect_target(
    const wire::NotifyPayload& notify) {
  auto info = wire::decode_redirect(notify);
  if (!info) {
    counters_.inc(IkeCounter::RedirectMalformed);
    outputs_.emplace_back(InformationalNote{"redirect-malformed", notify.type, 0});
    return std::nullopt;
  }
  if (!info->nonce.empty()) {
    // Only an IKE_SA_INIT REDIRECT carries Nonce Data (R5685-16/37); ours: ignore it.
    counters_.inc(IkeCounter::RedirectWithNonceIgnored);
    outputs_.emplace_back(InformationalNote{"redirect-with-nonce", notify.type, 0});
    return std::nullopt;
  }
  return std::move(info->gateway);
}

base::Result<void> IkeSa::redirect(wire::GwIdentity target, base::Duration grace,
                                   base::TimePoint now) {
  // R5685-39: only the original responder redirects the original initiator.
  if (config_.role != Role::Responder) {
    return base::fail(base::Error{"not-responder", "only the original responder redirects"});
  }
  if (state_ != IkeSaState::Established || delete_queued_) {
    return base::fail(base::Error{"wrong-state", "redirect needs an established SA"});
  }
  if (!peer_redirect_supported_) {
    return base::fail(base::Error{"unsupported", "the peer did not announce redirect support"});
  }
  if (gateway_redirect_) {
    return base::fail(base::Error{"already-redirecting", "a redirect is under way"});
  }
  auto notify = wire::make_redirect(wire::RedirectInfo{target, {}});  // no nonce (R5685-16)
  if (!notify) {
    return base::fail(base::Error{"bad-target", "the gateway identity cannot be encoded"});
  }
  gateway_redirect_ = std::move(target);
  gateway_redirect_grace_ = grace;
  queue_exchange(
      LocalExchange{wire::ExchangeType::Informational, "redirect",
                    [this, n = std::move(*notify)]() -> base::Result<std::vector<wire::Payload>> {
                      counters_.inc(IkeCounter::GatewayRedirectsSent);
                      outputs_.emplace_back(RedirectSent{*gateway_redirect_, false});
                      std::vector<wire::Payload> inner;
                      inner.push_back(wire::make_payload(n));  // R5685-15
                      return inner;
                    },
                    // The answer is the acknowledgement (R5685-17/18); the client should now move
                    // and delete this SA. If it does not within the grace period, we do (R5685-20).
                    [this](const Path&, const OpenedMessage& response, base::TimePoint at) {
                      redirect_deadline_ = at + gateway_redirect_grace_;
                      if (config_.redirect_ack_notify) {
                        // draft -02: the acknowledgement is an N(REDIRECT_ACK) in the answer.
                        const auto type =
                            static_cast<wire::NotifyType>(*config_.redirect_ack_notify);
                        if (wire::find_notify(response.inner.payloads, type) == nullptr) {
                          outputs_.emplace_back(InformationalNote{"redirect-ack-missing", type, 0});
                          return;
                        }
                      }
                      counters_.inc(IkeCounter::GatewayRedirectsAcked);
                      outputs_.emplace_back(RedirectAcknowledged{*gateway_redirect_});
                    }},
      now);
  return {};
}

void IkeSa::on_redirect_deadline(base::TimePoint now) {
  redirect_deadline_ = base::kNever;
  if ((state_ != IkeSaState::Established && state_ != IkeSaState::Redirected) || delete_queued_) {
    return;
  }
  counters_.inc(IkeCounter::GatewayRedirectGraceDeletes);
  delete_detail_ = "redirect grace period over";
  start_ike_delete(now);
}

void IkeSa::on_gateway_redirect(const wire::NotifyPayload& notify,
                                std::vector<wire::Payload>& answer) {
  // R5685-39: a REDIRECT from the peer that is our responder; as responder we never
  // asked to be redirected (spec digest 6.7: ignore it).
  if (config_.role != Role::Initiator) {
    counters_.inc(IkeCounter::RedirectIgnoredNotInitiator);
    outputs_.emplace_back(InformationalNote{"redirect-from-initiator", notify.type, 0});
    return;
  }
  // R5685-01/03: without our announcement the gateway must not redirect us.
  if (!config_.announce_redirect_support && !config_.redirected_from) {
    counters_.inc(IkeCounter::RedirectIgnoredUnannounced);
    outputs_.emplace_back(InformationalNote{"redirect-unannounced", notify.type, 0});
    return;
  }
  auto gateway = authentic_redirect_target(notify);
  if (!gateway) {
    return;
  }
  counters_.inc(IkeCounter::GatewayRedirectsReceived);
  if (config_.redirect_ack_notify) {
    counters_.inc(IkeCounter::RedirectAckSent);
    answer.push_back(wire::make_payload(
        wire::make_notify(static_cast<wire::NotifyType>(*config_.redirect_ack_notify))));
  }
  // The answer (R5685-18) goes out with the rest of the INFORMATIONAL response; the owner
  // moves to the new gateway and deletes this SA afterwards (R5685-19).
  outputs_.emplace_back(GatewayRedirectReceived{std::move(*gateway)});
}

bool IkeSa::redirect_at_auth(const Path& path, const wire::Header& request,
                             std::span<const std::uint8_t> request_bytes,
                             std::vector<wire::Payload>& out) {
  if (env_.auth_decision == nullptr) {
    return false;
  }
  AuthRequest ctx;
  ctx.peer_id = peer_id_;
  ctx.initiator = path.remote.address;
  ctx.local = path.local.address;
  ctx.tag = tag_;
  ctx.redirect_supported = peer_redirect_supported_;
  ctx.redirected_from = peer_redirected_from_;
  const AuthAnswer verdict = env_.auth_decision->decide(ctx, last_input_);
  const auto* redirect = std::get_if<Redirect>(&verdict);
  if (redirect == nullptr) {
    return false;
  }
  if (!peer_redirect_supported_) {
    counters_.inc(IkeCounter::AuthRedirectForbidden);  // R5685-03: serve instead
    return false;
  }
  auto notify = wire::make_redirect(wire::RedirectInfo{redirect->gateway, {}});  // R5685-37
  if (!notify) {
    counters_.inc(IkeCounter::AuthRedirectForbidden);
    return false;
  }
  // IDr, [CERT], AUTH, N(REDIRECT): no SA, TS or CP, no Child SA (R5685-21).
  out.push_back(wire::make_payload(std::move(*notify)));
  auto response =
      protect(make_header(wire::ExchangeType::IkeAuth, true, request.message_id), std::move(out));
  if (!response) {
    fail(FailureReason::InternalError, std::nullopt);
    return true;
  }
  send_response(path, request.message_id, request_bytes, std::move(*response));
  if (!transition(IkeSaState::Redirected)) {
    return true;
  }
  counters_.inc(IkeCounter::AuthRedirectsSent);
  auth_redirect_ = redirect->gateway;
  // The initiator should delete the SA now (R5685-23); if it does not, we do.
  redirect_deadline_ = last_input_ + config_.auth_redirect_grace;
  outputs_.emplace_back(RedirectSent{redirect->gateway, true});
  return true;
}

bool IkeSa::follow_auth_redirect(std::span<const wire::Payload> inner) {
  const auto* notify = wire::find_notify(inner, wire::NotifyType::Redirect);
  if (notify == nullptr) {
    return false;
  }
  if (!config_.announce_redirect_support && !config_.redirected_from) {
    counters_.inc(IkeCounter::RedirectIgnoredUnannounced);  // R5685-01/03
    outputs_.emplace_back(InformationalNote{"redirect-unannounced", notify->type, 0});
    return false;
  }
  auto gateway = authentic_redirect_target(*notify);
  if (!gateway) {
    return false;
  }
  // Called only after the responder's AUTH verified (R5685-22). R5685-28: with a single
  // IKE_AUTH exchange this response is both the first and the last one.
  counters_.inc(IkeCounter::AuthRedirectsReceived);
  auth_redirect_ = *gateway;
  if (!transition(IkeSaState::Redirected)) {
    return true;
  }
  outputs_.emplace_back(RedirectReceived{std::move(*gateway)});
  // R5685-23: the IKE SA exists (both AUTHs verified): delete it.
  delete_detail_ = "redirected at IKE_AUTH";
  start_ike_delete(last_input_);
  return true;
}

}  // namespace ike::engine
