#include "ike/wire/rules.h"

#include <algorithm>
#include <array>

namespace ike::wire {
namespace {

using PT = PayloadType;
using NT = NotifyType;

constexpr std::uint8_t kMaxNotify = 20;
constexpr std::uint8_t kMaxDelete = 20;
constexpr std::uint8_t kMaxCert = 8;
constexpr std::uint8_t kMaxCertReq = 8;
constexpr std::uint8_t kMaxVendorId = 20;

constexpr std::uint16_t n(NT t) { return static_cast<std::uint16_t>(t); }

// ---- IKE_SA_INIT (RFC 7296 1.2) --------------------------------------------------------------
constexpr PayloadRule kIkeSaInitI[] = {
    {PT::Notify, 0, kMaxNotify, false},
    {PT::SecurityAssociation, 1, 1, false},
    {PT::KeyExchange, 1, 1, false},
    {PT::Nonce, 1, 1, false},
    {PT::VendorId, 0, kMaxVendorId, false},
};
constexpr PayloadOrder kIkeSaInitIOrder[] = {
    {PT::Notify, n(NT::Cookie)},  // first in a retried request (2.6, R7296-22)
    {PT::SecurityAssociation, 0},
    {PT::KeyExchange, 0},
    {PT::Nonce, 0},
    {PT::Notify, n(NT::NatDetectionSourceIp)},  // right after Ni (2.23)
    {PT::Notify, n(NT::NatDetectionDestinationIp)},
    {PT::Notify, 0},
    {PT::VendorId, 0},
};
constexpr PayloadRule kIkeSaInitR[] = {
    {PT::Notify, 0, kMaxNotify, false},
    {PT::SecurityAssociation, 1, 1, false},
    {PT::KeyExchange, 1, 1, false},
    {PT::Nonce, 1, 1, false},
    {PT::CertificateRequest, 0, kMaxCertReq, false},
    {PT::VendorId, 0, kMaxVendorId, false},
};
constexpr PayloadOrder kIkeSaInitROrder[] = {
    {PT::SecurityAssociation, 0},
    {PT::KeyExchange, 0},
    {PT::Nonce, 0},
    {PT::Notify, n(NT::NatDetectionSourceIp)},
    {PT::Notify, n(NT::NatDetectionDestinationIp)},
    {PT::Notify, n(NT::HttpCertLookupSupported)},
    {PT::CertificateRequest, 0},
    {PT::Notify, 0},
    {PT::VendorId, 0},
};

// ---- IKE_AUTH (1.2, 2.16): everything optional because of EAP rounds and childless SAs ----
constexpr PayloadRule kIkeAuthI[] = {
    {PT::Notify, 0, kMaxNotify, true},
    {PT::Eap, 0, 1, true},
    {PT::Authentication, 0, 1, true},
    {PT::IdInitiator, 0, 1, true},
    {PT::Certificate, 0, kMaxCert, true},
    {PT::CertificateRequest, 0, kMaxCertReq, true},
    {PT::IdResponder, 0, 1, true},
    {PT::SecurityAssociation, 0, 1, true},
    {PT::TsInitiator, 0, 1, true},
    {PT::TsResponder, 0, 1, true},
    {PT::Configuration, 0, 1, true},
    {PT::VendorId, 0, kMaxVendorId, true},
};
constexpr PayloadOrder kIkeAuthIOrder[] = {
    {PT::IdInitiator, 0},
    {PT::Certificate, 0},
    {PT::Notify, n(NT::InitialContact)},
    {PT::Notify, n(NT::HttpCertLookupSupported)},
    {PT::CertificateRequest, 0},
    {PT::IdResponder, 0},
    {PT::Authentication, 0},
    {PT::Eap, 0},
    {PT::Configuration, 0},
    {PT::Notify, n(NT::IpcompSupported)},
    {PT::Notify, n(NT::UseTransportMode)},
    {PT::Notify, n(NT::EspTfcPaddingNotSupported)},
    {PT::Notify, n(NT::NonFirstFragmentsAlso)},
    {PT::SecurityAssociation, 0},
    {PT::TsInitiator, 0},
    {PT::TsResponder, 0},
    {PT::Notify, 0},
    {PT::VendorId, 0},
};
constexpr PayloadRule kIkeAuthR[] = {
    {PT::Notify, 0, kMaxNotify, true},
    {PT::Eap, 0, 1, true},
    {PT::Authentication, 0, 1, true},
    {PT::Certificate, 0, kMaxCert, true},
    {PT::IdResponder, 0, 1, true},
    {PT::SecurityAssociation, 0, 1, true},
    {PT::TsInitiator, 0, 1, true},
    {PT::TsResponder, 0, 1, true},
    {PT::Configuration, 0, 1, true},
    {PT::VendorId, 0, kMaxVendorId, true},
};
constexpr PayloadOrder kIkeAuthROrder[] = {
    {PT::IdResponder, 0},
    {PT::Certificate, 0},
    {PT::Authentication, 0},
    {PT::Eap, 0},
    {PT::Configuration, 0},
    {PT::Notify, n(NT::IpcompSupported)},
    {PT::Notify, n(NT::UseTransportMode)},
    {PT::Notify, n(NT::EspTfcPaddingNotSupported)},
    {PT::Notify, n(NT::NonFirstFragmentsAlso)},
    {PT::SecurityAssociation, 0},
    {PT::TsInitiator, 0},
    {PT::TsResponder, 0},
    {PT::Notify, 0},
    {PT::VendorId, 0},
};

// ---- CREATE_CHILD_SA (1.3) -----------------------------------------------------------------
constexpr PayloadRule kCreateChildSa[] = {
    {PT::Notify, 0, kMaxNotify, true},
    {PT::SecurityAssociation, 1, 1, true},
    {PT::Nonce, 1, 1, true},
    {PT::KeyExchange, 0, 1, true},
    {PT::TsInitiator, 0, 1, true},
    {PT::TsResponder, 0, 1, true},
    {PT::Configuration, 0, 1, true},
    {PT::VendorId, 0, kMaxVendorId, true},
};
constexpr PayloadOrder kCreateChildSaIOrder[] = {
    {PT::Notify, n(NT::RekeySa)},
    {PT::Notify, n(NT::IpcompSupported)},
    {PT::Notify, n(NT::UseTransportMode)},
    {PT::Notify, n(NT::EspTfcPaddingNotSupported)},
    {PT::Notify, n(NT::NonFirstFragmentsAlso)},
    {PT::SecurityAssociation, 0},
    {PT::Nonce, 0},
    {PT::KeyExchange, 0},
    {PT::TsInitiator, 0},
    {PT::TsResponder, 0},
    {PT::Notify, 0},
    {PT::Configuration, 0},
    {PT::VendorId, 0},
};
constexpr PayloadOrder kCreateChildSaROrder[] = {
    {PT::Notify, n(NT::IpcompSupported)},
    {PT::Notify, n(NT::UseTransportMode)},
    {PT::Notify, n(NT::EspTfcPaddingNotSupported)},
    {PT::Notify, n(NT::NonFirstFragmentsAlso)},
    {PT::SecurityAssociation, 0},
    {PT::Nonce, 0},
    {PT::KeyExchange, 0},
    {PT::TsInitiator, 0},
    {PT::TsResponder, 0},
    {PT::Notify, n(NT::AdditionalTsPossible)},
    {PT::Notify, 0},
    {PT::Configuration, 0},
    {PT::VendorId, 0},
};

// ---- INFORMATIONAL (1.4): an empty SK{} is a valid request and response ---------------------
constexpr PayloadRule kInformational[] = {
    {PT::Notify, 0, kMaxNotify, true},
    {PT::Configuration, 0, 1, true},
    {PT::Delete, 0, kMaxDelete, true},
    {PT::VendorId, 0, kMaxVendorId, true},
};
constexpr PayloadOrder kInformationalOrder[] = {
    {PT::Notify, 0},
    {PT::Delete, 0},
    {PT::Configuration, 0},
    {PT::VendorId, 0},
};

constexpr std::array<MessageRule, 8> kMessageRules = {{
    {ExchangeType::IkeSaInit, false, false, kIkeSaInitI, kIkeSaInitIOrder, false},
    {ExchangeType::IkeSaInit, true, false, kIkeSaInitR, kIkeSaInitROrder, true},
    {ExchangeType::IkeAuth, false, true, kIkeAuthI, kIkeAuthIOrder, false},
    {ExchangeType::IkeAuth, true, true, kIkeAuthR, kIkeAuthROrder, true},
    {ExchangeType::CreateChildSa, false, true, kCreateChildSa, kCreateChildSaIOrder, false},
    {ExchangeType::CreateChildSa, true, true, kCreateChildSa, kCreateChildSaROrder, true},
    {ExchangeType::Informational, false, true, kInformational, kInformationalOrder, false},
    {ExchangeType::Informational, true, true, kInformational, kInformationalOrder, false},
}};

// Notifies that stand in for the whole normal payload set of a response.
bool is_sufficient_notify(NT t) {
  return is_error_notify(t) || t == NT::Cookie || t == NT::Redirect;
}

const PayloadRule* find_payload_rule(const MessageRule& m, PayloadType t) {
  for (const auto& r : m.rules) {
    if (r.type == t) {
      return &r;
    }
  }
  return nullptr;
}

std::size_t send_rank(const MessageRule& m, const Payload& p) {
  const auto* notify = p.get<NotifyPayload>();
  std::size_t generic = m.order.size();
  for (std::size_t i = 0; i < m.order.size(); ++i) {
    const PayloadOrder& o = m.order[i];
    if (o.type != p.type) {
      continue;
    }
    if (o.notify == 0) {
      generic = std::min(generic, i);
    } else if (notify != nullptr && static_cast<std::uint16_t>(notify->type) == o.notify) {
      return i;
    }
  }
  return generic;
}

}  // namespace

const MessageRule* find_rule(ExchangeType exchange, bool is_response) {
  for (const auto& m : kMessageRules) {
    if (m.exchange == exchange && m.response == is_response) {
      return &m;
    }
  }
  return nullptr;
}

base::Result<void, RuleError> validate(ExchangeType exchange, bool is_response,
                                       std::span<const PayloadSummary> payloads) {
  const MessageRule* m = find_rule(exchange, is_response);
  if (m == nullptr) {
    return base::fail(RuleError{RuleErrc::UnknownExchange, PayloadType::NoNext});
  }
  std::array<std::size_t, 256> count{};
  bool saw_sk = false;
  bool sufficient = false;
  for (const auto& p : payloads) {
    if (p.type == PayloadType::Encrypted && !p.encrypted) {
      if (!m->encrypted || saw_sk) {
        return base::fail(RuleError{RuleErrc::PayloadNotAllowed, p.type});
      }
      saw_sk = true;
      continue;
    }
    const auto type_num = static_cast<std::uint8_t>(p.type);
    if (!is_known_payload_type(type_num)) {
      continue;  // unknown and non-critical: skipped (3.2)
    }
    const PayloadRule* rule = find_payload_rule(*m, p.type);
    if (rule == nullptr) {
      return base::fail(RuleError{RuleErrc::PayloadNotAllowed, p.type});
    }
    if (rule->encrypted && !p.encrypted) {
      return base::fail(RuleError{RuleErrc::MustBeEncrypted, p.type});
    }
    if (++count[type_num] > rule->max) {
      return base::fail(RuleError{RuleErrc::TooManyOccurrences, p.type});
    }
    if (p.type == PayloadType::Notify && is_sufficient_notify(p.notify)) {
      sufficient = m->notify_sufficient;
    }
  }
  if (m->encrypted && !saw_sk) {
    return base::fail(RuleError{RuleErrc::MissingEncryptedPayload, PayloadType::Encrypted});
  }
  if (!sufficient) {
    for (const auto& rule : m->rules) {
      if (count[static_cast<std::uint8_t>(rule.type)] < rule.min) {
        return base::fail(RuleError{RuleErrc::MissingPayload, rule.type});
      }
    }
  }
  const auto tsi = count[static_cast<std::uint8_t>(PayloadType::TsInitiator)];
  const auto tsr = count[static_cast<std::uint8_t>(PayloadType::TsResponder)];
  if (tsi != tsr) {
    return base::fail(RuleError{RuleErrc::TsPairIncomplete,
                                tsi == 0 ? PayloadType::TsInitiator : PayloadType::TsResponder});
  }
  return {};
}

std::vector<PayloadSummary> summarize(std::span<const Payload> outer,
                                      std::span<const Payload> inner) {
  std::vector<PayloadSummary> out;
  out.reserve(outer.size() + inner.size());
  auto add = [&out](const Payload& p, bool encrypted) {
    PayloadSummary s{p.type, encrypted};
    if (const auto* notify = p.get<NotifyPayload>()) {
      s.notify = notify->type;
    }
    out.push_back(s);
  };
  for (const auto& p : outer) {
    add(p, false);
  }
  for (const auto& p : inner) {
    add(p, true);
  }
  return out;
}

base::Result<void, RuleError> validate(const Message& outer, std::span<const Payload> inner) {
  const auto summary = summarize(outer.payloads, inner);
  return validate(outer.header.exchange, outer.header.response, summary);
}

void sort_for_send(ExchangeType exchange, bool is_response, std::vector<Payload>& payloads) {
  const MessageRule* m = find_rule(exchange, is_response);
  if (m == nullptr) {
    return;
  }
  // Messages carry a dozen payloads or so, usually built in order already: rank each once
  // and insertion-sort in place, which (unlike std::stable_sort) allocates nothing.
  constexpr std::size_t kSmall = 32;
  if (payloads.size() > kSmall) {
    std::stable_sort(payloads.begin(), payloads.end(), [m](const Payload& a, const Payload& b) {
      return send_rank(*m, a) < send_rank(*m, b);
    });
    return;
  }
  std::array<std::size_t, kSmall> rank{};
  bool sorted = true;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    rank[i] = send_rank(*m, payloads[i]);
    sorted = sorted && (i == 0 || rank[i - 1] <= rank[i]);
  }
  if (sorted) {
    return;
  }
  for (std::size_t i = 1; i < payloads.size(); ++i) {
    std::size_t j = i;
    while (j > 0 && rank[j - 1] > rank[i]) {  // strictly greater: equal ranks keep their order
      --j;
    }
    if (j != i) {
      const auto at = static_cast<std::ptrdiff_t>(j);
      const auto from = static_cast<std::ptrdiff_t>(i);
      std::rotate(payloads.begin() + at, payloads.begin() + from, payloads.begin() + from + 1);
      std::rotate(rank.begin() + at, rank.begin() + from, rank.begin() + from + 1);
    }
  }
}

}  // namespace ike::wire
