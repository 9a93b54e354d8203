#pragma once
// The AUTH part of IKE_AUTH (RFC 7296 1.2, 2.15; RFC 7427), both roles: IDi / IDr, our
// [CERT] AUTH (a signature when the credentials hold our certificate, else the PSK shared
// with the peer, R7296-27) and the check of the peer's for the identity it claims (PSK of that
// identity, R7296-29, or a certificate from a trusted CA naming it, R7296-32). The exchange
// ends here for the SA: Established, the first Child SA installed, SaEstablished.
// RFC 5685 6 is handled here too (STYLE A1.2): the responder asks the AuthDecision after the
// initiator's AUTH verified and may answer N(REDIRECT) instead of CP and Child SA (R5685-21);
// the initiator follows a REDIRECT only after the responder's AUTH verified (R5685-22) and
// deletes the SA (R5685-23).
#include <optional>
#include <vector>

#include "ike/engine/task.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

struct SaContext;

class IkeAuth final : public Task {
 public:
  explicit IkeAuth(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeAuth; }

  // Initiator: IDi [IDr] [CERT] AUTH; AuthRequestSent once sent.
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  void post_build(base::TimePoint now) override;
  // Initiator: an error answer, IDr, the responder's AUTH, then REDIRECT (status Last).
  TaskStatus process_response(const InMessage& response) override;
  void post_process(base::TimePoint now) override;

  // Responder: the initiator's AUTH, ours, and the AuthDecision (a redirect: status Last).
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;

 private:
  // Responder: asks the AuthDecision; true when we answer with N(REDIRECT) (R5685-21).
  [[nodiscard]] bool decide_redirect(const InMessage& request);
  // Initiator: an acceptable N(REDIRECT) ends the SA: Redirected, RedirectReceived, our
  // Delete (R5685-22/23). False: none.
  [[nodiscard]] bool follow_redirect(std::span<const wire::Payload> inner);

  SaContext& sa_;
  std::vector<wire::Payload> answer_;         // responder: IDr [CERT] AUTH [N(REDIRECT)]
  std::optional<wire::GwIdentity> redirect_;  // responder: where we redirect the initiator
  bool redirected_ = false;                   // initiator: we follow a REDIRECT
};

}  // namespace ike::engine
