#pragma once
// mip6-load's view of an answer to one of its IKE_SA_INIT requests (RFC 7296 3.1/3.2/3.10,
// RFC 5685 9.2). A datagram from the target is untrusted input: parse_answer() walks the
// header and the payload chain with bounds checks only, borrowing spans from the datagram,
// no allocation (the tool handles hundreds of thousands of answers per second), and says why
// it rejects a datagram. classify_answer() then compares a REDIRECT's nonce copy with the Ni
// the request carried (R5685-05/36).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ike/base/enum_names.h"

namespace mip6load {

enum class AnswerKind : std::uint8_t {
  Redirect,          // N(REDIRECT) whose nonce data equals our Ni (R5685-04/36)
  RedirectBadNonce,  // N(REDIRECT) with another (or no) nonce: an initiator must drop it
  InitResponse,      // SPIr != 0 with SA, KE and Nr: the responder made an IKE SA
  Cookie,            // N(COOKIE) (RFC 7296 2.6)
  ErrorNotify,       // an error notify (type < 16384), e.g. NO_PROPOSAL_CHOSEN, INVALID_KE
  Other,             // a well-formed IKE_SA_INIT response that is none of the above
  Malformed,         // not an IKE_SA_INIT response we can read (counted with the reason)
  kCount,
};
MIP6_COUNTER_NAMES(AnswerKind, Redirect, RedirectBadNonce, InitResponse, Cookie, ErrorNotify, Other,
                   Malformed);

enum class MalformedReason : std::uint8_t {
  None,
  Truncated,          // shorter than the header, or than a payload says
  BadVersion,         // major version != 2
  BadLength,          // header Length != datagram size
  NotInitResponse,    // exchange != IKE_SA_INIT, R flag clear or I flag set
  BadPayloadLength,   // a generic payload header length < 4 or past the end
  TooManyPayloads,    // more than kMaxAnswerPayloads links
  BadNotify,          // notify body shorter than its fixed part or its SPI
  BadRedirect,        // REDIRECT data: GW identity length past the end (R5685-35)
  kCount,
};
MIP6_COUNTER_NAMES(MalformedReason, None, Truncated, BadVersion, BadLength, NotInitResponse,
                   BadPayloadLength, TooManyPayloads, BadNotify, BadRedirect);

constexpr std::size_t kMaxAnswerPayloads = 64;

// What parse_answer() found. Spans borrow from the datagram.
struct AnswerView {
  std::uint64_t spi_i = 0;
  std::uint64_t spi_r = 0;
  std::uint32_t message_id = 0;
  bool has_sa = false;
  bool has_ke = false;
  bool has_nonce = false;
  bool has_cookie = false;
  bool has_redirect = false;
  std::uint8_t redirect_gw_type = 0;                // RFC 5685 9.4: 1 IPv4, 2 IPv6, 3 FQDN
  std::span<const std::uint8_t> redirect_gw;        // GW identity value
  std::span<const std::uint8_t> redirect_nonce;     // the nonce copy (may be empty)
  std::optional<std::uint16_t> first_error_notify;  // type of the first error notify
};

struct ParsedAnswer {
  std::optional<AnswerView> view;  // nullopt: malformed, see reason
  MalformedReason reason = MalformedReason::None;
};

// Header + payload framing + the notifies mip6-load cares about. Never reads outside `bytes`.
[[nodiscard]] ParsedAnswer parse_answer(std::span<const std::uint8_t> bytes);

// The kind of a parsed answer to a request that carried `nonce_i` (precedence: REDIRECT,
// COOKIE, IKE_SA_INIT response, error notify, other).
[[nodiscard]] AnswerKind classify_answer(const AnswerView& view,
                                         std::span<const std::uint8_t> nonce_i);

}  // namespace mip6load
