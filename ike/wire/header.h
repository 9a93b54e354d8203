#pragma once
// IKE header (RFC 7296 3.1): 28 octets in front of every IKE message.
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

// An IKE SA SPI: 8 octets, network order on the wire. 0 means "not yet chosen" (SPIr in the
// first IKE_SA_INIT request, R7296-05).
class Spi {
 public:
  constexpr Spi() = default;
  constexpr explicit Spi(std::uint64_t v) : value_(v) {}
  [[nodiscard]] constexpr std::uint64_t value() const { return value_; }
  [[nodiscard]] constexpr bool is_zero() const { return value_ == 0; }
  friend constexpr auto operator<=>(const Spi&, const Spi&) = default;

 private:
  std::uint64_t value_ = 0;
};

std::string to_string(Spi spi);  // 16 lower-case hex digits

class MessageId {
 public:
  constexpr MessageId() = default;
  constexpr explicit MessageId(std::uint32_t v) : value_(v) {}
  [[nodiscard]] constexpr std::uint32_t value() const { return value_; }
  friend constexpr auto operator<=>(const MessageId&, const MessageId&) = default;

 private:
  std::uint32_t value_ = 0;
};

// Values outside the named ones survive decoding unchanged; the rule tables reject them.
enum class ExchangeType : std::uint8_t {
  IkeSaInit = 34,
  IkeAuth = 35,
  CreateChildSa = 36,
  Informational = 37,
};

MIP6_ENUM_NAMES(ExchangeType, IkeSaInit, IkeAuth, CreateChildSa, Informational);

constexpr std::size_t kHeaderSize = 28;
constexpr std::uint8_t kMajorVersion = 2;
constexpr std::uint8_t kMinorVersion = 0;
constexpr std::uint8_t kFlagInitiator = 0x08;
constexpr std::uint8_t kFlagVersion = 0x10;
constexpr std::uint8_t kFlagResponse = 0x20;

struct Header {
  Spi spi_i;
  Spi spi_r;
  PayloadType next_payload = PayloadType::NoNext;
  std::uint8_t major_version = kMajorVersion;
  std::uint8_t minor_version = kMinorVersion;  // ignored on receipt (R7296-01)
  ExchangeType exchange = ExchangeType::IkeSaInit;
  bool initiator = false;       // I: sent by the original initiator of the IKE SA
  bool higher_version = false;  // V: always 0 on send (R7296-04)
  bool response = false;        // R
  MessageId message_id;
  std::uint32_t length = 0;  // whole message, header included

  friend bool operator==(const Header&, const Header&) = default;
};

// Reads the 28 header octets without judging them: enough to answer a message we reject
// (INVALID_MAJOR_VERSION needs the SPIs and Message ID). Fails only with Truncated.
[[nodiscard]] ParseResult<Header> read_header_fields(std::span<const std::uint8_t> datagram);

// Full header validation for a datagram that holds exactly one IKE message (no non-ESP
// marker): major version 2 (R7296-02), Length == datagram size. Reserved flag bits and the
// minor version are ignored (R7296-01, R7296-04).
[[nodiscard]] ParseResult<Header> decode_header(std::span<const std::uint8_t> datagram);

// Writes the 28 octets as given (major/minor from the struct, X bits zero).
void encode_header(const Header& h, base::ByteWriter& w);

}  // namespace ike::wire
