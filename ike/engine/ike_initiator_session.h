#pragma once
// IkeInitiatorSession: one IKE SA set-up attempt as the initiator, following RFC 5685
// redirects received in IKE_SA_INIT responses (sans-IO, STYLE B1; strongSwan's
// ike_sa.c handle_redirect as an owner of IkeSa attempts).
//   - every attempt is a fresh IkeSa: new SPIi and Ni (RFC 7296 3.9), Message ID 0;
//   - the first attempt announces REDIRECT_SUPPORTED (R5685-01); an attempt after a redirect
//     carries N(REDIRECTED_FROM, address first contacted) (R5685-07, R5685-38);
//   - the IkeSa verifies the nonce copy (R5685-05/06); the session follows the redirect only
//     to a gateway `gateway_permitted` accepts (R5685-08), at most max_redirects within
//     redirect_loop_period (R5685-29), and changes nothing else (R5685-11, R5685-40);
//   - an FQDN target is resolved outside: ResolveGateway{fqdn} out, on_gateway_resolved() in;
//   - a redirect target that cannot be reached or refuses us: back to the original gateway,
//     once per session, rather than giving up.
// Terminal outputs: SaEstablished (from the current attempt) or SessionFailed.
// An IPv4 gateway identity is contacted at its IPv4-mapped IPv6 address (::ffff:a.b.c.d),
// which a dual-stack socket understands.
// Redirects after IKE_SA_INIT (RFC 5685 5/6, tasks/ike_redirect.cc) are followed the same way, with
// the same loop limit and PAD check:
//   - IKE_AUTH (RedirectReceived from an SA whose gateway AUTH verified, R5685-22): the old SA
//     deletes itself (R5685-23) while the next attempt starts;
//   - gateway-initiated, on the established SA (GatewayRedirectReceived): make-before-break
//     like strongSwan: the established SA stays up while an attempt towards the new gateway
//     runs with REDIRECTED_FROM = the redirecting gateway; once that one is established the old
//     SA is deleted (R5685-19) and IkeGatewayChanged is emitted. If the attempt fails, the old
//     SA stays the current one (GatewayMoveFailed). The attempt starts after a random delay
//     (move_jitter) so that the peers of a drained HA do not all reconnect at once; if the old
//     SA goes first (the HA's grace period ended), the attempt starts then.
// SAs the session has replaced keep running until their Delete is done; their outputs other
// than datagrams come out as RetiredSaEvent (ChildSaDeleted among them: remove those SAs).
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

struct InitiatorSessionConfig {
  IkeSaConfig sa;  // role forced to Initiator; redirected_from is set by the session
  // R5685-29 (RFC 5685 7 defaults MAX_REDIRECTS and REDIRECT_LOOP_DETECT_PERIOD).
  unsigned max_redirects = 5;
  base::Duration redirect_loop_period = std::chrono::seconds(300);
  // The PAD check for a redirect target (R5685-08); unset refuses every redirect.
  std::function<bool(const wire::GwIdentity&)> gateway_permitted;
  // Go back to the original gateway (once) when a redirect target fails.
  bool return_to_original = true;
  // Port of a redirect target: start from scratch on 500 (digest 6, NAT-T gap).
  std::uint16_t gateway_port = 500;
  // A gateway-initiated redirect (RFC 5685 5) is followed after a random delay in
  // [0, move_jitter): a draining HA paces its redirects, and the MNs spread their reconnects
  // too, so that the pool sees no storm. The established SA keeps running
  // meanwhile; keep this well under the HA's grace period. Zero follows at once.
  base::Duration move_jitter = std::chrono::seconds(2);
};

enum class SessionError : std::uint8_t {
  RedirectLoop,            // more than max_redirects within the period (R5685-29)
  RedirectNotPermitted,    // the PAD refuses the target (R5685-08)
  RedirectTargetUnusable,  // an identity we cannot contact
  ResolveFailed,           // the FQDN did not resolve and there is no way back
  SaFailed,                // the attempt failed (see sa_reason)
};
MIP6_ENUM_NAMES(SessionError, RedirectLoop, RedirectNotPermitted, RedirectTargetUnusable,
                ResolveFailed, SaFailed);

// Where a redirect came from (RFC 5685 3, 6, 5).
enum class RedirectPoint : std::uint8_t { IkeSaInit, IkeAuth, Informational };
MIP6_ENUM_NAMES(RedirectPoint, IkeSaInit, IkeAuth, Informational);

// We follow a verified redirect; `to` is the new gateway, `from` the gateway that sent it.
struct Redirected {
  wire::GwIdentity to;
  wire::GwIdentity from;
  unsigned count = 0;  // redirects inside the current loop-detection window
  RedirectPoint point = RedirectPoint::IkeSaInit;
};
// A gateway-initiated redirect (RFC 5685 5) completed: the IKE SA with the new gateway is
// established (its SaEstablished follows) and the one with `from` is being deleted
// (R5685-19). ONLY THE IKE GATEWAY CHANGED: the owner MUST NOT change any Mobile IPv6 state
// (home agent, binding, home address) because of it (R5685-33; the HA moves a bound MN with an
// RFC 5142 Home Agent Switch instead).
struct IkeGatewayChanged {
  Path from;
  Path to;
};
// A gateway-initiated redirect could not be followed (loop limit, PAD, unusable target, or
// the new gateway failed); the established SA with the old gateway stays the current one.
struct GatewayMoveFailed {
  wire::GwIdentity to;
  SessionError error = SessionError::SaFailed;
  std::optional<FailureReason> sa_reason;
};
// A non-datagram output of an SA the session replaced, while it finishes its Delete.
struct RetiredSaEvent {
  wire::Spi spi_i;
  wire::Spi spi_r;
  Output output;
};
// The owner resolves `fqdn` and calls on_gateway_resolved() or on_resolve_failed().
struct ResolveGateway {
  std::string fqdn;
};
// A redirect target failed; a new attempt towards the original gateway was started.
struct ReturnedToOriginal {
  base::Ip6Addr original;
  std::optional<FailureReason> why;  // nullopt: the FQDN did not resolve
};
struct SessionFailed {
  SessionError error = SessionError::SaFailed;
  std::optional<FailureReason> sa_reason;
  std::optional<wire::NotifyType> notify;
};

// SaDeleted / ChildSaDeleted / GatewayRedirectReceived / InformationalNote come from the
// current SA once it is established.
using SessionOutput =
    std::variant<SendDatagram, InstallChildSa, SaEstablished, StateChanged, Redirected,
                 ResolveGateway, ReturnedToOriginal, SessionFailed, SaDeleted, ChildSaDeleted,
                 GatewayRedirectReceived, InformationalNote, IkeGatewayChanged, GatewayMoveFailed,
                 RetiredSaEvent>;

class IkeInitiatorSession {
 public:
  // `env` references must outlive the session.
  IkeInitiatorSession(InitiatorSessionConfig config, Environment env);
  IkeInitiatorSession(const IkeInitiatorSession&) = delete;
  IkeInitiatorSession& operator=(const IkeInitiatorSession&) = delete;

  // Starts the first attempt towards the original gateway (path.remote).
  [[nodiscard]] base::Result<void> start(const Path& path, base::TimePoint now);
  void on_datagram(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;
  [[nodiscard]] std::vector<SessionOutput> take_outputs();

  // The answer to ResolveGateway{fqdn}.
  [[nodiscard]] base::Result<void> on_gateway_resolved(std::string_view fqdn,
                                                       const base::Ip6Addr& address,
                                                       base::TimePoint now);
  void on_resolve_failed(std::string_view fqdn, base::TimePoint now);

  // The current attempt (nullptr while waiting for a resolution or after a failure).
  [[nodiscard]] const IkeSa* sa() const { return sa_.get(); }
  // During a gateway-initiated move: the established SA with the old gateway.
  [[nodiscard]] const IkeSa* previous_sa() const { return previous_.get(); }
  // SAs replaced by the session that are still finishing their Delete.
  [[nodiscard]] std::size_t retiring() const { return retired_.size(); }
  // Deletes the current SA (RFC 7296 1.4.1); the session then finishes when it is closed.
  [[nodiscard]] base::Result<void> delete_sa(base::TimePoint now);
  [[nodiscard]] const Path& current_path() const { return current_; }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] unsigned attempts() const { return attempts_; }

 private:
  base::Result<void> start_attempt(const Path& path, bool redirected, base::TimePoint now);
  void drain(base::TimePoint now);
  void follow_redirect(const wire::GwIdentity& gateway, base::TimePoint now,
                       RedirectPoint point = RedirectPoint::IkeSaInit);
  // R5685-29 / R5685-08 / contactable address; the error when the redirect must not be
  // followed. Records the redirect time when it may.
  [[nodiscard]] std::optional<SessionError> check_redirect(const wire::GwIdentity& gateway,
                                                           base::TimePoint now);
  // RFC 5685 5: make-before-break towards `gateway` (GatewayRedirectReceived).
  void start_move(const wire::GwIdentity& gateway, base::TimePoint now);
  // The random delay before a gateway-initiated move starts (config move_jitter).
  [[nodiscard]] base::Duration move_delay();
  // The move's attempt is established: delete the previous SA (R5685-19).
  void finish_move(base::TimePoint now);
  // The move's attempt failed: the previous SA is the current one again.
  void abandon_move(SessionError error, std::optional<FailureReason> reason);
  // Keeps `sa` running (if it has not ended) until its Delete is done.
  void retire(std::unique_ptr<IkeSa> sa);
  void drain_retired();
  [[nodiscard]] IkeSa* route(std::span<const std::uint8_t> bytes);
  // A redirect target failed (reason) or did not resolve (nullopt).
  void target_failed(std::optional<FailureReason> reason, std::optional<wire::NotifyType> notify,
                     base::TimePoint now);
  void finish(SessionFailed failure);

  InitiatorSessionConfig config_;
  Environment env_;
  std::unique_ptr<IkeSa> sa_;
  Path original_;
  Path current_;
  bool on_redirect_target_ = false;  // the current attempt goes to a redirect target
  bool returned_ = false;            // the way back to the original was used
  bool finished_ = false;
  unsigned attempts_ = 0;
  std::deque<base::TimePoint> redirect_times_;  // inside the loop-detection window
  std::optional<std::string> pending_fqdn_;
  // REDIRECTED_FROM of the next redirected attempt (R5685-07): the gateway first contacted,
  // or the gateway of the established SA that redirected us (RFC 5685 5, as strongSwan).
  base::Ip6Addr redirect_origin_;
  bool established_ = false;         // the current SA reached Established
  std::unique_ptr<IkeSa> previous_;  // make-before-break: the SA with the old gateway
  Path previous_path_;
  std::optional<wire::GwIdentity> move_target_;
  // A gateway-initiated redirect waiting for its jittered start (config move_jitter).
  struct DeferredMove {
    wire::GwIdentity gateway;
    base::TimePoint at;
  };
  std::optional<DeferredMove> deferred_move_;
  std::vector<std::unique_ptr<IkeSa>> retired_;
  std::vector<SessionOutput> outputs_;
};

}  // namespace ike::engine
