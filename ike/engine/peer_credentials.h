#pragma once
// Pre-shared keys by identity (RFC 7296 2.15). The engine asks; the policy layer answers.
#include <optional>
#include <utility>
#include <vector>

#include "ike/base/secret_bytes.h"
#include "ike/wire/id_payload.h"

namespace ike::engine {

class PeerCredentials {
 public:
  virtual ~PeerCredentials() = default;
  // The PSK shared with the peer that uses identity `peer`, or nullopt when it is unknown.
  // R7296-29: the key is chosen by the identity the AUTH is checked against.
  [[nodiscard]] virtual std::optional<base::SecretBytes> psk_for(
      const wire::IdPayload& peer) const = 0;
};

// A list of (identity, PSK) pairs, compared by ID type and data. For tests and small setups.
class InMemoryCredentials final : public PeerCredentials {
 public:
  void add(wire::IdPayload id, base::SecretBytes psk) {
    entries_.emplace_back(std::move(id), std::move(psk));
  }
  [[nodiscard]] std::optional<base::SecretBytes> psk_for(
      const wire::IdPayload& peer) const override {
    for (const auto& [id, psk] : entries_) {
      if (id == peer) {
        return psk;
      }
    }
    return std::nullopt;
  }

 private:
  std::vector<std::pair<wire::IdPayload, base::SecretBytes>> entries_;
};

}  // namespace ike::engine
