#pragma once
// Virtual time for engine tests: tests advance it explicitly (usually to an engine's
// next_deadline()), never sleep.
#include "ike/base/clock.h"

namespace test {

class FakeClock {
 public:
  // Starts well away from the epoch so "time zero" never looks like an unset value.
  FakeClock() : now_(base::TimePoint{} + std::chrono::hours(1000)) {}
  [[nodiscard]] base::TimePoint now() const { return now_; }
  void advance(base::Duration d) { now_ += d; }
  void advance_to(base::TimePoint t) {
    if (t > now_) {
      now_ = t;
    }
  }

 private:
  base::TimePoint now_;
};

}  // namespace test
