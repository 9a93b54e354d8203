#pragma once
// The HA's answer at IKE_AUTH (RFC 5685 6, decision point B): adapts
// ha::policy::AdmissionPolicy::decide_at_ike_auth() to ike::engine::AuthDecision. Asked only
// after the initiator's AUTH verified (R5685-21); an identity assigned to another HA of the
// pool is redirected there when it announced support (R5685-03), and the reservation its
// IKE_SA_INIT took is given back by the policy (the IKE_SA_INIT adapter stops tracking it).
#include "ha/ike/admission_init_decision.h"
#include "ha/policy/admission_policy.h"
#include "ike/engine/ike_responder.h"

namespace ha::ike_admission {

class AdmissionAuthDecision final : public ::ike::engine::AuthDecision {
 public:
  // Both must outlive the adapter; `init` is the adapter that took the SA's reservation.
  AdmissionAuthDecision(ha::policy::AdmissionPolicy& policy, AdmissionInitDecision& init)
      : policy_(&policy), init_(&init) {}

  [[nodiscard]] ::ike::engine::AuthAnswer decide(const ::ike::engine::AuthRequest& context,
                                                 base::TimePoint now) override;

 private:
  ha::policy::AdmissionPolicy* policy_;
  AdmissionInitDecision* init_;
};

}  // namespace ha::ike_admission
