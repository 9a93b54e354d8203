#include "tools/mip6-load/answer_classifier.h"

#include <algorithm>

#include "ike/base/byte_reader.h"

namespace mip6load {
namespace {

// Wire numbers (RFC 7296 3.1/3.2/3.10, RFC 5685 9); kept here so the classifier stays a
// self-contained decoder (it also builds into its fuzz target on its own).
constexpr std::size_t kHeaderSize = 28;
constexpr std::uint8_t kExchangeIkeSaInit = 34;
constexpr std::uint8_t kFlagInitiator = 0x08;
constexpr std::uint8_t kFlagResponse = 0x20;
constexpr std::uint8_t kPayloadSa = 33;
constexpr std::uint8_t kPayloadKe = 34;
constexpr std::uint8_t kPayloadNonce = 40;
constexpr std::uint8_t kPayloadNotify = 41;
constexpr std::uint16_t kNotifyCookie = 16390;
constexpr std::uint16_t kNotifyRedirect = 16407;
constexpr std::uint16_t kFirstStatusNotify = 16384;

ParsedAnswer malformed(MalformedReason r) {
  return ParsedAnswer{std::nullopt, r};
}

// Notify body (3.10): Protocol ID, SPI Size, Notify Message Type, SPI, data.
MalformedReason read_notify(std::span<const std::uint8_t> body, AnswerView& v) {
  base::ByteReader r(body);
  std::uint8_t protocol = 0;
  std::uint8_t spi_size = 0;
  std::uint16_t type = 0;
  std::span<const std::uint8_t> spi;
  if (!r.read_u8(protocol) || !r.read_u8(spi_size) || !r.read_u16(type) ||
      !r.read_span(spi_size, spi)) {
    return MalformedReason::BadNotify;
  }
  const std::span<const std::uint8_t> data = body.subspan(4 + spi_size);
  if (type == kNotifyRedirect && !v.has_redirect) {
    // GW Ident Type, GW Ident Len, New Responder GW Identity, Nonce Data (9.2).
    base::ByteReader d(data);
    std::uint8_t gw_type = 0;
    std::uint8_t gw_len = 0;
    std::span<const std::uint8_t> gw;
    if (!d.read_u8(gw_type) || !d.read_u8(gw_len) || !d.read_span(gw_len, gw)) {
      return MalformedReason::BadRedirect;
    }
    v.has_redirect = true;
    v.redirect_gw_type = gw_type;
    v.redirect_gw = gw;
    v.redirect_nonce = data.subspan(2 + gw_len);
  } else if (type == kNotifyCookie) {
    v.has_cookie = true;
  } else if (type < kFirstStatusNotify && !v.first_error_notify) {
    v.first_error_notify = type;
  }
  return MalformedReason::None;
}

}  // namespace

ParsedAnswer parse_answer(std::span<const std::uint8_t> bytes) {
  base::ByteReader r(bytes);
  AnswerView v;
  std::uint8_t next = 0;
  std::uint8_t version = 0;
  std::uint8_t exchange = 0;
  std::uint8_t flags = 0;
  std::uint32_t length = 0;
  if (!r.read_u64(v.spi_i) || !r.read_u64(v.spi_r) || !r.read_u8(next) ||
      !r.read_u8(version) || !r.read_u8(exchange) || !r.read_u8(flags) ||
      !r.read_u32(v.message_id) || !r.read_u32(length)) {
    return malformed(MalformedReason::Truncated);
  }
  if ((version >> 4) != 2) {
    return malformed(MalformedReason::BadVersion);
  }
  if (length != bytes.size()) {
    return malformed(MalformedReason::BadLength);
  }
  if (exchange != kExchangeIkeSaInit || (flags & kFlagResponse) == 0 ||
      (flags & kFlagInitiator) != 0) {
    return malformed(MalformedReason::NotInitResponse);
  }
  std::size_t offset = kHeaderSize;
  for (std::size_t count = 0; next != 0; ++count) {
    if (count == kMaxAnswerPayloads) {
      return malformed(MalformedReason::TooManyPayloads);
    }
    if (bytes.size() - offset < 4) {
      return malformed(MalformedReason::Truncated);
    }
    const std::uint8_t type = next;
    next = bytes[offset];
    const std::size_t plen = (std::size_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
    if (plen < 4 || plen > bytes.size() - offset) {
      return malformed(MalformedReason::BadPayloadLength);
    }
    const auto body = bytes.subspan(offset + 4, plen - 4);
    offset += plen;
    switch (type) {
      case kPayloadSa: v.has_sa = true; break;
      case kPayloadKe: v.has_ke = true; break;
      case kPayloadNonce: v.has_nonce = true; break;
      case kPayloadNotify:
        if (const auto bad = read_notify(body, v); bad != MalformedReason::None) {
          return malformed(bad);
        }
        break;
      default: break;  // other payloads are not ours to judge
    }
  }
  return ParsedAnswer{v, MalformedReason::None};
}

AnswerKind classify_answer(const AnswerView& view, std::span<const std::uint8_t> nonce_i) {
  if (view.has_redirect) {
    const bool same = view.redirect_nonce.size() == nonce_i.size() &&
                      std::equal(nonce_i.begin(), nonce_i.end(), view.redirect_nonce.begin());
    return same && !nonce_i.empty() ? AnswerKind::Redirect : AnswerKind::RedirectBadNonce;
  }
  if (view.has_cookie) {
    return AnswerKind::Cookie;
  }
  if (view.spi_r != 0 && view.has_sa && view.has_ke && view.has_nonce) {
    return AnswerKind::InitResponse;
  }
  if (view.first_error_notify) {
    return AnswerKind::ErrorNotify;
  }
  return AnswerKind::Other;
}

}  // namespace mip6load
