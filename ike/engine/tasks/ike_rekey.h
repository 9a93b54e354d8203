#pragma once
// IKE SA rekey (RFC 7296 1.3.2, 2.8, 2.8.2, 2.18, 2.25.2), both roles.
//
// Design: the rekey happens IN PLACE. The IkeSa object that ran the old IKE SA adopts the new
// one (SPIs, keys, message IDs from 0, the rekey initiator as original initiator, i.e. our
// Role and I flag may flip) and keeps the Child SAs; the shell only re-files it under the new
// SPIs (IkeSaRekeyed). What the old SA still has to do, i.e. its Delete exchange, the answer
// to a retransmitted rekey request, the peer's Delete of it, our exchange that was in flight on
// it, lives on in a RetiringIkeSa (sa_context.h) inside the same object, reached by its own
// SPIs until it ends (IkeSpisRetired). A simultaneous rekey (2.8.2) yields a second new SA;
// the redundant one becomes a RetiringIkeSa as well. Owners therefore keep one pointer per IKE
// SA across any number of rekeys, and Child SA records, tags and CP results never have to move
// between objects.
//
// Collisions (2.8.2): the peer's rekey answered while ours is in flight is kept in
// SaContext::ike_rekey.peer_rekey; when ours is answered the SA with the lowest of the four
// nonces is redundant. If the peer deletes the old SA first, its rekey won: we adopt it and
// answer that Delete on the old SA (take_over_old_sa_delete), and ours becomes redundant when
// its answer arrives there.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "ike/base/result.h"
#include "ike/engine/sa_context.h"
#include "ike/engine/task.h"

namespace ike::engine {

class IkeRekey final : public Task {
 public:
  // Responder (the passive task of the peer's request).
  explicit IkeRekey(SaContext& sa) : sa_(sa) {}
  // Initiator: the KE for `group`, which is offered first (R7296-17).
  IkeRekey(SaContext& sa, crypto::DhGroup group) : sa_(sa), group_(group) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeRekey; }

  // Initiator: SA (new SPIi), Ni, KEi; Failed when the peer's rekey replaced the SA first.
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;

  // Responder: SA (new SPIr), Nr, KEr, or TEMPORARY_FAILURE while we are busy (2.25.2).
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;
  // The answer left under the old keys: switch to the new SA, or keep it for the collision.
  void post_build(base::TimePoint now) override;

 private:
  SaContext& sa_;
  crypto::DhGroup group_ = crypto::DhGroup::None;
  unsigned invalid_ke_retries_ = 0;
  wire::Spi new_spi_i_;
  std::vector<std::uint8_t> nonce_i_;
  std::unique_ptr<crypto::KeyExchange> kex_;
  std::vector<wire::Payload> answer_;  // responder
  std::optional<RekeyedIkeSa> next_;   // responder: the new SA our answer creates
};

// Established: queues our IKE SA rekey; also done by IkeSaConfig::ike_rekey_after.
[[nodiscard]] base::Result<void> rekey_ike(SaContext& sa, base::TimePoint now);

// Collision hook for the peer's INFORMATIONAL request while we hold its rekey (2.8.2): a D(IKE)
// of the current SA means its rekey survived. True when it took the request over (adopted the
// peer's SA and answered on the old one).
[[nodiscard]] bool take_over_old_sa_delete(SaContext& sa, const InMessage& request);

// A datagram with the SPIs of one of our retiring SAs.
void on_retiring_datagram(SaContext& sa, RetiringIkeSa& old, const Path& path,
                          const wire::DecodedMessage& msg, std::span<const std::uint8_t> bytes,
                          base::TimePoint now);

// Retransmissions of our requests on retiring SAs, and their end.
class RetiringTimer final : public Task {
 public:
  explicit RetiringTimer(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::RetiringTimer; }
  [[nodiscard]] base::TimePoint deadline() const override;
  void on_deadline(base::TimePoint now) override;

 private:
  SaContext& sa_;
};

}  // namespace ike::engine
