#include "ike/engine/tasks/sa_lifetime.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "ike/engine/sa_context.h"
#include "ike/engine/tasks/child_delete.h"
#include "ike/engine/tasks/child_rekey.h"
#include "ike/engine/tasks/ike_delete.h"
#include "ike/engine/tasks/ike_rekey.h"

namespace ike::engine {
namespace {

base::TimePoint child_rekey_time(const SaContext& sa, const ChildSaRecord& child) {
  if (child.rekeying || child.replaced || child.deleting) {
    return base::kNever;
  }
  if (child.rekey_retry_at != base::kNever) {
    return child.rekey_retry_at;
  }
  const auto& c = sa.config.child;
  if (c.rekey_after <= base::Duration::zero()) {
    return base::kNever;
  }
  // The jitter share comes from the (random) inbound SPI: no state, and the two sides of one
  // SA rarely pick the same moment (which would make a 2.8.1 collision).
  const auto share = c.rekey_jitter * static_cast<std::int64_t>(child.spi_in % 1024) / 1024;
  return child.installed + c.rekey_after - share;
}

bool child_hard_expires(const SaContext& sa, const ChildSaRecord& child, base::TimePoint now) {
  return sa.config.child.hard_lifetime > base::Duration::zero() && !child.deleting &&
         now >= child.installed + sa.config.child.hard_lifetime;
}

// IkeSaConfig::ike_hard_lifetime from the last rekey (or establishment); kNever when off.
base::TimePoint ike_hard_deadline(const SaContext& sa) {
  base::Duration hard = sa.config.ike_hard_lifetime;
  if (hard <= base::Duration::zero()) {
    hard = sa.config.ike_rekey_after + sa.config.ike_rekey_after / 10;
  }
  return hard > base::Duration::zero() ? sa.ike_rekey.base + hard : base::kNever;
}

// The hard lifetime ran out: D(IKE) when the window is free, else closed at once.
void expire_ike_sa(SaContext& sa, base::TimePoint now) {
  sa.counters.inc(IkeCounter::IkeSaHardExpired);
  sa.delete_detail = "hard lifetime";
  // The Child SAs' keys are out of use now, whatever the peer answers.
  while (!sa.child_sas.empty()) {
    (void)sa.remove_child(sa.child_sas.front().spi_in, false);
  }
  if (sa.tasks.awaiting_response() || sa.delete_queued) {
    // Window size 1 (R7296-39): the request in flight (typically the unanswered rekey) keeps
    // our Delete from going out, and a peer that does not answer it would not answer that.
    sa.close(false, false, sa.delete_detail);
    return;
  }
  start_ike_delete(sa, now);  // D(IKE) (R7296-55); Closed when answered or given up
}

}  // namespace

void schedule_ike_rekey(SaContext& sa, base::TimePoint from) {
  sa.ike_rekey.base = from;
  if (sa.config.ike_rekey_after <= base::Duration::zero()) {
    sa.ike_rekey.at = base::kNever;
    return;
  }
  base::Duration share{0};
  if (sa.config.ike_rekey_jitter > base::Duration::zero()) {
    const auto r = sa.env.random.bytes(2);
    share = sa.config.ike_rekey_jitter * ((std::int64_t{r[0]} << 8) | r[1]) / 65536;
  }
  sa.ike_rekey.at = from + sa.config.ike_rekey_after - share;
}

void start_sa_lifetimes(SaContext& sa, base::TimePoint now) {
  schedule_ike_rekey(sa, now);
  sa.tasks.set_timer(std::make_unique<LifetimeTimer>(sa));
}

base::TimePoint LifetimeTimer::deadline() const {
  if (sa_.state != IkeSaState::Established) {
    return base::kNever;
  }
  base::TimePoint earliest = sa_.ike_rekey.queued ? base::kNever : sa_.ike_rekey.at;
  earliest = std::min(earliest, ike_hard_deadline(sa_));
  for (const auto& child : sa_.child_sas) {
    earliest = std::min(earliest, child_rekey_time(sa_, child));
    if (sa_.config.child.hard_lifetime > base::Duration::zero() && !child.deleting) {
      earliest = std::min(earliest, child.installed + sa_.config.child.hard_lifetime);
    }
  }
  return earliest;
}

void LifetimeTimer::on_deadline(base::TimePoint now) {
  if (now >= ike_hard_deadline(sa_)) {
    expire_ike_sa(sa_, now);  // no successful rekey in time (2.8)
    return;
  }
  std::vector<std::uint32_t> expire;
  std::vector<std::uint32_t> rekey;
  for (const auto& child : sa_.child_sas) {
    if (child_hard_expires(sa_, child, now)) {
      expire.push_back(child.spi_in);
    } else if (now >= child_rekey_time(sa_, child)) {
      rekey.push_back(child.spi_in);
    }
  }
  for (std::uint32_t spi : expire) {
    sa_.counters.inc(IkeCounter::ChildSaHardExpired);
    (void)delete_child(sa_, spi, now);
  }
  for (std::uint32_t spi : rekey) {
    (void)rekey_child(sa_, spi, now);
  }
  if (!sa_.ike_rekey.queued && now >= sa_.ike_rekey.at) {
    if (!rekey_ike(sa_, now)) {
      sa_.ike_rekey.at = base::kNever;
    }
  }
}

}  // namespace ike::engine
