#include "ike/engine/tasks/informational.h"

#include "ike/engine/sa_context.h"
#include "ike/engine/tasks/ike_delete.h"
#include "ike/engine/tasks/ike_redirect.h"
#include "ike/engine/tasks/ike_rekey.h"
#include "ike/engine/tasks/payloads.h"

namespace ike::engine {

TaskStatus Informational::process_request(const InMessage& request) {
  if (take_over_old_sa_delete(sa_, request)) {
    return TaskStatus::Handled;  // the peer's IKE rekey survived a collision (2.8.2)
  }
  for (const auto& p : request.payloads) {
    if (const auto* d = p.get<wire::DeletePayload>()) {
      if (d->protocol == wire::ProtocolId::Ike) {
        delete_ike_ = accept_peer_ike_delete(sa_, *d) || delete_ike_;
      } else {
        child_deletes_.on_delete(sa_, *d);
      }
      continue;
    }
    const auto* n = p.get<wire::NotifyPayload>();
    if (n == nullptr) {
      continue;  // CP and Vendor IDs: nothing we act on in INFORMATIONAL
    }
    if (n->type == wire::NotifyType::Redirect) {
      on_gateway_redirect(sa_, *n, answer_);
    } else if (wire::is_error_notify(n->type)) {
      on_error_notify(*n);
    } else {
      sa_.counters.inc(IkeCounter::StatusNotifiesIgnored);  // R7296-54
    }
  }
  if (delete_ike_) {
    // 1.4.1: the answer to a Delete of the IKE SA is empty; the Child SAs go with it.
    sa_.counters.inc(IkeCounter::IkeDeletesReceived);
  }
  return TaskStatus::Done;
}

void Informational::on_error_notify(const wire::NotifyPayload& n) {
  // Logged by the shell from the note; an error in a request asks nothing of us (3.10.1).
  sa_.counters.inc(IkeCounter::ErrorNotifiesReceived);
  std::uint32_t spi = 0;
  if (n.type == wire::NotifyType::InvalidSpi) {
    sa_.counters.inc(IkeCounter::InvalidSpiReceived);
    // 1.5: the data (or SPI field) holds the unknown ESP SPI.
    const auto& raw = n.spi.size() == 4 ? n.spi : n.data;
    if (raw.size() == 4) {
      spi = (std::uint32_t{raw[0]} << 24) | (std::uint32_t{raw[1]} << 16) |
            (std::uint32_t{raw[2]} << 8) | raw[3];
    }
  }
  if (n.type == wire::NotifyType::AuthenticationFailed) {
    auth_failed_ = true;
  }
  sa_.outputs.emplace_back(InformationalNote{"error_notify", n.type, spi});
}

TaskStatus Informational::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  if (delete_ike_) {
    return TaskStatus::Done;
  }
  child_deletes_.answer(answer_);
  append_payloads(out, answer_);
  return TaskStatus::Done;
}

void Informational::post_build(base::TimePoint) {
  if (delete_ike_) {
    if (sa_.state == IkeSaState::Established || sa_.state == IkeSaState::Deleting ||
        sa_.state == IkeSaState::Redirected) {
      sa_.close(true, true, "deleted by peer");
    }
    return;
  }
  child_deletes_.apply(sa_);
  if (auth_failed_ && !sa_.initiator() && sa_.state == IkeSaState::Established) {
    // 2.21.2: the initiator did not accept our AUTH; the SA is of no use to it.
    sa_.fail(FailureReason::AuthenticationFailed, wire::NotifyType::AuthenticationFailed,
             "initiator reported AUTHENTICATION_FAILED");
  }
}

}  // namespace ike::engine
