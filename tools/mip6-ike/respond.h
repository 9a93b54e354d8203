#pragma once
// `respond`: our IKEv2 responder (ike::io::IkeDriver, with the IkeResponder front when
// --capacity, --redirect-to or --cookie-threshold asks for decisions at IKE_SA_INIT) and the
// interop triggers on established SAs (--redirect-established-to/--after, --delete-after,
// --redirect-at-auth, lifecycle options). One JSON line per settled SA, per decision and per
// event, and a summary of the front at exit. The command line is documented in main.cc.
#include "tools/mip6-ike/cli_args.h"

namespace mip6_ike {

// `args` hold --listen, --id and --pool.
[[nodiscard]] int run_respond(const Args& args);

}  // namespace mip6_ike
