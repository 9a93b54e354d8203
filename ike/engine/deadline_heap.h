#pragma once
// DeadlineHeap: an indexed binary min-heap of deadlines. The owner of many engines
// files each engine's next_deadline() here once, under a handle, and updates it after every
// call into that engine; the earliest deadline is then O(1) and a change O(log n), so a timer
// event or a datagram costs the same with ten SAs or a hundred thousand.
// Equal deadlines come out in the order they were filed or last moved (a sequence number),
// which keeps timer processing deterministic. kNever is a deadline like any other (it sorts
// last), so an engine with nothing to wait for needs no special case.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>
#include <vector>

#include "ike/base/clock.h"

namespace ike::engine {

template <typename T>
class DeadlineHeap {
 public:
  using Handle = std::size_t;
  static constexpr Handle kNoHandle = std::numeric_limits<Handle>::max();

  // Files `value` under deadline `at`; the handle stays valid until erase().
  [[nodiscard]] Handle insert(base::TimePoint at, T value) {
    Handle h;
    if (!free_.empty()) {
      h = free_.back();
      free_.pop_back();
      slots_[h] = Slot{at, next_seq_++, heap_.size(), std::move(value)};
    } else {
      h = slots_.size();
      slots_.push_back(Slot{at, next_seq_++, heap_.size(), std::move(value)});
    }
    heap_.push_back(h);
    sift_up(heap_.size() - 1);
    return h;
  }

  // Moves the entry `h` to deadline `at` (earlier or later).
  void update(Handle h, base::TimePoint at) {
    Slot& s = slots_[h];
    if (s.at == at) {
      return;  // unchanged: keeps its place among equal deadlines
    }
    s.at = at;
    s.seq = next_seq_++;
    const std::size_t pos = s.pos;
    sift_up(pos);
    sift_down(slots_[h].pos);
  }

  void erase(Handle h) {
    const std::size_t pos = slots_[h].pos;
    const std::size_t last = heap_.size() - 1;
    if (pos != last) {
      place(pos, heap_[last]);
      heap_.pop_back();
      sift_up(pos);
      sift_down(slots_[heap_[pos]].pos);
    } else {
      heap_.pop_back();
    }
    slots_[h].pos = kNoHandle;
    slots_[h].value = T{};
    free_.push_back(h);
  }

  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  // The earliest deadline; kNever when empty.
  [[nodiscard]] base::TimePoint earliest() const {
    return heap_.empty() ? base::kNever : slots_[heap_.front()].at;
  }
  [[nodiscard]] Handle top() const { return heap_.front(); }
  [[nodiscard]] base::TimePoint deadline(Handle h) const { return slots_[h].at; }
  [[nodiscard]] const T& value(Handle h) const { return slots_[h].value; }

  // Calls fn(handle) for every entry due at `now` (deadline <= now), earliest first. Visits
  // only those entries and their direct children: O(k log k) for k due entries, whatever the
  // size of the heap. `fn` must not change the heap; collect the handles and act afterwards.
  template <typename Fn>
  void for_each_due(base::TimePoint now, Fn&& fn) const {
    if (heap_.empty() || slots_[heap_.front()].at > now) {
      return;
    }
    // Frontier of heap positions, kept as a small binary heap itself, so entries come out in
    // deadline order.
    std::vector<std::size_t> frontier{0};
    auto later = [this](std::size_t a, std::size_t b) { return less(heap_[b], heap_[a]); };
    while (!frontier.empty()) {
      std::pop_heap(frontier.begin(), frontier.end(), later);
      const std::size_t pos = frontier.back();
      frontier.pop_back();
      fn(heap_[pos]);
      for (const std::size_t child : {2 * pos + 1, 2 * pos + 2}) {
        if (child < heap_.size() && slots_[heap_[child]].at <= now) {
          frontier.push_back(child);
          std::push_heap(frontier.begin(), frontier.end(), later);
        }
      }
    }
  }

 private:
  struct Slot {
    base::TimePoint at;
    std::uint64_t seq = 0;
    std::size_t pos = 0;  // index in heap_
    T value{};
  };

  [[nodiscard]] bool less(Handle a, Handle b) const {
    const Slot& x = slots_[a];
    const Slot& y = slots_[b];
    return x.at != y.at ? x.at < y.at : x.seq < y.seq;
  }
  void place(std::size_t pos, Handle h) {
    heap_[pos] = h;
    slots_[h].pos = pos;
  }
  void sift_up(std::size_t pos) {
    const Handle h = heap_[pos];
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / 2;
      if (!less(h, heap_[parent])) {
        break;
      }
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, h);
  }
  void sift_down(std::size_t pos) {
    const Handle h = heap_[pos];
    const std::size_t n = heap_.size();
    while (true) {
      std::size_t child = 2 * pos + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && less(heap_[child + 1], heap_[child])) {
        ++child;
      }
      if (!less(heap_[child], h)) {
        break;
      }
      place(pos, heap_[child]);
      pos = child;
    }
    place(pos, h);
  }

  std::vector<Slot> slots_;   // by handle
  std::vector<Handle> free_;  // erased handles, reused
  std::vector<Handle> heap_;  // handles in heap order
  std::uint64_t next_seq_ = 0;
};

}  // namespace ike::engine
