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
    case IkeSaState::Deleting: return "DELETING";
    case IkeSaState::Redirected: return "REDIRECTED";
    case IkeSaState::Closed: return "CLOSED";
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
    case IkeCounter::CookieRetries: return "cookie_retries";
    case IkeCounter::CookieMalformed: return "cookie_malformed";
    case IkeCounter::CookieRetryLimit: return "cookie_retry_limit";
    case IkeCounter::NatDetected: return "nat_detected";
    case IkeCounter::NatTFloats: return "nat_t_floats";
    case IkeCounter::PeerPathUpdates: return "peer_path_updates";
    case IkeCounter::NatKeepalivesSent: return "nat_keepalives_sent";
    case IkeCounter::ErrorAnswersRateLimited: return "error_answers_rate_limited";
    case IkeCounter::LocalExchangesStarted: return "local_exchanges_started";
    case IkeCounter::LocalExchangesBuildFailed: return "local_exchanges_build_failed";
    case IkeCounter::EstablishedRequestsAnswered: return "established_requests_answered";
    case IkeCounter::EstablishedInvalidSyntaxSent: return "established_invalid_syntax_sent";
    case IkeCounter::AuthMissingPayload: return "auth_missing_payload";
    case IkeCounter::AuthUnacceptableId: return "auth_unacceptable_id";
    case IkeCounter::AuthNoCredentials: return "auth_no_credentials";
    case IkeCounter::AuthUnsupportedMethod: return "auth_unsupported_method";
    case IkeCounter::AuthNoCertificate: return "auth_no_certificate";
    case IkeCounter::AuthCertificateInvalid: return "auth_certificate_invalid";
    case IkeCounter::AuthCertificateUntrusted: return "auth_certificate_untrusted";
    case IkeCounter::AuthIdentityMismatch: return "auth_identity_mismatch";
    case IkeCounter::AuthBadSignature: return "auth_bad_signature";
    case IkeCounter::IkeDeletesReceived: return "ike_deletes_received";
    case IkeCounter::IkeDeletesSent: return "ike_deletes_sent";
    case IkeCounter::IkeDeletesUnanswered: return "ike_deletes_unanswered";
    case IkeCounter::ChildDeletesReceived: return "child_deletes_received";
    case IkeCounter::ChildDeletesSent: return "child_deletes_sent";
    case IkeCounter::ChildDeleteUnknownSpi: return "child_delete_unknown_spi";
    case IkeCounter::DeleteMalformed: return "delete_malformed";
    case IkeCounter::ErrorNotifiesReceived: return "error_notifies_received";
    case IkeCounter::InvalidSpiReceived: return "invalid_spi_received";
    case IkeCounter::StatusNotifiesIgnored: return "status_notifies_ignored";
    case IkeCounter::AuthFailureNotified: return "auth_failure_notified";
    case IkeCounter::LivenessChecksSent: return "liveness_checks_sent";
    case IkeCounter::GatewayRedirectsSent: return "gateway_redirects_sent";
    case IkeCounter::GatewayRedirectsAcked: return "gateway_redirects_acked";
    case IkeCounter::GatewayRedirectGraceDeletes: return "gateway_redirect_grace_deletes";
    case IkeCounter::GatewayRedirectsReceived: return "gateway_redirects_received";
    case IkeCounter::RedirectIgnoredNotInitiator: return "redirect_ignored_not_initiator";
    case IkeCounter::RedirectWithNonceIgnored: return "redirect_with_nonce_ignored";
    case IkeCounter::AuthRedirectsSent: return "auth_redirects_sent";
    case IkeCounter::AuthRedirectsReceived: return "auth_redirects_received";
    case IkeCounter::AuthRedirectForbidden: return "auth_redirect_forbidden";
    case IkeCounter::RedirectAckSent: return "redirect_ack_sent";
    case IkeCounter::ChildSasCreated: return "child_sas_created";
    case IkeCounter::ChildSasRekeyed: return "child_sas_rekeyed";
    case IkeCounter::ChildCreateRefused: return "child_create_refused";
    case IkeCounter::ChildCreateInvalidKeRetries: return "child_create_invalid_ke_retries";
    case IkeCounter::TsUnacceptableSent: return "ts_unacceptable_sent";
    case IkeCounter::ChildSaNotFoundSent: return "child_sa_not_found_sent";
    case IkeCounter::TemporaryFailureSent: return "temporary_failure_sent";
    case IkeCounter::NoAdditionalSasSent: return "no_additional_sas_sent";
    case IkeCounter::ChildRekeyCollisions: return "child_rekey_collisions";
    case IkeCounter::ChildRekeyRedundantDeleted: return "child_rekey_redundant_deleted";
    case IkeCounter::ChildSaHardExpired: return "child_sa_hard_expired";
    case IkeCounter::IkeRekeysStarted: return "ike_rekeys_started";
    case IkeCounter::IkeSasRekeyed: return "ike_sas_rekeyed";
    case IkeCounter::IkeRekeyFailed: return "ike_rekey_failed";
    case IkeCounter::IkeRekeyCollisions: return "ike_rekey_collisions";
    case IkeCounter::RetiringRequestsAnswered: return "retiring_requests_answered";
    case IkeCounter::RetiringSasEnded: return "retiring_sas_ended";
    case IkeCounter::IkeSaHardExpired: return "ike_sa_hard_expired";
    case IkeCounter::ChildTsNotSubsetRefused: return "child_ts_not_subset_refused";
    case IkeCounter::kCount: break;
  }
  return "?";
}

}  // namespace ike::engine
