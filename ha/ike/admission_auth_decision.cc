#include "ha/ike/admission_auth_decision.h"

#include <string>
#include <variant>

namespace ha::ike_admission {

namespace engine = ::ike::engine;
namespace wire = ::ike::wire;

engine::AuthAnswer AdmissionAuthDecision::decide(const engine::AuthRequest& context,
                                                 base::TimePoint now) {
  const std::string identity = context.peer_id.to_text();
  ha::policy::AuthRequest request;
  request.identity = identity;
  request.initiator = context.initiator;
  request.redirect_supported = context.redirect_supported;
  if (auto r = init_->reservation(context.tag)) {
    request.reservation = *r;
  }
  const auto decision = policy_->decide_at_ike_auth(request, now);
  if (const auto* redirect = std::get_if<ha::policy::Redirect>(&decision)) {
    init_->forget_tag(context.tag);  // the policy gave the slot back
    return engine::Redirect{gateway_identity(redirect->target, redirect->target_fqdn)};
  }
  return engine::Serve{};
}

}  // namespace ha::ike_admission
