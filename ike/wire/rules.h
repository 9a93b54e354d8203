#pragma once
// Per-exchange payload rules (strongSwan encoding/message.c style): for each exchange type
// and direction, which payloads may appear, how often, and whether they must be inside SK.
// The engine validates every message here, after decryption and before any task sees it, so a
// tampered or odd message is rejected in one place. Order is not checked on receipt (RFC 7296
// 3.2: accept any order) except that SK is last (walk_payloads); the order tables are used
// when sending (sort_for_send), e.g. N(COOKIE) first in a retried IKE_SA_INIT (R7296-22).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/wire/header.h"
#include "ike/wire/message.h"
#include "ike/wire/notify_payload.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct PayloadRule {
  PayloadType type;
  std::uint8_t min;
  std::uint8_t max;
  bool encrypted;  // must be inside SK
};

// Send order entry: a payload type, and for Notify optionally one notify type (0 = any).
struct PayloadOrder {
  PayloadType type;
  std::uint16_t notify;
};

struct MessageRule {
  ExchangeType exchange;
  bool response;
  bool encrypted;  // the message must carry an SK payload
  std::span<const PayloadRule> rules;
  std::span<const PayloadOrder> order;
  // A response whose minimums may be waived by an error notify, COOKIE or REDIRECT: e.g.
  // HDR(A,0), N(COOKIE) or N(INVALID_KE_PAYLOAD) or N(REDIRECT) answering IKE_SA_INIT.
  bool notify_sufficient;
};

// nullptr for an exchange type we do not implement.
[[nodiscard]] const MessageRule* find_rule(ExchangeType exchange, bool is_response);

enum class RuleErrc : std::uint8_t {
  UnknownExchange,          // no rule for this exchange type
  PayloadNotAllowed,        // e.g. KE in INFORMATIONAL, SK in IKE_SA_INIT
  MissingPayload,           // below the minimum and no sufficient notify
  TooManyOccurrences,       // above the maximum (duplicate SA, Nonce, ...)
  MustBeEncrypted,          // a payload outside SK where SK is required
  MissingEncryptedPayload,  // an exchange after IKE_SA_INIT without SK (3.14)
  TsPairIncomplete,         // TSi without TSr or the reverse
};
MIP6_ENUM_NAMES(RuleErrc, UnknownExchange, PayloadNotAllowed, MissingPayload, TooManyOccurrences,
                MustBeEncrypted, MissingEncryptedPayload, TsPairIncomplete);

struct RuleError {
  RuleErrc code;
  PayloadType payload = PayloadType::NoNext;  // the payload the rule is about
  friend bool operator==(const RuleError&, const RuleError&) = default;
};

// What the rules look at. Unknown (non-critical) payload types are ignored.
struct PayloadSummary {
  PayloadType type;
  bool encrypted;                                // found inside SK
  NotifyType notify = NotifyType::InitialContact;  // meaningful only for Notify
};

// `payloads`: the outer payloads (SK itself with encrypted = false) followed by the decrypted
// inner ones (encrypted = true).
[[nodiscard]] base::Result<void, RuleError> validate(ExchangeType exchange, bool is_response,
                                                     std::span<const PayloadSummary> payloads);

[[nodiscard]] std::vector<PayloadSummary> summarize(std::span<const Payload> outer,
                                                    std::span<const Payload> inner);
// Convenience: header decides exchange and direction; `inner` is empty for IKE_SA_INIT.
[[nodiscard]] base::Result<void, RuleError> validate(const Message& outer,
                                                     std::span<const Payload> inner);

// Stable-sorts payloads into the send order of the exchange's table; payloads the table does
// not name keep their relative order at the end. No-op for an unknown exchange.
void sort_for_send(ExchangeType exchange, bool is_response, std::vector<Payload>& payloads);

}  // namespace ike::wire
