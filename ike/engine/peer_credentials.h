#pragma once
// Credentials by identity (RFC 7296 2.15, 4): pre-shared keys, the CAs that peers'
// certificates must chain to, and our own certificate and key. The engine asks; the policy
// layer answers. A peer authenticates with whatever AUTH method it sends: method 2 is checked
// against psk_for(its ID), a signature method against trust_store(). We sign when
// local_certificate() is set, else we use the PSK (R7296-32 allows a cert-authenticated
// responder with a PSK-authenticated initiator, and the reverse).
#include <optional>
#include <utility>
#include <vector>

#include "ike/base/secret_bytes.h"
#include "ike/crypto/signature.h"
#include "ike/crypto/x509.h"
#include "ike/wire/id_payload.h"

namespace ike::engine {

// Our certificate credential. The end-entity certificate goes in the first CERT payload, since
// its key signs AUTH (RFC 7296 3.6); `chain` (intermediates) follows it.
struct LocalCertificate {
  crypto::Certificate certificate;
  crypto::PrivateKey key;
  std::vector<crypto::Certificate> chain;
  // RSA keys with RFC 7427: RSASSA-PSS instead of PKCS#1 v1.5 (strongSwan's rsa_pss option).
  bool prefer_rsa_pss = false;
};

class PeerCredentials {
 public:
  virtual ~PeerCredentials() = default;
  // The PSK shared with the peer that uses identity `peer`, or nullopt when it is unknown.
  // R7296-29: the key is chosen by the identity the AUTH is checked against.
  [[nodiscard]] virtual std::optional<base::SecretBytes> psk_for(
      const wire::IdPayload& peer) const = 0;
  // The CAs peer certificates must chain to; nullptr: no peer may use a signature.
  [[nodiscard]] virtual const crypto::TrustStore* trust_store() const { return nullptr; }
  // Our certificate and key; nullptr: we authenticate with the PSK.
  [[nodiscard]] virtual const LocalCertificate* local_certificate() const { return nullptr; }
};

// A list of (identity, PSK) pairs, compared by ID type and data, plus optional trusted CAs
// and a local certificate. For tests and small setups.
class InMemoryCredentials final : public PeerCredentials {
 public:
  void add(wire::IdPayload id, base::SecretBytes psk) {
    entries_.emplace_back(std::move(id), std::move(psk));
  }
  void add_trusted_ca(crypto::Certificate ca) { trust_.add(std::move(ca)); }
  void set_local_certificate(LocalCertificate local) { local_ = std::move(local); }
  [[nodiscard]] crypto::TrustStore& trust() { return trust_; }

  [[nodiscard]] std::optional<base::SecretBytes> psk_for(
      const wire::IdPayload& peer) const override {
    for (const auto& [id, psk] : entries_) {
      if (id == peer) {
        return psk;
      }
    }
    return std::nullopt;
  }
  [[nodiscard]] const crypto::TrustStore* trust_store() const override {
    return trust_.empty() ? nullptr : &trust_;
  }
  [[nodiscard]] const LocalCertificate* local_certificate() const override {
    return local_ ? &*local_ : nullptr;
  }

 private:
  std::vector<std::pair<wire::IdPayload, base::SecretBytes>> entries_;
  crypto::TrustStore trust_;
  std::optional<LocalCertificate> local_;
};

}  // namespace ike::engine
