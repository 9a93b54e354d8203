#include "mip6/wire/parse_error.h"

namespace mip6::wire {

std::string_view to_string(ParseErrc e) {
  switch (e) {
    case ParseErrc::Truncated: return "truncated";
    case ParseErrc::LengthMismatch: return "length-mismatch";
    case ParseErrc::LengthNotMultipleOf8: return "length-not-multiple-of-8";
    case ParseErrc::PayloadProtoNotNone: return "payload-proto-not-none";
    case ParseErrc::HeaderLenTooShort: return "header-len-too-short";
    case ParseErrc::UnknownMhType: return "unknown-mh-type";
    case ParseErrc::OptionTruncated: return "option-truncated";
    case ParseErrc::OptionBadLength: return "option-bad-length";
    case ParseErrc::OptionMisaligned: return "option-misaligned";
    case ParseErrc::OptionNotLast: return "option-not-last";
    case ParseErrc::OptionNotAllowed: return "option-not-allowed";
    case ParseErrc::BadAddressCount: return "bad-address-count";
    case ParseErrc::BadIcmpCode: return "bad-icmp-code";
    case ParseErrc::WrongIcmpType: return "wrong-icmp-type";
    case ParseErrc::BadDhaadReplyLength: return "bad-dhaad-reply-length";
    case ParseErrc::NdOptionZeroLength: return "nd-option-zero-length";
    case ParseErrc::NdOptionTruncated: return "nd-option-truncated";
    case ParseErrc::NdOptionBadLength: return "nd-option-bad-length";
    case ParseErrc::BadRoutingType: return "bad-routing-type";
    case ParseErrc::BadSegmentsLeft: return "bad-segments-left";
    case ParseErrc::BadHdrExtLen: return "bad-hdr-ext-len";
    case ParseErrc::HaoBadLength: return "hao-bad-length";
    case ParseErrc::HaoMisaligned: return "hao-misaligned";
    case ParseErrc::NotIpv6: return "not-ipv6";
    case ParseErrc::ExtensionChainTooLong: return "extension-chain-too-long";
    case ParseErrc::DuplicateHeader: return "duplicate-header";
  }
  return "unknown-parse-error";
}

}  // namespace mip6::wire
