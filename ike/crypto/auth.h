#pragma once
// AUTH payload data for shared-key authentication (RFC 7296 §2.15, Auth Method 2), and the
// signed octets that signature methods sign.
#include <cstdint>
#include <vector>

#include "ike/crypto/prf.h"

namespace ike::crypto {

struct AuthInput {
  Bytes real_message;  // the whole IKE_SA_INIT message we sent (latest version), no marker
  Bytes peer_nonce;    // the other side's Nonce Data, without payload header
  Bytes sk_p;          // SK_pi when authenticating the initiator, SK_pr for the responder
  Bytes id_body;       // IDi'/IDr': ID payload without its 4-octet generic header
};

// RealMessage | NonceData | prf(SK_p, ID').
[[nodiscard]] std::vector<std::uint8_t> signed_octets(const Prf& prf, const AuthInput& in);

// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>). The pad is the 17 ASCII
// octets without a NUL; the secret is used exactly as given (no NUL added).
[[nodiscard]] std::vector<std::uint8_t> psk_auth_data(const Prf& prf, Bytes shared_secret,
                                                      const AuthInput& in);

// Recomputes and compares in constant time; false also for a wrong length.
[[nodiscard]] bool verify_psk_auth_data(const Prf& prf, Bytes shared_secret, const AuthInput& in,
                                        Bytes received);

}  // namespace ike::crypto
