#include "ike/engine/stateless_answer.h"

#include <algorithm>

#include "ike/wire/message.h"

namespace ike::engine {

std::optional<std::vector<std::uint8_t>> encode_stateless_init_answer(
    const wire::Header& request, wire::NotifyPayload notify) {
  wire::Message m;
  m.header = request;
  m.header.spi_r = wire::Spi();
  m.header.initiator = false;
  m.header.response = true;
  m.header.higher_version = false;
  m.header.major_version = wire::kMajorVersion;
  m.header.minor_version = wire::kMinorVersion;
  m.payloads.push_back(wire::make_payload(std::move(notify)));
  auto bytes = wire::encode_message(m);
  if (!bytes) {
    return std::nullopt;
  }
  return std::move(*bytes);
}

bool encode_redirect_answer(const wire::Header& request, const wire::GwIdentity& gateway,
                            std::span<const std::uint8_t> nonce_i, std::vector<std::uint8_t>& out) {
  out.clear();
  if (gateway.value.size() > 0xff) {
    return false;
  }
  constexpr std::size_t kNotifyFixed = wire::kGenericHeaderSize + 4;  // + Protocol..Type
  const std::size_t notify_length = kNotifyFixed + 2 + gateway.value.size() + nonce_i.size();
  const std::size_t length = wire::kHeaderSize + notify_length;
  if (notify_length > 0xffff) {
    return false;  // a Ni is at most 256 octets (RFC 7296 3.9), so never: the full path agrees
  }
  // Plain stores into a buffer of the final size: this runs once per redirected datagram.
  out.resize(length);
  std::uint8_t* p = out.data();
  auto put16 = [&p](std::uint16_t v) {
    *p++ = static_cast<std::uint8_t>(v >> 8);
    *p++ = static_cast<std::uint8_t>(v);
  };
  auto put32 = [&put16](std::uint32_t v) {
    put16(static_cast<std::uint16_t>(v >> 16));
    put16(static_cast<std::uint16_t>(v));
  };
  // HDR: SPIi, SPIr = 0, Next Payload N, version 2.0, the request's exchange, flags R only
  // (I = 0: we are the responder; V = 0, R7296-04), the request's Message ID, Length.
  put32(static_cast<std::uint32_t>(request.spi_i.value() >> 32));
  put32(static_cast<std::uint32_t>(request.spi_i.value()));
  put32(0);
  put32(0);
  *p++ = static_cast<std::uint8_t>(wire::PayloadType::Notify);
  *p++ = static_cast<std::uint8_t>(wire::kMajorVersion << 4 | wire::kMinorVersion);
  *p++ = static_cast<std::uint8_t>(request.exchange);
  *p++ = wire::kFlagResponse;
  put32(request.message_id.value());
  put32(static_cast<std::uint32_t>(length));
  // N(REDIRECT): last payload, C = 0, Protocol ID 0 and SPI Size 0 (R5685-34).
  *p++ = static_cast<std::uint8_t>(wire::PayloadType::NoNext);
  *p++ = 0;
  put16(static_cast<std::uint16_t>(notify_length));
  *p++ = static_cast<std::uint8_t>(wire::ProtocolId::None);
  *p++ = 0;
  put16(static_cast<std::uint16_t>(wire::NotifyType::Redirect));
  // New Responder GW Identity (R5685-35), then the Ni data (R5685-36).
  *p++ = static_cast<std::uint8_t>(gateway.type);
  *p++ = static_cast<std::uint8_t>(gateway.value.size());
  std::copy(gateway.value.begin(), gateway.value.end(), p);
  p += gateway.value.size();
  std::copy(nonce_i.begin(), nonce_i.end(), p);
  return true;
}

}  // namespace ike::engine
