#pragma once
// Every decoder in ike/wire fails with a ParseError: a code whose name is the detail string
// (QUICHE habit), the byte offset where decoding stopped, and the payload type being decoded
// (or, for UnsupportedCriticalPayload, the unknown type the engine must echo back).
// Encoders fail with an EncodeError when a value does not fit its wire field.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"

namespace ike::wire {

enum class ParseErrc : std::uint8_t {
  // Message level (RFC 7296 3.1, 3.2).
  Truncated,                   // input ends inside a fixed field or a fixed-size part
  MessageLengthMismatch,       // header Length differs from the datagram size
  MajorVersionTooHigh,         // MjVer > 2: drop, answer INVALID_MAJOR_VERSION (2.5)
  MajorVersionTooLow,          // MjVer < 2 (IKEv1 or garbage): drop silently
  PayloadLengthTooShort,       // generic payload Length < 4
  PayloadLengthOverrun,        // generic payload Length runs past the message
  UnsupportedCriticalPayload,  // unknown payload type with C = 1 (3.2)
  EncryptedNotLast,            // bytes follow the SK payload (3.14)
  NestedEncrypted,             // SK or SKF inside decrypted SK contents (R7296-10)
  TrailingData,                // bytes after the payload whose Next Payload is 0
  TooManyPayloads,             // more payloads than we are willing to walk
  MissingNonEspMarker,         // port 4500 datagram that is not an IKE message (2.23)
  // SA payload (3.3).
  NoProposals,                   // SA payload with an empty body
  ProposalLengthTooShort,        // Proposal Length < 8 + SPI Size
  ProposalLengthOverrun,         // Proposal Length runs past the SA payload
  ProposalLastSubstrucMismatch,  // Last Substruc not 0/2, or disagrees with what follows
  TransformCountMismatch,        // Num Transforms != transforms in the proposal
  TransformLengthTooShort,       // Transform Length < 8
  TransformLengthOverrun,        // Transform Length runs past the proposal
  TransformLastSubstrucMismatch,  // Last Substruc not 0/3, or disagrees with what follows
  AttributeTruncated,            // attribute header or TLV value runs past the transform
  // Payload bodies.
  NonceBadLength,      // Nonce Data outside 16..256 octets (3.9)
  IdBadLength,         // ID_IPV4_ADDR not 4 octets or ID_IPV6_ADDR not 16 (3.5)
  DeleteSpiCountMismatch,  // Num of SPIs x SPI Size != bytes present (3.11)
  TsBadLength,         // Selector Length wrong for the TS type (16 for IPv4, 40 for IPv6)
  TsLengthOverrun,     // Selector Length runs past the TS payload
  TsCountMismatch,     // Number of TSs disagrees with the selectors present
  CpAttributeTruncated,  // CP attribute header or value runs past the payload (3.15.1)
  EapLengthMismatch,   // EAP Length field differs from the payload body (RFC 3748 4)
  SkPadLengthOverrun,  // decrypted SK contents: Pad Length exceeds the plaintext (3.14)
  // Typed helpers over Notify and CP contents.
  WrongNotifyType,         // typed notify helper called on another type
  NotifyUnexpectedSpi,     // Protocol ID / SPI Size not 0 where they must be (R5685-34)
  NotifyDataBadLength,     // fixed-size notify data of the wrong length
  GwIdentTypeUnknown,      // GW Ident Type not 1, 2 or 3 (RFC 5685 9.2)
  GwIdentTypeNotAllowed,   // FQDN in REDIRECTED_FROM (RFC 5685 9.3)
  GwIdentBadLength,        // GW Ident Len wrong for its type, or runs past the data
  RedirectNonceBadLength,  // REDIRECT nonce data neither absent nor 16..256 (R5685-36)
  CpAttributeBadLength,    // known CP attribute with a length its type does not allow
  CpAttributeBadValue,     // e.g. prefix length > 128
  WrongCpAttributeType,    // typed CP helper called on another attribute type
};

MIP6_ENUM_NAMES(ParseErrc, Truncated, MessageLengthMismatch, MajorVersionTooHigh,
                MajorVersionTooLow, PayloadLengthTooShort, PayloadLengthOverrun,
                UnsupportedCriticalPayload, EncryptedNotLast, NestedEncrypted, TrailingData,
                TooManyPayloads, MissingNonEspMarker, NoProposals, ProposalLengthTooShort,
                ProposalLengthOverrun, ProposalLastSubstrucMismatch, TransformCountMismatch,
                TransformLengthTooShort, TransformLengthOverrun, TransformLastSubstrucMismatch,
                AttributeTruncated, NonceBadLength, IdBadLength, DeleteSpiCountMismatch,
                TsBadLength, TsLengthOverrun, TsCountMismatch, CpAttributeTruncated,
                EapLengthMismatch, SkPadLengthOverrun, WrongNotifyType, NotifyUnexpectedSpi,
                NotifyDataBadLength, GwIdentTypeUnknown, GwIdentTypeNotAllowed, GwIdentBadLength,
                RedirectNonceBadLength, CpAttributeBadLength, CpAttributeBadValue,
                WrongCpAttributeType);

struct ParseError {
  ParseErrc code;
  std::uint32_t offset;  // where decoding stopped, from the start of the decoder's input
  std::uint8_t payload_type = 0;  // payload being decoded (0: header); see UnsupportedCritical...
  friend bool operator==(const ParseError&, const ParseError&) = default;
};

template <typename T>
using ParseResult = base::Result<T, ParseError>;

[[nodiscard]] inline tl::unexpected<ParseError> parse_fail(ParseErrc code, std::size_t offset,
                                                           std::uint8_t payload_type = 0) {
  return tl::unexpected<ParseError>(
      ParseError{code, static_cast<std::uint32_t>(offset), payload_type});
}

// Re-bases an error from a nested decoder (offsets relative to a body) onto the outer input.
[[nodiscard]] inline ParseError shifted(ParseError e, std::size_t by, std::uint8_t payload_type) {
  e.offset += static_cast<std::uint32_t>(by);
  if (e.payload_type == 0) {
    e.payload_type = payload_type;
  }
  return e;
}

enum class EncodeErrc : std::uint8_t {
  PayloadTooLong,     // a payload body does not fit a 16-bit Payload Length
  MessageTooLong,     // the message does not fit a UDP datagram
  CountTooLarge,      // e.g. more than 255 transforms, proposals or traffic selectors
  FieldTooLong,       // e.g. an FQDN over 255 octets in a GW identity, SPI over 255 octets
  TypeMismatch,       // Payload::type disagrees with the body it holds
  EncryptedNotLast,   // an SK payload that is not the last one
  NestedEncrypted,    // an SK payload among the inner payloads
};

MIP6_ENUM_NAMES(EncodeErrc, PayloadTooLong, MessageTooLong, CountTooLarge, FieldTooLong,
                TypeMismatch, EncryptedNotLast, NestedEncrypted);

struct EncodeError {
  EncodeErrc code;
  std::uint8_t payload_type = 0;
  friend bool operator==(const EncodeError&, const EncodeError&) = default;
};

template <typename T>
using EncodeResult = base::Result<T, EncodeError>;
using EncodeStatus = base::Result<void, EncodeError>;

[[nodiscard]] inline tl::unexpected<EncodeError> encode_fail(EncodeErrc code,
                                                             std::uint8_t payload_type = 0) {
  return tl::unexpected<EncodeError>(EncodeError{code, payload_type});
}

}  // namespace ike::wire
