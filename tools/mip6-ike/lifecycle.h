#pragma once
// --rekey-child-after S, --rekey-ike-after S, --create-child-after S (CREATE_CHILD_SA interop
// tests, RFC 7296 1.3), valid for both commands: the first two set the engine's soft
// lifetimes, so the rekeys repeat every S seconds; the last creates one more Child SA S seconds
// after establishment. With any of them `initiate` prints its result as one JSON line at
// establishment and keeps running until --timeout (or a signal, exit 0 when it was
// established), and both commands print one JSON line per CREATE_CHILD_SA event: {"event":
// "child_installed" | "child_rekeyed" | "child_deleted" | "child_create_failed" |
// "ike_rekeyed" | "ike_spis_retired", ...} with the IKE SA's current SPIs and our role in it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "ike/engine/ike_sa.h"
#include "ike/io/ike_driver.h"
#include "tools/mip6-ike/cli_args.h"
#include "tools/mip6-ike/ike_json.h"

namespace mip6_ike {

struct LifecycleOptions {
  std::optional<int> rekey_child_after;
  std::optional<int> rekey_ike_after;
  std::optional<int> create_child_after;
  [[nodiscard]] bool any() const {
    return rekey_child_after || rekey_ike_after || create_child_after;
  }
};

// nullopt (after a message) when one is malformed.
[[nodiscard]] std::optional<LifecycleOptions> parse_lifecycle(const Args& a);
void apply_lifecycle(const LifecycleOptions& o, ike::engine::IkeSaConfig& cfg);

// One JSON line for a CREATE_CHILD_SA / rekey output; nullopt for the others.
[[nodiscard]] std::optional<json> lifecycle_event(const ike::engine::IkeSa& sa,
                                                  const ike::engine::Output& out, bool dump_keys);

// --create-child-after: one more Child SA like `child` on `sa`, `seconds` from now, through
// the driver. The SA object survives IKE rekeys (they happen in place), so its current key
// finds it.
void schedule_create_child(boost::asio::io_context& io, ike::io::IkeDriver& driver,
                           const ike::engine::IkeSa& sa, const ike::engine::ChildSaConfig& child,
                           int seconds,
                           std::vector<std::unique_ptr<boost::asio::steady_timer>>& timers);

}  // namespace mip6_ike
