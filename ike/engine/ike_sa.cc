// IkeSa core: datagram dispatch, message-ID window, retransmission, the checked state machine
// and the shared send helpers. The exchanges themselves are in ike_init_task.cc and
// ike_auth_task.cc.
#include "ike/engine/ike_sa.h"
#include "ike/engine/stateless_answer.h"

#include <algorithm>
#include <utility>

#include "ike/wire/rules.h"

namespace ike::engine {
namespace {

// The legal edges of the IKE SA state machine; anything else is refused (STYLE B4).
bool allowed(IkeSaState from, IkeSaState to) {
  using S = IkeSaState;
  switch (from) {
    case S::Created: return to == S::InitRequestSent || to == S::InitResponded || to == S::Failed;
    case S::InitRequestSent: return to == S::AuthRequestSent || to == S::Failed;
    case S::InitResponded: return to == S::Established || to == S::Redirected || to == S::Failed;
    case S::AuthRequestSent:
      return to == S::Established || to == S::Redirected || to == S::Failed;
    case S::Established: return to == S::Deleting || to == S::Closed || to == S::Failed;
    case S::Redirected: return to == S::Deleting || to == S::Closed || to == S::Failed;
    case S::Deleting: return to == S::Closed || to == S::Failed;
    case S::Failed: return false;
    case S::Closed: return false;
  }
  return false;
}

}  // namespace

IkeSa::IkeSa(IkeSaConfig config, Environment env)
    : config_(std::move(config)), env_(env), child_task_(config_.child) {}

std::vector<Output> IkeSa::take_outputs() {
  std::vector<Output> out(std::make_move_iterator(outputs_.begin()),
                          std::make_move_iterator(outputs_.end()));
  outputs_.clear();
  return out;
}

bool IkeSa::transition(IkeSaState to) {
  if (!allowed(state_, to)) {
    counters_.inc(IkeCounter::IllegalTransitions);
    return false;
  }
  outputs_.emplace_back(StateChanged{state_, to});
  state_ = to;
  if (to == IkeSaState::Established) {
    last_authentic_input_ = last_input_;  // the liveness clock starts (dpd_interval)
    arm_ike_rekey(last_input_);           // IkeSaConfig::ike_rekey_after (2.8)
  }
  return true;
}

void IkeSa::fail(FailureReason reason, std::optional<wire::NotifyType> notify,
                 std::string_view detail) {
  outstanding_.clear();
  // The Child SAs end with their IKE SA (R7296-55): the shell removes them too.
  for (const auto& c : child_sas_) {
    outputs_.emplace_back(ChildSaDeleted{c.spi_in, c.spi_out, false});
  }
  child_sas_.clear();
  if (transition(IkeSaState::Failed)) {
    outputs_.emplace_back(SaFailed{reason, notify, detail});
  }
}

base::Result<void> IkeSa::initiate(const Path& path, base::TimePoint now) {
  if (config_.role != Role::Initiator || state_ != IkeSaState::Created) {
    return base::fail(base::Error{"wrong-state", "initiate() needs a fresh initiator SA"});
  }
  if (config_.ike.dh_groups.empty()) {
    return base::fail(base::Error{"bad-config", "no DH group"});
  }
  // We prove ourselves with our certificate, or else with the PSK shared with the peer.
  if (env_.credentials.local_certificate() == nullptr &&
      !env_.credentials.psk_for(config_.remote_id)) {
    return base::fail(base::Error{"no-psk", "no PSK for the configured remote identity"});
  }
  path_ = path;
  std::uint64_t spi = 0;
  while (spi == 0) {  // R7296-05: SPIi is never zero
    const auto b = env_.random.bytes(8);
    for (std::uint8_t x : b) {
      spi = (spi << 8) | x;
    }
  }
  spi_i_ = wire::Spi(spi);
  dh_group_ = config_.ike.dh_groups.front();
  nonce_i_ = env_.random.bytes(config_.nonce_size);
  auto sent = send_init_request(path, now);
  if (!sent) {
    return sent;
  }
  if (!transition(IkeSaState::InitRequestSent)) {
    return base::fail(base::Error{"wrong-state", "illegal transition"});
  }
  return {};
}

void IkeSa::on_datagram(const Path& path, std::span<const std::uint8_t> bytes,
                        base::TimePoint now) {
  counters_.inc(IkeCounter::DatagramsIn);
  last_input_ = now;
  auto decoded = wire::decode_message(bytes);
  if (!decoded) {
    counters_.inc(IkeCounter::DroppedUndecodable);
    answer_undecodable(path, bytes, decoded.error());
    return;
  }
  const wire::Header& h = decoded->message.header;
  if (finished()) {
    // The error we answered with (e.g. AUTHENTICATION_FAILED), or the answer to the peer's
    // Delete, is still resent (R7296-37).
    if (!h.response && h.spi_i == spi_i_ && window_.is_retransmit(h.message_id, bytes)) {
      counters_.inc(IkeCounter::ResponsesResent);
      outputs_.emplace_back(SendDatagram{path, window_.cached_response()});
      return;
    }
    counters_.inc(IkeCounter::DroppedAfterFailure);
    return;
  }
  // After an IKE SA rekey the old (or a redundant) SA still answers under its own SPIs.
  if (RetiringIkeSa* old = find_retiring(h.spi_i, h.spi_r)) {
    on_retiring_datagram(*old, path, *decoded, bytes, now);
    return;
  }
  // R7296-06: the SA is found by its SPIs. A responder in Created accepts any first request.
  const bool fresh_responder = config_.role == Role::Responder && state_ == IkeSaState::Created;
  if (!fresh_responder && h.spi_i != spi_i_) {
    counters_.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  // I is set exactly by the original initiator (R7296-04).
  if (h.initiator != (config_.role == Role::Responder)) {
    counters_.inc(IkeCounter::DroppedUnexpected);
    return;
  }
  if (h.response) {
    on_response(path, *decoded, bytes, now);
  } else {
    on_request(path, *decoded, bytes, now);
  }
}

void IkeSa::on_request(const Path& path, const wire::DecodedMessage& msg,
                       std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  // R7296-37: a retransmitted request gets the stored response, byte for byte.
  if (window_.is_retransmit(h.message_id, bytes)) {
    counters_.inc(IkeCounter::ResponsesResent);
    outputs_.emplace_back(SendDatagram{path, window_.cached_response()});
    return;
  }
  if (h.message_id != window_.expected()) {
    counters_.inc(IkeCounter::DroppedMessageId);  // never answered (R7296-42)
    return;
  }
  if (config_.role == Role::Responder && state_ == IkeSaState::Created &&
      h.exchange == wire::ExchangeType::IkeSaInit) {
    handle_init_request(path, msg, bytes, now);
    return;
  }
  if (h.spi_r != spi_r_) {
    counters_.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  if (config_.role == Role::Responder && state_ == IkeSaState::InitResponded &&
      h.exchange == wire::ExchangeType::IkeAuth) {
    handle_auth_request(path, msg, bytes);
    return;
  }
  // Deleting / Redirected: the IKE SA still exists, the peer's INFORMATIONAL (its Delete) is
  // answered (1.4.1); CREATE_CHILD_SA is refused there (established.cc).
  const bool sa_exists = state_ == IkeSaState::Established || state_ == IkeSaState::Deleting ||
                         state_ == IkeSaState::Redirected;
  if (sa_exists && (h.exchange == wire::ExchangeType::Informational ||
                    h.exchange == wire::ExchangeType::CreateChildSa)) {
    on_established_request(path, msg, bytes, now);
    return;
  }
  counters_.inc(IkeCounter::DroppedUnexpected);
}

void IkeSa::on_response(const Path& path, const wire::DecodedMessage& msg,
                        std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  if (!outstanding_.active()) {
    counters_.inc(IkeCounter::DroppedUnexpected);
    return;
  }
  if (h.message_id != outstanding_.id()) {
    counters_.inc(IkeCounter::DroppedMessageId);
    return;
  }
  if (state_ == IkeSaState::InitRequestSent && h.exchange == wire::ExchangeType::IkeSaInit) {
    handle_init_response(path, msg, bytes, now);
    return;
  }
  if (h.spi_r != spi_r_) {
    counters_.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  if (state_ == IkeSaState::AuthRequestSent && h.exchange == wire::ExchangeType::IkeAuth) {
    handle_auth_response(path, msg, bytes);
    return;
  }
  if ((state_ == IkeSaState::Established || state_ == IkeSaState::Deleting ||
       state_ == IkeSaState::Redirected) &&
      current_exchange_ && h.exchange == current_exchange_->exchange) {
    on_established_response(path, msg, bytes, now);
    return;
  }
  counters_.inc(IkeCounter::DroppedUnexpected);
}

base::TimePoint IkeSa::next_deadline() const {
  if (state_ == IkeSaState::InitResponded) {
    return std::min(outstanding_.deadline(), half_open_deadline_);
  }
  return std::min({outstanding_.deadline(), keepalive_deadline(), dpd_deadline(),
                   redirect_deadline_, lifetime_deadline(), retiring_deadline()});
}

void IkeSa::on_timer(base::TimePoint now) {
  if (state_ == IkeSaState::InitResponded && now >= half_open_deadline_) {
    fail(FailureReason::HalfOpenTimeout, std::nullopt);
    return;
  }
  if (now >= keepalive_deadline()) {
    send_keepalive(now);  // RFC 3948 4
  }
  if (now >= redirect_deadline_) {
    on_redirect_deadline(now);  // RFC 5685 grace period (ike_redirect.cc)
  }
  if (now >= dpd_deadline()) {
    counters_.inc(IkeCounter::LivenessChecksSent);  // RFC 7296 1.4: the peer was silent
    (void)check_liveness(now);
  }
  on_retiring_timer(now);  // old IKE SAs after a rekey (ike_rekey_task.cc)
  if (state_ == IkeSaState::Established) {
    on_lifetime_timer(now);  // Child and IKE SA rekeys and hard lifetimes (2.8)
  }
  switch (outstanding_.on_timer(now)) {
    case OutstandingRequest::TimerAction::None: return;
    case OutstandingRequest::TimerAction::Resend:
      counters_.inc(IkeCounter::RetransmitsSent);  // same bytes, same ID (R7296-36)
      outputs_.emplace_back(SendDatagram{outstanding_.path(), outstanding_.bytes()});
      return;
    case OutstandingRequest::TimerAction::GiveUp:
      if (state_ == IkeSaState::Deleting) {
        // 1.4.1: our Delete went unanswered; the SA is gone all the same.
        counters_.inc(IkeCounter::IkeDeletesUnanswered);
        close(false, false, delete_detail_);
        return;
      }
      fail(FailureReason::RetransmitLimit, std::nullopt);
      return;
  }
}

void IkeSa::send_request(const Path& path, std::vector<std::uint8_t> bytes, base::TimePoint now) {
  outputs_.emplace_back(SendDatagram{path, bytes});
  outstanding_.start(wire::MessageId(next_request_id_), path, std::move(bytes), now,
                     config_.retransmit);
}

void IkeSa::send_response(const Path& path, wire::MessageId id,
                          std::span<const std::uint8_t> request, std::vector<std::uint8_t> bytes) {
  outputs_.emplace_back(SendDatagram{path, bytes});
  window_.answered(id, request, std::move(bytes));
}

wire::Header IkeSa::make_header(wire::ExchangeType exchange, bool response,
                                wire::MessageId id) const {
  wire::Header h;
  h.spi_i = spi_i_;
  h.spi_r = spi_r_;
  h.exchange = exchange;
  h.initiator = config_.role == Role::Initiator;  // R7296-04
  h.response = response;                          // R7296-03
  h.message_id = id;
  return h;
}

void IkeSa::send_init_error(const Path& path, const wire::Header& request,
                            wire::NotifyPayload notify) {
  // R7296-43: a flood of bad requests must not become a flood of unprotected answers.
  if (env_.unprotected_errors != nullptr && !env_.unprotected_errors->allow(last_input_)) {
    counters_.inc(IkeCounter::ErrorAnswersRateLimited);
    return;
  }
  // Stateless answer: nothing is cached, so a retried request is judged afresh.
  if (auto bytes = encode_stateless_init_answer(request, std::move(notify))) {
    outputs_.emplace_back(SendDatagram{path, std::move(*bytes)});
  }
}

void IkeSa::answer_undecodable(const Path& path, std::span<const std::uint8_t> bytes,
                               const wire::ParseError& error) {
  // Only a fresh responder answers unprotected errors; an established SA's requests are
  // encrypted, so an undecodable one is not authentic and is dropped (R7296-43).
  if (config_.role != Role::Responder || state_ != IkeSaState::Created) {
    return;
  }
  auto header = wire::read_header_fields(bytes);
  if (!header || header->response || header->exchange != wire::ExchangeType::IkeSaInit ||
      header->message_id.value() != 0 || header->spi_i.is_zero()) {
    return;
  }
  if (error.code == wire::ParseErrc::MajorVersionTooHigh) {
    counters_.inc(IkeCounter::InvalidMajorVersionSent);  // answered as version 2 (R7296-01)
    send_init_error(path, *header, wire::make_notify(wire::NotifyType::InvalidMajorVersion));
  } else if (error.code == wire::ParseErrc::UnsupportedCriticalPayload) {
    counters_.inc(IkeCounter::UnsupportedCriticalPayloadSent);
    send_init_error(path, *header, wire::make_unsupported_critical_payload(error.payload_type));
  }
}

void IkeSa::send_protected_error(const Path& path, const wire::Header& request,
                                 std::span<const std::uint8_t> request_bytes,
                                 wire::NotifyPayload notify) {
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(std::move(notify)));
  auto bytes = protect(make_header(request.exchange, true, request.message_id), std::move(inner));
  if (bytes) {
    send_response(path, request.message_id, request_bytes, std::move(*bytes));
  }
}

base::Result<std::vector<std::uint8_t>> IkeSa::protect(const wire::Header& header,
                                                       std::vector<wire::Payload> inner) {
  if (!cipher_out_) {
    return base::fail(base::Error{"no-keys", "SK keys not derived"});
  }
  return build_protected(header, std::move(inner), *cipher_out_);
}

}  // namespace ike::engine
