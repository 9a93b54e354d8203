#pragma once
// Child SA rekey (RFC 7296 1.3.3, 2.8, 2.8.1, 2.25), both roles, as a ChildCreate with
// N(REKEY_SA): the new SA repeats the old one's suite, selectors and mode; the rekey initiator
// deletes the old pair once the new one is in place. A simultaneous rekey of one SA (2.8.1)
// is detected when the peer's request finds our own ChildRekey of that SA queued or in
// flight; when ours is answered, the SA created with the lowest of the four nonces is
// redundant and deleted by the side that created it.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ike/engine/tasks/child_create.h"

namespace ike::engine {

class ChildRekey final : public ChildCreate {
 public:
  // Responder (the passive task of the peer's request).
  explicit ChildRekey(SaContext& sa) : ChildCreate(sa) {}
  // Initiator: rekeys our Child SA `spi_in` with `config`.
  ChildRekey(SaContext& sa, ChildSaConfig config, std::uint32_t spi_in);
  [[nodiscard]] TaskKind kind() const override { return TaskKind::ChildRekey; }

  // Initiator: N(REKEY_SA) first, unless the SA went away meanwhile (then: Failed).
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;

  // Collision hook: the peer rekeyed the SA we are rekeying; its new SA is `new_spi_in` (ours)
  // created with these nonces. Decided when our request is answered.
  struct PeerRekey {
    std::uint32_t new_spi_in = 0;
    std::vector<std::uint8_t> nonce_i;
    std::vector<std::uint8_t> nonce_r;
  };
  [[nodiscard]] bool rekeys(std::uint32_t spi_in) const { return rekey_spi_in_ == spi_in; }
  void collide(PeerRekey theirs) { crossing_.push_back(std::move(theirs)); }

 protected:
  [[nodiscard]] std::unique_ptr<ChildCreate> again() const override;
  void on_peer_error(wire::NotifyType error, base::TimePoint now) override;
  void on_refused() override;
  void on_installed(std::uint32_t new_in, std::uint32_t new_out,
                    std::span<const std::uint8_t> nonce_r, base::TimePoint now) override;
  [[nodiscard]] std::optional<TaskStatus> check_rekeyed(const InMessage& request) override;
  void on_peer_installed(std::uint32_t new_in, std::uint32_t new_out, base::TimePoint now) override;

 private:
  std::vector<PeerRekey> crossing_;  // initiator: the peer's rekeys of the same SA (2.8.1)
  // Responder: the SA the peer rekeys, and whether we were rekeying it too.
  std::uint32_t old_in_ = 0;
  std::uint32_t old_out_ = 0;
  bool collision_ = false;
};

// Established: queues a ChildRekey of our Child SA `spi_in` (1.3.3); also done by the soft
// lifetime (ChildSaConfig::rekey_after).
[[nodiscard]] base::Result<void> rekey_child(SaContext& sa, std::uint32_t spi_in,
                                             base::TimePoint now);

// 2.8.1 / 2.8.2: the exchange holding the lowest of the four nonces created the redundant SA.
// True when that is the exchange with nonces (a_i, a_r) rather than (b_i, b_r).
[[nodiscard]] bool holds_lowest_nonce(std::span<const std::uint8_t> a_i,
                                      std::span<const std::uint8_t> a_r,
                                      std::span<const std::uint8_t> b_i,
                                      std::span<const std::uint8_t> b_r);

}  // namespace ike::engine
