#pragma once
// IKE SA deletion (RFC 7296 1.4.1, R7296-55): our INFORMATIONAL{D(IKE)} (IkeDelete: Deleting
// when it leaves, Closed with SaDeleted when answered; the TaskManager closes the SA as well
// when its retransmissions run out) and the check of the peer's D(IKE). Deleting the IKE SA
// deletes its Child SAs with it.
#include <vector>

#include "ike/base/result.h"
#include "ike/engine/task.h"
#include "ike/wire/delete_payload.h"

namespace ike::engine {

struct SaContext;

class IkeDelete final : public Task {
 public:
  explicit IkeDelete(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeDelete; }
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;

 private:
  SaContext& sa_;
};

// Queues our D(IKE); whatever else we meant to ask goes with the SA, the exchange in flight
// finishes first (window size 1, R7296-39). SaContext::delete_detail says why.
void start_ike_delete(SaContext& sa, base::TimePoint now);
// Established or Redirected, and not deleting already: start_ike_delete().
[[nodiscard]] base::Result<void> request_delete(SaContext& sa, base::TimePoint now);
// The peer's D(IKE) in an INFORMATIONAL request; false (counted and noted) when malformed.
[[nodiscard]] bool accept_peer_ike_delete(SaContext& sa, const wire::DeletePayload& d);

}  // namespace ike::engine
