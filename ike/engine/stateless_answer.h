#pragma once
// The stateless answer to an IKE_SA_INIT request: HDR(SPIi, SPIr = 0) with the request's
// Message ID and one notify (an error, COOKIE or REDIRECT). Nothing is stored, so a retried
// request is judged afresh (RFC 7296 2.21.1, RFC 5685 3).
#include <cstdint>
#include <optional>
#include <vector>

#include "ike/wire/header.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

[[nodiscard]] std::optional<std::vector<std::uint8_t>> encode_stateless_init_answer(
    const wire::Header& request, wire::NotifyPayload notify);

}  // namespace ike::engine
