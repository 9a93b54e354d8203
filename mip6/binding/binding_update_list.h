#pragma once
// The mobile node's Binding Update List (RFC 6275 11.1), home registrations only: one entry
// per (home agent, home address). Plain data with small helpers for the rules that are pure
// bookkeeping: sequence numbers (modulo 2^16), which sequence numbers an outstanding BU may be
// acknowledged with, the MAX_UPDATE_RATE window and lifetime units. The registration state
// machine that drives it lives in mip6/engine/mn_registration_engine.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"

namespace mip6::binding {

enum class BulState : std::uint8_t {
  Registering,    // a registration BU (lifetime > 0) is outstanding: first, CoA change, refresh
  Registered,     // acknowledged; waiting for the refresh time
  Deregistering,  // a de-registration BU (lifetime 0) is outstanding
  Failed,         // rejected or abandoned: no more BUs to this destination (11.7.3)
};
MIP6_ENUM_NAMES(BulState, Registering, Registered, Deregistering, Failed);

// BU/BA lifetimes and the Binding Refresh Advice travel in 4-second units (RFC 6275 6.1.7).
inline constexpr base::Duration kLifetimeUnit = std::chrono::seconds(4);
// Requested lifetime in 4-second units: rounded down (never ask for more than allowed),
// clamped to [1, 0xFFFF] because a registration lifetime must be non-zero (R6275-18).
[[nodiscard]] std::uint16_t registration_lifetime_units(base::Duration lifetime);
[[nodiscard]] constexpr base::Duration lifetime_from_units(std::uint16_t units) {
  return kLifetimeUnit * units;
}

// True when `seq` lies in the inclusive modulo-2^16 range [first, last], where last was
// reached from first by increments (RFC 6275 9.5.1 arithmetic, R6275-23). Private helper until
// mip6/binding/sequence.h provides the shared BindingSequence comparison.
[[nodiscard]] constexpr bool mn_sequence_in_range(std::uint16_t seq, std::uint16_t first,
                                                  std::uint16_t last) {
  const auto span = static_cast<std::uint16_t>(last - first);
  const auto off = static_cast<std::uint16_t>(seq - first);
  return off <= span;
}

// MAX_UPDATE_RATE (RFC 6275 11.8, R6275-59): at most `kMaxRate` BUs to one destination in any
// one-second window. Keeps the send times of the last kMaxRate BUs.
class UpdateRateWindow {
 public:
  static constexpr std::size_t kMaxRate = 8;  // upper bound of the configurable rate

  // Earliest time a BU may be sent when at most `rate` may go per second.
  [[nodiscard]] base::TimePoint next_allowed(base::TimePoint now, std::size_t rate) const;
  void record(base::TimePoint sent_at);

 private:
  std::array<base::TimePoint, kMaxRate> recent_{};  // ring, newest at (head_ - 1)
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

struct BulEntry {
  base::Ip6Addr home_agent;       // destination
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;  // CoA in the BU being sent / last acknowledged
  bool returning_home = false;    // de-registration from the home link (11.5.5): source = HoA
  bool link_local_compat = false; // L (R6275-16)
  bool key_mgmt_mobility = false; // K (R6275-17)

  BulState state = BulState::Registering;

  // Sequence numbers: every BU uses last_sequence + 1 (R6275-58). An attempt is the run of
  // BUs carrying the same content (a registration or de-registration towards one CoA); a BA
  // matching any of its sequence numbers acknowledges it.
  std::uint16_t last_sequence = 0;
  std::uint16_t attempt_first_sequence = 0;
  bool attempt_has_sent = false;    // the current attempt has sent at least one BU
  base::TimePoint attempt_started_at{};  // first transmission of the attempt
  base::TimePoint last_sent_at{};
  std::uint16_t resyncs_in_attempt = 0;  // BA 135 count, bounded against a looping peer

  // Lifetimes. requested_units is what the current attempt asks for (4-s units).
  std::uint16_t requested_units = 0;
  std::uint16_t granted_units = 0;
  // When the binding at the HA ends, as far as the MN knows: the acknowledged BU's send time
  // plus the granted lifetime (R6275-61). nullopt when there is no known binding.
  std::optional<base::TimePoint> binding_expires_at;
  // Latest time the HA could hold a binding created by an unacknowledged BU of this entry.
  base::TimePoint binding_bound = base::TimePoint{};
  std::optional<base::Ip6Addr> acknowledged_care_of;  // CoA of the last accepted registration

  // Timers (kNever when not armed).
  base::TimePoint send_at = base::kNever;        // deferred send (rate limit or new attempt)
  base::TimePoint retransmit_at = base::kNever;  // BA timeout
  base::Duration backoff{};                      // current BA timeout (R6275-57)
  bool max_timeout_reported = false;             // MoveToNextHomeAgent emitted this attempt
  base::TimePoint refresh_at = base::kNever;     // next refresh (Registered)
  base::TimePoint switch_deadline = base::kNever;  // RFC 5142 BRA: de-register at this time
  bool switch_pending = false;     // RFC 5142 switch received: no more refreshes
  bool finished = false;           // de-registered or forgotten: the engine erases it

  UpdateRateWindow rate_window;

  // Starts a new attempt: the next BU opens a new range of acknowledgeable sequence numbers.
  void begin_attempt(BulState new_state, base::Duration initial_timeout);
  // Takes the next sequence number and records the transmission at `now`.
  std::uint16_t take_sequence_for_send(base::TimePoint now);
  // True while a BU is outstanding and `seq` belongs to its attempt.
  [[nodiscard]] bool acknowledges_outstanding(std::uint16_t seq) const;
  [[nodiscard]] bool outstanding() const {
    return state == BulState::Registering || state == BulState::Deregistering;
  }
  // Send time of BU `seq` of the current attempt, conservatively (earliest possible): exact
  // for the last one, the attempt start otherwise.
  [[nodiscard]] base::TimePoint sent_time_of(std::uint16_t seq) const;
  // Earliest pending timer of this entry.
  [[nodiscard]] base::TimePoint next_deadline() const;
};

class BindingUpdateList {
 public:
  [[nodiscard]] BulEntry* find(const base::Ip6Addr& home_agent, const base::Ip6Addr& home_address);
  [[nodiscard]] const BulEntry* find(const base::Ip6Addr& home_agent,
                                     const base::Ip6Addr& home_address) const;
  // Creates the entry if absent. The initial sequence number applies to a new entry only.
  BulEntry& get_or_create(const base::Ip6Addr& home_agent, const base::Ip6Addr& home_address,
                          std::uint16_t initial_sequence);
  bool erase(const base::Ip6Addr& home_agent, const base::Ip6Addr& home_address);

  [[nodiscard]] std::vector<BulEntry>& entries() { return entries_; }
  [[nodiscard]] const std::vector<BulEntry>& entries() const { return entries_; }
  [[nodiscard]] base::TimePoint next_deadline() const;

 private:
  std::vector<BulEntry> entries_;  // a mobile node has a handful of home registrations
};

}  // namespace mip6::binding
