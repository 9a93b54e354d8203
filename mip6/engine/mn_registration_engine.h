#pragma once
// MnRegistrationEngine: the mobile node's home registration (RFC 6275 11.7, 11.8, 11.5.5) and
// its handling of the Home Agent Switch message (RFC 5142 6). Sans-IO (STYLE B1): commands and
// received messages (already decoded and checked for checksum and ESP by the shell) come in
// with the current time; BUs to send and events come out as value objects the shell drains
// with take_outputs(), then it re-arms one timer to next_deadline().
//
// Decisions documented here because other parts depend on them:
//  * One current registration (home agent, home address). register_home() towards another HA
//    or home address retires the old one: it is de-registered from the current CoA if the old
//    HA may hold a binding, otherwise forgotten.
//  * A BA acknowledges any BU of the current attempt (all BUs since the content - CoA,
//    lifetime, flags - last changed), so a delayed BA to an earlier retransmission counts; a BA
//    to a BU sent before a CoA change does not.
//  * Home Agent Switch (RFC 5142): with config.auto_deregister_on_ha_switch (the default) the
//    engine stops using the HA and sends the de-registration BU itself, which is the
//    acknowledgement (R5142-26); with a Binding Refresh Advice it keeps the binding (no
//    refresh) until the advised time and de-registers then (R5142-28), or earlier when the
//    caller registers with another HA, calls deregister() or the CoA changes. Without the
//    option the engine only emits HomeAgentSwitchRequested and the caller calls deregister().
//  * MoveToNextHomeAgent is emitted once per attempt when a wait of MAX_BINDACK_TIMEOUT
//    expires unanswered; the engine keeps retransmitting every MAX_BINDACK_TIMEOUT until the
//    caller registers elsewhere (RFC 6275 11.8 allows continuing at that rate).
//  * At most config.max_resyncs_per_attempt BA 135 resyncs per attempt; then the registration
//    fails (a peer answering 135 forever must not keep us sending).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "mip6/binding/binding_update_list.h"
#include "mip6/wire/mobility_header.h"

namespace mip6::engine {

// RFC 6275 12/13 constants (section 11 of the digest).
inline constexpr base::Duration kInitialBindackTimeoutFirstReg = std::chrono::milliseconds(1500);
inline constexpr base::Duration kInitialBindackTimeout = std::chrono::seconds(1);
inline constexpr base::Duration kMaxBindackTimeout = std::chrono::seconds(32);
inline constexpr std::size_t kMaxUpdateRate = 3;  // per second, per destination

struct MnRegistrationConfig {
  // MUST be configurable (R6275-70); defaults are the RFC values.
  base::Duration initial_bindack_timeout_first_reg = kInitialBindackTimeoutFirstReg;
  base::Duration initial_bindack_timeout = kInitialBindackTimeout;
  base::Duration max_bindack_timeout = kMaxBindackTimeout;
  std::size_t max_update_rate = kMaxUpdateRate;  // clamped to [1, UpdateRateWindow::kMaxRate]
  // Refresh when this share of the granted lifetime (or of a shorter Binding Refresh Advice)
  // has passed since the acknowledged BU was sent.
  unsigned refresh_percent = 80;
  bool auto_deregister_on_ha_switch = true;
  std::uint16_t max_resyncs_per_attempt = 4;
};

// The caller's description of a home registration.
struct HomeRegistration {
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;
  base::Duration lifetime = std::chrono::seconds(420);
  // R6275-18: the requested lifetime is also capped by the remaining valid lifetimes of the
  // home address and the care-of address when known.
  std::optional<base::TimePoint> home_address_valid_until;
  std::optional<base::TimePoint> care_of_valid_until;
  // R6275-17: K = 1 only with dynamic (IKEv2) SAs and an IKE endpoint that can move.
  bool dynamic_keying = true;
  bool can_move_ike_endpoint = false;
  // R6275-16: L = 1 when our link-local address has the home address's IID, never for an
  // RFC 4941 (privacy) home address.
  std::optional<base::Ip6Addr> link_local_address;
  bool privacy_home_address = false;
};

// Where a received Mobility Header message came from. The shell fills it from the IPv6
// header, the type 2 routing header (its address is our home address) and the ESP SA.
struct MhContext {
  base::Ip6Addr source;
  bool esp_protected = false;
  std::optional<base::Ip6Addr> home_address;  // from the type 2 RH, when present
};
using BaContext = MhContext;

enum class DeregisterMode : std::uint8_t {
  LeaveHomeAgent,  // from the CoA, with a HAO: stop using this HA (e.g. RFC 5142 switch)
  ReturnHome,      // RFC 6275 11.5.5: CoA = HoA, source = HoA, no HAO (R6275-64)
};

// ---- outputs -------------------------------------------------------------------------------

struct SendBindingUpdate {
  base::Ip6Addr destination;                        // the home agent
  base::Ip6Addr source;                             // the CoA (the HoA when returning home)
  std::optional<base::Ip6Addr> home_address_option; // HAO (R6275-14); none when at home
  wire::BindingUpdate update;
};

struct Registered {
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;
  base::Duration granted_lifetime{};  // min(BA lifetime, requested) (R6275-61)
  base::TimePoint expires_at{};
  wire::BaStatus status = wire::BaStatus::Accepted;
};

enum class RegistrationFailure : std::uint8_t {
  Rejected,             // BA status >= 128 (other than 135 under the resync bound)
  ZeroLifetimeGranted,  // "accepted" with lifetime 0: no binding exists
  TooManyResyncs,       // BA 135 more than max_resyncs_per_attempt times
};
MIP6_ENUM_NAMES(RegistrationFailure, Rejected, ZeroLifetimeGranted, TooManyResyncs);

struct RegistrationFailed {
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
  wire::BaStatus status = wire::BaStatus::ReasonUnspecified;
  RegistrationFailure reason = RegistrationFailure::Rejected;
  // The HA may still hold the previous binding (e.g. a refresh refused with 129 during a
  // switch); it ends at this time.
  std::optional<base::TimePoint> previous_binding_until;
};

struct HomeAddressUnusable {  // BA 134: never use this home address again (R6275-20)
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
};

struct PrefixDiscoveryNeeded {  // BA status 1: send a Mobile Prefix Solicitation (R6275-62)
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
};

struct KeyManagementMove {  // BA with K = 1 after a move: move the IKE endpoint (R6275-63)
  base::Ip6Addr home_agent;
  base::Ip6Addr from;
  base::Ip6Addr to;
};

struct KeyManagementDrop {  // BA with K = 0 after a move: drop IKE state at `endpoint`
  base::Ip6Addr home_agent;
  base::Ip6Addr endpoint;
};

struct HomeAgentSwitchRequested {  // RFC 5142 6.1
  base::Ip6Addr sender;
  base::Ip6Addr home_agent;   // the HA we stop using
  base::Ip6Addr home_address;
  std::vector<base::Ip6Addr> candidates;       // in the HA's order of preference (R5142-31)
  bool discovery_needed = false;               // no addresses: discover first (R5142-02/30)
  std::optional<base::Duration> refresh_advice;  // binding kept until then (R5142-28)
  bool from_current_home_agent = true;
};

struct MoveToNextHomeAgent {  // MAX_BINDACK_TIMEOUT reached unanswered (RFC 6275 11.8)
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
};

struct Deregistered {
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
  std::optional<wire::BaStatus> status;  // nullopt: nothing to send, or no answer in time
  bool returned_home = false;  // the shell now sends the unsolicited NAs (R6275-65)
  bool timed_out = false;      // no BA before any binding could have expired
};

struct BindingExpired {  // the lifetime ran out before a refresh was acknowledged
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
};

using MnOutput =
    std::variant<SendBindingUpdate, Registered, RegistrationFailed, HomeAddressUnusable,
                 PrefixDiscoveryNeeded, KeyManagementMove, KeyManagementDrop,
                 HomeAgentSwitchRequested, MoveToNextHomeAgent, Deregistered, BindingExpired>;

enum class MnCounter : std::uint8_t {
  BuSent,
  BuRetransmitted,
  BuRateLimited,          // a BU was deferred by MAX_UPDATE_RATE (R6275-59)
  BaNotProtected,         // R6275-60: not covered by ESP
  BaAuthDataNotLast,      // R6275-60: Binding Authorization Data not last
  BaNoMatchingEntry,      // no BU List entry for the source (and home address)
  BaSequenceMismatch,     // R6275-60: no outstanding BU with that sequence number
  BaAccepted,
  BaRejected,
  BaResync,               // status 135 (R6275-19)
  BrrNotProtected,
  BrrIgnored,             // not from a registered current home agent
  BrrRefresh,
  HaSwitchNotProtected,   // R5142-24
  HaSwitchNoBinding,      // nothing to switch away from
  HaSwitchDuplicate,      // retransmission of a switch we are already acting on
  HaSwitchAccepted,
  RegistrationTimedOutAtMax,  // MoveToNextHomeAgent emitted
  kCount,
};
MIP6_COUNTER_NAMES(MnCounter, BuSent, BuRetransmitted, BuRateLimited, BaNotProtected,
                   BaAuthDataNotLast, BaNoMatchingEntry, BaSequenceMismatch, BaAccepted, BaRejected,
                   BaResync, BrrNotProtected, BrrIgnored, BrrRefresh, HaSwitchNotProtected,
                   HaSwitchNoBinding, HaSwitchDuplicate, HaSwitchAccepted,
                   RegistrationTimedOutAtMax);
using MnCounters = base::CounterSet<MnCounter, static_cast<std::size_t>(MnCounter::kCount)>;

class MnRegistrationEngine {
 public:
  using RandomSource = std::function<std::uint64_t()>;

  // `rng` picks the initial sequence number of a new BU List entry (any value is accepted by an
  // HA without a binding, R6275-22); tests pass a fixed function.
  MnRegistrationEngine(MnRegistrationConfig config, RandomSource rng);

  // Starts (or restarts) the home registration and sends the first BU. Fails for addresses that
  // cannot be used and for a home address a BA 134 condemned (R6275-20).
  [[nodiscard]] base::Result<void> register_home(const HomeRegistration& registration,
                                                 base::TimePoint now);
  // The primary care-of address changed: re-registers with the current HA (and moves pending
  // de-registrations to the new address). Error "no_registration" when nothing uses a CoA.
  [[nodiscard]] base::Result<void> change_care_of_address(
      const base::Ip6Addr& care_of_address, base::TimePoint now,
      std::optional<base::TimePoint> care_of_valid_until = std::nullopt);
  // De-registers the current registration (or one kept alive by a switch Refresh Advice).
  [[nodiscard]] base::Result<void> deregister(base::TimePoint now,
                                              DeregisterMode mode = DeregisterMode::LeaveHomeAgent);

  void on_binding_ack(const BaContext& ctx, const wire::BindingAck& ba, base::TimePoint now);
  void on_home_agent_switch(const MhContext& ctx, const wire::HomeAgentSwitch& msg,
                            base::TimePoint now);
  void on_binding_refresh_request(const MhContext& ctx, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;

  [[nodiscard]] std::vector<MnOutput> take_outputs();

  // The current registration's entry, if any.
  [[nodiscard]] const binding::BulEntry* current() const;
  [[nodiscard]] const binding::BindingUpdateList& binding_update_list() const { return bul_; }
  [[nodiscard]] const MnCounters& counters() const { return counters_; }
  [[nodiscard]] bool home_address_unusable(const base::Ip6Addr& hoa) const {
    return unusable_home_addresses_.count(hoa) != 0;
  }

 private:
  struct Key {
    base::Ip6Addr home_agent;
    base::Ip6Addr home_address;
  };

  binding::BulEntry* current_entry();
  bool is_current(const binding::BulEntry& e) const;
  bool has_binding(const binding::BulEntry& e, base::TimePoint now) const;
  std::uint16_t requested_units(const HomeRegistration& r, base::TimePoint now) const;

  // One function per state change (STYLE B4). Entries that end are marked `finished` and
  // erased by collect_garbage() at the end of the public call, so references stay valid.
  void start_registration(binding::BulEntry& e, base::TimePoint now);
  void start_deregistration(binding::BulEntry& e, DeregisterMode mode, base::TimePoint now);
  void retire(binding::BulEntry& e, base::TimePoint now);  // old registration: dereg or forget
  void fail(binding::BulEntry& e, wire::BaStatus status, RegistrationFailure reason,
            base::TimePoint now);
  void accept_registration(binding::BulEntry& e, const wire::BindingAck& ba, base::TimePoint now);
  void finish_deregistration(binding::BulEntry& e, std::optional<wire::BaStatus> status,
                             const wire::BindingAck* ba, bool timed_out);
  void collect_garbage();

  // Sends the entry's next BU now if MAX_UPDATE_RATE allows, else defers it.
  void send_or_defer(binding::BulEntry& e, base::TimePoint now);
  void send_bu(binding::BulEntry& e, base::TimePoint now);
  void on_entry_timer(binding::BulEntry& e, base::TimePoint now);

  MnRegistrationConfig config_;
  RandomSource rng_;
  binding::BindingUpdateList bul_;
  std::optional<Key> current_;
  std::optional<HomeRegistration> registration_;  // parameters of the current registration
  std::unordered_set<base::Ip6Addr> unusable_home_addresses_;
  std::vector<MnOutput> outputs_;
  MnCounters counters_;
};

}  // namespace mip6::engine
