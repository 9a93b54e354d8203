#pragma once
// The home agent's admission / redirect decision (RFC 5685 with RFC 5142 for bound peers).
//
// Pure policy: no IKE messages, no I/O, time passed in, randomness injected. The IKE responder
// asks three questions and acts on the answer:
//  A. decide_at_ike_sa_init(): before any DH work or binding, serve (taking a Binding Cache
//     reservation, so concurrent bootstraps never overshoot capacity), redirect (RFC 5685 3/4)
//     or refuse.
//  B. decide_at_ike_auth(): identity known; redirect when the identity belongs to another HA.
//  C. decide_move() and the drain scheduler: peers we already serve. A peer with a binding is
//     moved with an RFC 5142 Home Agent Switch, never with a gateway-initiated REDIRECT
//     (R5685-33: the MN must not change MIPv6 state on it); a peer with only an IKE SA gets a
//     gateway-initiated REDIRECT.
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

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
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
std::string_view to_string(AdmissionReason r);

// How the IKE layer answers a refused IKE_SA_INIT. RFC 7296 2.21.1 leaves IKE_SA_INIT errors
// unauthenticated and gives corrective actions only to COOKIE, INVALID_KE_PAYLOAD and
// INVALID_MAJOR_VERSION; TEMPORARY_FAILURE is defined for CREATE_CHILD_SA collisions (2.25)
// and NO_ADDITIONAL_SAS for CREATE_CHILD_SA, so neither fits here. NO_PROPOSAL_CHOSEN (14),
// sent with SPIr = 0 and no SA created, is the notify the RFC allows for "I will not make this
// IKE SA"; the initiator keeps trying for a while (2.21.1), which is what we want while full.
// Under a half-open flood answering at all is work for the attacker's benefit: drop instead
// (strongSwan does the same) and let the IKE layer's COOKIE rule (R7296-21) run first.
enum class RefuseAction : std::uint8_t {
  NoProposalChosen,
  Drop,
};
std::string_view to_string(RefuseAction a);

struct InitRequest {
  base::Ip6Addr initiator;          // source address of the IKE_SA_INIT request
  base::Ip6Addr local;              // address it arrived on: one of ours, unicast or anycast
  bool redirect_supported = false;  // N(REDIRECT_SUPPORTED) seen
  std::optional<base::Ip6Addr> redirected_from;  // N(REDIRECTED_FROM): implies support (3)
  std::uint32_t half_open_ike_sas = 0;           // current half-open responder IKE SAs
};

// IKE_SA_INIT outcomes. `reservation` is invalid when no slot was needed (ExistingBinding);
// the IKE layer keeps a valid one with its SA and releases it if IKE_AUTH fails or redirects.
struct Serve {
  mip6::binding::ReservationId reservation;
  AdmissionReason reason = AdmissionReason::Room;
};
struct Redirect {
  base::Ip6Addr target;  // unspecified (::) when the HA is known by its FQDN only
  AdmissionReason reason = AdmissionReason::Overload;
  // Non-empty: the REDIRECT names the gateway by this FQDN (R5685-35, GW Ident Type 3).
  std::string target_fqdn = {};
};
struct Refuse {
  AdmissionReason reason = AdmissionReason::FullNoTarget;
  RefuseAction action = RefuseAction::NoProposalChosen;
};
using InitDecision = std::variant<Serve, Redirect, Refuse>;

struct AuthRequest {
  std::string_view identity;  // authenticated IDi (R5685-21: only after AUTH is verified)
  base::Ip6Addr initiator;
  bool redirect_supported = false;  // as recorded at IKE_SA_INIT (R5685-02)
  // The reservation taken at IKE_SA_INIT: released here when the decision is Redirect.
  mip6::binding::ReservationId reservation;
};
struct Continue {
  AdmissionReason reason = AdmissionReason::NotAssignedElsewhere;
};
using AuthDecision = std::variant<Continue, Redirect>;

// A peer we serve, as the IKE layer knows it.
struct ServedPeer {
  base::Ip6Addr ike_peer;                     // the IKE SA's remote address
  std::optional<base::Ip6Addr> home_address;  // when the IKE layer assigned/knows one
  bool redirect_supported = false;            // recorded at IKE_SA_INIT (R5685-02)
};
struct HomeAgentSwitch {
  ServedPeer peer;
  std::vector<base::Ip6Addr> targets;  // best first; the MN tries them in order (R5142-31)
};
struct GatewayInitiatedRedirect {
  ServedPeer peer;
  base::Ip6Addr target;
  std::string target_fqdn = {};  // as in Redirect
};
struct NoMove {
  ServedPeer peer;
  AdmissionReason reason = AdmissionReason::MoveNoTarget;
};
using MoveDecision = std::variant<HomeAgentSwitch, GatewayInitiatedRedirect, NoMove>;

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
std::string_view to_string(AdmissionConfigError e);

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
std::string_view to_string(AdmissionCounter c);
using AdmissionCounters =
    base::CounterSet<AdmissionCounter, static_cast<std::size_t>(AdmissionCounter::kCount)>;
using AdmissionReasonCounters =
    base::CounterSet<AdmissionReason, static_cast<std::size_t>(AdmissionReason::kCount)>;

enum class DecisionPoint : std::uint8_t { IkeSaInit, IkeAuth, Move };
std::string_view to_string(DecisionPoint p);

enum class DecisionOutcome : std::uint8_t {
  Served,
  Redirected,
  Refused,
  Continued,
  Switched,
  GatewayRedirected,
  NotMoved
};
std::string_view to_string(DecisionOutcome o);

// One per decision, for the event log (the shell drains take_events()).
struct AdmissionEvent {
  DecisionPoint point = DecisionPoint::IkeSaInit;
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
  // References must outlive the policy. `rng` draws the drain jitter.
  [[nodiscard]] static base::Result<AdmissionPolicy, AdmissionConfigError> create(
      AdmissionPolicyConfig config, mip6::binding::BindingCache& cache,
      mip6::binding::HomeAgentsList& home_agents, mip6::binding::RandomSource rng,
      BindingLookup lookup = {});

  [[nodiscard]] InitDecision decide_at_ike_sa_init(const InitRequest& request, base::TimePoint now);
  [[nodiscard]] AuthDecision decide_at_ike_auth(const AuthRequest& request, base::TimePoint now);
  [[nodiscard]] MoveDecision decide_move(const ServedPeer& peer, base::TimePoint now);

  // Drain scheduler (sans-IO): queue peers to move; the shell arms one timer at
  // next_deadline() and calls on_timer(now), which emits at most one move, so even a late
  // timer never bursts above the rate (R5142-33). Peers already queued are not added twice.
  void start_drain(const std::vector<ServedPeer>& peers, base::TimePoint now);
  void stop_drain();
  [[nodiscard]] base::TimePoint next_deadline() const;
  [[nodiscard]] std::optional<MoveDecision> on_timer(base::TimePoint now);
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
  AdmissionPolicy(AdmissionPolicyConfig config, mip6::binding::BindingCache& cache,
                  mip6::binding::HomeAgentsList& home_agents, mip6::binding::RandomSource rng,
                  BindingLookup lookup);

  [[nodiscard]] bool is_own(const base::Ip6Addr& a) const;
  // The FQDN a REDIRECT to `a` carries; empty: the address itself.
  [[nodiscard]] std::string name_of(const base::Ip6Addr& a) const;
  // Names the target of the event record() just queued (if it was queued).
  void name_last_event(std::string name);
  [[nodiscard]] bool has_binding(const base::Ip6Addr& a) const;
  [[nodiscard]] std::optional<base::Ip6Addr> choose_target(
      const std::optional<base::Ip6Addr>& redirected_from, base::TimePoint now);
  InitDecision redirect_or(const InitRequest& request, AdmissionReason redirect_reason,
                           AdmissionReason refuse_reason, RefuseAction refuse_action,
                           bool may_serve, base::TimePoint now);
  InitDecision serve(const InitRequest& request, AdmissionReason reason,
                     mip6::binding::ReservationId id, base::TimePoint now);
  InitDecision redirect(const InitRequest& request, const base::Ip6Addr& target,
                        AdmissionReason reason, base::TimePoint now);
  InitDecision refuse(const InitRequest& request, AdmissionReason reason, RefuseAction action,
                      base::TimePoint now);
  void record(DecisionPoint point, DecisionOutcome outcome, AdmissionReason reason,
              const base::Ip6Addr& peer, std::optional<base::Ip6Addr> target, base::TimePoint now);
  [[nodiscard]] base::Duration next_gap();

  AdmissionPolicyConfig config_;
  mip6::binding::BindingCache* cache_;
  mip6::binding::HomeAgentsList* home_agents_;
  mip6::binding::RandomSource rng_;
  BindingLookup lookup_;
  PoolLoadTable pool_load_;

  std::deque<ServedPeer> drain_queue_;
  base::TimePoint drain_deadline_ = base::kNever;

  std::vector<AdmissionEvent> events_;
  AdmissionCounters counters_;
  AdmissionReasonCounters reasons_;
};

}  // namespace ha::policy
