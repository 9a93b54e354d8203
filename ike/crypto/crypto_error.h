#pragma once
// Error codes of ike::crypto, as base::Error::code values. Callers compare the code against
// these constants (e.g. to map kAuthenticationFailed to a silent drop and a counter).
#include <string_view>

#include "ike/base/result.h"

namespace ike::crypto {

inline constexpr std::string_view kErrUnsupportedAlgorithm = "unsupported_algorithm";
inline constexpr std::string_view kErrInvalidKeyLength = "invalid_key_length";
inline constexpr std::string_view kErrInvalidLength = "invalid_length";
inline constexpr std::string_view kErrInvalidPublicValue = "invalid_public_value";
inline constexpr std::string_view kErrInvalidPrivateKey = "invalid_private_key";
inline constexpr std::string_view kErrAuthenticationFailed = "authentication_failed";
inline constexpr std::string_view kErrInvalidPadding = "invalid_padding";
inline constexpr std::string_view kErrOutputTooLong = "output_too_long";
inline constexpr std::string_view kErrInternal = "crypto_internal";

[[nodiscard]] inline tl::unexpected<base::Error> crypto_fail(std::string_view code,
                                                           std::string_view detail = {}) {
  return base::fail(base::Error{code, detail});
}

}  // namespace ike::crypto
