#include "ike/wire/parse_error.h"

namespace ike::wire {

std::string_view to_string(ParseErrc e) {
  switch (e) {
    case ParseErrc::Truncated: return "truncated";
    case ParseErrc::MessageLengthMismatch: return "message-length-mismatch";
    case ParseErrc::MajorVersionTooHigh: return "major-version-too-high";
    case ParseErrc::MajorVersionTooLow: return "major-version-too-low";
    case ParseErrc::PayloadLengthTooShort: return "payload-length-too-short";
    case ParseErrc::PayloadLengthOverrun: return "payload-length-overrun";
    case ParseErrc::UnsupportedCriticalPayload: return "unsupported-critical-payload";
    case ParseErrc::EncryptedNotLast: return "encrypted-not-last";
    case ParseErrc::NestedEncrypted: return "nested-encrypted";
    case ParseErrc::TrailingData: return "trailing-data";
    case ParseErrc::TooManyPayloads: return "too-many-payloads";
    case ParseErrc::MissingNonEspMarker: return "missing-non-esp-marker";
    case ParseErrc::NoProposals: return "no-proposals";
    case ParseErrc::ProposalLengthTooShort: return "proposal-length-too-short";
    case ParseErrc::ProposalLengthOverrun: return "proposal-length-overrun";
    case ParseErrc::ProposalLastSubstrucMismatch: return "proposal-last-substruc-mismatch";
    case ParseErrc::TransformCountMismatch: return "transform-count-mismatch";
    case ParseErrc::TransformLengthTooShort: return "transform-length-too-short";
    case ParseErrc::TransformLengthOverrun: return "transform-length-overrun";
    case ParseErrc::TransformLastSubstrucMismatch: return "transform-last-substruc-mismatch";
    case ParseErrc::AttributeTruncated: return "attribute-truncated";
    case ParseErrc::NonceBadLength: return "nonce-bad-length";
    case ParseErrc::IdBadLength: return "id-bad-length";
    case ParseErrc::DeleteSpiCountMismatch: return "delete-spi-count-mismatch";
    case ParseErrc::TsBadLength: return "ts-bad-length";
    case ParseErrc::TsLengthOverrun: return "ts-length-overrun";
    case ParseErrc::TsCountMismatch: return "ts-count-mismatch";
    case ParseErrc::CpAttributeTruncated: return "cp-attribute-truncated";
    case ParseErrc::EapLengthMismatch: return "eap-length-mismatch";
    case ParseErrc::SkPadLengthOverrun: return "sk-pad-length-overrun";
    case ParseErrc::WrongNotifyType: return "wrong-notify-type";
    case ParseErrc::NotifyUnexpectedSpi: return "notify-unexpected-spi";
    case ParseErrc::NotifyDataBadLength: return "notify-data-bad-length";
    case ParseErrc::GwIdentTypeUnknown: return "gw-ident-type-unknown";
    case ParseErrc::GwIdentTypeNotAllowed: return "gw-ident-type-not-allowed";
    case ParseErrc::GwIdentBadLength: return "gw-ident-bad-length";
    case ParseErrc::RedirectNonceBadLength: return "redirect-nonce-bad-length";
    case ParseErrc::CpAttributeBadLength: return "cp-attribute-bad-length";
    case ParseErrc::CpAttributeBadValue: return "cp-attribute-bad-value";
    case ParseErrc::WrongCpAttributeType: return "wrong-cp-attribute-type";
  }
  return "unknown-parse-error";
}

std::string_view to_string(EncodeErrc e) {
  switch (e) {
    case EncodeErrc::PayloadTooLong: return "payload-too-long";
    case EncodeErrc::MessageTooLong: return "message-too-long";
    case EncodeErrc::CountTooLarge: return "count-too-large";
    case EncodeErrc::FieldTooLong: return "field-too-long";
    case EncodeErrc::TypeMismatch: return "type-mismatch";
    case EncodeErrc::EncryptedNotLast: return "encrypted-not-last";
    case EncodeErrc::NestedEncrypted: return "nested-encrypted";
  }
  return "unknown-encode-error";
}

}  // namespace ike::wire
