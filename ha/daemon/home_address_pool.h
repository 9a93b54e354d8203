#pragma once
// The home agent's home-address pool (RFC 5026 3.2, RFC 4877 9): the AddressProvider behind
// the responder's CP answers. Hands out one /128 per identity from the home prefix:
//   - an identity with a configured home address gets that one;
//   - an identity holding a lease gets it again (an MN re-running IKEv2 keeps its HoA);
//   - else the address the initiator asked for, when it is in the pool and free (an MN moved
//     from another HA of the pool keeps its HoA: all HAs of a pool serve the same prefix,
//     R5142-34);
//   - else the next free one (a cursor, so a sparse pool costs O(1) per assignment).
// Leases go when the daemon releases them (the SA went and no binding holds the address).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "ike/engine/address_provider.h"

namespace ha::daemon {

class HomeAddressPool final : public ::ike::engine::AddressProvider {
 public:
  // Addresses prefix::1 .. prefix::size (low 32 bits); `fixed` maps identities to their own
  // home address (inside the prefix or not; never handed to anybody else).
  HomeAddressPool(const base::Ip6Addr& prefix, std::uint8_t prefix_len, std::uint32_t size,
                  std::vector<std::pair<std::string, base::Ip6Addr>> fixed = {},
                  std::uint32_t prefix_lifetime_s = 86400);

  [[nodiscard]] std::optional<::ike::wire::InternalIp6Address> assign(
      const ::ike::wire::IdPayload& peer, const std::optional<base::Ip6Addr>& requested) override;
  [[nodiscard]] std::optional<::ike::wire::Mip6HomePrefix> home_prefix(
      const ::ike::wire::IdPayload& peer) override;
  void release(const base::Ip6Addr& address) override;

  [[nodiscard]] std::size_t leased() const { return by_identity_.size(); }
  [[nodiscard]] std::optional<base::Ip6Addr> lease_of(const std::string& identity) const;

 private:
  [[nodiscard]] base::Ip6Addr address_at(std::uint32_t index) const;
  // The pool index of `a`, when it is one of the pool's addresses.
  [[nodiscard]] std::optional<std::uint32_t> index_of(const base::Ip6Addr& a) const;
  [[nodiscard]] bool taken(const base::Ip6Addr& a) const;
  ::ike::wire::InternalIp6Address lease(const std::string& identity, const base::Ip6Addr& a);

  base::Ip6Addr prefix_;
  std::uint8_t prefix_len_;
  std::uint32_t size_;
  std::uint32_t lifetime_s_;
  std::unordered_map<std::string, base::Ip6Addr> fixed_;
  std::unordered_set<base::Ip6Addr> fixed_addresses_;
  std::unordered_map<std::string, base::Ip6Addr> by_identity_;
  std::unordered_map<base::Ip6Addr, std::string> by_address_;
  std::uint32_t cursor_ = 0;  // next index to try, 0-based
};

}  // namespace ha::daemon
