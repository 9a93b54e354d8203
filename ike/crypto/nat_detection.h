#pragma once
// NAT_DETECTION_SOURCE_IP / _DESTINATION_IP data (RFC 7296 §2.23):
// SHA-1(SPIi | SPIr | IP address | port), SPIs in header order, port big-endian.
#include <array>
#include <cstdint>

#include "ike/base/result.h"
#include "ike/crypto/prf.h"

namespace ike::crypto {

inline constexpr std::size_t kNatDetectionHashSize = 20;
using NatDetectionHash = std::array<std::uint8_t, kNatDetectionHashSize>;

// `address` is the raw 4-octet IPv4 or 16-octet IPv6 address; other sizes fail with
// kErrInvalidLength. SPIr is 0 in the first IKE_SA_INIT request.
[[nodiscard]] base::Result<NatDetectionHash> nat_detection_hash(std::uint64_t spi_i,
                                                                std::uint64_t spi_r,
                                                                Bytes address,
                                                                std::uint16_t port);

}  // namespace ike::crypto
