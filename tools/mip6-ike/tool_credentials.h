#pragma once
// mip6-ike's credentials (a test tool, not a policy): one PSK (--psk-file) for whichever
// identity the peer presents, our certificate (--cert/--key [--rsa-pss]) and the --ca trust
// anchors.
#include <optional>

#include "ike/crypto/x509.h"
#include "ike/engine/peer_credentials.h"
#include "tools/mip6-ike/cli_args.h"

namespace mip6_ike {

class ToolCredentials final : public ike::engine::PeerCredentials {
 public:
  [[nodiscard]] std::optional<base::SecretBytes> psk_for(
      const ike::wire::IdPayload& /*peer*/) const override {
    return psk;
  }
  [[nodiscard]] const ike::crypto::TrustStore* trust_store() const override {
    return trust.empty() ? nullptr : &trust;
  }
  [[nodiscard]] const ike::engine::LocalCertificate* local_certificate() const override {
    return local ? &*local : nullptr;
  }

  std::optional<base::SecretBytes> psk;
  ike::crypto::TrustStore trust;
  std::optional<ike::engine::LocalCertificate> local;
};

// --psk-file, --cert/--key/--rsa-pss and every --ca; nullopt (after a message) when a file is
// unreadable or inconsistent, or when neither a PSK nor a certificate is given.
[[nodiscard]] std::optional<ToolCredentials> load_credentials(const Args& a);

}  // namespace mip6_ike
