#include "ike/engine/sk_protection.h"

#include <algorithm>

#include "ike/crypto/crypto_error.h"
#include "ike/wire/rules.h"

namespace ike::engine {

base::Result<std::vector<std::uint8_t>> build_protected(const wire::Header& header,
                                                        std::vector<wire::Payload> inner,
                                                        crypto::SkCipher& cipher) {
  wire::sort_for_send(header.exchange, header.response, inner);
  auto encoded = wire::encode_inner_payloads(inner);
  if (!encoded) {
    return base::fail(base::Error{"encode_failed", wire::to_string(encoded.error().code)});
  }
  const std::vector<std::uint8_t> padded =
      crypto::add_sk_padding(encoded->bytes, cipher.block_size());
  wire::Message m;
  m.header = header;
  wire::SkPayload sk;
  sk.inner_first = encoded->first;
  sk.data.assign(cipher.body_size(padded.size()), 0);
  m.payloads.push_back(wire::make_payload(std::move(sk)));
  auto bytes = wire::encode_message(m);
  if (!bytes) {
    return base::fail(base::Error{"encode_failed", wire::to_string(bytes.error().code)});
  }
  auto loc = wire::locate_sk(*bytes);
  if (!loc || !*loc) {
    return base::fail(base::Error{"encode_failed", "sk not found"});
  }
  const std::vector<std::uint8_t> aad((*loc)->aad(*bytes).begin(), (*loc)->aad(*bytes).end());
  auto body = cipher.seal_body(aad, padded);
  if (!body) {
    return base::fail(body.error());
  }
  auto dst = (*loc)->body(std::span<std::uint8_t>(*bytes));
  if (body->size() != dst.size()) {
    return base::fail(base::Error{"encode_failed", "sk body size"});
  }
  std::copy(body->begin(), body->end(), dst.begin());
  return std::move(*bytes);
}

base::Result<OpenedMessage, OpenError> open_protected(const wire::DecodedMessage& decoded,
                                                      std::span<const std::uint8_t> datagram,
                                                      crypto::SkCipher& cipher) {
  if (!decoded.sk) {
    return base::fail(OpenError{OpenErrc::NoSkPayload});
  }
  const wire::SkLocation& loc = *decoded.sk;
  if (static_cast<std::size_t>(loc.body_offset) + loc.body_length > datagram.size()) {
    return base::fail(OpenError{OpenErrc::Undecodable});
  }
  auto plain = cipher.open_body(loc.aad(datagram), loc.body(datagram));
  if (!plain) {
    return base::fail(OpenError{plain.error().code == crypto::kErrAuthenticationFailed
                                    ? OpenErrc::IntegrityFailed
                                    : OpenErrc::Undecodable});
  }
  auto inner_len = crypto::strip_sk_padding(*plain);
  if (!inner_len) {
    return base::fail(OpenError{OpenErrc::Undecodable});
  }
  OpenedMessage out;
  out.outer = decoded.message;
  out.plaintext = std::move(*plain);
  out.plaintext.resize(*inner_len);
  auto inner = wire::decode_inner_payloads(loc.inner_first, out.plaintext);
  if (!inner) {
    if (inner.error().code == wire::ParseErrc::UnsupportedCriticalPayload) {
      return base::fail(
          OpenError{OpenErrc::UnsupportedCriticalPayload, inner.error().payload_type});
    }
    return base::fail(OpenError{OpenErrc::Undecodable});
  }
  out.inner = std::move(*inner);
  return out;
}

}  // namespace ike::engine
