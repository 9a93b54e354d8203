#include "ike/engine/task_manager.h"

#include <algorithm>
#include <utility>

#include "ike/engine/sa_context.h"
#include "ike/engine/sk_protection.h"
#include "ike/engine/tasks/child_create.h"
#include "ike/engine/tasks/child_rekey.h"
#include "ike/engine/tasks/ike_auth.h"
#include "ike/engine/tasks/ike_cert.h"
#include "ike/engine/tasks/ike_config.h"
#include "ike/engine/tasks/ike_init.h"
#include "ike/engine/tasks/ike_natd.h"
#include "ike/engine/tasks/ike_rekey.h"
#include "ike/engine/tasks/informational.h"
#include "ike/wire/rules.h"

namespace ike::engine {
namespace {

std::size_t slot(TaskKind kind) {
  return static_cast<std::size_t>(kind) - static_cast<std::size_t>(TaskKind::HalfOpenTimer);
}

// The original initiator's IKE_SA_INIT: SA/KE/Nonce and the RFC 5685 notifies, NAT-D, the
// RFC 7427 hash announcement (in this order on the wire among the generic notifies).
Exchange initiator_init(SaContext& sa) {
  Exchange e;
  e.type = wire::ExchangeType::IkeSaInit;
  e.tasks.push_back(std::make_unique<IkeInit>(sa));
  e.tasks.push_back(std::make_unique<IkeNatd>(sa));
  e.tasks.push_back(std::make_unique<IkeCert>(sa, e.type));
  return e;
}

// The original initiator's IKE_AUTH: IDi [CERT] AUTH (+ REDIRECT handling), CERTREQ, CP, the
// first Child SA.
Exchange initiator_auth(SaContext& sa) {
  Exchange e;
  e.type = wire::ExchangeType::IkeAuth;
  e.tasks.push_back(std::make_unique<IkeAuth>(sa));
  e.tasks.push_back(std::make_unique<IkeCert>(sa, e.type));
  e.tasks.push_back(std::make_unique<IkeConfig>(sa));
  e.tasks.push_back(std::make_unique<AuthChildCreate>(sa));
  return e;
}

}  // namespace

Exchange Exchange::of(wire::ExchangeType type, std::unique_ptr<Task> task) {
  Exchange e;
  e.type = type;
  e.tasks.push_back(std::move(task));
  return e;
}

// ---- our exchanges ---------------------------------------------------------------------------

base::Result<void> TaskManager::initiate(base::TimePoint now) {
  return start(initiator_init(sa_), now);
}

void TaskManager::queue(Exchange exchange, base::TimePoint now) {
  queued_.push_back(std::move(exchange));
  start_next(now);
}

void TaskManager::queue(wire::ExchangeType type, std::unique_ptr<Task> task, base::TimePoint now) {
  queue(Exchange::of(type, std::move(task)), now);
}

void TaskManager::start_next(base::TimePoint now) {
  // Redirected (RFC 5685 6) has keys and message IDs: its Delete goes through here too.
  while (!outstanding_.active() &&
         (sa_.state == IkeSaState::Established || sa_.state == IkeSaState::Redirected) &&
         !queued_.empty()) {
    Exchange next = std::move(queued_.front());
    queued_.pop_front();
    sa_.counters.inc(start(std::move(next), now) ? IkeCounter::LocalExchangesStarted
                                                 : IkeCounter::LocalExchangesBuildFailed);
  }
}

void TaskManager::clear() {
  outstanding_.clear();
  active_.reset();
  queued_.clear();
}

std::optional<TaskKind> TaskManager::in_flight() const {
  if (!active_) {
    return std::nullopt;
  }
  return active_->kind();
}

base::Result<void> TaskManager::start(Exchange exchange, base::TimePoint now) {
  auto sent = send_request(exchange, now);
  if (!sent) {
    return sent;
  }
  active_ = std::move(exchange);
  for (auto& t : active_->tasks) {
    t->post_build(now);
  }
  return {};
}

base::Result<void> TaskManager::send_request(Exchange& exchange, base::TimePoint now) {
  std::vector<wire::Payload> payloads;
  for (auto& t : exchange.tasks) {
    const TaskStatus status = t->build_request(payloads, now);
    if (status == TaskStatus::Failed || status == TaskStatus::DestroySa) {
      return base::fail(base::Error{"build_failed", to_string(t->kind())});
    }
  }
  const wire::MessageId id(next_request_id_);
  std::vector<std::uint8_t> bytes;
  if (exchange.type == wire::ExchangeType::IkeSaInit) {
    wire::Message m;
    m.header = sa_.make_header(exchange.type, false, id);
    m.header.spi_r = wire::Spi();  // R7296-05
    m.payloads = std::move(payloads);
    wire::sort_for_send(m.header.exchange, false, m.payloads);
    auto encoded = wire::encode_message(m);
    if (!encoded) {
      return base::fail(base::Error{"encode_failed", wire::to_string(encoded.error().code)});
    }
    bytes = std::move(*encoded);
    sa_.init_request = bytes;  // R7296-28: AUTH signs the latest version
  } else {
    auto built = sa_.protect(sa_.make_header(exchange.type, false, id), std::move(payloads));
    if (!built) {
      return base::fail(built.error());
    }
    bytes = std::move(*built);
  }
  sa_.outputs.emplace_back(SendDatagram{sa_.path, bytes});
  outstanding_.start(id, sa_.path, std::move(bytes), now, sa_.config.retransmit);
  return {};
}

// ---- the peer's requests ---------------------------------------------------------------------

void TaskManager::on_request(const Path& path, const wire::DecodedMessage& msg,
                             std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  if (resend_response(path, h.message_id, bytes)) {
    return;
  }
  if (h.message_id != window_.expected()) {
    sa_.counters.inc(IkeCounter::DroppedMessageId);  // never answered (R7296-42)
    return;
  }
  if (!sa_.initiator() && sa_.state == IkeSaState::Created &&
      h.exchange == wire::ExchangeType::IkeSaInit) {
    on_init_request(path, msg, bytes, now);
    return;
  }
  if (h.spi_r != sa_.spi_r) {
    sa_.counters.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  if (!sa_.initiator() && sa_.state == IkeSaState::InitResponded &&
      h.exchange == wire::ExchangeType::IkeAuth) {
    on_protected_request(path, msg, bytes, now);
    return;
  }
  // Deleting / Redirected: the IKE SA still exists, the peer's INFORMATIONAL (its Delete) is
  // answered (1.4.1); CREATE_CHILD_SA is refused there.
  const bool sa_exists = sa_.state == IkeSaState::Established ||
                         sa_.state == IkeSaState::Deleting || sa_.state == IkeSaState::Redirected;
  if (sa_exists && (h.exchange == wire::ExchangeType::Informational ||
                    h.exchange == wire::ExchangeType::CreateChildSa)) {
    on_protected_request(path, msg, bytes, now);
    return;
  }
  sa_.counters.inc(IkeCounter::DroppedUnexpected);
}

void TaskManager::on_init_request(const Path& path, const wire::DecodedMessage& msg,
                                  std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Message& m = msg.message;
  if (m.header.spi_i.is_zero() || !m.header.spi_r.is_zero()) {
    sa_.counters.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  if (!wire::validate(m, {})) {
    sa_.counters.inc(IkeCounter::InvalidSyntaxSent);
    sa_.send_init_error(path, m.header, wire::make_notify(wire::NotifyType::InvalidSyntax));
    return;
  }
  const InMessage request{path, m.header, m, m.payloads, nullptr, bytes, now};
  respond(passive(request), request);
}

void TaskManager::on_protected_request(const Path& path, const wire::DecodedMessage& msg,
                                       std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  // IKE_AUTH's errors end the SA; inside an established SA they are answered and it stays
  // (RFC 7296 2.21.3).
  const bool setup = h.exchange == wire::ExchangeType::IkeAuth;
  const IkeCounter invalid_syntax =
      setup ? IkeCounter::InvalidSyntaxSent : IkeCounter::EstablishedInvalidSyntaxSent;
  auto opened = open_protected(msg, bytes, *sa_.cipher_in);
  if (!opened) {
    if (opened.error().code == OpenErrc::UnsupportedCriticalPayload) {
      // R7296-08: reject the message, naming the payload type.
      sa_.counters.inc(IkeCounter::UnsupportedCriticalPayloadSent);
      sa_.send_protected_error(
          path, h, bytes, wire::make_unsupported_critical_payload(opened.error().payload_type));
      if (setup) {
        sa_.fail(FailureReason::PeerError, wire::NotifyType::UnsupportedCriticalPayload);
      }
    } else if (opened.error().code == OpenErrc::Undecodable) {
      // Authentic but malformed inside.
      sa_.counters.inc(invalid_syntax);
      sa_.send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::InvalidSyntax));
      if (setup) {
        sa_.fail(FailureReason::InvalidSyntax, wire::NotifyType::InvalidSyntax);
      }
    } else {
      // Tampered, or not ours: silently dropped (R7296-43), the SA waits for a good copy.
      sa_.counters.inc(IkeCounter::DroppedDecryptFailed);
    }
    return;
  }
  if (!setup) {
    follow_authentic_path(sa_, path);  // NAT mapping changed under the peer (2.23)
  }
  if (!wire::validate(opened->outer, opened->inner.payloads)) {
    // Authentic but against the rules: answered; an established SA stays (2.21.3).
    sa_.counters.inc(invalid_syntax);
    sa_.send_protected_error(path, h, bytes, wire::make_notify(wire::NotifyType::InvalidSyntax));
    if (setup) {
      sa_.fail(FailureReason::InvalidSyntax, wire::NotifyType::InvalidSyntax);
    }
    return;
  }
  if (!setup) {
    sa_.counters.inc(IkeCounter::EstablishedRequestsAnswered);
    sa_.last_authentic_input = now;  // liveness (dpd_interval)
    if (h.exchange == wire::ExchangeType::CreateChildSa && sa_.state != IkeSaState::Established) {
      // Deleting / Redirected: no new Child SAs on an IKE SA that is going away (2.25).
      sa_.send_protected_error(path, h, bytes,
                               wire::make_notify(wire::NotifyType::TemporaryFailure));
      return;
    }
  }
  const InMessage request{path,  h,  opened->outer, opened->inner.payloads, &opened->inner,
                          bytes, now};
  respond(passive(request), request);
}

Exchange TaskManager::passive(const InMessage& request) {
  Exchange e;
  e.type = request.header.exchange;
  switch (e.type) {
    case wire::ExchangeType::IkeSaInit:
      e.tasks.push_back(std::make_unique<IkeInit>(sa_));
      e.tasks.push_back(std::make_unique<IkeNatd>(sa_));
      e.tasks.push_back(std::make_unique<IkeCert>(sa_, e.type));
      break;
    case wire::ExchangeType::IkeAuth:
      e.tasks.push_back(std::make_unique<IkeAuth>(sa_));
      e.tasks.push_back(std::make_unique<IkeConfig>(sa_));
      e.tasks.push_back(std::make_unique<AuthChildCreate>(sa_));
      break;
    case wire::ExchangeType::CreateChildSa: {
      // 1.3.2: an SA payload proposing protocol IKE rekeys the IKE SA; REKEY_SA a Child SA.
      const auto* sa = wire::find_first<wire::SaPayload>(request.payloads);
      if (sa != nullptr && !sa->proposals.empty() &&
          sa->proposals.front().protocol == wire::ProtocolId::Ike) {
        e.tasks.push_back(std::make_unique<IkeRekey>(sa_));
      } else if (wire::find_notify(request.payloads, wire::NotifyType::RekeySa) != nullptr) {
        e.tasks.push_back(std::make_unique<ChildRekey>(sa_));
      } else {
        e.tasks.push_back(std::make_unique<ChildCreate>(sa_));
      }
      break;
    }
    default: e.tasks.push_back(std::make_unique<Informational>(sa_)); break;
  }
  return e;
}

void TaskManager::respond(Exchange exchange, const InMessage& request) {
  auto& tasks = exchange.tasks;
  std::size_t count = tasks.size();
  for (std::size_t i = 0; i < count; ++i) {
    const TaskStatus status = tasks[i]->process_request(request);
    if (sa_.finished() || status == TaskStatus::DestroySa || status == TaskStatus::Handled ||
        status == TaskStatus::Failed) {
      return;
    }
    if (status == TaskStatus::Last) {
      count = i + 1;
    }
  }
  std::vector<wire::Payload> out;
  for (std::size_t i = 0; i < count; ++i) {
    const TaskStatus status = tasks[i]->build_response(out, request.now);
    if (sa_.finished() || status == TaskStatus::DestroySa || status == TaskStatus::Handled ||
        status == TaskStatus::Failed) {
      return;
    }
  }
  const wire::Header& h = request.header;
  std::vector<std::uint8_t> bytes;
  if (h.exchange == wire::ExchangeType::IkeSaInit) {
    wire::Message r;
    r.header = sa_.make_header(h.exchange, true, h.message_id);
    r.payloads = std::move(out);
    wire::sort_for_send(r.header.exchange, true, r.payloads);
    auto encoded = wire::encode_message(r);
    if (!encoded) {
      sa_.fail(FailureReason::InternalError, std::nullopt);
      return;
    }
    bytes = std::move(*encoded);
    sa_.init_response = bytes;  // AUTH signs it (R7296-27)
  } else {
    auto built = sa_.protect(sa_.make_header(h.exchange, true, h.message_id), std::move(out));
    if (!built) {
      sa_.fail(FailureReason::InternalError, std::nullopt);
      return;
    }
    bytes = std::move(*built);
  }
  send_response(request.path, h.message_id, request.bytes, std::move(bytes));
  for (std::size_t i = 0; i < count && !sa_.finished(); ++i) {
    tasks[i]->post_build(request.now);
  }
}

bool TaskManager::resend_response(const Path& path, wire::MessageId id,
                                  std::span<const std::uint8_t> bytes) {
  if (!window_.is_retransmit(id, bytes)) {
    return false;
  }
  sa_.counters.inc(IkeCounter::ResponsesResent);  // R7296-37
  sa_.outputs.emplace_back(SendDatagram{path, window_.cached_response()});
  return true;
}

void TaskManager::send_response(const Path& path, wire::MessageId id,
                                std::span<const std::uint8_t> request,
                                std::vector<std::uint8_t> response) {
  sa_.outputs.emplace_back(SendDatagram{path, response});
  window_.answered(id, request, std::move(response));
}

void TaskManager::on_undecodable(const Path& path, std::span<const std::uint8_t> bytes,
                                 const wire::ParseError& error) {
  // Only a fresh responder answers unprotected errors; an established SA's requests are
  // encrypted, so an undecodable one is not authentic and is dropped (R7296-43).
  if (sa_.initiator() || sa_.state != IkeSaState::Created) {
    return;
  }
  auto header = wire::read_header_fields(bytes);
  if (!header || header->response || header->exchange != wire::ExchangeType::IkeSaInit ||
      header->message_id.value() != 0 || header->spi_i.is_zero()) {
    return;
  }
  if (error.code == wire::ParseErrc::MajorVersionTooHigh) {
    sa_.counters.inc(IkeCounter::InvalidMajorVersionSent);  // answered as version 2 (R7296-01)
    sa_.send_init_error(path, *header, wire::make_notify(wire::NotifyType::InvalidMajorVersion));
  } else if (error.code == wire::ParseErrc::UnsupportedCriticalPayload) {
    sa_.counters.inc(IkeCounter::UnsupportedCriticalPayloadSent);
    sa_.send_init_error(path, *header, wire::make_unsupported_critical_payload(error.payload_type));
  }
}

// ---- responses to our requests -------------------------------------------------------------

void TaskManager::on_response(const Path& path, const wire::DecodedMessage& msg,
                              std::span<const std::uint8_t> bytes, base::TimePoint now) {
  const wire::Header& h = msg.message.header;
  if (!outstanding_.active()) {
    sa_.counters.inc(IkeCounter::DroppedUnexpected);
    return;
  }
  if (h.message_id != outstanding_.id()) {
    sa_.counters.inc(IkeCounter::DroppedMessageId);
    return;
  }
  if (sa_.state == IkeSaState::InitRequestSent && h.exchange == wire::ExchangeType::IkeSaInit) {
    const wire::Message& m = msg.message;
    if (!wire::validate(m, {})) {
      // Unauthenticated: keep retransmitting rather than give up on it (R7296-43).
      sa_.counters.inc(IkeCounter::DroppedRuleViolation);
      return;
    }
    on_setup_response(InMessage{path, h, m, m.payloads, nullptr, bytes, now});
    return;
  }
  if (h.spi_r != sa_.spi_r) {
    sa_.counters.inc(IkeCounter::DroppedWrongSpi);
    return;
  }
  if (sa_.state == IkeSaState::AuthRequestSent && h.exchange == wire::ExchangeType::IkeAuth) {
    on_protected_response(path, msg, bytes, true, now);
    return;
  }
  if ((sa_.state == IkeSaState::Established || sa_.state == IkeSaState::Deleting ||
       sa_.state == IkeSaState::Redirected) &&
      active_ && h.exchange == active_->type) {
    on_protected_response(path, msg, bytes, false, now);
    return;
  }
  sa_.counters.inc(IkeCounter::DroppedUnexpected);
}

void TaskManager::on_protected_response(const Path& path, const wire::DecodedMessage& msg,
                                        std::span<const std::uint8_t> bytes, bool setup,
                                        base::TimePoint now) {
  auto opened = open_protected(msg, bytes, *sa_.cipher_in);
  if (!opened) {
    // Not authentic or not decodable: keep retransmitting until a good copy (R7296-43).
    sa_.counters.inc(opened.error().code == OpenErrc::IntegrityFailed
                         ? IkeCounter::DroppedDecryptFailed
                         : IkeCounter::DroppedUndecodable);
    return;
  }
  if (!wire::validate(opened->outer, opened->inner.payloads)) {
    if (setup) {
      sa_.fail(FailureReason::InvalidSyntax, std::nullopt);
    } else {
      sa_.counters.inc(IkeCounter::DroppedRuleViolation);
    }
    return;
  }
  const InMessage response{
      path, msg.message.header, opened->outer, opened->inner.payloads, &opened->inner, bytes, now};
  if (setup) {
    on_setup_response(response);
    return;
  }
  outstanding_.clear();
  ++next_request_id_;
  sa_.last_authentic_input = now;  // liveness (dpd_interval)
  Exchange done = std::move(*active_);
  active_.reset();
  (void)process_response(done, response);
  start_next(now);
}

void TaskManager::on_setup_response(const InMessage& response) {
  const base::TimePoint now = response.now;
  Exchange exchange = std::move(*active_);
  active_.reset();
  switch (process_response(exchange, response)) {
    case TaskStatus::Handled:
      active_ = std::move(exchange);  // dropped: our request stays outstanding
      return;
    case TaskStatus::NeedMore:
      // The same exchange again, Message ID 0, with the retransmission schedule restarted.
      outstanding_.clear();
      if (!start(std::move(exchange), now)) {
        sa_.fail(FailureReason::InternalError, std::nullopt);
      }
      return;
    case TaskStatus::Done: break;
    default: return;  // the SA ended
  }
  outstanding_.clear();
  ++next_request_id_;  // R7296-39: IKE_AUTH is 1, our next request inside the SA 2
  if (exchange.type == wire::ExchangeType::IkeSaInit) {
    if (!start(initiator_auth(sa_), now)) {
      sa_.fail(FailureReason::InternalError, std::nullopt);
    }
    return;
  }
  start_next(now);  // what IKE_AUTH queued (our Delete after a redirect, ...)
}

TaskStatus TaskManager::process_response(Exchange& exchange, const InMessage& response) {
  auto& tasks = exchange.tasks;
  std::size_t count = tasks.size();
  for (std::size_t i = 0; i < count; ++i) {
    const TaskStatus status = tasks[i]->process_response(response);
    if (sa_.finished()) {
      return TaskStatus::DestroySa;
    }
    if (status == TaskStatus::DestroySa || status == TaskStatus::Handled ||
        status == TaskStatus::NeedMore) {
      return status;
    }
    if (status == TaskStatus::Last) {
      count = i + 1;
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    tasks[i]->post_process(response.now);
    if (sa_.finished()) {
      return TaskStatus::DestroySa;
    }
  }
  return TaskStatus::Done;
}

void TaskManager::finish(Exchange exchange, const InMessage& response) {
  (void)process_response(exchange, response);
}

// ---- timers ----------------------------------------------------------------------------------

base::TimePoint TaskManager::deadline() const {
  base::TimePoint earliest = outstanding_.deadline();
  for (const auto& t : timers_) {
    if (t) {
      earliest = std::min(earliest, t->deadline());
    }
  }
  return earliest;
}

void TaskManager::on_timer(base::TimePoint now) {
  for (const auto& t : timers_) {
    if (t && now >= t->deadline()) {
      t->on_deadline(now);
    }
  }
  switch (outstanding_.on_timer(now)) {
    case OutstandingRequest::TimerAction::None: return;
    case OutstandingRequest::TimerAction::Resend:
      sa_.counters.inc(IkeCounter::RetransmitsSent);  // same bytes, same ID (R7296-36)
      sa_.outputs.emplace_back(SendDatagram{outstanding_.path(), outstanding_.bytes()});
      return;
    case OutstandingRequest::TimerAction::GiveUp:
      if (sa_.state == IkeSaState::Deleting) {
        // 1.4.1: our Delete went unanswered; the SA is gone all the same.
        sa_.counters.inc(IkeCounter::IkeDeletesUnanswered);
        sa_.close(false, false, sa_.delete_detail);
        return;
      }
      sa_.fail(FailureReason::RetransmitLimit, std::nullopt);
      return;
  }
}

void TaskManager::set_timer(std::unique_ptr<Task> timer) {
  timers_[slot(timer->kind())] = std::move(timer);
}

Task* TaskManager::timer(TaskKind kind) const {
  return timers_[slot(kind)].get();
}

// ---- IKE SA rekey ----------------------------------------------------------------------------

TaskManager::MessageState TaskManager::take_message_state() {
  MessageState state;
  state.window = std::move(window_);
  state.next_request_id = next_request_id_;
  if (outstanding_.active() && active_) {
    // A request of ours still in flight finishes on the old SA.
    state.outstanding = std::move(outstanding_);
    state.in_flight = std::move(active_);
    active_.reset();
  }
  window_ = ResponderWindow{};
  outstanding_.clear();
  next_request_id_ = 0;
  return state;
}

}  // namespace ike::engine
