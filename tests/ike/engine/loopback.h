#pragma once
// Two-peer harness (STYLE B5, strongSwan's exchange_test_helper): carries one IkeSa's
// SendDatagram outputs to the other, with a hook to drop or alter datagrams in flight, and
// records every other output per side.
#include <functional>
#include <utility>
#include <vector>

#include "ike/engine/ike_sa.h"

namespace test {

class Loopback {
 public:
  enum class Dir { AtoB, BtoA };
  // Return false to drop; the datagram may be modified in place.
  using Hook = std::function<bool(Dir, std::vector<std::uint8_t>&)>;

  Loopback(ike::engine::IkeSa& a, ike::engine::Path a_path, ike::engine::IkeSa& b)
      : a_(a), b_(b), a_path_(a_path), b_path_{a_path.remote, a_path.local} {}

  void set_hook(Hook hook) { hook_ = std::move(hook); }
  [[nodiscard]] const ike::engine::Path& a_path() const { return a_path_; }

  // Delivers datagrams back and forth until both queues are empty.
  void pump(base::TimePoint now) {
    for (int round = 0; round < 64; ++round) {
      bool moved = drain(a_, Dir::AtoB, b_, b_path_, a_events_, now);
      moved = drain(b_, Dir::BtoA, a_, a_path_, b_events_, now) || moved;
      if (!moved) {
        return;
      }
    }
  }

  std::vector<ike::engine::Output> a_events_;  // everything A emitted except datagrams
  std::vector<ike::engine::Output> b_events_;
  std::vector<std::vector<std::uint8_t>> a_sent_;  // datagrams A sent (before the hook)
  std::vector<std::vector<std::uint8_t>> b_sent_;

 private:
  bool drain(ike::engine::IkeSa& from, Dir dir, ike::engine::IkeSa& to,
             const ike::engine::Path& to_path, std::vector<ike::engine::Output>& events,
             base::TimePoint now) {
    auto outputs = from.take_outputs();
    bool moved = false;
    for (auto& o : outputs) {
      auto* send = std::get_if<ike::engine::SendDatagram>(&o);
      if (send == nullptr) {
        events.push_back(std::move(o));
        continue;
      }
      moved = true;
      (dir == Dir::AtoB ? a_sent_ : b_sent_).push_back(send->bytes);
      std::vector<std::uint8_t> bytes = send->bytes;
      if (hook_ && !hook_(dir, bytes)) {
        continue;
      }
      to.on_datagram(to_path, bytes, now);
    }
    return moved;
  }

  ike::engine::IkeSa& a_;
  ike::engine::IkeSa& b_;
  ike::engine::Path a_path_;
  ike::engine::Path b_path_;
  Hook hook_;
};

template <typename T>
std::vector<T> outputs_of(const std::vector<ike::engine::Output>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const T* t = std::get_if<T>(&e)) {
      out.push_back(*t);
    }
  }
  return out;
}

}  // namespace test
