#pragma once
// The IKE_SA_INIT task (RFC 7296 1.2, 2.6, 2.14), both roles: SA, KE and Nonce; the
// initiator's INVALID_KE_PAYLOAD retry (R7296-19) and COOKIE retry (R7296-22..24); the
// responder's stateless error answers; SKEYSEED and the SK keys. RFC 5685's notifies of the
// first exchange are handled here too (STYLE A1.2): the initiator announces REDIRECT_SUPPORTED
// or REDIRECTED_FROM and checks the nonce copy of a REDIRECT (R5685-01/05/06/07), the
// responder records what the initiator announced (R5685-02).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "ike/base/secret_bytes.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/proposals.h"
#include "ike/engine/sa_context.h"
#include "ike/engine/task.h"

namespace ike::engine {

class IkeInit final : public Task {
 public:
  // As the original initiator it takes the first configured DH group and draws Ni.
  explicit IkeInit(SaContext& sa);
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeInit; }

  // Initiator: [N(COOKIE)] SA KEi Ni [N(REDIRECT_SUPPORTED)] [N(REDIRECTED_FROM)].
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  // InitRequestSent after the first request.
  void post_build(base::TimePoint now) override;
  // Initiator: REDIRECT, COOKIE, INVALID_KE_PAYLOAD, error notifies, or the responder's SA KEr
  // Nr; then the keys (post_process).
  TaskStatus process_response(const InMessage& response) override;
  void post_process(base::TimePoint now) override;

  // Responder: the proposal, KE and Nonce, or a stateless error answer (the SA stays in
  // Created and its owner discards it).
  TaskStatus process_request(const InMessage& request) override;
  // Responder: the keys, InitResponded, SA KEr Nr.
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;

 private:
  // N(REDIRECT) in the response; nullopt: ignore the notify and go on (R5685-05/06).
  [[nodiscard]] std::optional<TaskStatus> on_redirect(const wire::NotifyPayload& notify);
  [[nodiscard]] TaskStatus on_cookie(const wire::NotifyPayload& notify);
  [[nodiscard]] TaskStatus on_invalid_ke(const wire::NotifyPayload& notify);

  SaContext& sa_;
  crypto::DhGroup group_ = crypto::DhGroup::None;
  std::unique_ptr<crypto::KeyExchange> kex_;
  base::SecretBytes g_ir_;            // between processing the peer's KE and deriving the keys
  std::vector<std::uint8_t> cookie_;  // initiator: the responder's latest N(COOKIE) data
  unsigned cookie_retries_ = 0;
  unsigned invalid_ke_retries_ = 0;
  std::optional<IkeSelection> selection_;  // responder
};

// Responder: the SA is deleted when no IKE_AUTH came this long after IKE_SA_INIT.
class HalfOpenTimer final : public Task {
 public:
  HalfOpenTimer(SaContext& sa, base::TimePoint at) : sa_(sa), at_(at) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::HalfOpenTimer; }
  [[nodiscard]] base::TimePoint deadline() const override;
  void on_deadline(base::TimePoint now) override;

 private:
  SaContext& sa_;
  base::TimePoint at_;
};

// prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (R7296-25) with the new SA's `prf`, which the caller
// has used for SKEYSEED (2.14) or not (2.18 uses the old SA's); the ciphers for `spis.role`.
[[nodiscard]] base::Result<IkeKeySet> derive_ike_key_set(const IkeSuite& suite, crypto::Prf prf,
                                                         std::span<const std::uint8_t> skeyseed,
                                                         std::span<const std::uint8_t> nonce_i,
                                                         std::span<const std::uint8_t> nonce_r,
                                                         const IkeSpis& spis,
                                                         crypto::RandomSource& random);

}  // namespace ike::engine
