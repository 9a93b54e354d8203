#pragma once
// Building and opening messages with an SK payload (RFC 7296 3.14, RFC 5282 5.1). The wire
// layer frames, the crypto layer seals; this glues them in the order message.h describes.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/wire/message.h"

namespace ike::engine {

// header.next_payload and length are computed. The inner payloads are put in send order for
// the header's exchange and direction (wire::sort_for_send) first.
[[nodiscard]] base::Result<std::vector<std::uint8_t>> build_protected(
    const wire::Header& header, std::vector<wire::Payload> inner, crypto::SkCipher& cipher);

// A received message with its SK contents opened. The plaintext buffer stays with the result
// so the `raw` spans (needed for IDx' in AUTH) remain valid; moving the struct keeps them.
struct OpenedMessage {
  wire::Message outer;
  std::vector<std::uint8_t> plaintext;
  wire::DecodedPayloads inner;
};

enum class OpenErrc : std::uint8_t {
  Undecodable,  // outer framing, or inner payload framing after a good ICV
  NoSkPayload,
  IntegrityFailed,  // ICV mismatch: tampered or not for this SA; drop silently (R7296-43)
  UnsupportedCriticalPayload,  // authentic, but an unknown payload with C = 1 inside (R7296-08)
};
MIP6_ENUM_NAMES(OpenErrc, Undecodable, NoSkPayload, IntegrityFailed, UnsupportedCriticalPayload);

struct OpenError {
  OpenErrc code = OpenErrc::Undecodable;
  std::uint8_t payload_type = 0;  // for UnsupportedCriticalPayload: the type to echo
};

[[nodiscard]] base::Result<OpenedMessage, OpenError> open_protected(
    const wire::DecodedMessage& decoded, std::span<const std::uint8_t> datagram,
    crypto::SkCipher& cipher);

}  // namespace ike::engine
