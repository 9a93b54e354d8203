#pragma once
// `initiate --follow-redirects`: the mobile node's daemon (mn::MnDaemon around mn::MnCore)
// runs the IKE bootstrap, following redirects at IKE_SA_INIT, in IKE_AUTH and gateway-
// initiated ones (make-before-break), and prints one JSON line per step ("event":
// established, child_sa, redirected, gateway_changed, old_sa_deleted, sa_deleted, ...) and a
// final {"result": ..., "gateway": ...}. Exit rules: at establishment, unless --stay S (keep the
// SA up S seconds), --until-moved (once a gateway-initiated move completed and the old SA is
// deleted) or --delete-after S (delete the IKE SA S seconds after establishment, done when
// that Delete is answered); exit 0 for "established", "moved" and "deleted".
// The home registration the core starts once a home address is assigned has no data plane to
// leave through yet: the daemon logs its Binding Updates as not sent, and no line is printed
// for it.
#include "ike/base/log.h"
#include "ike/engine/peer_credentials.h"
#include "tools/mip6-ike/cli_args.h"
#include "tools/mip6-ike/initiate.h"

namespace mip6_ike {

[[nodiscard]] int run_initiate_follow(const Args& args, const InitiateTarget& target,
                                      ike::engine::PeerCredentials& creds, const base::Logger& log);

}  // namespace mip6_ike
