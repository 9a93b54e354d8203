#pragma once
// Every decoder in mip6/wire fails with a ParseError: a code whose name is the detail string
// (QUICHE habit) and the byte offset where decoding stopped. Tests assert on both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"

namespace mip6::wire {

enum class ParseErrc : std::uint8_t {
  Truncated,               // input ends inside a fixed field
  LengthMismatch,          // a length field disagrees with the bytes available
  LengthNotMultipleOf8,    // MH total length (RFC 6275 6.1.1)
  PayloadProtoNotNone,     // MH Payload Proto != 59 (RFC 6275 9.2: Param Problem)
  HeaderLenTooShort,       // MH Header Len shorter than the type's fixed part (9.2)
  UnknownMhType,           // RFC 6275 9.2: Binding Error status 2
  OptionTruncated,         // option header or data runs past the options area
  OptionBadLength,         // a known option with a length its type does not allow
  OptionMisaligned,        // a known option not at its alignment (RFC 6275 6.2)
  OptionNotLast,           // Binding Authorization Data not last (6.2.7)
  OptionNotAllowed,        // an option the message type may not carry
  BadAddressCount,         // HA Switch "# of Addresses" overruns the message
  BadIcmpCode,             // mobility ICMPv6 messages use code 0
  WrongIcmpType,           // decoder called on another ICMPv6 type
  BadDhaadReplyLength,     // address list not a multiple of 16 octets
  NdOptionZeroLength,      // ND option with Length 0 (RFC 4861 4.6: must discard)
  NdOptionTruncated,
  NdOptionBadLength,       // known ND option with the wrong Length
  BadRoutingType,          // routing header type != 2 where a type 2 RH is expected
  BadSegmentsLeft,         // type 2 RH with Segments Left != 1 (RFC 6275 6.4)
  BadHdrExtLen,            // type 2 RH Hdr Ext Len != 2
  HaoBadLength,            // Home Address option length != 16 (6.3)
  HaoMisaligned,           // Home Address option not at 8n+6 (6.3)
  NotIpv6,                 // IP version field != 6
  ExtensionChainTooLong,   // more extension headers than we are willing to walk
  DuplicateHeader,         // e.g. two Home Address options
};

MIP6_ENUM_NAMES(ParseErrc, Truncated, LengthMismatch, LengthNotMultipleOf8, PayloadProtoNotNone,
                HeaderLenTooShort, UnknownMhType, OptionTruncated, OptionBadLength,
                OptionMisaligned, OptionNotLast, OptionNotAllowed, BadAddressCount, BadIcmpCode,
                WrongIcmpType, BadDhaadReplyLength, NdOptionZeroLength, NdOptionTruncated,
                NdOptionBadLength, BadRoutingType, BadSegmentsLeft, BadHdrExtLen, HaoBadLength,
                HaoMisaligned, NotIpv6, ExtensionChainTooLong, DuplicateHeader);

// Offset conventions (tests assert them):
//  - Truncated: where the bytes ran out (the input size, or the IPv6 payload end).
//  - Option-level errors (Option*, Nd*, Hao*, OptionNotLast): the Type octet of the offending
//    option; mobility option offsets count from the start of the Mobility Header.
//  - Field errors: the field's own offset (Payload Proto 0, Header Len 1, MH Type 2, "# of
//    Addresses" 6, ICMPv6 Code 1, an extension header's length octet, ...).
struct ParseError {
  ParseErrc code;
  std::uint32_t offset;  // where decoding stopped, from the start of the decoder's input
  friend bool operator==(const ParseError&, const ParseError&) = default;
};

template <typename T>
using ParseResult = base::Result<T, ParseError>;

[[nodiscard]] inline tl::unexpected<ParseError> parse_fail(ParseErrc code, std::size_t offset) {
  return tl::unexpected<ParseError>(ParseError{code, static_cast<std::uint32_t>(offset)});
}

}  // namespace mip6::wire
