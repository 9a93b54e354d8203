#include "tools/mip6-ike/tool_init_decision.h"

namespace mip6_ike {

using namespace ike;

engine::InitAnswer ToolDecision::decide(const engine::InitRequest& context,
                                         base::TimePoint /*now*/) {
  if (!capacity_ || served_ < *capacity_) {
    if (capacity_ || !redirect_to_) {
      last_reason_ = "within capacity";
      return engine::Serve{++served_};
    }
  }
  if (!redirect_to_) {
    last_reason_ = "capacity reached, no redirect target";
    return engine::Refuse{};
  }
  if (!context.redirect_supported) {
    // Never redirect a peer that did not announce support (R5685-03).
    last_reason_ = "peer did not announce redirect support";
    return engine::Refuse{};
  }
  last_reason_ = capacity_ ? "capacity reached" : "redirect-to";
  return engine::Redirect{wire::GwIdentity::ipv6(*redirect_to_)};
}

}  // namespace mip6_ike
