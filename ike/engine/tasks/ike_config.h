#pragma once
// The configuration payload of IKE_AUTH (RFC 7296 3.15, RFC 4877 9, RFC 5026 3.2):
// CFG_REQUEST for INTERNAL_IP6_ADDRESS (+ MIP6_HOME_PREFIX) and the CFG_REPLY from an
// AddressProvider. The pure functions over payload lists, and the IkeConfig task that runs
// them in IKE_AUTH and records the result on the SA.
#include <optional>
#include <span>
#include <vector>

#include "ike/engine/address_provider.h"
#include "ike/engine/task.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct SaContext;

struct CpResult {
  std::optional<wire::InternalIp6Address> address;
  std::optional<wire::Mip6HomePrefix> home_prefix;
};

// Initiator: CP(CFG_REQUEST) for the first IKE_AUTH request (R7296-49); nullopt if nothing is
// asked for.
[[nodiscard]] std::optional<wire::Payload> build_cp_request(bool address, bool home_prefix);

// Initiator: what a CFG_REPLY gave us. Unknown attributes are ignored (R7296-51).
[[nodiscard]] CpResult process_cp_reply(std::span<const wire::Payload> inner);

struct CpAnswer {
  bool requested = false;       // the request carried CP(CFG_REQUEST)
  bool address_failed = false;  // answer with INTERNAL_ADDRESS_FAILURE, no Child SA (R7296-50)
  std::optional<wire::Payload> payload;  // CP(CFG_REPLY) or N(INTERNAL_ADDRESS_FAILURE)
  CpResult result;
};

// Responder, after AUTH verified `peer`: asks the provider (nullptr = no addresses to give).
[[nodiscard]] CpAnswer answer_cp_request(std::span<const wire::Payload> inner,
                                         const wire::IdPayload& peer, AddressProvider* provider);

// IKE_AUTH, both roles. A responder that has no address to give answers
// INTERNAL_ADDRESS_FAILURE and the exchange creates no Child SA (3.15.4): status Last.
class IkeConfig final : public Task {
 public:
  explicit IkeConfig(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeConfig; }
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;

 private:
  SaContext& sa_;
  std::optional<wire::Payload> answer_;
};

}  // namespace ike::engine
