#pragma once
// A task: one protocol feature of one IKE SA (STYLE A1.1, B2; strongSwan's sa/task.h).
//
// Design. An exchange is an ordered list of tasks (task_manager.h). Each task builds and
// processes its own payloads, for both roles of the exchange:
//   exchange initiator   build_request() -> [request sent] post_build()
//                        process_response() -> post_process()
//   exchange responder   process_request() -> build_response() -> [response sent] post_build()
// The TaskManager calls every task of the exchange in list order for each step, so a task
// sees what the tasks before it did (the AUTH result before CP, the CP address before the
// Child SA's selectors), and the payloads of one message are those of all its tasks in that
// order (wire::sort_for_send then orders them by type).
//
// Each step returns a TaskStatus: Done (go on), Last (done, and the tasks after this one take
// no part in the exchange, e.g. a redirect at IKE_AUTH), NeedMore (initiator: the exchange
// needs another request, e.g. COOKIE), Handled (the task answered or dropped the message
// itself), Failed (this exchange cannot be built) or DestroySa (the task failed or closed the
// IKE SA). The state the whole SA shares (keys, SPIs, state, Child SA records) is in the
// SaContext a task is created with (sa_context.h); what belongs to one exchange (nonces, KE,
// a collision with the peer's rekey) stays in the task.
//
// A task that owns a timer (DPD interval, redirect grace, half-open timeout, lifetimes, NAT
// keepalive) reports it through deadline() and is kept by the TaskManager in one slot per
// timer kind; IkeSa::next_deadline() is the minimum over the request in flight and these
// few slots.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/enum_names.h"
#include "ike/engine/engine_types.h"
#include "ike/wire/message.h"

namespace ike::engine {

enum class TaskKind : std::uint8_t {
  // Exchange tasks (tasks/).
  IkeInit,        // IKE_SA_INIT: SA, KE, Nonce, INVALID_KE_PAYLOAD, COOKIE, RFC 5685 notifies
  IkeNatd,        // NAT_DETECTION_*_IP (RFC 7296 2.23)
  IkeCert,        // SIGNATURE_HASH_ALGORITHMS (RFC 7427 4), CERTREQ (3.7)
  IkeAuth,        // IDx, [CERT] AUTH (2.15), REDIRECT in IKE_AUTH (RFC 5685 6)
  IkeConfig,      // CP (3.15)
  ChildCreate,    // a Child SA in IKE_AUTH or CREATE_CHILD_SA (1.3.1)
  ChildRekey,     // CREATE_CHILD_SA with REKEY_SA (1.3.3, 2.8.1)
  ChildDelete,    // INFORMATIONAL D(ESP) (1.4.1)
  IkeRekey,       // CREATE_CHILD_SA for the IKE SA (1.3.2, 2.8.2)
  IkeDelete,      // INFORMATIONAL D(IKE) (1.4.1)
  IkeDpd,         // empty INFORMATIONAL: liveness (1.4)
  IkeRedirect,    // gateway-initiated INFORMATIONAL REDIRECT (RFC 5685 5)
  Informational,  // the peer's INFORMATIONAL requests: Deletes, notifies, REDIRECT
  // Timer tasks, in the order they fire when due at the same time.
  HalfOpenTimer,   // responder: no IKE_AUTH after the IKE_SA_INIT answer
  KeepaliveTimer,  // RFC 3948 4 NAT keepalives
  RedirectTimer,   // RFC 5685 grace period after a redirect
  DpdTimer,        // liveness check after dpd_interval of silence
  RetiringTimer,   // old IKE SAs after a rekey (retransmissions, linger)
  LifetimeTimer,   // Child and IKE SA rekeys and hard lifetimes (2.8)
};
inline constexpr std::size_t kTimerKinds = static_cast<std::size_t>(TaskKind::LifetimeTimer) -
                                           static_cast<std::size_t>(TaskKind::HalfOpenTimer) + 1;
MIP6_ENUM_NAMES(TaskKind, IkeInit, IkeNatd, IkeCert, IkeAuth, IkeConfig, ChildCreate, ChildRekey,
                ChildDelete, IkeRekey, IkeDelete, IkeDpd, IkeRedirect, Informational, HalfOpenTimer,
                KeepaliveTimer, RedirectTimer, DpdTimer, RetiringTimer, LifetimeTimer);

enum class TaskStatus : std::uint8_t {
  Done,       // this task did its part; the next one goes on
  Last,       // did its part and ends the exchange: the tasks after it take no part
  NeedMore,   // initiator: the exchange needs another request (COOKIE, INVALID_KE_PAYLOAD)
  Handled,    // the task answered or dropped the message itself; nothing more happens with it
  Failed,     // building: this exchange cannot be built and is dropped
  DestroySa,  // the IKE SA failed or closed (SaContext::fail / close ran): stop
};

// A received message as its tasks see it: authentic and rule-checked (wire/rules.h).
struct InMessage {
  const Path& path;
  const wire::Header& header;
  const wire::Message& outer;               // the whole message (IKE_SA_INIT) or HDR + SK
  std::span<const wire::Payload> payloads;  // IKE_SA_INIT: the payloads; else SK's contents
  const wire::DecodedPayloads* inner;       // SK's contents with their raw bodies (IDx', 2.15)
  std::span<const std::uint8_t> bytes;      // the datagram as received
  base::TimePoint now;
};

class Task {
 public:
  virtual ~Task() = default;
  [[nodiscard]] virtual TaskKind kind() const = 0;

  // Exchange initiator.
  virtual TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now);
  virtual TaskStatus process_response(const InMessage& response);
  // Every task of the exchange processed the response.
  virtual void post_process(base::TimePoint now);

  // Exchange responder.
  virtual TaskStatus process_request(const InMessage& request);
  virtual TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now);

  // Our message of this exchange (request or response) has been sent.
  virtual void post_build(base::TimePoint now);

  // Timer tasks: when on_deadline() wants to run; kNever when idle.
  [[nodiscard]] virtual base::TimePoint deadline() const;
  virtual void on_deadline(base::TimePoint now);

 protected:
  Task() = default;
  Task(const Task&) = default;
  Task& operator=(const Task&) = default;
};

}  // namespace ike::engine
