#pragma once
// The responder's source of CP addresses (RFC 7296 3.15, RFC 5026 3.2): the HA's home-address
// pool later. The engine asks for the authenticated peer identity only after AUTH verified.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "ike/wire/cp_payload.h"
#include "ike/wire/id_payload.h"

namespace ike::engine {

class AddressProvider {
 public:
  virtual ~AddressProvider() = default;
  // An INTERNAL_IP6_ADDRESS for `peer`; nullopt means INTERNAL_ADDRESS_FAILURE (R7296-50).
  // `requested` is the address the initiator suggested, if any.
  [[nodiscard]] virtual std::optional<wire::InternalIp6Address> assign(
      const wire::IdPayload& peer, const std::optional<base::Ip6Addr>& requested) = 0;
  // The MIP6_HOME_PREFIX answer when the initiator asked for one (RFC 5026 3.2).
  [[nodiscard]] virtual std::optional<wire::Mip6HomePrefix> home_prefix(
      const wire::IdPayload& peer) = 0;
  // The SA holding `address` is gone.
  virtual void release(const base::Ip6Addr& address) = 0;
};

// Hands out prefix::1, prefix::2, ... (a /128 each, RFC 4877 9) from one /64 home prefix; the
// same identity gets the same address back while it holds one.
class InMemoryAddressPool final : public AddressProvider {
 public:
  InMemoryAddressPool(const base::Ip6Addr& prefix, std::uint8_t prefix_len, std::uint32_t size,
                      std::uint32_t prefix_lifetime_s = 86400)
      : prefix_(prefix.masked(prefix_len)),
        prefix_len_(prefix_len),
        size_(size),
        lifetime_s_(prefix_lifetime_s) {}

  [[nodiscard]] std::optional<wire::InternalIp6Address> assign(
      const wire::IdPayload& peer, const std::optional<base::Ip6Addr>& /*requested*/) override {
    for (const auto& [id, addr] : leases_) {
      if (id == peer) {
        return wire::InternalIp6Address{addr, 128};
      }
    }
    for (std::uint32_t i = 1; i <= size_; ++i) {
      base::Ip6Addr candidate = prefix_;
      auto& b = candidate.bytes();
      b[12] = static_cast<std::uint8_t>(i >> 24);
      b[13] = static_cast<std::uint8_t>(i >> 16);
      b[14] = static_cast<std::uint8_t>(i >> 8);
      b[15] = static_cast<std::uint8_t>(i);
      bool used = false;
      for (const auto& lease : leases_) {
        used = used || lease.second == candidate;
      }
      if (!used) {
        leases_.emplace_back(peer, candidate);
        return wire::InternalIp6Address{candidate, 128};
      }
    }
    return std::nullopt;
  }

  [[nodiscard]] std::optional<wire::Mip6HomePrefix> home_prefix(
      const wire::IdPayload& /*peer*/) override {
    return wire::Mip6HomePrefix{lifetime_s_, prefix_, prefix_len_};
  }

  void release(const base::Ip6Addr& address) override {
    for (auto it = leases_.begin(); it != leases_.end(); ++it) {
      if (it->second == address) {
        leases_.erase(it);
        return;
      }
    }
  }

  [[nodiscard]] std::size_t leased() const { return leases_.size(); }

 private:
  base::Ip6Addr prefix_;
  std::uint8_t prefix_len_;
  std::uint32_t size_;
  std::uint32_t lifetime_s_;
  std::vector<std::pair<wire::IdPayload, base::Ip6Addr>> leases_;
};

}  // namespace ike::engine
