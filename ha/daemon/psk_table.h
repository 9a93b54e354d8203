#pragma once
// PSKs by peer identity from the configuration, with "*" as the key for every identity that
// has none of its own (RFC 7296 2.15: the key is chosen by the identity AUTH is checked
// against, R7296-29).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ha/daemon/ha_config.h"
#include "ike/engine/peer_credentials.h"

namespace ha::daemon {

class PskTable final : public ::ike::engine::PeerCredentials {
 public:
  explicit PskTable(const std::vector<PskEntry>& entries) {
    for (const auto& e : entries) {
      const auto* p = reinterpret_cast<const std::uint8_t*>(e.secret.data());
      base::SecretBytes secret(std::span<const std::uint8_t>(p, e.secret.size()));
      if (e.identity == "*") {
        any_ = std::move(secret);
      } else {
        by_identity_.emplace_back(e.identity, std::move(secret));
      }
    }
  }
  [[nodiscard]] std::optional<base::SecretBytes> psk_for(
      const ::ike::wire::IdPayload& peer) const override {
    const std::string id = peer.to_text();
    for (const auto& [name, secret] : by_identity_) {
      if (name == id) {
        return secret;
      }
    }
    return any_;
  }

 private:
  std::vector<std::pair<std::string, base::SecretBytes>> by_identity_;
  std::optional<base::SecretBytes> any_;
};

}  // namespace ha::daemon
