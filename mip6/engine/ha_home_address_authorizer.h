#pragma once
// The policy question the HA binding engine asks before it touches the Binding Cache: may the
// IKE identity authenticated for the ESP SA that protected this BU register this home
// address? (RFC 6275 5.1 / R6275-72, RFC 4877 4.2 and 10 / R4877-10, R4877-12.) The engine
// only sees this interface; ha/policy implements it from configuration and IKE CP
// assignments, so the engine does not depend on ha/.
#include <string_view>

#include "ike/base/ip6_addr.h"

namespace mip6::engine {

class HomeAddressAuthorizer {
 public:
  virtual ~HomeAddressAuthorizer() = default;
  // `ike_identity` is the authenticated peer identity of the SA's IKE SA, as the IKE layer
  // prints it. A false answer makes the engine drop the BU silently (RFC 4877 4.2).
  [[nodiscard]] virtual bool may_register(std::string_view ike_identity,
                                          const base::Ip6Addr& hoa) const = 0;
};

}  // namespace mip6::engine
