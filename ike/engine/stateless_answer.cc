#include "ike/engine/stateless_answer.h"

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

}  // namespace ike::engine
