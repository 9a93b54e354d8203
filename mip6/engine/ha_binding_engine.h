#pragma once
// HaBindingEngine: the home agent's home-registration engine (RFC 6275 9.5.1, 10.3.1, 10.3.2),
// sans-IO. A decoded Binding Update plus its packet context comes in; Binding
// Acknowledgements, kernel requests (routes, proxy ND, DAD) and events go out as plain values
// in a queue the shell drains. Time is an argument; the shell arms one timer at
// next_deadline() and calls on_timer().
//
// Order of checks for a BU (HoA = HAO address, else the IPv6 source):
//   1. HoA not unicast routable                       -> silent drop (R6275-27)
//   2. not ESP-protected                              -> silent drop (R6275-28, R6275-71)
//   3. IKE identity not authorised for the HoA        -> silent drop (R6275-72, RFC 4877 4.2)
//   4. H = 1 with a Nonce Indices option              -> silent drop (R6275-26)
//   5. stale sequence number against an existing BCE  -> BA 135 with the last accepted (R6275-24)
//   6. H differs from an Active BCE's flag            -> BA 139, BCE unchanged (R6275-25)
//   7. H = 0 (correspondent registration, no RR here) -> silent drop (R6275-27)
//   8. not configured as HA for the destination       -> BA 131 (R6275-29)
//   9. de-registration (lifetime 0 or CoA == HoA): without an Active BCE BA 133 (R6275-45),
//      else stop proxying at once, BA 0 lifetime 0 no BRA, hold the BCE 10 s (R6275-46/47)
//  10. registration without a HAO                     -> silent drop (R6275-32)
//  11. CoA not unicast routable                       -> silent drop (R6275-27)
//  12. HoA not in a valid home prefix                 -> BA 132 (R6275-30)
//  13. new binding while draining                     -> BA 129 (R6275-31)
//  14. new binding: a reservation or a free slot (else BA 130), then DAD for the HoA (and
//      the link-local if L) before the BA; DAD failure -> BA 134 (R6275-33)
//  15. create/update the BCE; BA 0 or 1 always (R6275-36/37), lifetime clamped (R6275-35),
//      K only if BU K, dynamic SA and configured (R6275-38), BRA < lifetime (R6275-12/40),
//      to the BU source with a type 2 RH when the BU had a HAO (R6275-41).
// Home Agent Switch sender (RFC 5142 5): send_home_agent_switch() moves a bound MN to other
// HAs. The binding enters "switch pending": the message is retransmitted 5 -> 10 -> 20 -> 20 s
// (R5142-14..17) until the MN's de-registration BU acknowledges it; refreshes that would
// extend the binding get BA 129 (R5142-22); the binding keeps being served until its lifetime
// ends (R5142-21). New switches leave at most one per min_interval across all MNs (R5142-33);
// retransmissions follow their own back-off. Every message must go through the HA->MN ESP SA
// (R5142-10/35): the output says so and the shell never sends it in the clear.
// The security checks (2-3) come before any BA so that an unauthenticated sender learns
// nothing, not even the last accepted sequence number: in RFC 4301 processing the inbound SPD
// check happens before the Mobility Header is delivered at all.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "mip6/binding/binding_cache.h"
#include "mip6/binding/sequence.h"
#include "mip6/engine/ha_home_address_authorizer.h"
#include "mip6/wire/mobility_header.h"

namespace mip6::engine {

// RFC 5142 8.
inline constexpr base::Duration kInitialHaSwitchTimeout = std::chrono::seconds(5);
inline constexpr base::Duration kMaxHaSwitchTimeout = std::chrono::seconds(20);
// MAX-HA-SWITCH-TRANSMIT-RATE = 1 per second.
inline constexpr base::Duration kHaSwitchTransmitInterval = std::chrono::seconds(1);

struct HaSwitchConfig {
  base::Duration initial_timeout = kInitialHaSwitchTimeout;  // R5142-15
  base::Duration max_timeout = kMaxHaSwitchTimeout;          // R5142-16
  // New switches are spaced by at least this across all MNs (R5142-33).
  base::Duration min_interval = kHaSwitchTransmitInterval;
  // Addresses listed at most (an MH is at most 2048 octets: 127 addresses fit; the MN needs a
  // few).
  std::size_t max_addresses = 8;
};

// A home prefix served on the home link. Lifetimes are absolute deadlines; base::kNever means
// infinite (RFC 4861 0xffffffff).
struct HomePrefix {
  base::Ip6Addr prefix;
  std::uint8_t length = 64;
  base::TimePoint valid_until = base::kNever;
  base::TimePoint preferred_until = base::kNever;
};

enum class HaAdminState : std::uint8_t {
  Serving,
  Draining,  // no new bindings (BA 129); existing ones are refreshed and moved as usual
};
MIP6_ENUM_NAMES(HaAdminState, Serving, Draining);

struct HaBindingConfig {
  // False: every home registration gets BA 131 (R6275-29).
  bool home_agent = true;
  // Addresses this node serves as HA on; a BU to another destination gets BA 131. Empty: any.
  std::vector<base::Ip6Addr> home_agent_addresses;
  std::vector<HomePrefix> home_prefixes;
  // Local policy cap on granted lifetimes (R6275-35). Rounded down to 4-second units.
  base::Duration max_lifetime = std::chrono::hours(1);
  // Binding Cache admission: bindings + live reservations never exceed this.
  std::uint32_t capacity = 1000;
  // How long an unused reservation (taken at IKE_SA_INIT) holds its slot. Fixed at
  // construction.
  base::Duration reservation_ttl = std::chrono::seconds(30);
  HaAdminState admin_state = HaAdminState::Serving;
  // Binding Refresh Advice = this fraction of the granted lifetime, kept < lifetime
  // (R6275-12). 0 disables it.
  double refresh_advice_fraction = 0.5;
  // The BCE survives restarts (non-volatile): the BRA must be omitted (R6275-40).
  bool non_volatile_binding_cache = false;
  // The HA can move its IKE endpoint to a new CoA: with a dynamic SA and K in the BU, the BA
  // carries K (R6275-38).
  bool can_move_ike_endpoint = false;
  // BUs waiting for DAD. Beyond this a new registration gets BA 130.
  std::size_t max_pending_dad = 4096;
  // No on_dad_result by then: the pending BU is dropped without a BA (the MN retransmits).
  base::Duration dad_timeout = std::chrono::seconds(5);
  HaSwitchConfig ha_switch;  // RFC 5142
};

// The security context of the packet that carried the BU, as the IPsec layer saw it.
struct BuSecurity {
  bool esp_protected = false;
  bool dynamic_keying = false;         // the SA was created by IKEv2 (not manual keys)
  std::string_view ike_identity;       // authenticated peer identity of the SA's IKE SA
  binding::IkeIdentityHandle identity; // the IKE layer's handle for that identity
  binding::ReservationId reservation;  // the admission slot held by that IKE SA, if any
};

struct BuContext {
  base::Ip6Addr source;       // IPv6 source: the CoA away from home, the HoA at home
  base::Ip6Addr destination;  // the HA address the BU was sent to
  std::optional<base::Ip6Addr> home_address_option;  // HAO, if present
  BuSecurity security;
};

// ---- outputs -------------------------------------------------------------------------------

// Send a BA to `destination` (the BU's IPv6 source) from `source`, with a type 2 routing
// header holding `type2_home_address` when set (R6275-41, R4877-19).
struct SendBindingAck {
  base::Ip6Addr source;
  base::Ip6Addr destination;
  std::optional<base::Ip6Addr> type2_home_address;
  wire::BindingAck ack;
};
// Tunnel traffic for `hoa` to `coa` (RFC 6275 10.4).
struct AddBindingRoute {
  base::Ip6Addr hoa;
  base::Ip6Addr coa;
};
struct UpdateBindingRoute {
  base::Ip6Addr hoa;
  base::Ip6Addr old_coa;
  base::Ip6Addr coa;
};
struct DeleteBindingRoute {
  base::Ip6Addr hoa;
  base::Ip6Addr coa;
};
// Proxy ND for `hoa` (and fe80::/64 + its IID when link_local_too), with unsolicited NAs
// (R6275-42/43).
struct StartProxyNd {
  base::Ip6Addr hoa;
  bool link_local_too = false;
};
struct StopProxyNd {
  base::Ip6Addr hoa;
  bool link_local_too = false;
};
// Run DAD for `hoa` (and its link-local when link_local_too) on the home link, then call
// on_dad_result() (R6275-33).
struct StartDad {
  base::Ip6Addr hoa;
  bool link_local_too = false;
};
// The binding's CoA changed (or, on de-registration, became the HoA). move_endpoint (K
// granted): move the IKE SA's peer address to `coa`; otherwise the IKE SA's address is stale
// and the MN will re-run IKEv2 (R6275-38, RFC 4877 5).
struct IkeEndpointUpdate {
  binding::IkeIdentityHandle identity;
  base::Ip6Addr hoa;
  base::Ip6Addr old_coa;
  base::Ip6Addr coa;
  bool move_endpoint = false;
};

// Send an RFC 5142 Home Agent Switch to the MN's care-of address with a type 2 routing header
// holding its home address (as a BA, R6275-41). It MUST leave through the HA->MN ESP SA of
// `identity`'s IKE SA (R5142-10, R5142-35): a shell without that SA drops it, never sends it
// in the clear.
struct SendHomeAgentSwitch {
  std::optional<base::Ip6Addr> source;  // our HA address; nullopt: the shell's choice
  base::Ip6Addr destination;            // the binding's care-of address
  base::Ip6Addr home_address;           // type 2 routing header
  binding::IkeIdentityHandle identity;  // whose ESP SA protects it
  wire::HomeAgentSwitch message;
  unsigned transmission = 1;  // 1 = first, 2.. = retransmissions (R5142-14)
  static constexpr bool kEspRequired = true;
};

enum class HaEventKind : std::uint8_t {
  BindingCreated,
  BindingMoved,
  BindingDeregistered,
  BindingExpired,
  BindingRejected,  // reason = BA status name
  BuDropped,        // reason = BuDropReason name
  DadStarted,
  DadFailed,
  DadTimedOut,
  HaSwitchSent,          // reason = "first" or "retransmission"
  HaSwitchAcknowledged,  // the de-registration BU arrived (R5142-14)
  HaSwitchUnanswered,    // the binding expired with the switch still pending (R5142-20)
};
MIP6_ENUM_NAMES(HaEventKind, BindingCreated, BindingMoved, BindingDeregistered, BindingExpired,
                BindingRejected, BuDropped, DadStarted, DadFailed, DadTimedOut, HaSwitchSent,
                HaSwitchAcknowledged, HaSwitchUnanswered);

// For logs: reason is a static string (status or drop-reason name).
struct HaEvent {
  HaEventKind kind = HaEventKind::BindingCreated;
  base::Ip6Addr hoa;
  std::string_view reason;
};

using HaOutput = std::variant<SendBindingAck, AddBindingRoute, UpdateBindingRoute,
                              DeleteBindingRoute, StartProxyNd, StopProxyNd, StartDad,
                              IkeEndpointUpdate, HaEvent, SendHomeAgentSwitch>;

enum class BuDropReason : std::uint8_t {
  NonUnicastHomeAddress,
  NotEspProtected,
  IdentityNotAuthorized,
  NonceIndicesWithHomeRegistration,
  CorrespondentRegistration,
  MissingHomeAddressOption,
  InvalidCareOfAddress,
};
MIP6_ENUM_NAMES(BuDropReason, NonUnicastHomeAddress, NotEspProtected, IdentityNotAuthorized,
                NonceIndicesWithHomeRegistration, CorrespondentRegistration,
                MissingHomeAddressOption, InvalidCareOfAddress);

enum class HaCounter : std::uint8_t {
  BuReceived,
  BaSent,
  // one per BA status the HA sends
  BaAccepted,                  // 0
  BaAcceptedPrefixDiscovery,   // 1
  BaAdminProhibited,           // 129
  BaInsufficientResources,     // 130
  BaHomeRegistrationNotSupported,  // 131
  BaNotHomeSubnet,             // 132
  BaNotHomeAgent,              // 133
  BaDadFailed,                 // 134
  BaSequenceOutOfWindow,       // 135
  BaRegistrationTypeChange,    // 139
  // one per silent drop
  DropNonUnicastHomeAddress,
  DropNotEspProtected,
  DropIdentityNotAuthorized,
  DropNonceIndices,
  DropCorrespondentRegistration,
  DropMissingHomeAddressOption,
  DropInvalidCareOfAddress,
  // state changes
  BindingsCreated,
  BindingsRefreshed,
  BindingsMoved,
  BindingsDeregistered,
  BindingsExpired,
  DadStarted,
  DadSucceeded,
  DadFailed,
  DadTimedOut,
  DadPendingUpdated,     // a newer BU for a HoA whose DAD is running replaced the pending one
  DadPendingStale,       // an older BU for a HoA whose DAD is running: ignored
  DadPendingCancelled,   // de-registration while DAD was running
  DadPendingFull,        // answered 130
  DadResultUnmatched,    // on_dad_result for no pending BU
  // RFC 5142 sender
  HaSwitchRequested,         // send_home_agent_switch() accepted a binding
  HaSwitchSent,              // first transmissions
  HaSwitchRetransmitted,     // R5142-14
  HaSwitchRateDeferred,      // a new switch waited for the rate cap (R5142-33)
  HaSwitchAcknowledged,      // de-registration BU while pending
  HaSwitchUnanswered,        // binding expired while pending (R5142-20)
  HaSwitchExtensionRefused,  // BA 129 to a lifetime extension while pending (R5142-22)
  HaSwitchRefusedNoBinding,  // send_home_agent_switch() without an Active binding
  kCount,
};
MIP6_COUNTER_NAMES(HaCounter, BuReceived, BaSent, BaAccepted, BaAcceptedPrefixDiscovery,
                   BaAdminProhibited, BaInsufficientResources, BaHomeRegistrationNotSupported,
                   BaNotHomeSubnet, BaNotHomeAgent, BaDadFailed, BaSequenceOutOfWindow,
                   BaRegistrationTypeChange, DropNonUnicastHomeAddress, DropNotEspProtected,
                   DropIdentityNotAuthorized, DropNonceIndices, DropCorrespondentRegistration,
                   DropMissingHomeAddressOption, DropInvalidCareOfAddress, BindingsCreated,
                   BindingsRefreshed, BindingsMoved, BindingsDeregistered, BindingsExpired,
                   DadStarted, DadSucceeded, DadFailed, DadTimedOut, DadPendingUpdated,
                   DadPendingStale, DadPendingCancelled, DadPendingFull, DadResultUnmatched,
                   HaSwitchRequested, HaSwitchSent, HaSwitchRetransmitted, HaSwitchRateDeferred,
                   HaSwitchAcknowledged, HaSwitchUnanswered, HaSwitchExtensionRefused,
                   HaSwitchRefusedNoBinding);

enum class HaSwitchError : std::uint8_t {
  NoBinding,       // no Active binding for the home address
  AlreadyPending,  // a switch for it is already running
};
MIP6_ENUM_NAMES(HaSwitchError, NoBinding, AlreadyPending);
using HaCounters = base::CounterSet<HaCounter, static_cast<std::size_t>(HaCounter::kCount)>;

class HaBindingEngine {
 public:
  // `authorizer` must outlive the engine.
  HaBindingEngine(const HaBindingConfig& config, const HomeAddressAuthorizer& authorizer,
                  base::TimePoint now);

  void on_binding_update(const BuContext& ctx, const wire::BindingUpdate& bu,
                         base::TimePoint now);
  void on_dad_result(const base::Ip6Addr& hoa, bool ok, base::TimePoint now);
  // RFC 5142 5.1: asks the MN bound at `hoa` to move to `home_agents` (best first, as for a
  // DHAAD Reply, R5142-07; empty: the MN discovers one, R5142-08). With `refresh_advice` the
  // message carries a Binding Refresh Advice (R5142-09) and the first retransmission waits
  // min(advice / 2, initial timeout) (R5142-18). Sent at once, or at the next slot of the
  // rate cap (R5142-33).
  [[nodiscard]] base::Result<void, HaSwitchError> send_home_agent_switch(
      const base::Ip6Addr& hoa, std::vector<base::Ip6Addr> home_agents,
      std::optional<base::Duration> refresh_advice, base::TimePoint now);
  [[nodiscard]] bool switch_pending(const base::Ip6Addr& hoa) const {
    return switches_.count(hoa) != 0;
  }
  [[nodiscard]] std::size_t pending_switch_count() const { return switches_.size(); }
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;

  // Takes effect for the next BU (admin state, prefixes, lifetimes, capacity, flags). The
  // reservation TTL stays as constructed. Existing bindings keep their granted lifetimes.
  void update_config(const HaBindingConfig& config);
  void set_admin_state(HaAdminState state) { config_.admin_state = state; }
  [[nodiscard]] const HaBindingConfig& config() const { return config_; }

  // The output queue. Either take it, or read it and clear it (keeps its capacity).
  [[nodiscard]] std::vector<HaOutput> take_outputs();
  [[nodiscard]] const std::vector<HaOutput>& outputs() const { return outputs_; }
  void clear_outputs() { outputs_.clear(); }

  // The Binding Cache, also used by the IKE responder for admission (reserve/release/load).
  [[nodiscard]] binding::BindingCache& binding_cache() { return cache_; }
  [[nodiscard]] const binding::BindingCache& binding_cache() const { return cache_; }
  [[nodiscard]] const HaCounters& counters() const { return counters_; }
  [[nodiscard]] std::size_t pending_dad_count() const { return pending_.size(); }

 private:
  // Where a BA for a given BU goes.
  struct AckTarget {
    base::Ip6Addr ha;
    base::Ip6Addr destination;
    std::optional<base::Ip6Addr> type2_home_address;
  };
  // A registration waiting for DAD: just what is needed to finish it.
  struct PendingDad {
    AckTarget target;
    base::Ip6Addr coa;
    binding::BindingSequence sequence;
    std::uint16_t requested_lifetime = 0;
    bool link_local = false;
    bool key_mgmt_requested = false;  // BU K && dynamic SA
    binding::IkeIdentityHandle identity;
    binding::ReservationId reservation;
    bool reservation_owned = false;  // taken by the engine (not the IKE SA's): release it
    std::map<std::pair<base::TimePoint, std::uint64_t>, base::Ip6Addr>::iterator timeout;
  };
  struct Grant {
    std::uint16_t units = 0;
    wire::BaStatus status = wire::BaStatus::Accepted;
  };

  void drop(BuDropReason reason, HaCounter counter, const base::Ip6Addr& hoa);
  void send_ack(const AckTarget& target, wire::BindingAck&& ack);
  void reject(const AckTarget& target, wire::BaStatus status, std::uint16_t sequence,
              const base::Ip6Addr& hoa);
  void deregister(const AckTarget& target, const BuContext& ctx, const wire::BindingUpdate& bu,
                  const binding::BindingInfo& existing, base::TimePoint now);
  void refresh(const AckTarget& target, const BuContext& ctx, const wire::BindingUpdate& bu,
               const base::Ip6Addr& hoa, const base::Ip6Addr& coa, const HomePrefix& prefix,
               base::TimePoint now);
  void start_registration(const AckTarget& target, const BuContext& ctx,
                          const wire::BindingUpdate& bu, const base::Ip6Addr& hoa,
                          const base::Ip6Addr& coa, base::TimePoint now);
  void finish_registration(const base::Ip6Addr& hoa, PendingDad&& pending, base::TimePoint now);
  void release_pending(PendingDad& pending);
  // RFC 5142 sender.
  struct PendingSwitch {
    wire::HomeAgentSwitch message;
    base::TimePoint next_send = base::kNever;  // kNever while waiting in switch_queue_
    base::Duration wait{};  // before the next retransmission; doubles up to max (R5142-16)
    unsigned transmissions = 0;
  };
  // False when the binding is gone (the caller forgets the switch).
  [[nodiscard]] bool transmit_switch(const base::Ip6Addr& hoa, PendingSwitch& s,
                                     base::TimePoint now);
  void end_switch(const base::Ip6Addr& hoa, HaCounter counter, HaEventKind kind,
                  std::string_view reason);
  void run_switches(base::TimePoint now);

  [[nodiscard]] bool serves_as_home_agent(const base::Ip6Addr& destination) const;
  // The home prefix holding `hoa` with at least one 4-second unit of valid lifetime left.
  [[nodiscard]] const HomePrefix* home_prefix_for(const base::Ip6Addr& hoa,
                                                  base::TimePoint now) const;
  [[nodiscard]] Grant grant_lifetime(std::uint16_t requested, const HomePrefix& prefix,
                                     base::TimePoint now) const;
  [[nodiscard]] bool grant_key_mgmt(bool bu_k, bool dynamic_keying) const;
  void add_refresh_advice(wire::BindingAck& ack) const;

  HaBindingConfig config_;
  const HomeAddressAuthorizer& authorizer_;
  binding::BindingCache cache_;
  std::unordered_map<base::Ip6Addr, PendingDad, base::Ip6AddrHash> pending_;
  std::map<std::pair<base::TimePoint, std::uint64_t>, base::Ip6Addr> dad_timeouts_;
  std::uint64_t dad_serial_ = 0;
  std::vector<HaOutput> outputs_;
  std::vector<binding::ExpiredBinding> expired_;  // scratch for on_timer
  std::unordered_map<base::Ip6Addr, PendingSwitch, base::Ip6AddrHash> switches_;
  std::deque<base::Ip6Addr> switch_queue_;        // new switches waiting for the rate cap
  base::TimePoint next_switch_slot_{};            // earliest time of the next new switch
  HaCounters counters_;
};

}  // namespace mip6::engine
