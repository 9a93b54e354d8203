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
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
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
};

enum class SessionError : std::uint8_t {
  RedirectLoop,            // more than max_redirects within the period (R5685-29)
  RedirectNotPermitted,    // the PAD refuses the target (R5685-08)
  RedirectTargetUnusable,  // an identity we cannot contact
  ResolveFailed,           // the FQDN did not resolve and there is no way back
  SaFailed,                // the attempt failed (see sa_reason)
};
std::string_view to_string(SessionError e);

// We follow a verified redirect; `to` is the new gateway, `from` the gateway that sent it.
struct Redirected {
  wire::GwIdentity to;
  wire::GwIdentity from;
  unsigned count = 0;  // redirects inside the current loop-detection window
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

using SessionOutput = std::variant<SendDatagram, InstallChildSa, SaEstablished, StateChanged,
                                   Redirected, ResolveGateway, ReturnedToOriginal, SessionFailed>;

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
  [[nodiscard]] const Path& current_path() const { return current_; }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] unsigned attempts() const { return attempts_; }

 private:
  base::Result<void> start_attempt(const Path& path, bool redirected, base::TimePoint now);
  void drain(base::TimePoint now);
  void follow_redirect(const wire::GwIdentity& gateway, base::TimePoint now);
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
  std::vector<SessionOutput> outputs_;
};

}  // namespace ike::engine
