#pragma once
// strongSwan-style proposal strings for configs and tools (swanctl.conf "proposals" /
// "esp_proposals" syntax, the subset we implement): algorithm keywords joined by '-', several
// proposals separated by ',' merged into one preference list each.
//   IKE: "aes256gcm16-prfsha256-x25519", "aes256-sha256-x25519", "aes128-sha256-ecp256"
//   ESP: "aes256gcm16", "aes128-sha256", "aes256-sha256-x25519" (a D-H group = PFS in
//        CREATE_CHILD_SA), "noesn" accepted.
// Keywords: aes128 aes256 (ENCR_AES_CBC), aes128gcm16 aes256gcm16 (also ...gcm128 / ...gcm),
// sha256 sha384 sha512 (INTEG HMAC-SHA2-*; for IKE also the PRF when no prf* is given),
// prfsha256 prfsha384 prfsha512, x25519 (curve25519) ecp256 modp2048.
#include <string_view>

#include "ike/base/result.h"
#include "ike/engine/proposals.h"

namespace ike::engine {

// Unknown keywords, AES-CBC without an INTEG, or no D-H group are errors.
[[nodiscard]] base::Result<IkeProposalConfig> parse_ike_proposal(std::string_view text);
// Unknown keywords, AES-CBC without an INTEG, two different INTEGs (we negotiate one), or
// ESN are errors.
[[nodiscard]] base::Result<EspProposalConfig> parse_esp_proposal(std::string_view text);

}  // namespace ike::engine
