#include "ha/policy/reservation_ledger.h"

#include <algorithm>

namespace ha::policy {

ReservationLedger::ReservationLedger(mip6::binding::BindingCache& cache, Config config)
    : cache_(&cache), config_(config) {}

base::Result<std::uint64_t, mip6::binding::CacheError> ReservationLedger::reserve(
    base::TimePoint now) {
  auto id = cache_->reserve(now);
  if (!id) {
    counters_.inc(LedgerCounter::ReserveRefused);
    return base::fail(id.error());
  }
  // The cache's ids are unique and never 0: they serve as the tags.
  const std::uint64_t tag = id->value();
  entries_.emplace(tag, Entry{*id, State::Reserved, 0});
  counters_.inc(LedgerCounter::Reserved);
  return tag;
}

bool ReservationLedger::attach(std::uint64_t tag, ::ike::wire::Spi spi_r) {
  const auto it = entries_.find(tag);
  if (it == entries_.end() || it->second.state != State::Reserved) {
    return false;
  }
  it->second.state = State::HalfOpen;
  it->second.spi_r = spi_r.value();
  sas_[spi_r.value()] = tag;
  counters_.inc(LedgerCounter::Attached);
  return true;
}

ReservationLedger::Entries::iterator ReservationLedger::find_sa(::ike::wire::Spi spi_r) {
  const auto sa = sas_.find(spi_r.value());
  return sa == sas_.end() ? entries_.end() : entries_.find(sa->second);
}

bool ReservationLedger::establish(::ike::wire::Spi spi_r, base::TimePoint now) {
  const auto it = find_sa(spi_r);
  if (it == entries_.end() || it->second.state != State::HalfOpen) {
    return false;
  }
  it->second.state = State::Established;
  counters_.inc(LedgerCounter::Kept);
  if (next_refresh_ == base::kNever) {
    next_refresh_ = now + config_.refresh_interval;
  }
  return true;
}

bool ReservationLedger::rekey(::ike::wire::Spi old_spi_r, ::ike::wire::Spi new_spi_r) {
  if (old_spi_r == new_spi_r) {
    return false;
  }
  const auto sa = sas_.find(old_spi_r.value());
  if (sa == sas_.end()) {
    return false;
  }
  const std::uint64_t tag = sa->second;
  sas_.erase(sa);
  sas_[new_spi_r.value()] = tag;
  entries_.at(tag).spi_r = new_spi_r.value();
  counters_.inc(LedgerCounter::Rekeyed);
  return true;
}

bool ReservationLedger::release(Entries::iterator it) {
  const Entry entry = it->second;
  if (entry.spi_r != 0) {
    sas_.erase(entry.spi_r);
  }
  entries_.erase(it);
  if (!cache_->release(entry.id)) {
    counters_.inc(LedgerCounter::ReleasedStale);
    return false;
  }
  counters_.inc(entry.state == State::Established ? LedgerCounter::ReleasedAfterEstablished
                                                  : LedgerCounter::ReleasedBeforeEstablished);
  return true;
}

bool ReservationLedger::release(std::uint64_t tag) {
  const auto it = entries_.find(tag);
  return it != entries_.end() && release(it);
}

bool ReservationLedger::release_sa(::ike::wire::Spi spi_r) {
  const auto it = find_sa(spi_r);
  return it != entries_.end() && release(it);
}

void ReservationLedger::on_timer(base::TimePoint now) {
  if (now < next_refresh_) {
    return;
  }
  bool any = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (e.state != State::Established) {
      ++it;
      continue;
    }
    // The binding consumed it (or it lapsed): nothing left to keep.
    if (!cache_->refresh_reservation(e.id, now)) {
      counters_.inc(LedgerCounter::Consumed);
      sas_.erase(e.spi_r);
      it = entries_.erase(it);
      continue;
    }
    counters_.inc(LedgerCounter::Refreshed);
    any = true;
    ++it;
  }
  next_refresh_ = any ? now + config_.refresh_interval : base::kNever;
}

std::optional<ReservationLedger::State> ReservationLedger::state(std::uint64_t tag) const {
  const auto it = entries_.find(tag);
  return it == entries_.end() ? std::nullopt : std::optional(it->second.state);
}

std::optional<mip6::binding::ReservationId> ReservationLedger::reservation(
    std::uint64_t tag) const {
  const auto it = entries_.find(tag);
  return it == entries_.end() ? std::nullopt : std::optional(it->second.id);
}

std::optional<mip6::binding::ReservationId> ReservationLedger::reservation_of_sa(
    ::ike::wire::Spi spi_r) const {
  const auto sa = sas_.find(spi_r.value());
  return sa == sas_.end() ? std::nullopt : reservation(sa->second);
}

std::size_t ReservationLedger::count(State s) const {
  return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [s](const auto& e) { return e.second.state == s; }));
}

}  // namespace ha::policy
