#pragma once
// The certificate payloads around authentication (RFC 7296 3.6-3.8, RFC 7427 4):
// N(SIGNATURE_HASH_ALGORITHMS) in IKE_SA_INIT (sent by the initiator always and by the
// responder when the initiator sent it, as strongSwan does; the peer's list is recorded for
// our signature) and CERTREQ naming our trusted CAs (in the IKE_SA_INIT response and the
// IKE_AUTH request, so a peer that sends its certificate only when asked does). Our CERT
// payloads go with our AUTH (tasks/ike_auth.h, signature_auth.h).
#include <optional>
#include <vector>

#include "ike/engine/task.h"

namespace ike::engine {

struct SaContext;

class IkeCert final : public Task {
 public:
  IkeCert(SaContext& sa, wire::ExchangeType exchange) : sa_(sa), exchange_(exchange) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeCert; }
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;

 private:
  void record_peer_hashes(const InMessage& message);

  SaContext& sa_;
  wire::ExchangeType exchange_;
};

}  // namespace ike::engine
