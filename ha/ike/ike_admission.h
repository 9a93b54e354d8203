#pragma once
// IkeAdmission: the home agent's admission as the IKEv2 responder sees it (RFC 5685, HA side).
// It answers the engine's two questions (admission.h: InitDecision at IKE_SA_INIT,
// AuthDecision at IKE_AUTH, the latter only after the initiator's AUTH verified, R5685-21)
// with the AdmissionPolicy's answers, and turns the responder front's outputs into the
// ReservationLedger's transitions:
//  - InitDecided HalfOpenLimit / ServeRejectedBySa: the Serve made no SA, its slot goes back;
//  - ResponderSaCreated: the reservation is attached to the SA's SPIr;
//  - SaEstablished: kept until the binding consumes it (the ledger refreshes it);
//  - IkeSaRekeyed: follows the SA to its new SPIr;
//  - ResponderSaRemoved: released (a no-op when the binding, an IKE_AUTH redirect or a move
//    already took it).
#include "ha/policy/admission_policy.h"
#include "ha/policy/reservation_ledger.h"
#include "ike/base/clock.h"
#include "ike/engine/admission.h"
#include "ike/engine/ike_responder.h"

namespace ha::ike_admission {

class IkeAdmission final : public ::ike::engine::InitDecision, public ::ike::engine::AuthDecision {
 public:
  // Both must outlive this object; `policy` reserves in `ledger`.
  IkeAdmission(ha::policy::AdmissionPolicy& policy, ha::policy::ReservationLedger& ledger)
      : policy_(&policy), ledger_(&ledger) {}

  [[nodiscard]] ::ike::engine::InitAnswer decide(const ::ike::engine::InitRequest& request,
                                                 base::TimePoint now) override;
  [[nodiscard]] ::ike::engine::AuthAnswer decide(const ::ike::engine::AuthRequest& request,
                                                 base::TimePoint now) override;

  // Every non-datagram output of the responder front goes through here (others are ignored).
  void on_responder_output(const ::ike::engine::ResponderOutput& output, base::TimePoint now);

 private:
  ha::policy::AdmissionPolicy* policy_;
  ha::policy::ReservationLedger* ledger_;
};

}  // namespace ha::ike_admission
