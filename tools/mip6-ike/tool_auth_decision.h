#pragma once
// respond --redirect-at-auth ID=ADDR,...: RFC 5685 6 for those identities (after their AUTH
// verified; the engine serves peers that cannot be redirected, R5685-03). A test tool's
// AuthDecision, not a policy.
#include <string>
#include <utility>
#include <vector>

#include "ike/engine/ike_responder.h"

namespace mip6_ike {

class ToolAuthDecision final : public ike::engine::AuthDecision {
 public:
  // "ID=ADDR[,ID=ADDR...]"; false when malformed or empty.
  [[nodiscard]] bool parse(const std::string& text);
  [[nodiscard]] bool empty() const { return targets_.empty(); }
  [[nodiscard]] ike::engine::AuthAnswer decide(const ike::engine::AuthRequest& context,
                                                base::TimePoint now) override;

 private:
  std::vector<std::pair<ike::wire::IdPayload, base::Ip6Addr>> targets_;
};

}  // namespace mip6_ike
