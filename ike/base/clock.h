#pragma once
// Engines never read a clock: time is an argument (ngtcp2's model). The shells pass
// MonotonicClock::now(); tests pass a FakeClock's value.
#include <chrono>

namespace base {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;

// "No deadline": engines return this from next_deadline() when nothing is pending.
inline constexpr TimePoint kNever = TimePoint::max();

}  // namespace base
