#pragma once
// The peer's INFORMATIONAL requests (RFC 7296 1.4, 1.4.1, 2.21, 3.10.1): every payload in the
// order it came, each to the feature it concerns: D(IKE) (tasks/ike_delete.h), D(ESP/AH)
// (tasks/child_delete.h), N(REDIRECT) (tasks/ike_redirect.h), error notifies (noted for the
// shell to log; AUTHENTICATION_FAILED after IKE_AUTH ends a responder's SA, 2.21.2); unknown
// status notifies are ignored (R7296-54). An empty request is a liveness check: the answer is
// empty too. A D(IKE) of the SA our crossing rekey replaces goes to tasks/ike_rekey.h first.
#include <optional>
#include <vector>

#include "ike/engine/task.h"
#include "ike/engine/tasks/child_delete.h"

namespace ike::engine {

struct SaContext;

class Informational final : public Task {
 public:
  explicit Informational(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::Informational; }
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;
  void post_build(base::TimePoint now) override;

 private:
  void on_error_notify(const wire::NotifyPayload& n);

  SaContext& sa_;
  bool delete_ike_ = false;
  PeerChildDeletes child_deletes_;
  bool auth_failed_ = false;
  std::vector<wire::Payload> answer_;
};

}  // namespace ike::engine
