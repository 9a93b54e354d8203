#pragma once
// `initiate` without --follow-redirects: one IKE SA towards --remote through an
// ike::io::IkeDriver. The plain run prints one JSON object (indented) when the SA settles and
// exits 0 only when it is established; with lifecycle options (lifecycle.h) the result is one
// line at establishment, then one line per CREATE_CHILD_SA event until --timeout.
#include "ike/base/ip6_addr.h"
#include "ike/base/log.h"
#include "ike/engine/peer_credentials.h"
#include "tools/mip6-ike/cli_args.h"
#include "tools/mip6-ike/lifecycle.h"

namespace mip6_ike {

struct InitiateTarget {
  base::Ip6Addr local;
  base::Ip6Addr remote;
  int timeout_s = 20;
};

[[nodiscard]] int run_initiate_once(const Args& args, const InitiateTarget& target,
                                    ike::engine::PeerCredentials& creds, const base::Logger& log);
[[nodiscard]] int run_initiate_lifecycle(const Args& args, const InitiateTarget& target,
                                         ike::engine::PeerCredentials& creds,
                                         const LifecycleOptions& lifecycle,
                                         const base::Logger& log);

}  // namespace mip6_ike
