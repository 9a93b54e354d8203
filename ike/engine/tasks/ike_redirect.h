#pragma once
// RFC 5685 redirects once the IKE SA has keys (STYLE A1.2: strongSwan's ike_redirect.c).
//   5  gateway-initiated: an INFORMATIONAL request N(REDIRECT, gw) from the original responder
//      (IkeRedirect, R5685-15..17), answered by the client (on_gateway_redirect, R5685-18),
//      who moves and deletes the old SA (R5685-19, the owner's part); the gateway deletes it
//      after a grace period (RedirectTimer, R5685-20).
//   6  in IKE_AUTH: tasks/ike_auth.h; the responder waits for the initiator's Delete with the
//      same RedirectTimer. The IKE_SA_INIT redirect is in tasks/ike_init.h.
// Whether to redirect is the owner's decision (AuthDecision at IKE_AUTH, the HA's drain
// policy calling IkeSa::redirect()). REDIRECT never carries Nonce Data here (R5685-16/37) and
// is never sent to a peer that did not announce support (R5685-03).
#include <optional>
#include <vector>

#include "ike/base/result.h"
#include "ike/engine/task.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

struct SaContext;

// Gateway: INFORMATIONAL{N(REDIRECT, target)} without nonce data (R5685-15/16/37),
// retransmitted as any request (R5685-17). RedirectSent when it leaves, RedirectAcknowledged
// when answered (with draft -02's N(REDIRECT_ACK) when configured); the grace period starts
// then.
class IkeRedirect final : public Task {
 public:
  IkeRedirect(SaContext& sa, wire::NotifyPayload notify, wire::GwIdentity target,
              base::Duration grace)
      : sa_(sa), notify_(std::move(notify)), target_(std::move(target)), grace_(grace) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeRedirect; }
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;

 private:
  SaContext& sa_;
  wire::NotifyPayload notify_;
  wire::GwIdentity target_;
  base::Duration grace_;
};

// Gateway (original responder) with an established SA whose peer announced support
// (R5685-02/03; refused otherwise): queues an IkeRedirect; `grace` after the answer we delete
// the SA unless the client did (R5685-20).
[[nodiscard]] base::Result<void> redirect(SaContext& sa, wire::GwIdentity target,
                                          base::Duration grace, base::TimePoint now);

// Client, the peer's INFORMATIONAL request carried N(REDIRECT) (RFC 5685 5): decides whether
// to accept it (R5685-39, R5685-01/03, R5685-16), emits GatewayRedirectReceived and adds the
// -02 REDIRECT_ACK to our `answer` when configured.
void on_gateway_redirect(SaContext& sa, const wire::NotifyPayload& notify,
                         std::vector<wire::Payload>& answer);

// The gateway of an INFORMATIONAL or IKE_AUTH REDIRECT, when the notify is acceptable here
// (no nonce data, R5685-16/37; well-formed); counts, notes and returns nullopt otherwise.
[[nodiscard]] std::optional<wire::GwIdentity> authentic_redirect_target(
    SaContext& sa, const wire::NotifyPayload& notify);

// The grace period after a redirect: at `at` we delete the SA if the client has not.
void arm_redirect_grace(SaContext& sa, base::TimePoint at);
// Our Delete is under way, or the SA closed: no grace period any more.
void disarm_redirect_grace(SaContext& sa);

class RedirectTimer final : public Task {
 public:
  explicit RedirectTimer(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::RedirectTimer; }
  [[nodiscard]] base::TimePoint deadline() const override { return at_; }
  void on_deadline(base::TimePoint now) override;
  void set(base::TimePoint at) { at_ = at; }

 private:
  SaContext& sa_;
  base::TimePoint at_ = base::kNever;
};

}  // namespace ike::engine
