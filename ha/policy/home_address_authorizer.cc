#include "ha/policy/home_address_authorizer.h"

#include <algorithm>

namespace ha::policy {

base::Result<ConfigHomeAddressAuthorizer, AuthorizerError>
ConfigHomeAddressAuthorizer::create(const HomeAddressAuthorizerConfig& config) {
  ConfigHomeAddressAuthorizer a;
  for (const auto& entry : config.static_entries) {
    if (entry.identity.empty()) {
      return base::fail(AuthorizerError::EmptyIdentity);
    }
    for (const auto& hoa : entry.home_addresses) {
      if (!hoa.is_routable_unicast()) {
        return base::fail(AuthorizerError::NotUnicastAddress);
      }
      const auto [it, inserted] = a.static_owner_.emplace(hoa, entry.identity);
      if (!inserted && it->second != entry.identity) {
        return base::fail(AuthorizerError::DuplicateHomeAddress);
      }
    }
  }
  a.pools_ = config.pool_prefixes;
  return a;
}

bool ConfigHomeAddressAuthorizer::in_pool(const base::Ip6Addr& hoa) const {
  return std::any_of(pools_.begin(), pools_.end(),
                     [&](const PoolPrefix& p) { return hoa.in_prefix(p.prefix, p.length); });
}

bool ConfigHomeAddressAuthorizer::may_register(std::string_view ike_identity,
                                               const base::Ip6Addr& hoa) const {
  if (ike_identity.empty()) {
    return false;
  }
  if (auto it = static_owner_.find(hoa); it != static_owner_.end()) {
    return it->second == ike_identity;
  }
  if (auto it = assigned_owner_.find(hoa); it != assigned_owner_.end()) {
    // Pools may shrink after a reload; an address outside them is no longer ours to give.
    return it->second == ike_identity && in_pool(hoa);
  }
  return false;
}

base::Result<void, AuthorizerError> ConfigHomeAddressAuthorizer::assign(
    std::string_view identity, const base::Ip6Addr& hoa) {
  if (identity.empty()) {
    return base::fail(AuthorizerError::EmptyIdentity);
  }
  if (!hoa.is_routable_unicast()) {
    return base::fail(AuthorizerError::NotUnicastAddress);
  }
  if (!in_pool(hoa)) {
    return base::fail(AuthorizerError::NotInPool);
  }
  if (auto it = static_owner_.find(hoa); it != static_owner_.end() && it->second != identity) {
    return base::fail(AuthorizerError::OwnedByAnotherIdentity);
  }
  const auto [it, inserted] = assigned_owner_.emplace(hoa, std::string(identity));
  if (!inserted) {
    return it->second == identity ? base::Result<void, AuthorizerError>{}
                                  : base::fail(AuthorizerError::OwnedByAnotherIdentity);
  }
  auto by = assigned_by_identity_.find(identity);
  if (by == assigned_by_identity_.end()) {
    by = assigned_by_identity_.emplace(std::string(identity), std::vector<base::Ip6Addr>{})
             .first;
  }
  by->second.push_back(hoa);
  return {};
}

bool ConfigHomeAddressAuthorizer::revoke(std::string_view identity,
                                         const base::Ip6Addr& hoa) {
  auto it = assigned_owner_.find(hoa);
  if (it == assigned_owner_.end() || it->second != identity) {
    return false;
  }
  assigned_owner_.erase(it);
  if (auto by = assigned_by_identity_.find(identity); by != assigned_by_identity_.end()) {
    auto& v = by->second;
    v.erase(std::remove(v.begin(), v.end(), hoa), v.end());
    if (v.empty()) {
      assigned_by_identity_.erase(by);
    }
  }
  return true;
}

std::size_t ConfigHomeAddressAuthorizer::revoke_all(std::string_view identity) {
  auto by = assigned_by_identity_.find(identity);
  if (by == assigned_by_identity_.end()) {
    return 0;
  }
  const std::size_t n = by->second.size();
  for (const auto& hoa : by->second) {
    assigned_owner_.erase(hoa);
  }
  assigned_by_identity_.erase(by);
  return n;
}

std::optional<std::string_view> ConfigHomeAddressAuthorizer::owner(
    const base::Ip6Addr& hoa) const {
  if (auto it = static_owner_.find(hoa); it != static_owner_.end()) {
    return std::string_view(it->second);
  }
  if (auto it = assigned_owner_.find(hoa); it != assigned_owner_.end()) {
    return std::string_view(it->second);
  }
  return std::nullopt;
}

}  // namespace ha::policy
