#pragma once
// Named counters indexed by an enum (iked's ikestat_inc habit): every drop path bumps one,
// and to_string(E) gives the name that logs, mip6ctl and tests print.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace base {

template <typename E, std::size_t N>
class CounterSet {
 public:
  void inc(E e, std::uint64_t by = 1) { values_[index(e)] += by; }
  [[nodiscard]] std::uint64_t get(E e) const { return values_[index(e)]; }
  void reset() { values_.fill(0); }
  static constexpr std::size_t size() { return N; }

  // Calls f(name, value) for every counter, in enum order.
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < N; ++i) {
      f(to_string(static_cast<E>(i)), values_[i]);
    }
  }

 private:
  static constexpr std::size_t index(E e) { return static_cast<std::size_t>(e); }
  std::array<std::uint64_t, N> values_{};
};

}  // namespace base
