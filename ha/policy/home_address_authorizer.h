#pragma once
// Which IKE identity may register which home address (RFC 4877 4.2, 7.1, 9, 10; RFC 6275 5.1).
// The HA's PAD, reduced to what the binding engine asks:
//  - a static table from configuration: identity -> its home addresses;
//  - temporary entries for home addresses the IKE responder assigned through the
//    configuration payload (R4877-13, R4877-52). Those must come from a configured pool prefix
//    and last as long as the IKE responder keeps them (it revokes them with the IKE SA).
// Each home address belongs to at most one identity (R6275-72: one SA per HoA), so one MN can
// never register another MN's home address (R4877-10).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "mip6/engine/ha_home_address_authorizer.h"

namespace ha::policy {

struct PoolPrefix {
  base::Ip6Addr prefix;
  std::uint8_t length = 64;
};

struct HomeAddressAuthorizerConfig {
  struct StaticEntry {
    std::string identity;
    std::vector<base::Ip6Addr> home_addresses;
  };
  std::vector<StaticEntry> static_entries;
  std::vector<PoolPrefix> pool_prefixes;  // where CP-assigned home addresses come from
};

enum class AuthorizerError : std::uint8_t {
  EmptyIdentity,
  NotUnicastAddress,         // not usable as a home address
  DuplicateHomeAddress,      // configuration gives one address to two identities
  NotInPool,                 // assign(): outside every pool prefix
  OwnedByAnotherIdentity,    // assign(): statically or dynamically someone else's
};
MIP6_ENUM_NAMES(AuthorizerError, EmptyIdentity, NotUnicastAddress, DuplicateHomeAddress, NotInPool,
                OwnedByAnotherIdentity);

class ConfigHomeAddressAuthorizer final : public mip6::engine::HomeAddressAuthorizer {
 public:
  [[nodiscard]] static base::Result<ConfigHomeAddressAuthorizer, AuthorizerError> create(
      const HomeAddressAuthorizerConfig& config);

  [[nodiscard]] bool may_register(std::string_view ike_identity,
                                  const base::Ip6Addr& hoa) const override;

  // The IKE responder assigned `hoa` to `identity` through CP (temporary PAD entry).
  // Assigning again to the same identity is a no-op.
  [[nodiscard]] base::Result<void, AuthorizerError> assign(std::string_view identity,
                                                           const base::Ip6Addr& hoa);
  // Ends one assignment (IKE SA gone, or the MN got another address). False if it was not
  // assigned to `identity`.
  bool revoke(std::string_view identity, const base::Ip6Addr& hoa);
  // Ends every assignment of `identity`; returns how many.
  std::size_t revoke_all(std::string_view identity);

  // The identity allowed to register `hoa`, if any.
  [[nodiscard]] std::optional<std::string_view> owner(const base::Ip6Addr& hoa) const;
  [[nodiscard]] std::size_t assigned_count() const { return assigned_owner_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using ByIdentity =
      std::unordered_map<std::string, std::vector<base::Ip6Addr>, StringHash, std::equal_to<>>;

  ConfigHomeAddressAuthorizer() = default;
  [[nodiscard]] bool in_pool(const base::Ip6Addr& hoa) const;

  std::unordered_map<base::Ip6Addr, std::string, base::Ip6AddrHash> static_owner_;
  std::unordered_map<base::Ip6Addr, std::string, base::Ip6AddrHash> assigned_owner_;
  ByIdentity assigned_by_identity_;
  std::vector<PoolPrefix> pools_;
};

}  // namespace ha::policy
