#include "ike/engine/tasks/ike_delete.h"

#include <memory>

#include "ike/engine/sa_context.h"
#include "ike/engine/tasks/ike_redirect.h"

namespace ike::engine {

TaskStatus IkeDelete::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  sa_.counters.inc(IkeCounter::IkeDeletesSent);
  (void)sa_.transition(IkeSaState::Deleting);
  out.push_back(wire::make_payload(wire::DeletePayload::make_ike()));
  return TaskStatus::Done;
}

TaskStatus IkeDelete::process_response(const InMessage&) {
  sa_.close(false, true, sa_.delete_detail);
  return TaskStatus::DestroySa;
}

void start_ike_delete(SaContext& sa, base::TimePoint now) {
  sa.delete_queued = true;
  disarm_redirect_grace(sa);
  sa.tasks.drop_queued();
  sa.tasks.queue(wire::ExchangeType::Informational, std::make_unique<IkeDelete>(sa), now);
}

base::Result<void> request_delete(SaContext& sa, base::TimePoint now) {
  if (sa.state != IkeSaState::Established && sa.state != IkeSaState::Redirected) {
    return base::fail(base::Error{"wrong_state", "IKE SA delete needs an established SA"});
  }
  if (sa.delete_queued) {
    return base::fail(base::Error{"already_deleting", "the IKE SA delete is under way"});
  }
  start_ike_delete(sa, now);
  return {};
}

bool accept_peer_ike_delete(SaContext& sa, const wire::DeletePayload& d) {
  if (d.spi_size != 0 || !d.spis.empty()) {
    sa.counters.inc(IkeCounter::DeleteMalformed);
    sa.outputs.emplace_back(InformationalNote{"malformed_ike_delete", std::nullopt, 0});
    return false;
  }
  return true;
}

}  // namespace ike::engine
