// Exchanges inside an established IKE SA (RFC 7296 1.3, 1.4): the queue of our own requests
// (window size 1, R7296-39) and the common front of the peer's CREATE_CHILD_SA and
// INFORMATIONAL requests: decrypt, check the payload rules, hand to the exchange's task.
// The tasks themselves live in informational_task.cc and create_child_task.cc.
#include <utility>

#include "ike/engine/ike_sa.h"
#include "ike/wire/rules.h"

namespace ike::engine {

void IkeSa::queue_exchange(LocalExchange exchange, base::TimePoint now) {
  queued_exchanges_.push_back(std::move(exchange));
  start_next_exchange(now);
}

void IkeSa::start_next_exchange(base::TimePoint now) {
  // Redirected (RFC 5685 6) has keys and message IDs: its Delete goes through here too.
  while (!outstanding_.active() &&
         (state_ == IkeSaState::Established || state_ == IkeSaState::Redirected) &&
         !queued_exchanges_.empty()) {
    LocalExchange next = std::move(queued_exchanges_.front());
    queued_exchanges_.pop_front();
    auto inner = next.build();
    if (!inner) {
      counters_.inc(IkeCounter::LocalExchangesBuildFailed);
      continue;
    }
    auto bytes =
        protect(make_header(next.exchange, false, wire::MessageId(next_request_id_)),
                std::move(*inner));
    if (!bytes) {
      counters_.inc(IkeCounter::LocalExchangesBuildFailed);
      continue;
    }
    counters_.inc(IkeCounter::LocalExchangesStarted);
    current_exchange_ = std::move(next);
    send_request(path_, std::move(*bytes), now);
  }
}

base::Result<void> IkeSa::check_liveness(base::TimePoint now) {
  if (state_ != IkeSaState::Established) {
    return base::fail(base::Error{"wrong-state", "liveness check needs an established SA"});
  }
  // An empty INFORMATIONAL request; the empty response is all we need (RFC 7296 1.4).
  queue_exchange(LocalExchange{wire::ExchangeType::Informational, "liveness",
                               [] { return base::Result<std::vector<wire::Payload>>{}; },
                               [](const Path&, const OpenedMessage&, base::TimePoint) {}},
                 now);
  return {};
}

void IkeSa::on_established_request(const Path& path, const wire::DecodedMessage& msg,
                                   std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  auto opened = open_protected(msg, bytes, *cipher_in_);
  if (!opened) {
    if (opened.error().code == OpenErrc::UnsupportedCriticalPayload) {
      counters_.inc(IkeCounter::UnsupportedCriticalPayloadSent);  // R7296-08
      send_protected_error(path, h, bytes,
                           wire::make_unsupported_critical_payload(opened.error().payload_type));
    } else if (opened.error().code == OpenErrc::Undecodable) {
      counters_.inc(IkeCounter::EstablishedInvalidSyntaxSent);
      send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::InvalidSyntax));
    } else {
      counters_.inc(IkeCounter::DroppedDecryptFailed);  // not authentic: silence (R7296-43)
    }
    return;
  }
  follow_authentic_path(path);  // NAT mapping changed under the peer (2.23; ike_natd.cc)
  if (!wire::validate(opened->outer, opened->inner.payloads)) {
    // Authentic but against the rules: answered, the SA stays (RFC 7296 2.21.3).
    counters_.inc(IkeCounter::EstablishedInvalidSyntaxSent);
    send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return;
  }
  counters_.inc(IkeCounter::EstablishedRequestsAnswered);
  last_authentic_input_ = now;  // liveness (dpd_interval)
  if (h.exchange == wire::ExchangeType::CreateChildSa && state_ != IkeSaState::Established) {
    // Deleting / Redirected: no new Child SAs on an IKE SA that is going away (2.25).
    send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::TemporaryFailure));
    return;
  }
  if (h.exchange == wire::ExchangeType::Informational && peer_ike_rekey_ &&
      intercept_old_ike_delete(path, h, bytes, *opened, now)) {
    return;  // the peer's IKE rekey survived a collision (2.8.2, ike_rekey_task.cc)
  }
  if (h.exchange == wire::ExchangeType::Informational) {
    handle_informational_request(path, h, bytes, *opened, now);
  } else {
    handle_create_child_request(path, h, bytes, *opened, now);
  }
}

void IkeSa::on_established_response(const Path& path, const wire::DecodedMessage& msg,
                                    std::span<const std::uint8_t> bytes, base::TimePoint now) {
  auto opened = open_protected(msg, bytes, *cipher_in_);
  if (!opened) {
    // Not authentic or not decodable: keep retransmitting until a good copy (R7296-43).
    counters_.inc(opened.error().code == OpenErrc::IntegrityFailed
                      ? IkeCounter::DroppedDecryptFailed
                      : IkeCounter::DroppedUndecodable);
    return;
  }
  if (!wire::validate(opened->outer, opened->inner.payloads)) {
    counters_.inc(IkeCounter::DroppedRuleViolation);
    return;
  }
  outstanding_.clear();
  ++next_request_id_;
  last_authentic_input_ = now;  // liveness (dpd_interval)
  LocalExchange done = std::move(*current_exchange_);
  current_exchange_.reset();
  if (done.on_response) {
    done.on_response(path, *opened, now);
  }
  start_next_exchange(now);
}

void IkeSa::respond(const Path& path, const wire::Header& request,
                    std::span<const std::uint8_t> request_bytes,
                    std::vector<wire::Payload> payloads) {
  auto bytes = protect(make_header(request.exchange, true, request.message_id),
                       std::move(payloads));
  if (!bytes) {
    fail(FailureReason::InternalError, std::nullopt);
    return;
  }
  send_response(path, request.message_id, request_bytes, std::move(*bytes));
}

}  // namespace ike::engine
