#pragma once
// Message-ID bookkeeping for one IKE SA with window size 1 (RFC 7296 2.1-2.4): the one request
// we have outstanding, with its retransmission schedule computed from `now`, and the last
// response we sent, kept for retransmitted requests. No timer lives here: the TaskManager
// reports deadline() through IkeSa::next_deadline() and the shell calls on_timer() then.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/clock.h"
#include "ike/engine/engine_types.h"
#include "ike/wire/header.h"

namespace ike::engine {

// R7296-38: exponential back-off. With initial 1 s and 3 retransmits the request goes out at
// t, t+1, t+3, t+7 and the SA fails at t+15.
struct RetransmitPolicy {
  base::Duration initial = std::chrono::seconds(1);
  unsigned max_retransmits = 5;
};

class OutstandingRequest {
 public:
  enum class TimerAction : std::uint8_t { None, Resend, GiveUp };

  void start(wire::MessageId id, const Path& path, std::vector<std::uint8_t> bytes,
             base::TimePoint now, const RetransmitPolicy& policy) {
    active_ = true;
    id_ = id;
    path_ = path;
    bytes_ = std::move(bytes);
    policy_ = policy;
    timeout_ = policy.initial;
    retransmits_ = 0;
    deadline_ = now + timeout_;
  }
  void clear() {
    active_ = false;
    bytes_.clear();
  }
  [[nodiscard]] bool active() const { return active_; }
  [[nodiscard]] wire::MessageId id() const { return id_; }
  [[nodiscard]] const Path& path() const { return path_; }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  [[nodiscard]] base::TimePoint deadline() const { return active_ ? deadline_ : base::kNever; }
  [[nodiscard]] unsigned retransmits() const { return retransmits_; }

  // Resend (the same bytes, R7296-36) or give up when the deadline has passed.
  TimerAction on_timer(base::TimePoint now) {
    if (!active_ || now < deadline_) {
      return TimerAction::None;
    }
    if (retransmits_ >= policy_.max_retransmits) {
      clear();
      return TimerAction::GiveUp;
    }
    ++retransmits_;
    timeout_ *= 2;
    deadline_ = now + timeout_;
    return TimerAction::Resend;
  }

 private:
  bool active_ = false;
  wire::MessageId id_;
  Path path_;
  std::vector<std::uint8_t> bytes_;
  RetransmitPolicy policy_;
  base::Duration timeout_{};
  base::TimePoint deadline_{};
  unsigned retransmits_ = 0;
};

// The responder side of the window: which request ID comes next, and the answer to the last
// one (R7296-37: resent only when that request is retransmitted, bit-identical).
class ResponderWindow {
 public:
  [[nodiscard]] wire::MessageId expected() const { return expected_; }

  // A request with the previous ID whose bytes match the one we answered.
  [[nodiscard]] bool is_retransmit(wire::MessageId id, std::span<const std::uint8_t> bytes) const {
    return has_cached_ && id == cached_id_ && bytes.size() == last_request_.size() &&
           std::equal(bytes.begin(), bytes.end(), last_request_.begin());
  }
  [[nodiscard]] bool is_previous_id(wire::MessageId id) const {
    return has_cached_ && id == cached_id_;
  }
  [[nodiscard]] const std::vector<std::uint8_t>& cached_response() const { return response_; }

  // The request `id` was answered with `response`; the next request must carry id + 1.
  void answered(wire::MessageId id, std::span<const std::uint8_t> request,
                std::vector<std::uint8_t> response) {
    has_cached_ = true;
    cached_id_ = id;
    last_request_.assign(request.begin(), request.end());
    response_ = std::move(response);
    expected_ = wire::MessageId(id.value() + 1);
  }

 private:
  wire::MessageId expected_{0};
  bool has_cached_ = false;
  wire::MessageId cached_id_;
  std::vector<std::uint8_t> last_request_;
  std::vector<std::uint8_t> response_;
};

}  // namespace ike::engine
