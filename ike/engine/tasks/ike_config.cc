#include "ike/engine/tasks/ike_config.h"

#include "ike/engine/sa_context.h"

namespace ike::engine {

std::optional<wire::Payload> build_cp_request(bool address, bool home_prefix) {
  if (!address && !home_prefix) {
    return std::nullopt;
  }
  wire::CpPayload cp;
  cp.cfg_type = wire::CfgType::Request;
  if (address) {
    cp.attributes.push_back(wire::make_internal_ip6_address_request());
  }
  if (home_prefix) {
    cp.attributes.push_back(wire::make_mip6_home_prefix_request());
  }
  return wire::make_payload(std::move(cp));
}

CpResult process_cp_reply(std::span<const wire::Payload> inner) {
  CpResult out;
  const auto* cp = wire::find_first<wire::CpPayload>(inner);
  if (cp == nullptr || cp->cfg_type != wire::CfgType::Reply) {
    return out;
  }
  if (const auto* a = cp->find(wire::CpAttrType::InternalIp6Address)) {
    if (auto decoded = wire::decode_internal_ip6_address(*a); decoded && *decoded) {
      out.address = **decoded;
    }
  }
  if (const auto* a = cp->find(wire::CpAttrType::Mip6HomePrefix)) {
    if (auto decoded = wire::decode_mip6_home_prefix(*a); decoded && *decoded) {
      out.home_prefix = **decoded;
    }
  }
  return out;
}

CpAnswer answer_cp_request(std::span<const wire::Payload> inner, const wire::IdPayload& peer,
                           AddressProvider* provider) {
  CpAnswer out;
  const auto* cp = wire::find_first<wire::CpPayload>(inner);
  if (cp == nullptr || cp->cfg_type != wire::CfgType::Request) {
    return out;
  }
  out.requested = true;
  wire::CpPayload reply;
  reply.cfg_type = wire::CfgType::Reply;
  if (const auto* a = cp->find(wire::CpAttrType::InternalIp6Address)) {
    std::optional<base::Ip6Addr> hint;
    if (auto decoded = wire::decode_internal_ip6_address(*a); decoded && *decoded) {
      hint = (*decoded)->address;
    }
    if (provider != nullptr) {
      out.result.address = provider->assign(peer, hint);
    }
    if (!out.result.address) {
      out.address_failed = true;
      out.payload = wire::make_payload(wire::make_notify(wire::NotifyType::InternalAddressFailure));
      return out;
    }
    reply.attributes.push_back(wire::make_internal_ip6_address(*out.result.address));
  }
  if (cp->find(wire::CpAttrType::Mip6HomePrefix) != nullptr && provider != nullptr) {
    out.result.home_prefix = provider->home_prefix(peer);
    if (out.result.home_prefix) {
      reply.attributes.push_back(wire::make_mip6_home_prefix(*out.result.home_prefix));
    }
  }
  out.payload = wire::make_payload(std::move(reply));
  return out;
}

// ---- the task --------------------------------------------------------------------------------

TaskStatus IkeConfig::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  if (auto cp = build_cp_request(sa_.config.request_address, sa_.config.request_home_prefix)) {
    out.push_back(std::move(*cp));  // R7296-49: in the first IKE_AUTH request
  }
  return TaskStatus::Done;
}

TaskStatus IkeConfig::process_response(const InMessage& response) {
  const CpResult cp = process_cp_reply(response.payloads);
  sa_.assigned_address = cp.address;
  sa_.home_prefix = cp.home_prefix;
  return TaskStatus::Done;
}

TaskStatus IkeConfig::process_request(const InMessage& request) {
  // R7296-50, RFC 5026 3.2. Unknown attributes are ignored (R7296-51).
  CpAnswer cp = answer_cp_request(request.payloads, sa_.peer_id, sa_.env.addresses);
  answer_ = std::move(cp.payload);
  if (cp.address_failed) {
    sa_.counters.inc(IkeCounter::InternalAddressFailureSent);
  }
  sa_.assigned_address = cp.result.address;
  sa_.home_prefix = cp.result.home_prefix;
  // Without an address there is nothing to protect, so no Child SA either (3.15.4).
  return cp.address_failed ? TaskStatus::Last : TaskStatus::Done;
}

TaskStatus IkeConfig::build_response(std::vector<wire::Payload>& out, base::TimePoint) {
  if (answer_) {
    out.push_back(std::move(*answer_));
  }
  return TaskStatus::Done;
}

}  // namespace ike::engine
