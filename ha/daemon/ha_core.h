#pragma once
// HaCore: the home agent's decisions and bookkeeping behind the IKEv2 responder front, with
// no sockets and no clock (time comes in as an argument; the mip6-ha shell owns the I/O).
//   - owns the HA binding engine (and so the Binding Cache), the ReservationLedger, the Home
//     Agents List, the AdmissionPolicy and IkeAdmission (its IKE_SA_INIT and IKE_AUTH answers);
//   - follows the responder front's outputs: which peers hold an established IKE SA (the
//     ledger keeps the reservation each took at IKE_SA_INIT until its binding arrives, and the
//     core gives it back when the peer is redirected away);
//   - drain: admin state Draining, AdmissionPolicy::start_drain() over the served peers, and
//     each move the scheduler decides executed: a Redirect through the injected
//     GatewayRedirector (RFC 5685 5 on the established SA, with the grace period), a
//     SwitchHomeAgent through the binding engine's RFC 5142 sender;
//   - one JSON event per decision with its reason, and the control protocol's answers
//     (status, drain, resume, peers) as JSON.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ha/daemon/ha_config.h"
#include "ha/daemon/home_address_pool.h"
#include "ha/ike/ike_admission.h"
#include "ha/policy/admission_policy.h"
#include "ha/policy/reservation_ledger.h"
#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/result.h"
#include "ike/engine/ike_responder.h"
#include "mip6/binding/home_agents_list.h"
#include "mip6/engine/ha_binding_engine.h"

namespace ha::daemon {

// Performs an RFC 5685 5 gateway-initiated REDIRECT on an established responder IKE SA (the
// shell: IkeDriver -> IkeResponder -> IkeSa::redirect). The error text says why it could not.
class GatewayRedirector {
 public:
  virtual ~GatewayRedirector() = default;
  // The SA is named by its current SPIs (RFC 7296 2.6); `target` is the gateway identity the
  // REDIRECT carries (IPv6, IPv4 or FQDN, R5685-35). The call may report the SA's outputs
  // back into HaCore::on_responder_output() before it returns.
  [[nodiscard]] virtual base::Result<void, std::string> redirect(
      std::uint64_t spi_i, std::uint64_t spi_r, const ::ike::wire::GwIdentity& target,
      base::Duration grace, base::TimePoint now) = 0;
};

enum class CoreCounter : std::uint8_t {
  SasEstablished,
  SasRemoved,
  SasRekeyed,  // an IKE SA rekey (RFC 7296 1.3.2) re-filed a peer under new SPIs
  GatewayRedirectsSent,
  GatewayRedirectsFailed,
  HaSwitchesStarted,
  HaSwitchesFailed,
  DrainsStarted,
  Resumes,
  ControlRequests,
  ControlErrors,
  kCount,
};
std::string_view to_string(CoreCounter c);
using CoreCounters = base::CounterSet<CoreCounter, static_cast<std::size_t>(CoreCounter::kCount)>;

// One established IKE SA of a peer we serve. The SPIs are the current ones: an IKE SA rekey
// (ike_rekey.h: in place, same IkeSa object) re-files the record under its new SPIr.
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
  std::string move;                       // "gateway-redirect", "ha-switch" or empty
  std::string ended;                      // how the SA ended, for the sa-removed event
};

class HaCore {
 public:
  // `log` must outlive the core; `rng` draws the drain jitter and the list's tie-breaks.
  [[nodiscard]] static base::Result<std::unique_ptr<HaCore>, std::string> create(
      const HaDaemonConfig& config, base::TimePoint now, mip6::binding::RandomSource rng);
  HaCore(const HaCore&) = delete;
  HaCore& operator=(const HaCore&) = delete;

  [[nodiscard]] ::ike::engine::InitDecision& init_decision() { return *admission_; }
  [[nodiscard]] ::ike::engine::AuthDecision& auth_decision() { return *admission_; }
  // The responder's CP source; a lease is released when its SA goes without a binding.
  [[nodiscard]] HomeAddressPool& address_pool() { return *address_pool_; }
  // Not owned; nullptr: gateway-initiated moves fail (counted, logged).
  void set_gateway_redirector(GatewayRedirector* r) { redirector_ = r; }

  // Every non-datagram output of the responder front; `sa` as the driver reports it.
  void on_responder_output(const ::ike::engine::ResponderOutput& output,
                           const ::ike::engine::IkeSa* sa, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;

  // Control commands (also reachable through control()).
  nlohmann::json start_drain(std::optional<base::Duration> grace, base::TimePoint now);
  nlohmann::json resume(base::TimePoint now);
  [[nodiscard]] nlohmann::json status(base::TimePoint now) const;
  [[nodiscard]] nlohmann::json peers() const;
  // One request object {"cmd": ...} -> one answer object, always with "ok".
  nlohmann::json control(const nlohmann::json& request, base::TimePoint now);

  // JSON events since the last call: decisions with their reasons, SA life, moves.
  [[nodiscard]] std::vector<nlohmann::json> take_events();
  // Binding-engine outputs for the data plane (SendHomeAgentSwitch, ...).
  [[nodiscard]] std::vector<mip6::engine::HaOutput> take_mip6_outputs();

  [[nodiscard]] mip6::engine::HaBindingEngine& binding_engine() { return *engine_; }
  [[nodiscard]] ha::policy::AdmissionPolicy& policy() { return *policy_; }
  [[nodiscard]] const ha::policy::ReservationLedger& ledger() const { return *ledger_; }
  [[nodiscard]] const std::map<std::uint64_t, PeerRecord>& peer_records() const { return peers_; }
  [[nodiscard]] const CoreCounters& counters() const { return counters_; }
  [[nodiscard]] const HaDaemonConfig& config() const { return config_; }

 private:
  HaCore(const HaDaemonConfig& config, base::TimePoint now, mip6::binding::RandomSource rng);

  void collect_policy_events();
  void collect_engine_outputs();
  void execute(const ha::policy::DrainMove& move, base::TimePoint now);
  void on_ike_sa_rekeyed(std::uint64_t filed_spi_r, const ::ike::engine::IkeSaRekeyed& rekeyed);
  PeerRecord* find_peer(const base::Ip6Addr& address);
  void event(nlohmann::json e);

  HaDaemonConfig config_;
  class AllowAll;
  std::unique_ptr<mip6::engine::HomeAddressAuthorizer> authorizer_;
  std::unique_ptr<HomeAddressPool> address_pool_;
  std::unique_ptr<mip6::engine::HaBindingEngine> engine_;
  std::unique_ptr<mip6::binding::HomeAgentsList> home_agents_;
  std::unique_ptr<ha::policy::ReservationLedger> ledger_;
  std::unique_ptr<ha::policy::AdmissionPolicy> policy_;
  std::unique_ptr<ha::ike_admission::IkeAdmission> admission_;
  GatewayRedirector* redirector_ = nullptr;

  // Established SAs by the SPIr the responder front files them under (it reports every event
  // with that key, and re-files an SA when a rekey gives it new SPIs: IkeSaRekeyed).
  std::map<std::uint64_t, PeerRecord> peers_;
  base::Duration grace_;
  std::vector<nlohmann::json> events_;
  std::vector<mip6::engine::HaOutput> mip6_outputs_;
  CoreCounters counters_;
};

}  // namespace ha::daemon
