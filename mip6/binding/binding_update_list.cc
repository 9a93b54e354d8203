#include "mip6/binding/binding_update_list.h"

#include <algorithm>

namespace mip6::binding {

std::uint16_t registration_lifetime_units(base::Duration lifetime) {
  const auto units = lifetime / kLifetimeUnit;  // rounds toward zero
  if (units < 1) {
    return 1;
  }
  if (units > 0xffff) {
    return 0xffff;
  }
  return static_cast<std::uint16_t>(units);
}

base::TimePoint UpdateRateWindow::next_allowed(base::TimePoint now, std::size_t rate) const {
  rate = std::clamp<std::size_t>(rate, 1, kMaxRate);
  if (count_ < rate) {
    return now;
  }
  // The rate-th most recent send opens the window one second later.
  const base::TimePoint oldest = recent_[(head_ + kMaxRate - rate) % kMaxRate];
  return std::max(now, oldest + std::chrono::seconds(1));
}

void UpdateRateWindow::record(base::TimePoint sent_at) {
  recent_[head_] = sent_at;
  head_ = (head_ + 1) % kMaxRate;
  count_ = std::min(count_ + 1, kMaxRate);
}

void BulEntry::begin_attempt(BulState new_state, base::Duration initial_timeout) {
  state = new_state;
  attempt_has_sent = false;
  resyncs_in_attempt = 0;
  backoff = initial_timeout;
  max_timeout_reported = false;
  retransmit_at = base::kNever;
  refresh_at = base::kNever;
}

std::uint16_t BulEntry::take_sequence_for_send(base::TimePoint now) {
  last_sequence = static_cast<std::uint16_t>(last_sequence + 1);  // wraps modulo 2^16
  if (!attempt_has_sent) {
    attempt_has_sent = true;
    attempt_first_sequence = last_sequence;
    attempt_started_at = now;
  }
  last_sent_at = now;
  rate_window.record(now);
  return last_sequence;
}

bool BulEntry::acknowledges_outstanding(std::uint16_t seq) const {
  return outstanding() && attempt_has_sent &&
         mn_sequence_in_range(seq, attempt_first_sequence, last_sequence);
}

base::TimePoint BulEntry::sent_time_of(std::uint16_t seq) const {
  return seq == last_sequence ? last_sent_at : attempt_started_at;
}

base::TimePoint BulEntry::next_deadline() const {
  if (finished) {
    return base::kNever;
  }
  base::TimePoint t = std::min({send_at, retransmit_at, refresh_at, switch_deadline});
  if (binding_expires_at) {
    t = std::min(t, *binding_expires_at);
  }
  if (state == BulState::Deregistering) {
    t = std::min(t, binding_bound);
  }
  return t;
}

BulEntry* BindingUpdateList::find(const base::Ip6Addr& home_agent,
                                  const base::Ip6Addr& home_address) {
  for (auto& e : entries_) {
    if (e.home_agent == home_agent && e.home_address == home_address) {
      return &e;
    }
  }
  return nullptr;
}

const BulEntry* BindingUpdateList::find(const base::Ip6Addr& home_agent,
                                        const base::Ip6Addr& home_address) const {
  for (const auto& e : entries_) {
    if (e.home_agent == home_agent && e.home_address == home_address) {
      return &e;
    }
  }
  return nullptr;
}

BulEntry& BindingUpdateList::get_or_create(const base::Ip6Addr& home_agent,
                                           const base::Ip6Addr& home_address,
                                           std::uint16_t initial_sequence) {
  if (BulEntry* e = find(home_agent, home_address)) {
    return *e;
  }
  BulEntry e;
  e.home_agent = home_agent;
  e.home_address = home_address;
  e.last_sequence = static_cast<std::uint16_t>(initial_sequence - 1);  // first BU uses initial
  entries_.push_back(e);
  return entries_.back();
}

bool BindingUpdateList::erase(const base::Ip6Addr& home_agent, const base::Ip6Addr& home_address) {
  return std::erase_if(entries_, [&](const BulEntry& e) {
           return e.home_agent == home_agent && e.home_address == home_address;
         }) > 0;
}

base::TimePoint BindingUpdateList::next_deadline() const {
  base::TimePoint t = base::kNever;
  for (const auto& e : entries_) {
    t = std::min(t, e.next_deadline());
  }
  return t;
}

}  // namespace mip6::binding
