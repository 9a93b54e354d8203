#pragma once
// The home agent's admission / redirect decision (RFC 5685 with RFC 5142 for bound peers).
//
// Pure policy: no IKE messages, no I/O, time passed in, randomness injected. It answers the
// three questions of ike/engine/admission.h in that vocabulary, each answer with the
// AdmissionReason behind it (PolicyAnswer) and one AdmissionEvent for the event log:
//  A. decide_at_ike_sa_init(): before any DH work or binding, serve (taking a reservation in
//     the ReservationLedger, whose tag the Serve carries, so concurrent bootstraps never
//     overshoot capacity), redirect (RFC 5685 3/4) or refuse.
//  B. decide_at_ike_auth(): identity known; redirect when the identity belongs to another HA
//     (giving the SA's reservation back).
//  C. decide_move() and the drain scheduler: peers we already serve. A peer with a binding is
//     moved with an RFC 5142 Home Agent Switch, never with a gateway-initiated REDIRECT
//     (R5685-33: the MN must not change MIPv6 state on it); a peer with only an IKE SA gets a
//     gateway-initiated REDIRECT.
// A REDIRECT names a pool HA by the FQDN configured for it, an IPv4-mapped address as IPv4,
// any other as IPv6 (R5685-35).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ha/policy/reservation_ledger.h"
#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "ike/engine/admission.h"
#include "mip6/binding/binding_cache.h"
#include "mip6/binding/home_agents_list.h"
#include "mip6/engine/ha_binding_engine.h"

namespace ha::policy {

using mip6::engine::HaAdminState;

// MAX-HA-SWITCH-TRANSMIT-RATE (RFC 5142 8): one switch per second by default (R5142-33).
inline constexpr base::Duration kMaxHaSwitchInterval = std::chrono::seconds(1);

// Static reason of every decision, for counters and the event log.
enum class AdmissionReason : std::uint8_t {
  // IKE_SA_INIT, served
  Room,               // below the redirect threshold: reservation taken
  ExistingBinding,    // initiator already bound here: never redirected, no slot needed
  NoTargetFallback,   // would redirect, but no pool HA qualifies and we had room
  NoRedirectSupport,  // over the threshold but not full, peer cannot be redirected
  // IKE_SA_INIT, redirected
  AnycastToSelf,  // R5685-12/13: anycast request sent to our own unicast address
  AnycastToPool,  // R5685-12: anycast request, we have no room: to a pool HA
  Draining,       // admin state Draining
  Overload,       // load >= threshold, or reservation refused
  HalfOpenLimit,  // too many half-open IKE SAs
  // IKE_SA_INIT, refused
  FullNoTarget,           // no room, no target
  FullNoRedirectSupport,  // no room and the peer did not announce support (R5685-03)
  DrainingNoTarget,       // draining, no pool HA to send the peer to
  DrainingNoRedirectSupport,
  AnycastNoRedirectSupport,  // R5685-12 demands a redirect, R5685-03 forbids it
  HalfOpenLimitNoTarget,
  // IKE_AUTH
  NotAssignedElsewhere,                // continue
  AssignedElsewhere,                   // redirect to the identity's HA
  AssignedElsewhereNoRedirectSupport,  // continue (R5685-03)
  // Moves of served peers
  MoveHaSwitch,           // binding exists: RFC 5142 Home Agent Switch
  MoveGatewayRedirect,    // IKE SA only: gateway-initiated REDIRECT
  MoveNoTarget,           // nowhere to move to
  MoveNoRedirectSupport,  // IKE SA only and no support announced: cannot move (R5685-03)
  kCount,
};
MIP6_COUNTER_NAMES(AdmissionReason, Room, ExistingBinding, NoTargetFallback, NoRedirectSupport,
                   AnycastToSelf, AnycastToPool, Draining, Overload, HalfOpenLimit, FullNoTarget,
                   FullNoRedirectSupport, DrainingNoTarget, DrainingNoRedirectSupport,
                   AnycastNoRedirectSupport, HalfOpenLimitNoTarget, NotAssignedElsewhere,
                   AssignedElsewhere, AssignedElsewhereNoRedirectSupport, MoveHaSwitch,
                   MoveGatewayRedirect, MoveNoTarget, MoveNoRedirectSupport);

// What the policy answered at one decision point, and why. `target` is the address a Redirect
// or SwitchHomeAgent sends the peer to (the first of the list); none for the other answers
// and for a gateway known by its FQDN only.
template <class Answer>
struct PolicyAnswer {
  Answer answer;
  AdmissionReason reason = AdmissionReason::Room;
  std::optional<base::Ip6Addr> target = std::nullopt;
};

// A move the drain scheduler decided: the peer as queued, and the answer.
struct DrainMove {
  ::ike::engine::MoveRequest request;
  PolicyAnswer<::ike::engine::MoveAnswer> decided;
};

// Capacity of the other HAs of the pool, fed later by the pool membership (Router
// Advertisements, a distributed store). Each report says how many free slots an HA had; a
// redirect we send takes one of them locally, so a burst of redirects never piles more MNs on
// an HA than it said it could take (the feedback loop R5142-33 asks for). Reports older than
// max_age are treated as unknown.
class PoolLoadTable {
 public:
  struct Config {
    base::Duration max_age = std::chrono::seconds(30);
    // An HA with no fresh report: assume it can serve (it can redirect again, bounded by the
    // MN's MAX_REDIRECTS, R5685-29), or not.
    bool unknown_has_capacity = true;
  };
  explicit PoolLoadTable(const Config& config) : config_(config) {}

  void report(const base::Ip6Addr& ha_address, std::uint32_t free_slots, base::TimePoint now);
  void forget(const base::Ip6Addr& ha_address) { reports_.erase(ha_address); }
  // True when any address of the HA has a fresh report with a free slot, or none is fresh and
  // unknown_has_capacity.
  [[nodiscard]] bool has_capacity(const mip6::binding::HomeAgentEntry& ha,
                                  base::TimePoint now) const;
  // One MN was sent to `ha_address`: one free slot fewer until the next report.
  void note_sent(const base::Ip6Addr& ha_address);
  [[nodiscard]] std::optional<std::uint32_t> free_slots(const base::Ip6Addr& ha_address,
                                                        base::TimePoint now) const;

 private:
  struct Report {
    std::uint32_t free_slots = 0;
    base::TimePoint at;
  };
  Config config_;
  std::unordered_map<base::Ip6Addr, Report> reports_;
};

// Lets the assignment table be searched with a string_view (no allocation per IKE_AUTH).
struct IdentityHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct AdmissionPolicyConfig {
  // Our unicast addresses; the first is where anycast requests are redirected (R5685-13).
  std::vector<base::Ip6Addr> unicast_addresses;
  std::optional<base::Ip6Addr> anycast_address;
  // Redirect supporting initiators once load >= this; 1.0 = only when full.
  double redirect_load_threshold = 1.0;
  // Half-open responder IKE SAs beyond which new initiators are redirected or dropped.
  // 0 = no limit.
  std::uint32_t max_half_open_ike_sas = 0;
  // IKE_AUTH: identity -> address of the HA it belongs to. An identity mapped to one of our
  // own addresses (or absent) stays here.
  std::unordered_map<std::string, base::Ip6Addr, IdentityHash, std::equal_to<>> assignments;
  // IKE_AUTH: identity -> FQDN of its HA, for an HA known by name only (sent as that name).
  std::unordered_map<std::string, std::string, IdentityHash, std::equal_to<>> fqdn_assignments;
  // Target address -> the FQDN every REDIRECT to it carries instead of the address (RFC 5685
  // 9.2: the MN resolves it).
  std::unordered_map<base::Ip6Addr, std::string> gateway_names;
  HaAdminState admin_state = HaAdminState::Serving;
  // Drain: at most one move per interval, plus a random extra delay in [0, jitter), so the
  // move rate never exceeds 1/interval (R5142-33).
  base::Duration drain_interval = kMaxHaSwitchInterval;
  base::Duration drain_jitter = std::chrono::milliseconds(250);
  std::size_t max_switch_targets = 4;  // addresses listed in a Home Agent Switch
  PoolLoadTable::Config pool_load;
  std::size_t max_queued_events = 1024;
};

enum class AdmissionConfigError : std::uint8_t {
  NoUnicastAddress,
  AnycastIsUnicast,
  BadThreshold,      // not in (0, 1]
  BadDrainInterval,  // <= 0
  BadDrainJitter,    // < 0
};
MIP6_ENUM_NAMES(AdmissionConfigError, NoUnicastAddress, AnycastIsUnicast, BadThreshold,
                BadDrainInterval, BadDrainJitter);

enum class AdmissionCounter : std::uint8_t {
  InitServed,
  InitRedirected,
  InitRefused,
  Reserved,            // reservations taken by Serve
  ReservationRefused,  // cache said NoCapacity (a concurrent bootstrap won the last slot)
  AuthContinued,
  AuthRedirected,
  ReservationsReleased,  // given back on an IKE_AUTH redirect
  MovesHaSwitch,
  MovesGatewayRedirect,
  MovesNone,
  EventsDropped,  // event queue full: the shell did not drain it
  kCount,
};
MIP6_COUNTER_NAMES(AdmissionCounter, InitServed, InitRedirected, InitRefused, Reserved,
                   ReservationRefused, AuthContinued, AuthRedirected, ReservationsReleased,
                   MovesHaSwitch, MovesGatewayRedirect, MovesNone, EventsDropped);
using AdmissionCounters =
    base::CounterSet<AdmissionCounter, static_cast<std::size_t>(AdmissionCounter::kCount)>;
using AdmissionReasonCounters =
    base::CounterSet<AdmissionReason, static_cast<std::size_t>(AdmissionReason::kCount)>;

enum class DecisionOutcome : std::uint8_t {
  Served,
  Redirected,
  Refused,
  Continued,
  Switched,
  GatewayRedirected,
  NotMoved
};
MIP6_ENUM_NAMES(DecisionOutcome, Served, Redirected, Refused, Continued, Switched,
                GatewayRedirected, NotMoved);

// One per decision, for the event log (the shell drains take_events()).
struct AdmissionEvent {
  ::ike::engine::DecisionPoint point = ::ike::engine::DecisionPoint::IkeSaInit;
  DecisionOutcome outcome = DecisionOutcome::Served;
  AdmissionReason reason = AdmissionReason::Room;
  base::Ip6Addr peer;
  std::optional<base::Ip6Addr> target;
  base::TimePoint at;
  std::string target_fqdn = {};  // the name the REDIRECT carried, if any
};

// "Does any binding here belong to this address?" (its care-of or home address). Injected so
// the policy does not care how the cache indexes it; empty: BindingCache::
// has_binding_for_address.
using BindingLookup = std::function<bool(const base::Ip6Addr&)>;

class AdmissionPolicy {
 public:
  // References must outlive the policy; the policy reserves and releases through `ledger`
  // and reads bindings in its cache. `rng` draws the drain jitter.
  [[nodiscard]] static base::Result<AdmissionPolicy, AdmissionConfigError> create(
      AdmissionPolicyConfig config, ReservationLedger& ledger,
      mip6::binding::HomeAgentsList& home_agents, mip6::binding::RandomSource rng,
      BindingLookup lookup = {});

  [[nodiscard]] PolicyAnswer<::ike::engine::InitAnswer> decide_at_ike_sa_init(
      const ::ike::engine::InitRequest& request, base::TimePoint now);
  [[nodiscard]] PolicyAnswer<::ike::engine::AuthAnswer> decide_at_ike_auth(
      const ::ike::engine::AuthRequest& request, base::TimePoint now);
  [[nodiscard]] PolicyAnswer<::ike::engine::MoveAnswer> decide_move(
      const ::ike::engine::MoveRequest& request, base::TimePoint now);

  // Drain scheduler (sans-IO): queue peers to move; the shell arms one timer at
  // next_deadline() and calls on_timer(now), which decides at most one move, so even a late
  // timer never bursts above the rate (R5142-33). Peers already queued (by address) are not
  // added twice.
  void start_drain(const std::vector<::ike::engine::MoveRequest>& peers, base::TimePoint now);
  void stop_drain();
  [[nodiscard]] base::TimePoint next_deadline() const;
  [[nodiscard]] std::optional<DrainMove> on_timer(base::TimePoint now);
  [[nodiscard]] std::size_t drain_pending() const { return drain_queue_.size(); }

  void set_admin_state(HaAdminState s) { config_.admin_state = s; }
  [[nodiscard]] HaAdminState admin_state() const { return config_.admin_state; }
  [[nodiscard]] PoolLoadTable& pool_load() { return pool_load_; }
  // (bindings + max(reservations, half_open)) / capacity; see decide_at_ike_sa_init.
  [[nodiscard]] double load(std::uint32_t half_open_ike_sas) const;

  [[nodiscard]] std::vector<AdmissionEvent> take_events();
  [[nodiscard]] const AdmissionCounters& counters() const { return counters_; }
  [[nodiscard]] const AdmissionReasonCounters& reason_counters() const { return reasons_; }

 private:
  using InitResult = PolicyAnswer<::ike::engine::InitAnswer>;

  AdmissionPolicy(AdmissionPolicyConfig config, ReservationLedger& ledger,
                  mip6::binding::HomeAgentsList& home_agents, mip6::binding::RandomSource rng,
                  BindingLookup lookup);

  [[nodiscard]] bool is_own(const base::Ip6Addr& a) const;
  // The FQDN a REDIRECT to `a` carries; empty: the address itself.
  [[nodiscard]] std::string name_of(const base::Ip6Addr& a) const;
  // Records the event of a redirect to `target` (none: known by `name` only) and returns the
  // gateway identity the REDIRECT carries (R5685-35).
  [[nodiscard]] ::ike::wire::GwIdentity redirect_event(::ike::engine::DecisionPoint point,
                                                       DecisionOutcome outcome,
                                                       AdmissionReason reason,
                                                       const base::Ip6Addr& peer,
                                                       const std::optional<base::Ip6Addr>& target,
                                                       std::string name, base::TimePoint now);
  [[nodiscard]] bool has_binding(const base::Ip6Addr& a) const;
  [[nodiscard]] std::optional<base::Ip6Addr> choose_target(
      const std::optional<base::Ip6Addr>& redirected_from, base::TimePoint now);
  // Serve with a fresh reservation; nullopt (counted) when the cache has no slot.
  [[nodiscard]] std::optional<InitResult> serve_reserved(const ::ike::engine::InitRequest& request,
                                                         AdmissionReason reason,
                                                         base::TimePoint now);
  InitResult redirect_or(const ::ike::engine::InitRequest& request, AdmissionReason redirect_reason,
                         AdmissionReason refuse_reason,
                         std::optional<::ike::wire::NotifyType> refusal, bool may_serve,
                         base::TimePoint now);
  InitResult serve(const ::ike::engine::InitRequest& request, AdmissionReason reason,
                   std::uint64_t tag, base::TimePoint now);
  InitResult redirect(const ::ike::engine::InitRequest& request, const base::Ip6Addr& target,
                      AdmissionReason reason, base::TimePoint now);
  InitResult refuse(const ::ike::engine::InitRequest& request, AdmissionReason reason,
                    std::optional<::ike::wire::NotifyType> notify, base::TimePoint now);
  // False when the event queue was full (the decision is counted all the same).
  bool record(::ike::engine::DecisionPoint point, DecisionOutcome outcome, AdmissionReason reason,
              const base::Ip6Addr& peer, std::optional<base::Ip6Addr> target, base::TimePoint now);
  [[nodiscard]] base::Duration next_gap();

  AdmissionPolicyConfig config_;
  ReservationLedger* ledger_;
  const mip6::binding::BindingCache* cache_;
  mip6::binding::HomeAgentsList* home_agents_;
  mip6::binding::RandomSource rng_;
  BindingLookup lookup_;
  PoolLoadTable pool_load_;

  std::deque<::ike::engine::MoveRequest> drain_queue_;
  base::TimePoint drain_deadline_ = base::kNever;

  std::vector<AdmissionEvent> events_;
  AdmissionCounters counters_;
  AdmissionReasonCounters reasons_;
};

}  // namespace ha::policy
