#pragma once
// Error codes of ike::crypto, as base::Error::code values. Callers compare the code against
// these constants (e.g. to map kAuthenticationFailed to a silent drop and a counter).
#include <string_view>

#include "ike/base/result.h"

namespace ike::crypto {

inline constexpr std::string_view kErrUnsupportedAlgorithm = "unsupported-algorithm";
inline constexpr std::string_view kErrInvalidKeyLength = "invalid-key-length";
inline constexpr std::string_view kErrInvalidLength = "invalid-length";
inline constexpr std::string_view kErrInvalidPublicValue = "invalid-public-value";
inline constexpr std::string_view kErrInvalidPrivateKey = "invalid-private-key";
inline constexpr std::string_view kErrAuthenticationFailed = "authentication-failed";
inline constexpr std::string_view kErrInvalidPadding = "invalid-padding";
inline constexpr std::string_view kErrOutputTooLong = "output-too-long";
inline constexpr std::string_view kErrInternal = "crypto-internal";

[[nodiscard]] inline tl::unexpected<base::Error> crypto_fail(std::string_view code,
                                                           std::string_view detail = {}) {
  return base::fail(base::Error{code, detail});
}

}  // namespace ike::crypto
