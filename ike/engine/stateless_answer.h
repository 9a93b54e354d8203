#pragma once
// The stateless answer to an IKE_SA_INIT request: HDR(SPIi, SPIr = 0) with the request's
// Message ID and one notify (an error, COOKIE or REDIRECT). Nothing is stored, so a retried
// request is judged afresh (RFC 7296 2.21.1, RFC 5685 3).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/wire/header.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

[[nodiscard]] std::optional<std::vector<std::uint8_t>> encode_stateless_init_answer(
    const wire::Header& request, wire::NotifyPayload notify);

// HDR(SPIi, 0) N(REDIRECT, new gateway, Ni data) (RFC 5685 8.2, 9.2), written straight into
// `out` (cleared first; a recycled buffer keeps its capacity, so nothing is allocated): the
// same octets as encode_stateless_init_answer(request, make_redirect({gateway, nonce_i})).
// False, with `out` empty, where make_redirect fails (an identity longer than 255 octets).
[[nodiscard]] bool encode_redirect_answer(const wire::Header& request,
                                          const wire::GwIdentity& gateway,
                                          std::span<const std::uint8_t> nonce_i,
                                          std::vector<std::uint8_t>& out);

}  // namespace ike::engine
