#pragma once
// Small payload helpers the tasks share: the KE payload of a key exchange, the first error
// notify of a response and what it means for the SA, the TS payloads of a message.
#include <optional>
#include <span>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/engine/engine_types.h"
#include "ike/wire/message.h"

namespace ike::engine {

// KE with our public value for the exchange's group (RFC 7296 3.4).
[[nodiscard]] wire::Payload make_ke_payload(const crypto::KeyExchange& kex);

// The first error notify (type < 16384) among `payloads`, if any (R7296-54).
[[nodiscard]] std::optional<wire::NotifyType> first_error(std::span<const wire::Payload> payloads);

// The failure an error notify in a response stands for (R7296-54); nullopt for a status notify.
[[nodiscard]] std::optional<FailureReason> failure_for(wire::NotifyType type);

// Appends `parts` to `out` and leaves `parts` empty (a task's share of a message).
void append_payloads(std::vector<wire::Payload>& out, std::vector<wire::Payload>& parts);

// The TSi or TSr payload.
[[nodiscard]] const wire::TsPayload* find_ts(std::span<const wire::Payload> payloads,
                                             wire::PayloadType type);

}  // namespace ike::engine
