// The IKE_AUTH exchange (RFC 7296 1.2, 2.15, 2.17, 3.15) with PSK or certificate
// authentication (ike_auth_credentials.cc), a CP request for INTERNAL_IP6_ADDRESS
// (+ MIP6_HOME_PREFIX, RFC 5026 3.2) and the first Child SA.
#include <algorithm>

#include "ike/crypto/auth.h"
#include "ike/engine/ike_config.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/rules.h"

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

}  // namespace

std::vector<std::uint8_t> IkeSa::auth_data(std::span<const std::uint8_t> psk, bool for_initiator,
                                           std::span<const std::uint8_t> id) const {
  // R7296-27: RealMessage | peer's nonce | prf(SK_p*, ID'); R7296-28: latest message 1/2.
  crypto::AuthInput in;
  in.real_message = for_initiator ? init_request_ : init_response_;
  in.peer_nonce = for_initiator ? nonce_r_ : nonce_i_;
  in.sk_p = for_initiator ? keys_->sk_pi.view() : keys_->sk_pr.view();
  in.id_body = id;
  return crypto::psk_auth_data(*prf_, psk, in);
}

ChildKeyInput IkeSa::child_key_input() const {
  return ChildKeyInput{*prf_, keys_->sk_d.view(), nonce_i_, nonce_r_};
}

base::Result<void> IkeSa::send_auth_request(const Path& path, base::TimePoint now) {
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_id_payload(true, config_.local_id));
  if (!config_.remote_id.data.empty()) {
    inner.push_back(wire::make_id_payload(false, config_.remote_id));
  }
  // [CERT] AUTH, then CERTREQ so a responder that sends its certificate only when asked does.
  if (auto ours = add_our_auth(inner, true, config_.remote_id); !ours) {
    return base::fail(base::Error{"no-credentials", ours.error().detail});
  }
  if (auto certreq = certreq_payload()) {
    inner.push_back(std::move(*certreq));
  }
  if (auto cp = build_cp_request(config_.request_address, config_.request_home_prefix)) {
    inner.push_back(std::move(*cp));  // R7296-49: in the first IKE_AUTH request
  }
  if (config_.child.enabled) {
    child_task_.build_request(env_.random, inner);
  }
  auto bytes =
      protect(make_header(wire::ExchangeType::IkeAuth, false, wire::MessageId(next_request_id_)),
              std::move(inner));
  if (!bytes) {
    return base::fail(bytes.error());
  }
  send_request(path, std::move(*bytes), now);
  return {};
}

void IkeSa::handle_auth_request(const Path& path, const wire::DecodedMessage& msg,
                                std::span<const std::uint8_t> bytes) {
  const wire::Header& h = msg.message.header;
  auto opened = open_protected(msg, bytes, *cipher_in_);
  if (!opened) {
    if (opened.error().code == OpenErrc::UnsupportedCriticalPayload) {
      // R7296-08: reject the message, naming the payload type.
      counters_.inc(IkeCounter::UnsupportedCriticalPayloadSent);
      send_protected_error(path, h, bytes,
                           wire::make_unsupported_critical_payload(opened.error().payload_type));
      fail(FailureReason::PeerError, wire::NotifyType::UnsupportedCriticalPayload);
    } else if (opened.error().code == OpenErrc::Undecodable) {
      // Authentic but malformed inside.
      counters_.inc(IkeCounter::InvalidSyntaxSent);
      send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::InvalidSyntax));
      fail(FailureReason::InvalidSyntax, wire::NotifyType::InvalidSyntax);
    } else {
      // Tampered, or not ours: silently dropped (R7296-43), the SA waits for a good copy.
      counters_.inc(IkeCounter::DroppedDecryptFailed);
    }
    return;
  }
  const auto& inner = opened->inner.payloads;
  if (!wire::validate(opened->outer, inner)) {
    counters_.inc(IkeCounter::InvalidSyntaxSent);
    send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::InvalidSyntax));
    fail(FailureReason::InvalidSyntax, wire::NotifyType::InvalidSyntax);
    return;
  }
  const FoundId idi = find_id(opened->inner, wire::PayloadType::IdInitiator);
  // R7296-29 (PSK of the identity claimed in IDi) or a certificate from a trusted CA that
  // names that identity (R7296-32); then our own [CERT] AUTH for it.
  std::vector<wire::Payload> out;
  out.push_back(wire::make_id_payload(false, config_.local_id));
  base::Result<void, AuthError> ours =
      verify_peer_auth(idi.id, idi.raw, wire::find_first<wire::AuthPayload>(inner), inner, true);
  if (ours) {
    ours = add_our_auth(out, false, *idi.id);
  }
  if (!ours) {
    counters_.inc(IkeCounter::AuthenticationFailedSent);  // R7296-53
    send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::AuthenticationFailed));
    fail(FailureReason::AuthenticationFailed, wire::NotifyType::AuthenticationFailed,
         ours.error().detail);
    return;
  }
  peer_id_ = *idi.id;
  follow_authentic_path(path);  // e.g. the initiator's float to the NAT-T port (2.23)
  if (redirect_at_auth(path, h, bytes, out)) {
    return;  // RFC 5685 6: answered with N(REDIRECT), no CP, no Child SA (ike_redirect.cc)
  }

  // CP (R7296-50, RFC 5026 3.2). Unknown attributes are ignored (R7296-51).
  CpAnswer cp = answer_cp_request(inner, peer_id_, env_.addresses);
  if (cp.payload) {
    out.push_back(std::move(*cp.payload));
  }
  if (cp.address_failed) {
    counters_.inc(IkeCounter::InternalAddressFailureSent);
  }
  assigned_address_ = cp.result.address;
  home_prefix_ = cp.result.home_prefix;

  // The Child SA; its failure leaves the IKE SA up (R7296-53). Without an address there is
  // nothing to protect, so no Child SA either (3.15.4).
  std::optional<InstallChildSa> install;
  if (!cp.address_failed) {
    // RFC 4877 7.3 / 2.9: the Child SA is bound to the address we just assigned (TSi narrowed).
    std::optional<base::Ip6Addr> narrow;
    if (assigned_address_) {
      narrow = assigned_address_->address;
    }
    auto child = child_task_.process_request(inner, env_.random, child_key_input(), path, narrow);
    if (child.ts_unacceptable) {
      counters_.inc(IkeCounter::TsUnacceptableSent);
    }
    if (child.no_proposal_chosen) {
      counters_.inc(IkeCounter::NoProposalChosenSent);
    }
    for (auto& p : child.payloads) {
      out.push_back(std::move(p));
    }
    install = std::move(child.install);
  }

  auto response =
      protect(make_header(wire::ExchangeType::IkeAuth, true, h.message_id), std::move(out));
  if (!response) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }
  send_response(path, h.message_id, bytes, std::move(*response));
  if (!transition(IkeSaState::Established)) {
    return;
  }
  start_keepalives();
  if (install) {
    emit_child_sa(std::move(*install), last_input_);  // recorded for Delete and rekey
  }
  outputs_.emplace_back(SaEstablished{spi_i_, spi_r_, peer_id_, assigned_address_, home_prefix_});
}

void IkeSa::handle_auth_response(const Path& path, const wire::DecodedMessage& msg,
                                 std::span<const std::uint8_t> bytes) {
  auto opened = open_protected(msg, bytes, *cipher_in_);
  if (!opened) {
    // Not authentic (or not decodable): keep waiting and retransmitting (R7296-43).
    counters_.inc(opened.error().code == OpenErrc::IntegrityFailed
                      ? IkeCounter::DroppedDecryptFailed
                      : IkeCounter::DroppedUndecodable);
    return;
  }
  const auto& inner = opened->inner.payloads;
  if (!wire::validate(opened->outer, inner)) {
    fail(FailureReason::InvalidSyntax, std::nullopt);
    return;
  }
  const auto* auth = wire::find_first<wire::AuthPayload>(inner);
  if (auth == nullptr) {
    // Without AUTH the response is an error answer (R7296-54).
    std::optional<wire::NotifyType> error;
    for (const auto& p : inner) {
      const auto* n = p.get<wire::NotifyPayload>();
      if (n != nullptr && wire::is_error_notify(n->type) && !error) {
        error = n->type;
      }
    }
    FailureReason reason = FailureReason::PeerError;
    if (error == wire::NotifyType::AuthenticationFailed) {
      reason = FailureReason::AuthenticationFailed;
    } else if (error == wire::NotifyType::InvalidSyntax) {
      reason = FailureReason::InvalidSyntax;
    } else if (error == wire::NotifyType::NoProposalChosen) {
      reason = FailureReason::NoProposalChosen;
    }
    fail(reason, error);
    return;
  }
  const FoundId idr = find_id(opened->inner, wire::PayloadType::IdResponder);
  if (idr.id != nullptr && !config_.remote_id.data.empty() && *idr.id != config_.remote_id) {
    counters_.inc(IkeCounter::AuthUnacceptableId);  // not the identity we wanted to reach
    notify_auth_failure(path_);                      // 2.21.2
    fail(FailureReason::AuthenticationFailed, std::nullopt, "IDr is not the configured peer");
    return;
  }
  if (auto verified = verify_peer_auth(idr.id, idr.raw, auth, inner, false); !verified) {
    notify_auth_failure(path_);  // 2.21.2: tell the responder (informational_task.cc)
    fail(FailureReason::AuthenticationFailed, std::nullopt, verified.error().detail);
    return;
  }
  peer_id_ = *idr.id;
  outstanding_.clear();
  ++next_request_id_;  // our next request inside the SA (R7296-39)
  if (follow_auth_redirect(inner)) {
    return;  // RFC 5685 6, after the AUTH check (R5685-22): Redirected, Delete queued
  }

  const CpResult cp = process_cp_reply(inner);
  assigned_address_ = cp.address;
  home_prefix_ = cp.home_prefix;
  // Child SA errors do not fail the IKE SA (R7296-53).
  ChildCreateTask::Outcome child =
      child_task_.process_response_checked(inner, child_key_input(), path);
  if (!transition(IkeSaState::Established)) {
    return;
  }
  start_keepalives();
  if (child.install) {
    emit_child_sa(std::move(*child.install), last_input_);  // recorded for Delete and rekey
  }
  outputs_.emplace_back(SaEstablished{spi_i_, spi_r_, peer_id_, assigned_address_, home_prefix_});
  if (!child.refused.empty()) {
    // The responder installed a Child SA we will not use (e.g. TS wider than ours, 2.9):
    // counted, reported, and its half deleted at the peer (2.21.3).
    counters_.inc(child.ts_not_subset ? IkeCounter::ChildTsNotSubsetRefused
                                      : IkeCounter::ChildCreateRefused);
    outputs_.emplace_back(ChildSaCreateFailed{std::nullopt, 0, child.refused});
    delete_refused_child(child_task_.spi_in(), last_input_);
  }
}

}  // namespace ike::engine
