#pragma once
// The home agent's Binding Cache (RFC 6275 9.1, 10.1, 10.3) with admission control.
//
// Plain data with time passed in: no clock, no timer, no I/O. The HA binding engine and the
// admission path (reservations taken at IKE_SA_INIT) call it with `now`; the shell arms one
// timer at next_deadline() and calls expire().
//
// Sizing: built for ~1,000,000 home registrations per HA at <= 128 bytes each.
//  - Entries are 56-byte records in fixed 4096-entry chunks (no reallocation spikes), keyed by
//    home address through an open-addressing table of 8-byte slots (index + hash tag).
//  - Times are 32-bit whole seconds from an epoch fixed at construction (136 years of range).
//    Expiries are rounded UP to the second: a binding is never dropped before its granted
//    lifetime ends (R6275-40), at most one second later.
//  - Expiry is a calendar wheel of 2^18 one-second slots (covers the longest lifetime a BA can
//    grant, 65535 x 4 s) with intrusive per-slot lists and a two-level occupancy bitmap, so a
//    tick costs O(expired entries + 64), not a scan. Reservations share one fixed TTL, so they
//    expire in creation order from a FIFO list.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "mip6/binding/sequence.h"

namespace mip6::binding {

// MAX_DELETE_BCE_TIMEOUT (RFC 6275 12): how long a de-registered entry is kept, marked
// invalid, so that a late refresh still gets BA 135 (R6275-47).
inline constexpr base::Duration kMaxDeleteBceTimeout = std::chrono::seconds(10);

// The IKE layer's stable handle for the authenticated peer identity that protected the
// registering BU (for example the index of an interned PAD identity). The cache stores this
// handle, not the identity string, to stay small. 0 means "none".
struct IkeIdentityHandle {
  std::uint32_t value = 0;
  friend constexpr bool operator==(IkeIdentityHandle, IkeIdentityHandle) = default;
};

// An admission slot held before a binding exists. The holder (the IKE responder, with its IKE
// SA) treats it as opaque. Ids of released, expired or committed reservations never alias a
// newer reservation: releasing or committing a stale id is a harmless no-op.
class ReservationId {
 public:
  constexpr ReservationId() = default;
  [[nodiscard]] constexpr bool valid() const { return value_ != 0; }
  [[nodiscard]] constexpr std::uint64_t value() const { return value_; }
  friend constexpr bool operator==(ReservationId, ReservationId) = default;

 private:
  friend class BindingCache;
  constexpr explicit ReservationId(std::uint64_t v) : value_(v) {}
  std::uint64_t value_ = 0;
};

enum class BindingState : std::uint8_t {
  Active,            // home registration being served
  DeregisteredHold,  // de-registered; kept invalid for kMaxDeleteBceTimeout (R6275-47)
  // Room for RFC 5142: a SwitchPending state (HA Switch sent, retransmitting; refreshes that
  // extend the binding get BA 129) slots in here; entries have spare bits for it.
};
MIP6_ENUM_NAMES(BindingState, Active, DeregisteredHold);

struct BindingFlags {
  bool home_registration = true;  // R6275-34: the HA only stores home registrations
  bool link_local = false;         // L: the derived link-local address is proxied too
  bool key_mgmt = false;           // K as granted in the BA
  friend constexpr bool operator==(BindingFlags, BindingFlags) = default;
};

// A copy of one entry, as callers see it.
struct BindingInfo {
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;
  BindingSequence sequence;         // last accepted
  std::uint16_t lifetime_units = 0; // granted, 4-second units; 0 once de-registered
  base::TimePoint expires;          // lifetime end (Active) or end of the hold
  BindingFlags flags;
  IkeIdentityHandle identity;
  BindingState state = BindingState::Active;
};

// What commit() writes for a home registration.
struct BindingParams {
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;
  BindingSequence sequence;
  std::uint16_t lifetime_units = 0;  // granted, 4-second units, > 0
  BindingFlags flags;
  IkeIdentityHandle identity;
};

enum class CacheError : std::uint8_t {
  NoCapacity,       // bindings + reservations >= capacity (BA 130 / IKE redirect)
  InvalidLifetime,  // commit() with lifetime 0: de-registration goes through deregister()
};
MIP6_ENUM_NAMES(CacheError, NoCapacity, InvalidLifetime);

enum class CommitOutcome : std::uint8_t {
  Created,  // a new binding (or a re-registration after de-registration): took a slot
  Updated,  // refresh or move of an Active binding: no slot needed
};
MIP6_ENUM_NAMES(CommitOutcome, Created, Updated);

struct CommitResult {
  CommitOutcome outcome = CommitOutcome::Created;
  bool reservation_consumed = false;           // the caller's reservation became this binding
  std::optional<base::Ip6Addr> previous_coa;   // for Updated
  std::optional<BindingFlags> previous_flags;  // for Updated
};

// What the admission policy (IKE redirect decision at IKE_SA_INIT) reads.
struct AdmissionSnapshot {
  std::uint32_t bindings = 0;      // Active home registrations
  std::uint32_t reservations = 0;  // live reservations
  std::uint32_t capacity = 0;
  std::uint32_t held = 0;          // de-registered entries in their hold (not load)
  // (bindings + reservations) / capacity; 1.0 with capacity 0.
  [[nodiscard]] double load() const {
    return capacity == 0 ? 1.0
                         : static_cast<double>(bindings + reservations) /
                               static_cast<double>(capacity);
  }
  [[nodiscard]] bool full() const {
    return static_cast<std::uint64_t>(bindings) + reservations >= capacity;
  }
};

enum class BindingCacheCounter : std::uint8_t {
  BindingsCreated,           // "served": new bindings (including re-registration after hold)
  BindingsUpdated,           // refreshes and moves
  BindingsDeregistered,
  BindingsExpired,           // lifetime ran out
  BindingsRemoved,           // administrative removal
  HoldsEnded,                // de-registered entries finally deleted
  CommitsRejectedFull,       // commit() with no slot and no reservation
  Reserved,
  ReservationsRejectedFull,
  ReservationsCommitted,     // became a binding
  ReservationsReleased,      // released early (IKE_AUTH failed, IKE SA gone)
  ReservationsUnneeded,      // held by an MN whose HoA already had a binding: given back
  ReservationsExpired,       // TTL ran out unused
  ExpiryVisits,              // entries looked at by expire(): equals expired in steady state
  kCount,
};
MIP6_COUNTER_NAMES(BindingCacheCounter, BindingsCreated, BindingsUpdated, BindingsDeregistered,
                   BindingsExpired, BindingsRemoved, HoldsEnded, CommitsRejectedFull, Reserved,
                   ReservationsRejectedFull, ReservationsCommitted, ReservationsReleased,
                   ReservationsUnneeded, ReservationsExpired, ExpiryVisits);
using BindingCacheCounters =
    base::CounterSet<BindingCacheCounter, static_cast<std::size_t>(BindingCacheCounter::kCount)>;

enum class ExpiryKind : std::uint8_t {
  LifetimeEnded,  // an Active binding expired: the engine removes routes and proxy ND
  HoldEnded,      // a de-registered entry's hold ended (nothing to undo)
};
MIP6_ENUM_NAMES(ExpiryKind, LifetimeEnded, HoldEnded);

struct ExpiredBinding {
  ExpiryKind kind = ExpiryKind::LifetimeEnded;
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;
  BindingFlags flags;
  IkeIdentityHandle identity;
};

class BindingCache {
 public:
  struct Config {
    std::uint32_t capacity = 0;  // max bindings + reservations
    base::Duration reservation_ttl = std::chrono::seconds(30);
    base::Duration delete_hold = kMaxDeleteBceTimeout;
  };

  // `epoch` anchors the 32-bit second counters; pass the current time.
  BindingCache(const Config& config, base::TimePoint epoch);
  ~BindingCache();
  BindingCache(BindingCache&&) noexcept;
  BindingCache& operator=(BindingCache&&) noexcept;
  BindingCache(const BindingCache&) = delete;
  BindingCache& operator=(const BindingCache&) = delete;

  // --- Admission -------------------------------------------------------------------------
  // Takes a slot for an MN whose binding does not exist yet; fails with NoCapacity when
  // bindings + reservations >= capacity. Reservations due at `now` are expired first, so a
  // late timer never causes a spurious refusal.
  [[nodiscard]] base::Result<ReservationId, CacheError> reserve(base::TimePoint now);
  // Gives a reservation back early (IKE_AUTH failed). False for unknown or stale ids.
  bool release(ReservationId id);
  // Restarts a live reservation's TTL from `now` (e.g. while DAD for its binding runs).
  bool refresh_reservation(ReservationId id, base::TimePoint now);
  [[nodiscard]] bool is_reserved(ReservationId id) const;
  [[nodiscard]] AdmissionSnapshot snapshot() const;
  // Lowering capacity below the current load refuses new slots; it removes nothing.
  void set_capacity(std::uint32_t capacity) { capacity_ = capacity; }

  // --- Bindings ----------------------------------------------------------------------------
  // Any entry for `hoa`, Active or in its de-registration hold.
  [[nodiscard]] std::optional<BindingInfo> find(const base::Ip6Addr& hoa) const;
  // True when an Active binding has `addr` as its home or care-of address (the admission
  // policy never redirects such an IKE initiator). O(1): CoAs have their own small index.
  [[nodiscard]] bool has_binding_for_address(const base::Ip6Addr& addr) const;
  // Creates or updates the binding for params.home_address with expiry now + lifetime.
  //  - Active binding: updated in place; a live `reservation` is given back (never counted
  //    twice: an MN with a binding needs no slot).
  //  - otherwise a slot is needed: the live `reservation` is consumed, or else a free slot is
  //    taken; with neither, NoCapacity.
  [[nodiscard]] base::Result<CommitResult, CacheError> commit(const BindingParams& params,
                                                              ReservationId reservation,
                                                              base::TimePoint now);
  // Active -> DeregisteredHold for delete_hold (R6275-47), recording the de-registration's
  // sequence number. Frees the slot at once. False when there is no Active binding.
  bool deregister(const base::Ip6Addr& hoa, BindingSequence sequence, base::TimePoint now);
  // Deletes any entry for `hoa` at once (administrative). False when there was none.
  bool remove(const base::Ip6Addr& hoa);
  // Entries, Active and held, in no particular order (O(n): for the control socket).
  [[nodiscard]] std::vector<BindingInfo> list() const;
  [[nodiscard]] std::size_t size() const { return live_entries_; }  // Active + held

  // --- Time --------------------------------------------------------------------------------
  // Earliest time at which expire() has work (binding or hold end, reservation TTL), or
  // base::kNever. Never later than the true next expiry.
  [[nodiscard]] base::TimePoint next_deadline() const;
  // Removes everything due at `now`: appends expired bindings and ended holds to `out`
  // (reservations just disappear and are counted). Returns the number appended.
  std::size_t expire(base::TimePoint now, std::vector<ExpiredBinding>& out);

  [[nodiscard]] const BindingCacheCounters& counters() const { return counters_; }
  [[nodiscard]] base::TimePoint epoch() const { return epoch_; }

 private:
  static constexpr std::uint32_t kNil = 0xffffffffU;

  struct Entry;
  struct HashSlot {
    std::uint32_t index = kNil;
    std::uint32_t tag = 0;
  };
  struct Reservation {
    std::uint32_t generation = 1;
    std::uint32_t expiry = 0;  // seconds from epoch
    std::uint32_t prev = kNil;
    std::uint32_t next = kNil;  // FIFO link, or free-list link
    bool live = false;
  };

  // Time helpers (seconds from epoch_).
  [[nodiscard]] std::uint32_t ceil_seconds(base::TimePoint t) const;
  [[nodiscard]] std::uint32_t floor_seconds(base::TimePoint t) const;
  [[nodiscard]] base::TimePoint to_time(std::uint32_t seconds) const;

  // Entry storage.
  [[nodiscard]] Entry& entry(std::uint32_t index);
  [[nodiscard]] const Entry& entry(std::uint32_t index) const;
  std::uint32_t allocate_entry();
  void free_entry(std::uint32_t index);
  [[nodiscard]] BindingInfo info(const Entry& e) const;

  // Hash index.
  [[nodiscard]] std::uint32_t lookup(const base::Ip6Addr& hoa) const;
  void hash_insert(std::uint32_t index, const base::Ip6Addr& hoa);
  void hash_erase(const base::Ip6Addr& hoa);
  void hash_grow();
  // Care-of address index: one slot per Active entry; several entries may share a CoA.
  void coa_insert(std::uint32_t index);
  void coa_erase(std::uint32_t index);

  // Calendar wheel.
  void schedule(std::uint32_t index, std::uint32_t expiry);
  void unschedule(std::uint32_t index);
  [[nodiscard]] std::uint32_t find_next_slot(std::uint32_t from) const;  // kWheelSlots: none
  void set_slot_bit(std::uint32_t slot);
  void clear_slot_bit(std::uint32_t slot);
  void process_slot(std::uint32_t slot, std::uint32_t now_s, std::vector<ExpiredBinding>& out,
                    std::size_t& appended);

  // Reservations.
  [[nodiscard]] Reservation* live_reservation(ReservationId id);
  [[nodiscard]] const Reservation* live_reservation(ReservationId id) const;
  void unlink_reservation(std::uint32_t index);
  void append_reservation(std::uint32_t index);
  void free_reservation(std::uint32_t index);
  void expire_reservations(std::uint32_t now_s);

  base::TimePoint epoch_;
  std::uint32_t capacity_ = 0;
  base::Duration reservation_ttl_;
  base::Duration delete_hold_;

  std::uint32_t bindings_ = 0;
  std::uint32_t held_ = 0;
  std::uint32_t reservations_ = 0;
  std::size_t live_entries_ = 0;

  std::vector<std::unique_ptr<Entry[]>> chunks_;
  std::uint32_t next_unused_ = 0;  // entries below this were handed out at least once
  std::uint32_t free_head_ = kNil;

  std::vector<HashSlot> table_;
  std::uint32_t mask_ = 0;
  std::size_t hash_count_ = 0;

  std::vector<HashSlot> coa_table_;
  std::uint32_t coa_mask_ = 0;
  std::size_t coa_count_ = 0;

  std::vector<std::uint32_t> wheel_heads_;
  std::vector<std::uint64_t> wheel_bits_;
  std::array<std::uint64_t, 64> wheel_summary_{};
  std::uint32_t cursor_ = 0;  // last second processed by expire()

  std::vector<Reservation> reservations_pool_;
  std::uint32_t res_head_ = kNil;
  std::uint32_t res_tail_ = kNil;
  std::uint32_t res_free_ = kNil;

  BindingCacheCounters counters_;
};

}  // namespace mip6::binding
