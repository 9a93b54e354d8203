#pragma once
// Binding Update sequence numbers (RFC 6275 9.5.1, R6275-23): 16 bits, compared modulo 2^16
// with a window of 32768, so "newer" survives the wrap from 65535 to 0.
#include <cstdint>

namespace mip6::binding {

class BindingSequence {
 public:
  constexpr BindingSequence() = default;
  constexpr explicit BindingSequence(std::uint16_t value) : value_(value) {}

  [[nodiscard]] constexpr std::uint16_t value() const { return value_; }

  // True when this is greater than `last` in the 9.5.1 sense: ((this - last) mod 2^16) lies in
  // [1, 32767]. Everything else (equal, or within the 32768 values at or before `last`) is
  // stale. Example from the RFC digest: last = 15 makes 0..15 and 32783..65535 stale.
  [[nodiscard]] constexpr bool is_newer_than(BindingSequence last) const {
    const auto diff = static_cast<std::uint16_t>(value_ - last.value_);
    return diff != 0 && diff < kWindow;
  }

  // The value an MN uses after this one (after a BA 135 it resumes from the HA's value).
  [[nodiscard]] constexpr BindingSequence next() const {
    return BindingSequence(static_cast<std::uint16_t>(value_ + 1));
  }

  friend constexpr bool operator==(BindingSequence, BindingSequence) = default;

 private:
  static constexpr std::uint16_t kWindow = 32768;
  std::uint16_t value_ = 0;
};

}  // namespace mip6::binding
