#include "ike/engine/tasks/ike_dpd.h"

#include <memory>

#include "ike/engine/sa_context.h"

namespace ike::engine {

base::Result<void> check_liveness(SaContext& sa, base::TimePoint now) {
  if (sa.state != IkeSaState::Established) {
    return base::fail(base::Error{"wrong_state", "liveness check needs an established SA"});
  }
  sa.tasks.queue(wire::ExchangeType::Informational, std::make_unique<IkeDpd>(), now);
  return {};
}

void start_liveness_checks(SaContext& sa) {
  if (sa.config.dpd_interval > base::Duration::zero()) {
    sa.tasks.set_timer(std::make_unique<DpdTimer>(sa));
  }
}

base::TimePoint DpdTimer::deadline() const {
  if (sa_.state != IkeSaState::Established || !sa_.tasks.idle()) {
    return base::kNever;
  }
  return sa_.last_authentic_input + sa_.config.dpd_interval;
}

void DpdTimer::on_deadline(base::TimePoint now) {
  sa_.counters.inc(IkeCounter::LivenessChecksSent);  // RFC 7296 1.4: the peer was silent
  (void)check_liveness(sa_, now);
}

}  // namespace ike::engine
