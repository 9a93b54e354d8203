#pragma once
// TaskManager: the exchanges of one IKE SA (STYLE B2; strongSwan's task_manager_v2.c).
//
// Design.
//  - Our exchanges: a queue of Exchanges (each an ordered list of tasks, task.h) with window
//    size 1 (R7296-39): one request in flight (OutstandingRequest: same bytes and ID on every
//    retransmission, back-off computed from `now`, R7296-36/38), the next one built only when
//    the window is free, so its tasks see the keys and SPIs current at that moment (after an
//    IKE SA rekey, for instance). The initiator's IKE_SA_INIT and IKE_AUTH are the first two;
//    the others start once the SA is Established (or Redirected, for its Delete).
//  - The peer's requests: the passive task list is built per exchange type (and, for
//    CREATE_CHILD_SA, per what it creates), every task processes the request, then builds its
//    part of the response; the last response is kept for retransmitted requests
//    (ResponderWindow, R7296-37).
//  - Messages are checked here before any task sees them: message IDs, SPIs, the SA state,
//    SK decryption and the per-exchange payload rules (wire/rules.h); failures are counted and
//    answered (or not) the same way for every task.
//  - Collisions (RFC 7296 2.8.1 / 2.8.2): a passive rekey task finds our own rekey of the same
//    SA with find_if(); the IKE rekey's shared state is in SaContext::ike_rekey.
//  - Timers: one slot per timer kind (task.h); deadline() is the minimum over the request in
//    flight and these slots, and on_timer() runs the due ones in kind order.
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/result.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/exchange.h"
#include "ike/engine/task.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct SaContext;

// One exchange: its type and its tasks, in the order they build and process.
struct Exchange {
  wire::ExchangeType type = wire::ExchangeType::Informational;
  std::vector<std::unique_ptr<Task>> tasks;

  [[nodiscard]] static Exchange of(wire::ExchangeType type, std::unique_ptr<Task> task);
  // The kind of its first task: what the exchange is for (logs, collisions).
  [[nodiscard]] TaskKind kind() const { return tasks.front()->kind(); }
};

class TaskManager {
 public:
  explicit TaskManager(SaContext& sa) : sa_(sa) {}
  TaskManager(const TaskManager&) = delete;
  TaskManager& operator=(const TaskManager&) = delete;

  // ---- our exchanges ----
  // Original initiator in Created: sends the IKE_SA_INIT request; IKE_AUTH follows once it is
  // answered. An error leaves the SA as it was.
  [[nodiscard]] base::Result<void> initiate(base::TimePoint now);
  // Runs after the exchanges queued before it, once the window is free.
  void queue(Exchange exchange, base::TimePoint now);
  void queue(wire::ExchangeType type, std::unique_ptr<Task> task, base::TimePoint now);
  // Starts queued exchanges while the window is free and the SA is Established or Redirected.
  void start_next(base::TimePoint now);
  // Drops the exchanges not yet sent; the one in flight finishes.
  void drop_queued() { queued_.clear(); }
  // Nothing in flight and nothing queued any more (the SA closed).
  void clear();
  // The request in flight is abandoned (the SA failed).
  void clear_outstanding() { outstanding_.clear(); }
  [[nodiscard]] std::size_t queued() const { return queued_.size(); }
  // Our request is in flight.
  [[nodiscard]] bool awaiting_response() const { return outstanding_.active(); }
  // No request in flight and none queued.
  [[nodiscard]] bool idle() const { return !outstanding_.active() && queued_.empty(); }
  // The kind of our exchange in flight, if any.
  [[nodiscard]] std::optional<TaskKind> in_flight() const;
  // Our task in flight or queued that `pred` accepts, for collision hooks (2.8.1).
  template <typename Pred>
  [[nodiscard]] Task* find_if(Pred pred) {
    if (active_) {
      for (auto& t : active_->tasks) {
        if (pred(*t)) {
          return t.get();
        }
      }
    }
    for (auto& e : queued_) {
      for (auto& t : e.tasks) {
        if (pred(*t)) {
          return t.get();
        }
      }
    }
    return nullptr;
  }
  [[nodiscard]] std::uint32_t next_request_id() const { return next_request_id_; }

  // ---- the peer's messages (decoded, SPIs and I flag checked by IkeSa) ----
  void on_request(const Path& path, const wire::DecodedMessage& msg,
                  std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_response(const Path& path, const wire::DecodedMessage& msg,
                   std::span<const std::uint8_t> bytes, base::TimePoint now);
  // An IKE_SA_INIT request we cannot decode may still deserve an answer (R7296-02, R7296-08).
  void on_undecodable(const Path& path, std::span<const std::uint8_t> bytes,
                      const wire::ParseError& error);
  // A retransmitted request gets the stored response, byte for byte (R7296-37): true when sent.
  bool resend_response(const Path& path, wire::MessageId id, std::span<const std::uint8_t> bytes);
  // Sends `response` to the request `id` and keeps it for the request's retransmissions.
  void send_response(const Path& path, wire::MessageId id, std::span<const std::uint8_t> request,
                     std::vector<std::uint8_t> response);

  // ---- timers ----
  [[nodiscard]] base::TimePoint deadline() const;
  void on_timer(base::TimePoint now);
  // Puts a timer task into the slot of its kind (replacing the one there).
  void set_timer(std::unique_ptr<Task> timer);
  [[nodiscard]] Task* timer(TaskKind kind) const;

  // ---- IKE SA rekey in place (tasks/ike_rekey.h) ----
  // The message-ID state of the SA being replaced: its window, and our request in flight with
  // its exchange. The new SA starts from message ID 0 with an empty window (R7296-39).
  struct MessageState {
    ResponderWindow window;
    OutstandingRequest outstanding;
    std::optional<Exchange> in_flight;
    std::uint32_t next_request_id = 0;
  };
  [[nodiscard]] MessageState take_message_state();
  // The authentic, rule-checked response to `exchange` (in flight on a retiring SA).
  void finish(Exchange exchange, const InMessage& response);

 private:
  void on_init_request(const Path& path, const wire::DecodedMessage& msg,
                       std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_protected_request(const Path& path, const wire::DecodedMessage& msg,
                            std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_protected_response(const Path& path, const wire::DecodedMessage& msg,
                             std::span<const std::uint8_t> bytes, bool setup, base::TimePoint now);
  // The passive tasks for the peer's request of `type`.
  [[nodiscard]] Exchange passive(const InMessage& request);
  // Every task processes `request`, then builds its part of the response, which is sent.
  void respond(Exchange exchange, const InMessage& request);
  // Sends our request of `exchange`, which is then the one in flight.
  [[nodiscard]] base::Result<void> start(Exchange exchange, base::TimePoint now);
  // Builds, encodes or protects, and sends our request of `exchange` with the next ID.
  [[nodiscard]] base::Result<void> send_request(Exchange& exchange, base::TimePoint now);
  // IKE_SA_INIT / IKE_AUTH of the original initiator: the response to the exchange in flight.
  void on_setup_response(const InMessage& response);
  // Every task processes the response, then post_process() runs; Done, or the status that
  // stopped it (Handled, NeedMore, DestroySa).
  [[nodiscard]] TaskStatus process_response(Exchange& exchange, const InMessage& response);

  SaContext& sa_;
  OutstandingRequest outstanding_;
  ResponderWindow window_;
  std::optional<Exchange> active_;  // ours, in flight in outstanding_
  std::deque<Exchange> queued_;
  std::uint32_t next_request_id_ = 0;
  std::array<std::unique_ptr<Task>, kTimerKinds> timers_;
};

}  // namespace ike::engine
