#pragma once
// ReservationLedger: the one owner of the Binding Cache reservations the home agent takes for
// IKE SAs, and of the tags that stand for them (STYLE B6: one owner per table). Sans-IO: time
// is an argument; the owner calls on_timer() at next_deadline().
//
// A reservation holds an admission slot from the IKE_SA_INIT that was served until the Binding
// Update that uses it, so concurrent bootstraps never overshoot capacity. One entry per
// reservation, keyed by its tag (the engine carries the tag with the SA: admission.h Serve):
//   reserve()    IKE_SA_INIT served: a slot and its tag                      -> Reserved
//   attach()     the responder front made the SA (ResponderSaCreated)        -> HalfOpen
//   establish()  the SA is up (SaEstablished): the entry stays past the SA's setup, its TTL
//                refreshed every refresh_interval, until the binding consumes it (the cache
//                then refuses the refresh and the entry goes)                 -> Established
//   rekey()      an IKE SA rekey (RFC 7296 1.3.2) re-filed the SA under a new SPIr
//   release()    no SA was made (the front's half-open bound, an SA error), IKE_AUTH failed
//                or redirected the peer, the SA went or was moved: the slot goes back to the
//                cache and the entry goes with it, so a slot is given back at most once (the
//                cache's ids are generation-safe: a stale one never frees another's slot)
// Tag 0 is never issued: it is the Serve tag of a peer that needed no slot.
// ha/ike/IkeAdmission feeds the transitions from the responder front's outputs; the policy
// reserves (IKE_SA_INIT) and releases (IKE_AUTH redirect); the daemon releases on a move.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/wire/header.h"
#include "mip6/binding/binding_cache.h"

namespace ha::policy {

enum class LedgerCounter : std::uint8_t {
  Reserved,
  ReserveRefused,  // the cache had no free slot
  Attached,
  Kept,       // established with its reservation: kept until the binding
  Refreshed,  // TTL restarted for an established SA
  Consumed,   // the refresh found it gone: the binding took it (or it lapsed)
  Rekeyed,
  ReleasedBeforeEstablished,  // slot given back: no SA, IKE_AUTH failed or redirected
  ReleasedAfterEstablished,   // slot given back: the established SA went or was moved
  ReleasedStale,              // released, but the cache no longer held it (lapsed or consumed)
  kCount,
};
MIP6_COUNTER_NAMES(LedgerCounter, Reserved, ReserveRefused, Attached, Kept, Refreshed, Consumed,
                   Rekeyed, ReleasedBeforeEstablished, ReleasedAfterEstablished, ReleasedStale);
using LedgerCounters =
    base::CounterSet<LedgerCounter, static_cast<std::size_t>(LedgerCounter::kCount)>;

class ReservationLedger {
 public:
  enum class State : std::uint8_t { Reserved, HalfOpen, Established };
  struct Config {
    // Established entries are refreshed this often; half the cache's reservation TTL keeps
    // them alive with one late timer to spare.
    base::Duration refresh_interval = std::chrono::seconds(15);
  };

  // `cache` must outlive the ledger.
  ReservationLedger(mip6::binding::BindingCache& cache, Config config);
  ReservationLedger(const ReservationLedger&) = delete;
  ReservationLedger& operator=(const ReservationLedger&) = delete;

  [[nodiscard]] base::Result<std::uint64_t, mip6::binding::CacheError> reserve(base::TimePoint now);
  // False for an unknown tag (tag 0, or already released).
  bool attach(std::uint64_t tag, ::ike::wire::Spi spi_r);
  // True when the SA held a reservation, which is now kept until its binding.
  bool establish(::ike::wire::Spi spi_r, base::TimePoint now);
  bool rekey(::ike::wire::Spi old_spi_r, ::ike::wire::Spi new_spi_r);
  // True when a slot went back to the cache; unknown or already released: false, no effect.
  bool release(std::uint64_t tag);
  bool release_sa(::ike::wire::Spi spi_r);

  // Refreshes every established entry when due.
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const { return next_refresh_; }

  [[nodiscard]] std::optional<State> state(std::uint64_t tag) const;
  // The reservation behind an SA (the binding engine's BU path commits it).
  [[nodiscard]] std::optional<mip6::binding::ReservationId> reservation_of_sa(
      ::ike::wire::Spi spi_r) const;
  [[nodiscard]] std::optional<mip6::binding::ReservationId> reservation(std::uint64_t tag) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::size_t count(State s) const;
  [[nodiscard]] const mip6::binding::BindingCache& cache() const { return *cache_; }
  [[nodiscard]] const LedgerCounters& counters() const { return counters_; }

 private:
  struct Entry {
    mip6::binding::ReservationId id;
    State state = State::Reserved;
    std::uint64_t spi_r = 0;  // once attached
  };
  using Entries = std::unordered_map<std::uint64_t, Entry>;

  bool release(Entries::iterator it);
  [[nodiscard]] Entries::iterator find_sa(::ike::wire::Spi spi_r);

  mip6::binding::BindingCache* cache_;
  Config config_;
  Entries entries_;                                       // by tag
  std::unordered_map<std::uint64_t, std::uint64_t> sas_;  // SPIr -> tag, once attached
  base::TimePoint next_refresh_ = base::kNever;
  LedgerCounters counters_;
};

}  // namespace ha::policy
