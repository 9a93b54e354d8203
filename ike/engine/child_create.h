#pragma once
// The Child SA task (RFC 7296 1.3, 2.9, 2.17; RFC 4877 for transport mode): ESP proposal,
// traffic selectors, USE_TRANSPORT_MODE, KEYMAT. Today it runs inside IKE_AUTH for the first
// Child SA; CREATE_CHILD_SA (with KE for PFS, REKEY_SA) will drive the same class.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ike/crypto/key_derivation.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/proposals.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct ChildSaConfig {
  bool enabled = true;  // negotiate one Child SA in IKE_AUTH
  EspProposalConfig esp;
  // Initiator: the selectors it proposes (TSi, TSr). Responder: ignored (it echoes them).
  std::vector<wire::TrafficSelector> ts_i;
  std::vector<wire::TrafficSelector> ts_r;
  // Initiator: send USE_TRANSPORT_MODE, and refuse a tunnel-mode answer (R7296-52).
  // Responder: accept a USE_TRANSPORT_MODE request and echo it.
  bool transport_mode = false;
};

// What the task needs from its IKE SA for KEYMAT (R7296-26).
struct ChildKeyInput {
  const crypto::Prf& prf;
  std::span<const std::uint8_t> sk_d;
  std::span<const std::uint8_t> nonce_i;
  std::span<const std::uint8_t> nonce_r;
};

class ChildCreateTask {
 public:
  explicit ChildCreateTask(const ChildSaConfig& config) : config_(config) {}

  // Initiator: N(USE_TRANSPORT_MODE)?, SA, TSi, TSr, with a fresh inbound SPI.
  void build_request(crypto::RandomSource& random, std::vector<wire::Payload>& out);

  // Initiator: the Child SA to install, or nullopt when the responder refused it or answered
  // something we cannot use (this never fails the IKE SA, R7296-53).
  [[nodiscard]] std::optional<InstallChildSa> process_response(std::span<const wire::Payload> inner,
                                                               const ChildKeyInput& keys,
                                                               const Path& path) const;

  struct Answer {
    std::vector<wire::Payload> payloads;  // SA, TSi, TSr (+ notify), or N(NO_PROPOSAL_CHOSEN)
    std::optional<InstallChildSa> install;
    bool no_proposal_chosen = false;
  };
  // Responder. Without SA/TSi/TSr in the request there is nothing to answer.
  [[nodiscard]] Answer process_request(std::span<const wire::Payload> inner,
                                       crypto::RandomSource& random, const ChildKeyInput& keys,
                                       const Path& path);

 private:
  [[nodiscard]] std::optional<crypto::ChildSaKeys> derive(const ChildKeyInput& keys) const;

  ChildSaConfig config_;
  std::uint32_t spi_in_ = 0;
};

}  // namespace ike::engine
