#pragma once
// Lifetimes of the Child SAs and of the IKE SA (RFC 7296 2.8): the soft lifetime rekeys
// (ChildSaConfig::rekey_after with jitter; IkeSaConfig::ike_rekey_after), the retries after a
// refused rekey (2.25), and the hard lifetimes that delete what was not rekeyed in time.
// LifetimeTimer fires for the earliest of them; it looks at the SA's own Child SAs only.
#include "ike/base/clock.h"
#include "ike/engine/task.h"

namespace ike::engine {

struct SaContext;

// At Established: the IKE SA rekey time from now, and the LifetimeTimer.
void start_sa_lifetimes(SaContext& sa, base::TimePoint now);
// ike_rekey.at from `from` (establishment or the last rekey) and the config (2.8).
void schedule_ike_rekey(SaContext& sa, base::TimePoint from);

class LifetimeTimer final : public Task {
 public:
  explicit LifetimeTimer(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::LifetimeTimer; }
  [[nodiscard]] base::TimePoint deadline() const override;
  void on_deadline(base::TimePoint now) override;

 private:
  SaContext& sa_;
};

}  // namespace ike::engine
