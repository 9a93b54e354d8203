#include "tools/mip6-ike/tool_auth_decision.h"

#include "tools/mip6-ike/cli_args.h"

namespace mip6_ike {

using namespace ike;

bool ToolAuthDecision::parse(const std::string& text) {
  const auto list = name_address_list(text);
  if (!list) {
    return false;
  }
  for (const auto& [id, target] : *list) {
    targets_.emplace_back(wire::IdPayload::from_text(id), target);
  }
  return !targets_.empty();
}

engine::AuthAnswer ToolAuthDecision::decide(const engine::AuthRequest& context,
                                             base::TimePoint /*now*/) {
  for (const auto& [id, target] : targets_) {
    if (id == context.peer_id) {
      return engine::Redirect{wire::GwIdentity::ipv6(target)};
    }
  }
  return engine::Serve{};
}

}  // namespace mip6_ike
