#pragma once
// What HaCore hands its shell (STYLE B6: cores emit typed events, the shell formats them):
//  - CoreEvent: one value per thing that happened (an admission decision with its reason, a
//    front override, SA life, a move, an admin change, a binding event). The shell turns each
//    into its JSON event line, a log line and event counters (event_format.h,
//    event_metrics.h); the core builds no JSON and no text beyond static names.
//  - CoreCommand: something only the shell can do (it owns the IKE driver); it does it after
//    the core returns and reports the result back (HaCore::on_redirect_done), so the core
//    never calls into the driver and is never re-entered by it.
//  - the snapshots the control protocol answers from (CoreStatus, PeerRow).
// Plain values: no clock, no socket, no JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ha/policy/admission_policy.h"
#include "ha/policy/reservation_ledger.h"
#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/engine/ike_responder.h"
#include "mip6/binding/binding_cache.h"
#include "mip6/engine/ha_binding_engine.h"

namespace ha::daemon {

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
  kCount,
};
MIP6_COUNTER_NAMES(CoreCounter, SasEstablished, SasRemoved, SasRekeyed, GatewayRedirectsSent,
                   GatewayRedirectsFailed, HaSwitchesStarted, HaSwitchesFailed, DrainsStarted,
                   Resumes);
using CoreCounters = base::CounterSet<CoreCounter, static_cast<std::size_t>(CoreCounter::kCount)>;

// --- Events ----------------------------------------------------------------------------------

// The responder front overrode the policy's answer at IKE_SA_INIT (RedirectForbidden,
// HalfOpenLimit, ServeRejectedBySa); the policy's own decision is an AdmissionEvent.
struct FrontOverride {
  ::ike::engine::InitOutcome outcome = ::ike::engine::InitOutcome::RedirectForbidden;
  base::Ip6Addr peer;
};

struct PeerEstablished {
  base::Ip6Addr peer;
  std::string identity;
  ::ike::wire::Spi spi_i;
  ::ike::wire::Spi spi_r;
  bool redirect_supported = false;
  std::optional<base::Ip6Addr> home_address;     // assigned by CP
  std::optional<base::Ip6Addr> redirected_from;  // the peer's REDIRECTED_FROM (R5685-07)
};

struct PeerRekeyed {
  base::Ip6Addr peer;
  std::string identity;
  bool by_peer = false;
  ::ike::engine::IkeSpis old_spis;
  ::ike::engine::IkeSpis now_spis;
};

// How an established peer's SA ended (R5685-19/20: the client left, or the grace period ran
// out and we deleted it).
enum class SaEnd : std::uint8_t { Removed, DeletedByPeer, DeletedByUs, Failed };
MIP6_ENUM_NAMES(SaEnd, Removed, DeletedByPeer, DeletedByUs, Failed);

struct PeerRemoved {
  base::Ip6Addr peer;
  std::string identity;
  ::ike::wire::Spi spi_r;
  SaEnd how = SaEnd::Removed;
  std::string_view detail = {};  // static text: SaDeleted::detail, or the FailureReason
};

enum class MoveKind : std::uint8_t { GatewayRedirect, HaSwitch, None };
MIP6_ENUM_NAMES(MoveKind, GatewayRedirect, HaSwitch, None);
enum class MoveResult : std::uint8_t { Sent, Failed, NotMoved };
MIP6_ENUM_NAMES(MoveResult, Sent, Failed, NotMoved);

// One drain move carried out (or not).
struct PeerMoved {
  MoveKind kind = MoveKind::None;
  MoveResult result = MoveResult::NotMoved;
  base::Ip6Addr peer;
  // GatewayRedirect: the target (one) and its name (R5685-35), the grace period, and the
  // identity of the SA it went out on. HaSwitch: the home agents listed, best first.
  std::vector<base::Ip6Addr> targets;
  std::string target_fqdn;
  std::optional<base::Duration> grace;
  std::optional<std::string> identity;
  std::optional<ha::policy::AdmissionReason> reason;  // None: why the peer stays
  std::string why;                                    // Failed: why
};

struct AdminChanged {
  mip6::engine::HaAdminState state = mip6::engine::HaAdminState::Serving;
  std::size_t peers = 0;      // Draining: peers queued to move
  base::Duration grace = {};  // Draining: the grace period each move gives
};

using CoreEvent =
    std::variant<ha::policy::AdmissionEvent, FrontOverride, PeerEstablished, PeerRekeyed,
                 PeerRemoved, PeerMoved, AdminChanged, mip6::engine::HaEvent>;

// --- Commands --------------------------------------------------------------------------------

// RFC 5685 5 on an established responder SA, named by its current SPIs: the shell calls
// IkeSa::redirect(gateway, grace) through its driver, then HaCore::on_redirect_done(id, ...).
struct RedirectSa {
  std::uint64_t id = 0;
  ::ike::wire::Spi spi_i;
  ::ike::wire::Spi spi_r;
  ::ike::wire::GwIdentity gateway;  // IPv6, IPv4 or FQDN (R5685-35)
  base::Duration grace = {};
};

using CoreCommand = std::variant<RedirectSa>;

// --- Snapshots for the control protocol -------------------------------------------------------

struct DrainStarted {
  std::size_t queued = 0;
  base::Duration grace = {};
};

struct CoreStatus {
  mip6::engine::HaAdminState admin_state = mip6::engine::HaAdminState::Serving;
  mip6::binding::AdmissionSnapshot cache;
  std::size_t established_sas = 0;
  std::size_t drain_pending = 0;
  std::size_t switches_pending = 0;
  ha::policy::AdmissionCounters admission;
  ha::policy::AdmissionReasonCounters reasons;
  CoreCounters core;
  ha::policy::LedgerCounters ledger;
  mip6::engine::HaCounters binding_engine;
  mip6::binding::BindingCacheCounters binding_cache;
};

struct PeerRow {
  base::Ip6Addr peer;
  std::string identity;
  ::ike::wire::Spi spi_i;
  ::ike::wire::Spi spi_r;
  bool redirect_supported = false;
  std::uint32_t rekeys = 0;
  bool reservation = false;  // the ledger still holds its slot
  std::optional<base::Ip6Addr> home_address;
  bool bound = false;  // with a home address: a binding exists for it
  std::optional<base::Ip6Addr> moved_to;
  std::optional<MoveKind> move;
};

}  // namespace ha::daemon
