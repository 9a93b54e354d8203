#pragma once
// The pieces every mip6-ike run sets up the same way: the logger, --ike-keylog, the IKE SA
// configuration from the identities and proposals, and the run's limits (--timeout and
// SIGINT/SIGTERM).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/base/log.h"
#include "ike/engine/ike_sa.h"
#include "ike/io/ike_keylog.h"
#include "tools/mip6-ike/cli_args.h"

namespace mip6_ike {

// Log lines go to stderr; --verbose adds the debug ones.
[[nodiscard]] base::Logger make_logger(bool verbose);

// --ike-keylog FILE, opened before any SA exists. nullopt: bad file (reported); a null
// pointer: not asked for.
[[nodiscard]] std::optional<std::unique_ptr<ike::io::IkeKeylog>> open_keylog(const Args& a);

// ::/0 .. ffff:...:ffff, the traffic selectors the tool proposes.
[[nodiscard]] std::vector<ike::wire::TrafficSelector> any_ipv6();

// Our identity (--id); the common part of both roles.
[[nodiscard]] ike::engine::IkeSaConfig base_config(const std::string& id);
// The initiator's: --id, --remote-id, --request-address, --transport-mode, any-to-any
// selectors.
[[nodiscard]] ike::engine::IkeSaConfig initiator_config(const Args& a);
// --ike-proposal / --esp-proposal into `cfg` (offered as initiator, accepted as responder);
// false (after a message) when malformed.
[[nodiscard]] bool apply_proposals(const Args& a, ike::engine::IkeSaConfig& cfg);

// --timeout (counted from construction) and SIGINT/SIGTERM for one run: once armed, the
// matching handler runs once unless cancel() came first.
class RunLimits {
 public:
  RunLimits(boost::asio::io_context& io, int timeout_s);
  void arm(std::function<void()> on_timeout, std::function<void()> on_signal);
  void cancel();

 private:
  boost::asio::steady_timer deadline_;
  boost::asio::signal_set signals_;
};

}  // namespace mip6_ike
