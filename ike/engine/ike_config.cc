#include "ike/engine/ike_config.h"

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

}  // namespace ike::engine
