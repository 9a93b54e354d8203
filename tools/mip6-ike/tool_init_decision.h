#pragma once
// respond's admission at IKE_SA_INIT (--capacity N, --redirect-to ADDR): a test tool's
// InitDecision, not a policy.
#include <cstdint>
#include <optional>
#include <string>

#include "ike/engine/ike_responder.h"

namespace mip6_ike {

// Serves the first `capacity` peers (all without a capacity when no redirect target is
// given), redirects the rest to `redirect_to` if they can follow, refuses the others.
// `last_reason` says why the last verdict was given (for the decision line).
class ToolDecision final : public ike::engine::InitDecision {
 public:
  ToolDecision(std::optional<std::uint64_t> capacity, std::optional<base::Ip6Addr> redirect_to)
      : capacity_(capacity), redirect_to_(redirect_to) {}

  [[nodiscard]] ike::engine::InitAnswer decide(const ike::engine::InitRequest& context,
                                                base::TimePoint now) override;
  [[nodiscard]] const std::string& last_reason() const { return last_reason_; }

 private:
  std::optional<std::uint64_t> capacity_;
  std::optional<base::Ip6Addr> redirect_to_;
  std::uint64_t served_ = 0;
  std::string last_reason_;
};

}  // namespace mip6_ike
