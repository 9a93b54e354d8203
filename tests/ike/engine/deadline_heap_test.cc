// DeadlineHeap (issue 9): order, update, erase, ties and a large random workload against a
// plain sorted reference, all on fake times.
#include "ike/engine/deadline_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace ike::engine {
namespace {

using std::chrono::seconds;
const base::TimePoint t0 = base::TimePoint{} + std::chrono::hours(1);

std::vector<int> due_values(const DeadlineHeap<int>& heap, base::TimePoint now) {
  std::vector<int> out;
  heap.for_each_due(now, [&](DeadlineHeap<int>::Handle h) { out.push_back(heap.value(h)); });
  return out;
}

TEST(DeadlineHeapTest, EmptyHeapHasNoDeadline) {
  DeadlineHeap<int> heap;
  EXPECT_TRUE(heap.empty());
  EXPECT_EQ(heap.earliest(), base::kNever);
  EXPECT_TRUE(due_values(heap, base::kNever).empty());
}

TEST(DeadlineHeapTest, EarliestAndDueInDeadlineOrder) {
  DeadlineHeap<int> heap;
  (void)heap.insert(t0 + seconds(5), 5);
  (void)heap.insert(t0 + seconds(1), 1);
  (void)heap.insert(t0 + seconds(3), 3);
  (void)heap.insert(base::kNever, 99);
  (void)heap.insert(t0 + seconds(2), 2);
  EXPECT_EQ(heap.earliest(), t0 + seconds(1));
  EXPECT_EQ(due_values(heap, t0), std::vector<int>{});
  EXPECT_EQ(due_values(heap, t0 + seconds(3)), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(due_values(heap, t0 + seconds(100)), (std::vector<int>{1, 2, 3, 5}));
  EXPECT_EQ(heap.size(), 5u);  // for_each_due removes nothing
}

TEST(DeadlineHeapTest, UpdateMovesBothWays) {
  DeadlineHeap<int> heap;
  const auto a = heap.insert(t0 + seconds(1), 1);
  const auto b = heap.insert(t0 + seconds(2), 2);
  const auto c = heap.insert(t0 + seconds(3), 3);
  heap.update(a, t0 + seconds(10));  // later
  EXPECT_EQ(heap.earliest(), t0 + seconds(2));
  heap.update(c, t0);  // earlier
  EXPECT_EQ(heap.top(), c);
  EXPECT_EQ(heap.deadline(a), t0 + seconds(10));
  EXPECT_EQ(due_values(heap, t0 + seconds(10)), (std::vector<int>{3, 2, 1}));
  heap.update(b, base::kNever);
  EXPECT_EQ(due_values(heap, t0 + seconds(10)), (std::vector<int>{3, 1}));
}

TEST(DeadlineHeapTest, EraseAnywhereAndHandlesAreReused) {
  DeadlineHeap<int> heap;
  std::vector<DeadlineHeap<int>::Handle> h;
  for (int i = 0; i < 7; ++i) {
    h.push_back(heap.insert(t0 + seconds(i), i));
  }
  heap.erase(h[0]);  // the top
  heap.erase(h[6]);  // the last slot
  heap.erase(h[3]);  // the middle
  EXPECT_EQ(heap.size(), 4u);
  EXPECT_EQ(due_values(heap, t0 + seconds(10)), (std::vector<int>{1, 2, 4, 5}));
  const auto again = heap.insert(t0, 42);
  EXPECT_TRUE(again == h[0] || again == h[3] || again == h[6]);
  EXPECT_EQ(heap.value(heap.top()), 42);
}

TEST(DeadlineHeapTest, TiesComeOutInFilingOrderAndAMovedEntryGoesLast) {
  DeadlineHeap<int> heap;
  const auto first = heap.insert(t0, 1);
  (void)heap.insert(t0, 2);
  (void)heap.insert(t0, 3);
  EXPECT_EQ(due_values(heap, t0), (std::vector<int>{1, 2, 3}));
  heap.update(first, t0 + seconds(1));
  heap.update(first, t0);
  EXPECT_EQ(due_values(heap, t0), (std::vector<int>{2, 3, 1}));
  heap.update(first, t0);  // same deadline: stays where it is
  EXPECT_EQ(due_values(heap, t0), (std::vector<int>{2, 3, 1}));
}

TEST(DeadlineHeapTest, ManyEntriesAgreeWithASortedReference) {
  DeadlineHeap<int> heap;
  std::map<int, std::pair<base::TimePoint, DeadlineHeap<int>::Handle>> live;
  std::mt19937 rng(7);
  int next = 0;
  for (int step = 0; step < 4000; ++step) {
    const int op = static_cast<int>(rng() % 4);
    const base::TimePoint at = t0 + seconds(rng() % 1000);
    if (op < 2 || live.empty()) {
      live[next] = {at, heap.insert(at, next)};
      ++next;
    } else {
      auto it = std::next(live.begin(), static_cast<long>(rng() % live.size()));
      if (op == 2) {
        heap.update(it->second.second, at);
        it->second.first = at;
      } else {
        heap.erase(it->second.second);
        live.erase(it);
      }
    }
    ASSERT_EQ(heap.size(), live.size());
    base::TimePoint earliest = base::kNever;
    for (const auto& [v, e] : live) {
      earliest = std::min(earliest, e.first);
    }
    ASSERT_EQ(heap.earliest(), earliest);
  }
  // Everything due at t0 + 500 s, and nothing else, in non-decreasing deadline order.
  const base::TimePoint now = t0 + seconds(500);
  std::vector<int> due = due_values(heap, now);
  std::size_t expected = 0;
  for (const auto& [v, e] : live) {
    expected += e.first <= now ? 1 : 0;
  }
  EXPECT_EQ(due.size(), expected);
  for (std::size_t i = 0; i < due.size(); ++i) {
    ASSERT_LE(live.at(due[i]).first, now);
    if (i > 0) {
      ASSERT_LE(live.at(due[i - 1]).first, live.at(due[i]).first);
    }
  }
}

}  // namespace
}  // namespace ike::engine
