#include "ike/engine/engine_types.h"

namespace ike::engine {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::Initiator: return "initiator";
    case Role::Responder: return "responder";
  }
  return "?";
}

std::string_view to_string(IkeSaState s) {
  switch (s) {
    case IkeSaState::Created: return "CREATED";
    case IkeSaState::InitRequestSent: return "INIT_REQUEST_SENT";
    case IkeSaState::InitResponded: return "INIT_RESPONDED";
    case IkeSaState::AuthRequestSent: return "AUTH_REQUEST_SENT";
    case IkeSaState::Established: return "ESTABLISHED";
    case IkeSaState::Failed: return "FAILED";
  }
  return "?";
}

std::string_view to_string(ChildMode m) {
  switch (m) {
    case ChildMode::Tunnel: return "tunnel";
    case ChildMode::Transport: return "transport";
  }
  return "?";
}

std::string_view to_string(FailureReason r) {
  switch (r) {
    case FailureReason::RetransmitLimit: return "retransmit-limit";
    case FailureReason::NoProposalChosen: return "no-proposal-chosen";
    case FailureReason::AuthenticationFailed: return "authentication-failed";
    case FailureReason::InvalidSyntax: return "invalid-syntax";
    case FailureReason::ProposalMismatch: return "proposal-mismatch";
    case FailureReason::PeerError: return "peer-error";
    case FailureReason::KeyExchangeFailed: return "key-exchange-failed";
    case FailureReason::HalfOpenTimeout: return "half-open-timeout";
    case FailureReason::InternalError: return "internal-error";
    case FailureReason::Redirected: return "redirected";
  }
  return "?";
}

std::string_view to_string(IkeCounter c) {
  switch (c) {
    case IkeCounter::DatagramsIn: return "datagrams_in";
    case IkeCounter::DroppedUndecodable: return "dropped_undecodable";
    case IkeCounter::DroppedWrongSpi: return "dropped_wrong_spi";
    case IkeCounter::DroppedUnexpected: return "dropped_unexpected";
    case IkeCounter::DroppedMessageId: return "dropped_message_id";
    case IkeCounter::DroppedDecryptFailed: return "dropped_decrypt_failed";
    case IkeCounter::DroppedRuleViolation: return "dropped_rule_violation";
    case IkeCounter::DroppedAfterFailure: return "dropped_after_failure";
    case IkeCounter::RetransmitsSent: return "retransmits_sent";
    case IkeCounter::ResponsesResent: return "responses_resent";
    case IkeCounter::InvalidSyntaxSent: return "invalid_syntax_sent";
    case IkeCounter::NoProposalChosenSent: return "no_proposal_chosen_sent";
    case IkeCounter::InvalidKePayloadSent: return "invalid_ke_payload_sent";
    case IkeCounter::AuthenticationFailedSent: return "authentication_failed_sent";
    case IkeCounter::InternalAddressFailureSent: return "internal_address_failure_sent";
    case IkeCounter::UnsupportedCriticalPayloadSent: return "unsupported_critical_payload_sent";
    case IkeCounter::InvalidMajorVersionSent: return "invalid_major_version_sent";
    case IkeCounter::IllegalTransitions: return "illegal_transitions";
    case IkeCounter::InvalidKeRetries: return "invalid_ke_retries";
    case IkeCounter::RedirectsAccepted: return "redirects_accepted";
    case IkeCounter::RedirectNonceMismatch: return "redirect_nonce_mismatch";
    case IkeCounter::RedirectMalformed: return "redirect_malformed";
    case IkeCounter::RedirectIgnoredUnannounced: return "redirect_ignored_unannounced";
    case IkeCounter::kCount: break;
  }
  return "?";
}

}  // namespace ike::engine
