#pragma once
// MnCore: the mobile node's control plane, sans-IO (STYLE B1). It pairs one IKEv2 bootstrap
// (ike::engine::IkeInitiatorSession: the IKE SA with the home agent and the home address by
// IKEv2 CP, RFC 5026 / RFC 4877) with the home registration (mip6::engine::MnRegistrationEngine,
// RFC 6275 11.7). Inputs come with the current time: start(), IKE datagrams, name resolutions,
// the timer, care-of address changes, the decoded Mobility Header messages the data plane
// receives (BA, BRR, Home Agent Switch) and commands. Outputs (mn_core_output.h) are drained
// with take_outputs(); the shell then re-arms one timer at next_deadline().
//
// Behaviour:
//  * Bootstrap: the IKE SA is set up with the configured home agent, an address or an FQDN
//    resolved first (AAAA, R5026-02). The session follows redirects at IKE_SA_INIT and in
//    IKE_AUTH (RFC 5685 3, 6), so the home agent is the gateway the SA is finally established
//    with. Once it is, with a CP-assigned home address (R5026-11), the registration starts with
//    that home agent, home address and the care-of address. It starts after the session's
//    outputs of that step, so the Child SA protecting the BU (RFC 4877 4) is installed first.
//  * A gateway-initiated redirect (RFC 5685 5) moves the IKE SA only: the registration (home
//    agent, home address, binding) is not touched (R5685-33; the session says IkeGatewayChanged
//    and the new SA's SaEstablished follows, which starts nothing).
//  * Home Agent Switch (RFC 5142 6.1): the registration engine stops using the home agent and
//    de-registers (R5142-26); the core bootstraps anew towards the listed home agents, those in
//    our home prefix first, each in the list's order (R5142-29/31/32), the next one when an
//    attempt fails, and registers with the first that establishes. With no list it discovers
//    the home agent again by the configured FQDN (R5142-30), and fails the switch when there is
//    none. The left home agent's IKE session stays up while the de-registration BU needs its
//    ESP SA and is deleted once the engine reports Deregistered (HomeAgentReleased).
//  * stop(): de-registers, then deletes the IKE SAs once the de-registration ended.
// Datagrams go to the bootstrap whose current or previous IKE SA has their SPIi, otherwise to
// the current bootstrap (whose session drops what is not its own).
// Not here: a new bootstrap when the current IKE SA ends while registered, and moving the IKE
// SA to a new care-of address (no MOBIKE): the registration follows the care-of address, the
// IKE SA keeps its path.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "ike/engine/ike_initiator_session.h"
#include "mip6/engine/mn_registration_engine.h"
#include "mn/core/mn_core_output.h"

namespace mn {

// The home agent to bootstrap with: its address, or its FQDN (RFC 5026 5.1.1).
using HomeAgentTarget = std::variant<base::Ip6Addr, std::string>;

struct MnCoreConfig {
  // The IKE side: identities, proposals, CP requests (sa.request_address for the home address),
  // redirect limits and the PAD check for redirect targets.
  ike::engine::InitiatorSessionConfig ike;
  HomeAgentTarget home_agent;
  std::uint16_t home_agent_port = 500;
  ike::engine::Endpoint local;                   // our IKE endpoint; the shell listens there
  std::optional<base::Ip6Addr> care_of_address;  // unset: local.address
  // Register with the home agent once the IKE SA has a home address; off: IKE only.
  bool register_home = true;
  base::Duration registration_lifetime = std::chrono::seconds(420);
  mip6::engine::MnRegistrationConfig registration;
};

enum class MnCoreCounter : std::uint8_t {
  BootstrapsStarted,
  RegistrationsStarted,
  RegistrationsNotStarted,
  IkeGatewayMoves,  // gateway-initiated redirects completed; the registration kept (R5685-33)
  HomeAgentSwitches,
  HomeAgentSwitchesFailed,
  HomeAgentsReleased,
  DatagramsWithoutSession,  // an IKE datagram while no session exists (resolving, stopped)
  UnexpectedResolutions,    // an answer for a name nobody asked about
  kCount,
};
MIP6_COUNTER_NAMES(MnCoreCounter, BootstrapsStarted, RegistrationsStarted, RegistrationsNotStarted,
                   IkeGatewayMoves, HomeAgentSwitches, HomeAgentSwitchesFailed, HomeAgentsReleased,
                   DatagramsWithoutSession, UnexpectedResolutions);
using MnCoreCounters =
    base::CounterSet<MnCoreCounter, static_cast<std::size_t>(MnCoreCounter::kCount)>;

class MnCore {
 public:
  // `env` references must outlive the core; `rng` draws the registration's first sequence
  // number.
  MnCore(MnCoreConfig config, ike::engine::Environment env,
         mip6::engine::MnRegistrationEngine::RandomSource rng);
  MnCore(const MnCore&) = delete;
  MnCore& operator=(const MnCore&) = delete;
  ~MnCore();

  // Starts the first bootstrap: the IKE_SA_INIT towards an address, or a ResolveGateway for an
  // FQDN. Fails when the session cannot start or start() was called before.
  [[nodiscard]] base::Result<void> start(base::TimePoint now);
  void on_ike_datagram(const ike::engine::Path& path, std::span<const std::uint8_t> bytes,
                       base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;
  [[nodiscard]] std::vector<MnCoreOutput> take_outputs();

  // The answers to ResolveGateway{fqdn}. An error says why the session did not take it (it
  // then counts as not resolved).
  [[nodiscard]] base::Result<void> on_gateway_resolved(std::string_view fqdn,
                                                       const base::Ip6Addr& address,
                                                       base::TimePoint now);
  void on_gateway_resolve_failed(std::string_view fqdn, base::TimePoint now);

  // The primary care-of address changed: the registration (if any) follows it (RFC 6275
  // 11.7.1); later registrations use it.
  [[nodiscard]] base::Result<void> change_care_of_address(const base::Ip6Addr& care_of_address,
                                                          base::TimePoint now);

  // Mobility Header messages the data plane received and decoded (checksum and ESP checked).
  void on_binding_ack(const mip6::engine::BaContext& ctx, const mip6::wire::BindingAck& ba,
                      base::TimePoint now);
  void on_home_agent_switch(const mip6::engine::MhContext& ctx,
                            const mip6::wire::HomeAgentSwitch& msg, base::TimePoint now);
  void on_binding_refresh_request(const mip6::engine::MhContext& ctx, base::TimePoint now);

  // Commands. deregister(): the binding only. delete_ike_sa(): the current IKE SA only (RFC
  // 7296 1.4.1). stop(): de-register, then delete every IKE SA.
  [[nodiscard]] base::Result<void> deregister(base::TimePoint now);
  [[nodiscard]] base::Result<void> delete_ike_sa(base::TimePoint now);
  void stop(base::TimePoint now);

  // The current bootstrap's session (nullptr while its home agent's name is resolved).
  [[nodiscard]] const ike::engine::IkeInitiatorSession* session() const;
  // Every live session, the current one first (for keys and diagnostics).
  [[nodiscard]] std::vector<const ike::engine::IkeInitiatorSession*> sessions() const;
  [[nodiscard]] unsigned bootstrap() const;
  [[nodiscard]] const mip6::engine::MnRegistrationEngine& registration() const {
    return registration_;
  }
  [[nodiscard]] const base::Ip6Addr& care_of_address() const { return care_of_; }
  [[nodiscard]] const MnCoreCounters& counters() const { return counters_; }
  // stop() was called and every IKE session is over.
  [[nodiscard]] bool finished() const;

 private:
  struct Bootstrap;
  struct PendingName {
    std::string fqdn;
    unsigned bootstrap = 0;
    bool for_session = false;  // a redirect target; otherwise the bootstrap's home agent
  };

  // Starts `b` towards its next candidate or its FQDN; false when it has neither left or the
  // session refused to start (error in `error`).
  bool begin(Bootstrap& b, base::TimePoint now, base::Error* error = nullptr);
  bool start_session(Bootstrap& b, const base::Ip6Addr& home_agent, base::TimePoint now,
                     base::Error* error);
  Bootstrap* find(unsigned id);
  // Drains every session and the engine until nothing more comes out.
  void flush(base::TimePoint now);
  bool drain_session(Bootstrap& b, base::TimePoint now);
  bool drain_registration(base::TimePoint now);
  void start_registration(Bootstrap& b, const ike::engine::SaEstablished& established,
                          base::TimePoint now);
  // The current bootstrap (a switch's) failed: its next candidate, or the switch failed.
  void next_candidate(base::TimePoint now);
  // Starts the current (switch) bootstrap's first usable candidate, or fails the switch.
  void start_candidate(base::TimePoint now);
  // Moves a session that is still deleting an SA out of `b` (into leaving_) and clears it.
  void park(Bootstrap& b);
  void follow_switch(const mip6::engine::HomeAgentSwitchRequested& request, base::TimePoint now);
  void on_deregistered(const mip6::engine::Deregistered& d, base::TimePoint now);
  // Deletes the IKE SA of `b` (or drops a session that has none established).
  void close(Bootstrap& b, base::TimePoint now);
  void release_finished();

  MnCoreConfig config_;
  ike::engine::Environment env_;
  mip6::engine::MnRegistrationEngine registration_;
  base::Ip6Addr care_of_;
  // The home prefix of the registration (CP MIP6_HOME_PREFIX, else the home address's /64);
  // /0 before any: every home agent counts as on it.
  std::pair<base::Ip6Addr, std::uint8_t> home_prefix_{base::Ip6Addr{}, 0};
  std::unique_ptr<Bootstrap> current_;
  std::vector<std::unique_ptr<Bootstrap>> leaving_;  // home agents we switched away from
  std::vector<PendingName> resolving_;
  unsigned bootstraps_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::vector<MnCoreOutput> outputs_;
  MnCoreCounters counters_;
};

}  // namespace mn
