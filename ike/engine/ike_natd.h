#pragma once
// NAT detection for IKE_SA_INIT (RFC 7296 2.23, R7296-56): the two notifies we send and the
// check of the peer's. The result is recorded but not acted on yet (NAT-T: a later task moves
// to port 4500 and adds the non-ESP marker).
#include <span>
#include <vector>

#include "ike/engine/engine_types.h"
#include "ike/wire/message.h"

namespace ike::engine {

// N(NAT_DETECTION_SOURCE_IP) for path.local and N(NAT_DETECTION_DESTINATION_IP) for
// path.remote, hashed with the SPIs as they appear in the header (SPIr 0 in the request).
[[nodiscard]] std::vector<wire::Payload> build_nat_detection(wire::Spi spi_i, wire::Spi spi_r,
                                                             const Path& path);

// True when the peer's hashes (over the SPIs of `msg`'s header) do not match the addresses of
// `path` as we see them, i.e. a NAT sits between us. False when the peer sent none.
[[nodiscard]] bool nat_detected(const Path& path, const wire::Message& msg);

}  // namespace ike::engine
