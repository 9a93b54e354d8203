#pragma once
// HaCore: the home agent's decisions and bookkeeping behind the IKEv2 responder front, sans-IO
// (STYLE B1): no sockets, no clock (time is an argument), no JSON, no Asio.
//   - owns the HA binding engine (and so the Binding Cache), the ReservationLedger, the Home
//     Agents List, the AdmissionPolicy and IkeAdmission (its IKE_SA_INIT and IKE_AUTH answers);
//   - follows the responder front's outputs: which peers hold an established IKE SA (the
//     ledger keeps the reservation each took at IKE_SA_INIT until its binding arrives, and the
//     core gives it back when the peer is moved away);
//   - drain: admin state Draining, AdmissionPolicy::start_drain() over the served peers, and
//     each move the scheduler decides carried out: a Redirect as a RedirectSa command for the
//     shell (RFC 5685 5 on the established SA, with the grace period; the shell reports the
//     result), a SwitchHomeAgent through the binding engine's RFC 5142 sender;
//   - control commands as typed calls (start_drain, resume, status, peers).
// Inputs: on_responder_output(), on_timer(), on_redirect_done() and the control calls.
// Outputs (ha_events.h): take_events() (typed events), take_commands() (for the shell) and
// take_mip6_outputs() (the binding engine's, for the data plane).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ha/daemon/ha_config.h"
#include "ha/daemon/ha_events.h"
#include "ha/daemon/home_address_pool.h"
#include "ha/ike/ike_admission.h"
#include "ha/policy/admission_policy.h"
#include "ha/policy/reservation_ledger.h"
#include "ike/base/clock.h"
#include "ike/base/result.h"
#include "ike/engine/ike_responder.h"
#include "mip6/binding/home_agents_list.h"
#include "mip6/engine/ha_binding_engine.h"

namespace ha::daemon {

// One established IKE SA of a peer we serve. The SPIs are the current ones: an IKE SA rekey
// (tasks/ike_rekey.h: in place, same IkeSa object) re-files the record under its new SPIr.
struct PeerRecord {
  std::uint64_t spi_i = 0;
  std::uint64_t spi_r = 0;
  std::uint32_t rekeys = 0;
  base::Ip6Addr address;  // the IKE peer's address
  std::string identity;
  std::optional<base::Ip6Addr> home_address;  // assigned by CP
  bool redirect_supported = false;
  base::TimePoint established_at;
  std::optional<base::Ip6Addr> moved_to;  // a move was sent (redirect or switch)
  std::optional<MoveKind> move;
  SaEnd ended = SaEnd::Removed;  // how the SA ended, for PeerRemoved
  std::string_view ended_detail;
};

class HaCore {
 public:
  // `rng` draws the drain jitter and the list's tie-breaks.
  [[nodiscard]] static base::Result<std::unique_ptr<HaCore>, std::string> create(
      const HaDaemonConfig& config, base::TimePoint now, mip6::binding::RandomSource rng);
  HaCore(const HaCore&) = delete;
  HaCore& operator=(const HaCore&) = delete;

  [[nodiscard]] ::ike::engine::InitDecision& init_decision() { return *admission_; }
  [[nodiscard]] ::ike::engine::AuthDecision& auth_decision() { return *admission_; }
  // The responder's CP source; a lease is released when its SA goes without a binding.
  [[nodiscard]] HomeAddressPool& address_pool() { return *address_pool_; }

  // Every non-datagram output of the responder front; `sa` as the driver reports it.
  void on_responder_output(const ::ike::engine::ResponderOutput& output,
                           const ::ike::engine::IkeSa* sa, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;
  // The shell carried out RedirectSa `id`; the error text says why it could not.
  void on_redirect_done(std::uint64_t id, const base::Result<void, std::string>& result,
                        base::TimePoint now);

  // Control commands.
  DrainStarted start_drain(std::optional<base::Duration> grace, base::TimePoint now);
  void resume(base::TimePoint now);
  [[nodiscard]] CoreStatus status() const;
  [[nodiscard]] std::vector<PeerRow> peers() const;

  // Since the last call: events in the order they happened; commands for the shell; the
  // binding engine's outputs for the data plane (SendHomeAgentSwitch, ...).
  [[nodiscard]] std::vector<CoreEvent> take_events();
  [[nodiscard]] std::vector<CoreCommand> take_commands();
  [[nodiscard]] std::vector<mip6::engine::HaOutput> take_mip6_outputs();

  [[nodiscard]] mip6::engine::HaBindingEngine& binding_engine() { return *engine_; }
  [[nodiscard]] ha::policy::AdmissionPolicy& policy() { return *policy_; }
  [[nodiscard]] const ha::policy::ReservationLedger& ledger() const { return *ledger_; }
  [[nodiscard]] const std::map<std::uint64_t, PeerRecord>& peer_records() const { return peers_; }
  [[nodiscard]] const CoreCounters& counters() const { return counters_; }
  [[nodiscard]] const HaDaemonConfig& config() const { return config_; }

 private:
  // A RedirectSa the shell has not reported back yet, with the event it will complete.
  struct PendingRedirect {
    std::uint64_t spi_r = 0;
    base::Ip6Addr target;
    PeerMoved event;
  };

  HaCore(const HaDaemonConfig& config, base::TimePoint now, mip6::binding::RandomSource rng);

  void collect_policy_events();
  void collect_engine_outputs();
  void on_established(const ::ike::engine::SaEstablished& established,
                      const ::ike::engine::IkeSa& sa, base::TimePoint now);
  void on_removed(const ::ike::engine::ResponderSaRemoved& removed);
  void on_ike_sa_rekeyed(std::uint64_t filed_spi_r, const ::ike::engine::IkeSaRekeyed& rekeyed);
  void execute(const ha::policy::DrainMove& move, base::TimePoint now);
  void redirect(const ha::policy::DrainMove& move, const ::ike::engine::Redirect& redirect);
  void switch_home_agent(const ha::policy::DrainMove& move,
                         const ::ike::engine::SwitchHomeAgent& to, base::TimePoint now);
  PeerRecord* find_peer(const base::Ip6Addr& address);

  HaDaemonConfig config_;
  class AllowAll;
  std::unique_ptr<mip6::engine::HomeAddressAuthorizer> authorizer_;
  std::unique_ptr<HomeAddressPool> address_pool_;
  std::unique_ptr<mip6::engine::HaBindingEngine> engine_;
  std::unique_ptr<mip6::binding::HomeAgentsList> home_agents_;
  std::unique_ptr<ha::policy::ReservationLedger> ledger_;
  std::unique_ptr<ha::policy::AdmissionPolicy> policy_;
  std::unique_ptr<ha::ike_admission::IkeAdmission> admission_;

  // Established SAs by the SPIr the responder front files them under (it reports every event
  // with that key, and re-files an SA when a rekey gives it new SPIs: IkeSaRekeyed).
  std::map<std::uint64_t, PeerRecord> peers_;
  std::map<std::uint64_t, PendingRedirect> pending_redirects_;  // by RedirectSa::id
  std::uint64_t next_command_id_ = 1;
  base::Duration grace_;
  std::vector<CoreEvent> events_;
  std::vector<CoreCommand> commands_;
  std::vector<mip6::engine::HaOutput> mip6_outputs_;
  CoreCounters counters_;
};

}  // namespace ha::daemon
