#include "ike/engine/tasks/payloads.h"

namespace ike::engine {

wire::Payload make_ke_payload(const crypto::KeyExchange& kex) {
  wire::KePayload ke;
  ke.dh_group = static_cast<std::uint16_t>(kex.group());
  const auto pub = kex.public_value();
  ke.data.assign(pub.begin(), pub.end());
  return wire::make_payload(std::move(ke));
}

std::optional<wire::NotifyType> first_error(std::span<const wire::Payload> payloads) {
  for (const auto& p : payloads) {
    const auto* n = p.get<wire::NotifyPayload>();
    if (n != nullptr && wire::is_error_notify(n->type)) {
      return n->type;
    }
  }
  return std::nullopt;
}

std::optional<FailureReason> failure_for(wire::NotifyType type) {
  switch (type) {
    case wire::NotifyType::NoProposalChosen: return FailureReason::NoProposalChosen;
    case wire::NotifyType::AuthenticationFailed: return FailureReason::AuthenticationFailed;
    case wire::NotifyType::InvalidSyntax: return FailureReason::InvalidSyntax;
    default: break;
  }
  return wire::is_error_notify(type) ? std::optional(FailureReason::PeerError) : std::nullopt;
}

void append_payloads(std::vector<wire::Payload>& out, std::vector<wire::Payload>& parts) {
  for (auto& p : parts) {
    out.push_back(std::move(p));
  }
  parts.clear();
}

const wire::TsPayload* find_ts(std::span<const wire::Payload> payloads, wire::PayloadType type) {
  for (const auto& p : payloads) {
    if (p.type == type) {
      return p.get<wire::TsPayload>();
    }
  }
  return nullptr;
}

}  // namespace ike::engine
