#pragma once
// One alias for fallible results, so a later move to std::expected is a one-line change.
#include <tl/expected.hpp>

#include <cstdint>
#include <string_view>

namespace base {

// Generic engine/config error: a stable code name plus an optional detail.
struct Error {
  std::string_view code;    // static string, e.g. "no_capacity"
  std::string_view detail;  // static string; never owns memory
};

template <typename T, typename E = Error>
using Result = tl::expected<T, E>;

template <typename E>
[[nodiscard]] constexpr tl::unexpected<E> fail(E e) {
  return tl::unexpected<E>(std::move(e));
}

}  // namespace base
