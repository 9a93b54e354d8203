#pragma once
// Child SA creation (RFC 7296 1.3.1, 2.9, 2.17; RFC 4877 for transport mode and the home
// address): the ESP proposal, traffic selectors (narrowed by the responder to the address it
// assigned by CP, and checked by the initiator to be no wider than what it proposed),
// USE_TRANSPORT_MODE, optional PFS, KEYMAT. Two tasks: AuthChildCreate for the first Child SA
// inside IKE_AUTH and ChildCreate for CREATE_CHILD_SA, both roles; ChildRekey
// (tasks/child_rekey.h) builds on ChildCreate.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_sa_config.h"
#include "ike/engine/proposals.h"
#include "ike/engine/task.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct SaContext;

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

// What KEYMAT needs from the IKE SA and the exchange (R7296-26).
struct ChildKeyInput {
  const crypto::Prf& prf;
  std::span<const std::uint8_t> sk_d;
  std::span<const std::uint8_t> nonce_i;
  std::span<const std::uint8_t> nonce_r;
  std::span<const std::uint8_t> g_ir = {};  // CREATE_CHILD_SA with PFS (2.17)
};
// KEYMAT for one ESP suite (RFC 7296 2.17, R7296-26): encr_i, integ_i, encr_r, integ_r.
[[nodiscard]] std::optional<crypto::ChildSaKeys> derive_child_keys(const ChildKeyInput& keys,
                                                                   const EspSuite& suite);

// Annotates the Child SA (NAT-T), records it in the SA's Child SA list and emits
// InstallChildSa.
void install_child_sa(SaContext& sa, InstallChildSa install, base::TimePoint now);

// The Child SA of IKE_AUTH (1.2; KEYMAT from the IKE_SA_INIT nonces, no KE). Its failure
// leaves the IKE SA up (R7296-53). The SA to install goes to SaContext::auth_child, installed
// when IkeAuth establishes the SA.
class AuthChildCreate final : public Task {
 public:
  explicit AuthChildCreate(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::ChildCreate; }
  // Initiator: N(USE_TRANSPORT_MODE)?, SA, TSi, TSr, with a fresh inbound SPI.
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;
  // Initiator: a Child SA the responder installed but we refuse is reported and deleted.
  void post_process(base::TimePoint now) override;
  // Responder: SA, TSi (narrowed to the CP address), TSr, or N(NO_PROPOSAL_CHOSEN) /
  // N(TS_UNACCEPTABLE).
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;

 private:
  SaContext& sa_;
  std::uint32_t spi_in_ = 0;
  // Initiator: the responder created the Child SA (SA, TSi and TSr in its answer) but we
  // refuse it: static text for logs; the peer's half is then deleted (2.21.3).
  std::string_view refused_;
  bool ts_not_subset_ = false;  // TSi/TSr wider than or outside what we proposed (2.9)
  std::vector<wire::Payload> answer_;
};

// CREATE_CHILD_SA for a new Child SA (1.3.1), both roles: SA (config.esp, D-H groups for
// PFS), Ni, [KEi], TSi, TSr, [N(USE_TRANSPORT_MODE)]. An INVALID_KE_PAYLOAD answer is retried
// with the group asked for; other errors end in ChildSaCreateFailed (the IKE SA stays).
class ChildCreate : public Task {
 public:
  // Responder (the passive task of the peer's request).
  explicit ChildCreate(SaContext& sa);
  // Initiator of a new Child SA with `config`.
  ChildCreate(SaContext& sa, ChildSaConfig config);
  [[nodiscard]] TaskKind kind() const override { return TaskKind::ChildCreate; }

  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;
  void post_build(base::TimePoint now) override;

 protected:
  // ---- what a Child SA rekey adds (tasks/child_rekey.h) ----
  // Initiator: the same request again (INVALID_KE_PAYLOAD retry), queued behind the others.
  [[nodiscard]] virtual std::unique_ptr<ChildCreate> again() const;
  // Initiator: the peer answered with an error notify (before ChildSaCreateFailed).
  virtual void on_peer_error(wire::NotifyType error, base::TimePoint now);
  // Initiator: our request ended without a Child SA.
  virtual void on_refused();
  // Initiator: the new Child SA is installed; `nonce_r` is the responder's nonce.
  virtual void on_installed(std::uint32_t new_in, std::uint32_t new_out,
                            std::span<const std::uint8_t> nonce_r, base::TimePoint now);
  // Responder: checks what the request rekeys; a status when refused (answered).
  [[nodiscard]] virtual std::optional<TaskStatus> check_rekeyed(const InMessage& request);
  // Responder: the Child SA the peer asked for is installed.
  virtual void on_peer_installed(std::uint32_t new_in, std::uint32_t new_out, base::TimePoint now);
  // Responder: a refusal, answered with `notify` (cached for retransmissions).
  TaskStatus refuse(const InMessage& request, wire::NotifyPayload notify, IkeCounter counter);

  SaContext& sa_;
  ChildSaConfig config_;
  std::uint32_t rekey_spi_in_ = 0;  // initiator: the Child SA being rekeyed; 0 for a new one
  crypto::DhGroup group_ = crypto::DhGroup::None;
  unsigned invalid_ke_retries_ = 0;
  std::uint32_t spi_in_ = 0;
  std::vector<std::uint8_t> nonce_i_;
  std::vector<std::uint8_t> nonce_r_;  // responder: ours
  std::unique_ptr<crypto::KeyExchange> kex_;
  std::vector<wire::Payload> answer_;      // responder
  std::optional<InstallChildSa> install_;  // responder: installed once the answer is out

 private:
  void refused(std::optional<wire::NotifyType> notify, std::string_view detail);
};

// Established: queues a ChildCreate for a new Child SA (RFC 7296 1.3.1).
[[nodiscard]] base::Result<void> create_child(SaContext& sa, ChildSaConfig config,
                                              base::TimePoint now);

}  // namespace ike::engine
