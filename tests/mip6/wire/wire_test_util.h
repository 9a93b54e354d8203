#pragma once
// Helpers shared by the wire codec tests: hex vectors, addresses, and exact-error assertions.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/hex.h"
#include "ike/base/ip6_addr.h"
#include "mip6/wire/parse_error.h"

namespace mip6::wire {

// Lets gtest print errors as "option-misaligned@14".
inline void PrintTo(const ParseError& e, std::ostream* os) {
  *os << to_string(e.code) << '@' << e.offset;
}

namespace test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
  auto v = base::from_hex(text);
  EXPECT_TRUE(v.has_value()) << "bad hex in test vector";
  return v.value_or(std::vector<std::uint8_t>{});
}

inline base::Ip6Addr ip(std::string_view text) {
  auto a = base::Ip6Addr::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(base::Ip6Addr{});
}

inline std::span<const std::uint8_t> prefix(const std::vector<std::uint8_t>& v, std::size_t n) {
  return std::span<const std::uint8_t>(v).first(n);
}

// Passes when `r` failed with exactly {code, offset}.
template <typename R>
::testing::AssertionResult fails_with(const R& r, ParseErrc code, std::size_t offset) {
  if (r.has_value()) {
    return ::testing::AssertionFailure()
           << "decoded, expected " << to_string(code) << '@' << offset;
  }
  if (r.error().code != code || r.error().offset != offset) {
    return ::testing::AssertionFailure()
           << "got " << to_string(r.error().code) << '@' << r.error().offset << ", expected "
           << to_string(code) << '@' << offset;
  }
  return ::testing::AssertionSuccess();
}

template <typename R>
::testing::AssertionResult decodes(const R& r) {
  if (!r.has_value()) {
    return ::testing::AssertionFailure()
           << "failed with " << to_string(r.error().code) << '@' << r.error().offset;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace test
}  // namespace mip6::wire
