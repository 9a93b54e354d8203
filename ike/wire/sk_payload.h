#pragma once
// Encrypted and Authenticated payload SK (RFC 7296 3.14; RFC 5282 for AEAD). The body
// (IV | ciphertext | ICV) is opaque here: the crypto layer splits it by algorithm. What this
// layer provides is the framing around it: the inner first-payload type (carried in the SK
// generic header's Next Payload), the byte ranges for the AAD/ICV (see SkLocation in
// message.h), and the padding rule of the decrypted plaintext.
//
// RFC 7383 fragments (SKF, type 53) are deferred: they decode as an unknown, non-critical
// payload, which is harmless because we never send IKEV2_FRAGMENTATION_SUPPORTED.
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct SkPayload {
  static constexpr PayloadType kType = PayloadType::Encrypted;
  PayloadType inner_first = PayloadType::NoNext;  // type of the first encrypted payload
  std::vector<std::uint8_t> data;                 // IV | ciphertext | ICV

  // inner_first comes from the generic header, so the message decoder passes it in.
  [[nodiscard]] static ParseResult<SkPayload> decode(PayloadType inner_first,
                                                     std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const SkPayload&, const SkPayload&) = default;
};

// Decrypted plaintext = inner payloads | Padding | Pad Length (1 octet). Returns the inner
// payloads; any padding length that fits is accepted (R7296-34).
[[nodiscard]] ParseResult<std::span<const std::uint8_t>> strip_sk_padding(
    std::span<const std::uint8_t> plaintext);

}  // namespace ike::wire
