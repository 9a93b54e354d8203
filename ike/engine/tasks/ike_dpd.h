#pragma once
// Liveness (RFC 7296 1.4, "dead peer detection"): an empty INFORMATIONAL request (IkeDpd),
// whose empty answer is all we need; no answer after the retransmissions fails the SA with
// RetransmitLimit (R7296-36/38). DpdTimer sends one after IkeSaConfig::dpd_interval without
// anything authentic from the peer while we have nothing in flight. The peer's empty
// INFORMATIONAL is answered by the INFORMATIONAL responder (tasks/informational.h).
#include <vector>

#include "ike/base/result.h"
#include "ike/engine/task.h"

namespace ike::engine {

struct SaContext;

class IkeDpd final : public Task {
 public:
  IkeDpd() = default;
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeDpd; }
};

// Established only: queues an IkeDpd.
[[nodiscard]] base::Result<void> check_liveness(SaContext& sa, base::TimePoint now);
// At Established: the DpdTimer, when dpd_interval is set.
void start_liveness_checks(SaContext& sa);

class DpdTimer final : public Task {
 public:
  explicit DpdTimer(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::DpdTimer; }
  // Only when idle: a request in flight is a liveness check already.
  [[nodiscard]] base::TimePoint deadline() const override;
  void on_deadline(base::TimePoint now) override;

 private:
  SaContext& sa_;
};

}  // namespace ike::engine
