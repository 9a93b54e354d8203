#pragma once
// HostResolver: names to IPv6 addresses for the mobile node's shell (the home agent's FQDN,
// RFC 5026 5.1.1, and RFC 5685 redirect targets of GW Ident Type 3). A static table first
// (NAME=ADDR: labs and tests need no DNS), then, unless turned off, the system resolver
// (getaddrinfo, AAAA only: our IKE sockets are IPv6; R5026-02). Blocking, like the shell that
// calls it between two engine steps.
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "ike/base/ip6_addr.h"

namespace mn {

class HostResolver {
 public:
  HostResolver() = default;
  HostResolver(std::map<std::string, base::Ip6Addr> hosts, bool system_lookup)
      : hosts_(std::move(hosts)), system_lookup_(system_lookup) {}

  void add(const std::string& name, const base::Ip6Addr& address) { hosts_[name] = address; }
  void set_system_lookup(bool on) { system_lookup_ = on; }

  [[nodiscard]] std::optional<base::Ip6Addr> resolve(const std::string& name) const;

 private:
  std::map<std::string, base::Ip6Addr> hosts_;
  bool system_lookup_ = true;
};

}  // namespace mn
