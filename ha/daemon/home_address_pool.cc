#include "ha/daemon/home_address_pool.h"

namespace ha::daemon {

HomeAddressPool::HomeAddressPool(const base::Ip6Addr& prefix, std::uint8_t prefix_len,
                                 std::uint32_t size,
                                 std::vector<std::pair<std::string, base::Ip6Addr>> fixed,
                                 std::uint32_t prefix_lifetime_s)
    : prefix_(prefix.masked(prefix_len)),
      prefix_len_(prefix_len),
      size_(size),
      lifetime_s_(prefix_lifetime_s) {
  for (auto& [id, a] : fixed) {
    fixed_addresses_.insert(a);
    fixed_.emplace(std::move(id), a);
  }
}

base::Ip6Addr HomeAddressPool::address_at(std::uint32_t index) const {
  const std::uint32_t v = index + 1;  // prefix::0 is the subnet-router anycast address
  base::Ip6Addr a = prefix_;
  auto& b = a.bytes();
  b[12] = static_cast<std::uint8_t>(v >> 24);
  b[13] = static_cast<std::uint8_t>(v >> 16);
  b[14] = static_cast<std::uint8_t>(v >> 8);
  b[15] = static_cast<std::uint8_t>(v);
  return a;
}

std::optional<std::uint32_t> HomeAddressPool::index_of(const base::Ip6Addr& a) const {
  if (!a.in_prefix(prefix_, prefix_len_)) {
    return std::nullopt;
  }
  const auto& b = a.bytes();
  const std::uint32_t v = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                          (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
  // Equal to the address the pool numbers v: the bits between prefix and index are zero.
  if (v == 0 || v > size_ || address_at(v - 1) != a) {
    return std::nullopt;
  }
  return v - 1;
}

bool HomeAddressPool::taken(const base::Ip6Addr& a) const {
  return by_address_.count(a) != 0 || fixed_addresses_.count(a) != 0;
}

::ike::wire::InternalIp6Address HomeAddressPool::lease(const std::string& identity,
                                                       const base::Ip6Addr& a) {
  by_identity_[identity] = a;
  by_address_[a] = identity;
  return ::ike::wire::InternalIp6Address{a, 128};
}

std::optional<::ike::wire::InternalIp6Address> HomeAddressPool::assign(
    const ::ike::wire::IdPayload& peer, const std::optional<base::Ip6Addr>& requested) {
  const std::string id = peer.to_text();
  if (auto f = fixed_.find(id); f != fixed_.end()) {
    return lease(id, f->second);
  }
  if (auto l = by_identity_.find(id); l != by_identity_.end()) {
    return ::ike::wire::InternalIp6Address{l->second, 128};
  }
  if (requested && index_of(*requested) && !taken(*requested)) {
    return lease(id, *requested);
  }
  for (std::uint32_t tried = 0; tried < size_; ++tried) {
    const base::Ip6Addr a = address_at(cursor_);
    cursor_ = cursor_ + 1 == size_ ? 0 : cursor_ + 1;
    if (!taken(a)) {
      return lease(id, a);
    }
  }
  return std::nullopt;  // INTERNAL_ADDRESS_FAILURE (R7296-50)
}

std::optional<::ike::wire::Mip6HomePrefix> HomeAddressPool::home_prefix(
    const ::ike::wire::IdPayload& /*peer*/) {
  return ::ike::wire::Mip6HomePrefix{lifetime_s_, prefix_, prefix_len_};
}

void HomeAddressPool::release(const base::Ip6Addr& address) {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) {
    return;
  }
  by_identity_.erase(it->second);
  by_address_.erase(it);
}

std::optional<base::Ip6Addr> HomeAddressPool::lease_of(const std::string& identity) const {
  auto it = by_identity_.find(identity);
  return it == by_identity_.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace ha::daemon
