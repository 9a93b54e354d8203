#pragma once
// The Child SA task (RFC 7296 1.3, 2.9, 2.17; RFC 4877 for transport mode): ESP proposal,
// traffic selectors, USE_TRANSPORT_MODE, KEYMAT. Today it runs inside IKE_AUTH for the first
// Child SA; CREATE_CHILD_SA (with KE for PFS, REKEY_SA) will drive the same class.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/ip6_addr.h"
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
  // Lifetimes of every Child SA of the IKE SA (RFC 7296 2.8): at `rekey_after` minus a random
  // share of `rekey_jitter` we rekey it (soft); at `hard_lifetime` after installation it is
  // deleted if still there. Zero = never.
  base::Duration rekey_after{0};
  base::Duration rekey_jitter{0};
  base::Duration hard_lifetime{0};
};

// A fresh inbound ESP SPI (>= 256, RFC 4303 2.1).
[[nodiscard]] std::uint32_t random_esp_spi(crypto::RandomSource& random);

// RFC 7296 2.9 / RFC 4877 7.3: the responder narrows the peer's selectors to the one address
// it assigned by CP (the home address): each IPv6 range holding it becomes that single address,
// protocol and ports kept; the others are dropped. Empty result: TS_UNACCEPTABLE.
[[nodiscard]] std::vector<wire::TrafficSelector> narrow_to_address(
    const std::vector<wire::TrafficSelector>& offered, const base::Ip6Addr& address);

// RFC 7296 2.9: the responder may only narrow. True when every selector of `answer` lies
// inside one selector of `proposed` (same type, protocol equal or proposed "any", ports and
// addresses within) and `answer` is not empty.
[[nodiscard]] bool ts_subset_of(const std::vector<wire::TrafficSelector>& answer,
                                const std::vector<wire::TrafficSelector>& proposed);

// KEYMAT for one ESP suite (RFC 7296 2.17, R7296-26): encr_i, integ_i, encr_r, integ_r.
struct ChildKeyInput;
[[nodiscard]] std::optional<crypto::ChildSaKeys> derive_child_keys(const ChildKeyInput& keys,
                                                                   const EspSuite& suite);

// What the task needs from its IKE SA for KEYMAT (R7296-26).
struct ChildKeyInput {
  const crypto::Prf& prf;
  std::span<const std::uint8_t> sk_d;
  std::span<const std::uint8_t> nonce_i;
  std::span<const std::uint8_t> nonce_r;
  std::span<const std::uint8_t> g_ir = {};  // CREATE_CHILD_SA with PFS (2.17)
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
  struct Outcome {
    std::optional<InstallChildSa> install;
    // The responder created the Child SA (SA, TSi and TSr in its answer) but we refuse it:
    // static text for logs. The IKE SA then deletes the peer's half by our spi_in (2.21.3).
    std::string_view refused;
    bool ts_not_subset = false;  // TSi/TSr wider than or outside what we proposed (2.9)
  };
  [[nodiscard]] Outcome process_response_checked(std::span<const wire::Payload> inner,
                                                 const ChildKeyInput& keys, const Path& path) const;
  [[nodiscard]] std::uint32_t spi_in() const { return spi_in_; }

  struct Answer {
    std::vector<wire::Payload> payloads;  // SA, TSi, TSr (+ notify), or N(NO_PROPOSAL_CHOSEN)
    std::optional<InstallChildSa> install;
    bool no_proposal_chosen = false;
    bool ts_unacceptable = false;  // nothing of TSi holds `narrow_ts_i_to` (2.9)
  };
  // Responder. Without SA/TSi/TSr in the request there is nothing to answer. With
  // `narrow_ts_i_to` (the CP-assigned address) TSi is narrowed to it (narrow_to_address).
  [[nodiscard]] Answer process_request(std::span<const wire::Payload> inner,
                                       crypto::RandomSource& random, const ChildKeyInput& keys,
                                       const Path& path,
                                       std::optional<base::Ip6Addr> narrow_ts_i_to = std::nullopt);

 private:
  ChildSaConfig config_;
  std::uint32_t spi_in_ = 0;
};

}  // namespace ike::engine
