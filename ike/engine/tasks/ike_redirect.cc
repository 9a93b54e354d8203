#include "ike/engine/tasks/ike_redirect.h"

#include <memory>
#include <utility>

#include "ike/engine/sa_context.h"
#include "ike/engine/tasks/ike_delete.h"

namespace ike::engine {

TaskStatus IkeRedirect::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  sa_.counters.inc(IkeCounter::GatewayRedirectsSent);
  sa_.outputs.emplace_back(RedirectSent{target_, false});
  out.push_back(wire::make_payload(notify_));  // R5685-15
  return TaskStatus::Done;
}

TaskStatus IkeRedirect::process_response(const InMessage& response) {
  // The answer is the acknowledgement (R5685-17/18); the client should now move and delete
  // this SA. If it does not within the grace period, we do (R5685-20).
  arm_redirect_grace(sa_, response.now + grace_);
  if (sa_.config.redirect_ack_notify) {
    // draft -02: the acknowledgement is an N(REDIRECT_ACK) in the answer.
    const auto type = static_cast<wire::NotifyType>(*sa_.config.redirect_ack_notify);
    if (wire::find_notify(response.payloads, type) == nullptr) {
      sa_.outputs.emplace_back(InformationalNote{"redirect_ack_missing", type, 0});
      return TaskStatus::Done;
    }
  }
  sa_.counters.inc(IkeCounter::GatewayRedirectsAcked);
  sa_.outputs.emplace_back(RedirectAcknowledged{target_});
  return TaskStatus::Done;
}

base::Result<void> redirect(SaContext& sa, wire::GwIdentity target, base::Duration grace,
                            base::TimePoint now) {
  // R5685-39: only the original responder redirects the original initiator.
  if (sa.initiator()) {
    return base::fail(base::Error{"not_responder", "only the original responder redirects"});
  }
  if (sa.state != IkeSaState::Established || sa.delete_queued) {
    return base::fail(base::Error{"wrong_state", "redirect needs an established SA"});
  }
  if (!sa.peer_redirect_supported) {
    return base::fail(base::Error{"unsupported", "the peer did not announce redirect support"});
  }
  // One redirect per SA: its grace timer exists from the first one on.
  if (sa.tasks.timer(TaskKind::RedirectTimer) != nullptr) {
    return base::fail(base::Error{"already_redirecting", "a redirect is under way"});
  }
  auto notify = wire::make_redirect(wire::RedirectInfo{target, {}});  // no nonce (R5685-16)
  if (!notify) {
    return base::fail(base::Error{"bad_target", "the gateway identity cannot be encoded"});
  }
  sa.tasks.set_timer(std::make_unique<RedirectTimer>(sa));
  sa.tasks.queue(wire::ExchangeType::Informational,
                 std::make_unique<IkeRedirect>(sa, std::move(*notify), std::move(target), grace),
                 now);
  return {};
}

std::optional<wire::GwIdentity> authentic_redirect_target(SaContext& sa,
                                                          const wire::NotifyPayload& notify) {
  auto info = wire::decode_redirect(notify);
  if (!info) {
    sa.counters.inc(IkeCounter::RedirectMalformed);
    sa.outputs.emplace_back(InformationalNote{"redirect_malformed", notify.type, 0});
    return std::nullopt;
  }
  if (!info->nonce.empty()) {
    // Only an IKE_SA_INIT REDIRECT carries Nonce Data (R5685-16/37); ours: ignore it.
    sa.counters.inc(IkeCounter::RedirectWithNonceIgnored);
    sa.outputs.emplace_back(InformationalNote{"redirect_with_nonce", notify.type, 0});
    return std::nullopt;
  }
  return std::move(info->gateway);
}

void on_gateway_redirect(SaContext& sa, const wire::NotifyPayload& notify,
                         std::vector<wire::Payload>& answer) {
  // R5685-39: a REDIRECT from the peer that is our responder; as responder we never
  // asked to be redirected (spec digest 6.7: ignore it).
  if (!sa.initiator()) {
    sa.counters.inc(IkeCounter::RedirectIgnoredNotInitiator);
    sa.outputs.emplace_back(InformationalNote{"redirect_from_initiator", notify.type, 0});
    return;
  }
  // R5685-01/03: without our announcement the gateway must not redirect us.
  if (!sa.config.announce_redirect_support && !sa.config.redirected_from) {
    sa.counters.inc(IkeCounter::RedirectIgnoredUnannounced);
    sa.outputs.emplace_back(InformationalNote{"redirect_unannounced", notify.type, 0});
    return;
  }
  auto gateway = authentic_redirect_target(sa, notify);
  if (!gateway) {
    return;
  }
  sa.counters.inc(IkeCounter::GatewayRedirectsReceived);
  if (sa.config.redirect_ack_notify) {
    sa.counters.inc(IkeCounter::RedirectAckSent);
    answer.push_back(wire::make_payload(
        wire::make_notify(static_cast<wire::NotifyType>(*sa.config.redirect_ack_notify))));
  }
  // The answer (R5685-18) goes out with the rest of the INFORMATIONAL response; the owner
  // moves to the new gateway and deletes this SA afterwards (R5685-19).
  sa.outputs.emplace_back(GatewayRedirectReceived{std::move(*gateway)});
}

void arm_redirect_grace(SaContext& sa, base::TimePoint at) {
  auto* timer = static_cast<RedirectTimer*>(sa.tasks.timer(TaskKind::RedirectTimer));
  if (timer == nullptr) {
    auto created = std::make_unique<RedirectTimer>(sa);
    timer = created.get();
    sa.tasks.set_timer(std::move(created));
  }
  timer->set(at);
}

void disarm_redirect_grace(SaContext& sa) {
  if (auto* timer = static_cast<RedirectTimer*>(sa.tasks.timer(TaskKind::RedirectTimer))) {
    timer->set(base::kNever);
  }
}

void RedirectTimer::on_deadline(base::TimePoint now) {
  at_ = base::kNever;
  if ((sa_.state != IkeSaState::Established && sa_.state != IkeSaState::Redirected) ||
      sa_.delete_queued) {
    return;
  }
  sa_.counters.inc(IkeCounter::GatewayRedirectGraceDeletes);
  sa_.delete_detail = "redirect grace period over";
  start_ike_delete(sa_, now);
}

}  // namespace ike::engine
