// Decodes a whole IKE message (RFC 7296 3.1/3.2). Whatever decodes must re-encode to a message
// that decodes to the same value; a mismatch traps so libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ike/wire/message.h"
#include "ike/wire/non_esp_marker.h"
#include "ike/wire/rules.h"

namespace {

void check_round_trip(std::span<const std::uint8_t> input) {
  using namespace ike::wire;
  auto m = decode_message(input);
  if (!m) {
    return;
  }
  (void)validate(m->message, {});
  if (input.size() > kMaxMessageSize) {
    return;  // decodable, but too big for us to send
  }
  auto bytes = encode_message(m->message);
  if (!bytes || bytes->size() != input.size()) {
    __builtin_trap();
  }
  auto again = decode_message(*bytes);
  if (!again || !(again->message == m->message) || again->sk != m->sk) {
    __builtin_trap();
  }
  auto sk = locate_sk(*bytes);
  if (!sk || *sk != m->sk) {
    __builtin_trap();
  }
  // Treat the SK body as if it were the decrypted plaintext: exercises the inner chain rules.
  if (m->sk) {
    auto plain = strip_sk_padding(m->sk->body(input));
    if (plain) {
      auto inner = decode_inner_payloads(m->sk->inner_first, *plain);
      if (inner) {
        (void)validate(m->message, inner->payloads);
        auto enc = encode_inner_payloads(inner->payloads);
        if (!enc || enc->first != (inner->payloads.empty() ? PayloadType::NoNext
                                                             : inner->payloads[0].type)) {
          __builtin_trap();
        }
        auto inner2 = decode_inner_payloads(enc->first, enc->bytes);
        if (!inner2 || !(inner2->payloads == inner->payloads)) {
          __builtin_trap();
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  check_round_trip(input);
  // The same bytes as a port-4500 datagram.
  auto ike = ike::wire::strip_non_esp_marker(input);
  if (ike) {
    check_round_trip(*ike);
  }
  return 0;
}
