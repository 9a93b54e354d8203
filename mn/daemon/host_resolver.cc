#include "mn/daemon/host_resolver.h"

#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace mn {

std::optional<base::Ip6Addr> HostResolver::resolve(const std::string& name) const {
  if (const auto h = hosts_.find(name); h != hosts_.end()) {
    return h->second;
  }
  if (!system_lookup_) {
    return std::nullopt;
  }
  addrinfo hints{};
  hints.ai_family = AF_INET6;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  base::Ip6Addr::Bytes b{};
  std::memcpy(b.data(), &reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr,
              b.size());
  freeaddrinfo(found);
  return base::Ip6Addr(b);
}

}  // namespace mn
