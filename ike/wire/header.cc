#include "ike/wire/header.h"

#include "ike/base/byte_reader.h"
#include "ike/base/hex.h"

namespace ike::wire {

std::string to_string(Spi spi) {
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(spi.value() >> (56 - 8 * i));
  }
  return base::to_hex(bytes);
}

ParseResult<Header> read_header_fields(std::span<const std::uint8_t> datagram) {
  if (datagram.size() < kHeaderSize) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  base::ByteReader r(datagram.first(kHeaderSize));
  std::uint64_t spi_i = 0;
  std::uint64_t spi_r = 0;
  std::uint8_t next = 0;
  std::uint8_t version = 0;
  std::uint8_t exchange = 0;
  std::uint8_t flags = 0;
  std::uint32_t mid = 0;
  std::uint32_t length = 0;
  // The size check above makes every read succeed; the results are still checked.
  if (!r.read_u64(spi_i) || !r.read_u64(spi_r) || !r.read_u8(next) || !r.read_u8(version) ||
      !r.read_u8(exchange) || !r.read_u8(flags) || !r.read_u32(mid) || !r.read_u32(length)) {
    return parse_fail(ParseErrc::Truncated, r.offset());
  }
  Header h;
  h.spi_i = Spi(spi_i);
  h.spi_r = Spi(spi_r);
  h.next_payload = static_cast<PayloadType>(next);
  h.major_version = static_cast<std::uint8_t>(version >> 4);
  h.minor_version = static_cast<std::uint8_t>(version & 0x0f);
  h.exchange = static_cast<ExchangeType>(exchange);
  h.initiator = (flags & kFlagInitiator) != 0;
  h.higher_version = (flags & kFlagVersion) != 0;
  h.response = (flags & kFlagResponse) != 0;
  h.message_id = MessageId(mid);
  h.length = length;
  return h;
}

ParseResult<Header> decode_header(std::span<const std::uint8_t> datagram) {
  auto h = read_header_fields(datagram);
  if (!h) {
    return h;
  }
  // Version first: a future major version may change everything after it (2.5).
  if (h->major_version > kMajorVersion) {
    return parse_fail(ParseErrc::MajorVersionTooHigh, 17);
  }
  if (h->major_version < kMajorVersion) {
    return parse_fail(ParseErrc::MajorVersionTooLow, 17);
  }
  if (h->length != datagram.size()) {
    return parse_fail(ParseErrc::MessageLengthMismatch, 24);
  }
  return h;
}

void encode_header(const Header& h, base::ByteWriter& w) {
  w.write_u64(h.spi_i.value());
  w.write_u64(h.spi_r.value());
  w.write_u8(static_cast<std::uint8_t>(h.next_payload));
  w.write_u8(static_cast<std::uint8_t>((h.major_version << 4) | (h.minor_version & 0x0f)));
  w.write_u8(static_cast<std::uint8_t>(h.exchange));
  std::uint8_t flags = 0;
  if (h.initiator) {
    flags |= kFlagInitiator;
  }
  if (h.higher_version) {
    flags |= kFlagVersion;
  }
  if (h.response) {
    flags |= kFlagResponse;
  }
  w.write_u8(flags);
  w.write_u32(h.message_id.value());
  w.write_u32(h.length);
}

}  // namespace ike::wire
