#pragma once
// One IKE SA, initiator or responder (RFC 7296), as a sans-IO engine (STYLE A3, B1):
//   inputs  initiate(path, now), on_datagram(path, bytes, now), on_timer(now), and the
//           commands below (delete, rekey, redirect, ...);
//   wake-up next_deadline();
//   outputs take_outputs(): SendDatagram, InstallChildSa, SaEstablished, SaFailed,
//           StateChanged, SaDeleted, ChildSaDeleted, ... (engine_types.h), in the order they
//           happened.
// Randomness, DH, PSKs and CP addresses come in through the Environment; there is no clock,
// socket or global object inside.
//
// The SA and its tasks (STYLE B2, strongSwan's ike_sa / task_manager / tasks): IkeSa holds an
// SaContext (sa_context.h) with the keys, SPIs, state, path, Child SA records, counters and
// outputs, and its TaskManager (task_manager.h: message IDs, retransmission, the queue of our
// exchanges, the timers). Every exchange is an ordered list of tasks (task.h), one protocol
// feature per file in tasks/: ike_init, ike_natd, ike_cert, ike_auth, ike_config,
// child_create, child_rekey, child_delete, ike_rekey, ike_delete, ike_dpd, ike_redirect,
// informational, sa_lifetime. IkeSa itself routes datagrams (its own SPIs or those of an old SA
// after a rekey) and turns commands into queued tasks.
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/log.h"
#include "ike/base/result.h"
#include "ike/crypto/auth.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/exchange.h"
#include "ike/engine/ike_sa_config.h"
#include "ike/engine/peer_credentials.h"
#include "ike/engine/proposals.h"
#include "ike/engine/sa_context.h"
#include "ike/engine/signature_auth.h"
#include "ike/engine/sk_protection.h"
// The Child SA and NAT-T helpers of the SA's users (ts_subset_of, build_nat_detection, ...).
#include "ike/engine/tasks/child_create.h"
#include "ike/engine/tasks/ike_natd.h"
#include "ike/wire/message.h"

namespace ike::engine {

class IkeSa {
 public:
  IkeSa(IkeSaConfig config, Environment env);
  IkeSa(const IkeSa&) = delete;
  IkeSa& operator=(const IkeSa&) = delete;

  // Initiator only, from Created: sends the IKE_SA_INIT request.
  [[nodiscard]] base::Result<void> initiate(const Path& path, base::TimePoint now);
  void on_datagram(const Path& path, std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const;

  [[nodiscard]] std::vector<Output> take_outputs();

  [[nodiscard]] Role role() const { return ctx_.config.role; }
  [[nodiscard]] IkeSaState state() const { return ctx_.state; }
  [[nodiscard]] wire::Spi spi_i() const { return ctx_.spi_i; }
  [[nodiscard]] wire::Spi spi_r() const { return ctx_.spi_r; }
  [[nodiscard]] const IkeCounters& counters() const { return ctx_.counters; }
  [[nodiscard]] const crypto::IkeSaKeys* keys() const { return ctx_.keys ? &*ctx_.keys : nullptr; }
  [[nodiscard]] std::optional<IkeSuite> suite() const { return ctx_.suite; }
  [[nodiscard]] const std::optional<wire::InternalIp6Address>& assigned_address() const {
    return ctx_.assigned_address;
  }
  // NAT_DETECTION_*_IP from the peer did not match what we see (R7296-56).
  [[nodiscard]] bool nat_detected() const { return ctx_.nat_status.any(); }
  [[nodiscard]] NatStatus nat_status() const { return ctx_.nat_status; }
  // The path the SA uses now: the NAT-T ports after a float, the peer's latest authentic
  // address and port (responder).
  [[nodiscard]] const Path& path() const { return ctx_.path; }
  // Responder: the initiator announced REDIRECT_SUPPORTED or REDIRECTED_FROM (R5685-02).
  [[nodiscard]] bool peer_redirect_supported() const { return ctx_.peer_redirect_supported; }
  [[nodiscard]] const std::optional<wire::GwIdentity>& peer_redirected_from() const {
    return ctx_.peer_redirected_from;
  }
  // RFC 7427 4: the hash IDs the peer announced in N(SIGNATURE_HASH_ALGORITHMS); empty when it
  // sent none (then we sign with the legacy methods).
  [[nodiscard]] const std::vector<std::uint16_t>& peer_signature_hashes() const {
    return ctx_.peer_signature_hashes;
  }
  // The AUTH methods of IKE_AUTH: ours as sent, the peer's once it verified.
  [[nodiscard]] std::optional<wire::AuthMethod> local_auth_method() const {
    return ctx_.local_auth_method;
  }
  [[nodiscard]] std::optional<wire::AuthMethod> peer_auth_method() const {
    return ctx_.peer_auth_method;
  }

  // Established only: an empty INFORMATIONAL request (liveness check, RFC 7296 1.4); no
  // answer after the retransmissions fails the SA with RetransmitLimit (R7296-36/38).
  [[nodiscard]] base::Result<void> check_liveness(base::TimePoint now);
  // Our requests waiting behind the one in flight (window size 1, R7296-39).
  [[nodiscard]] std::size_t queued_exchanges() const { return ctx_.tasks.queued(); }

  // ---- INFORMATIONAL (tasks/child_delete.h, tasks/ike_delete.h, tasks/ike_redirect.h) ----
  // The installed Child SAs, oldest first.
  [[nodiscard]] const std::vector<ChildSaRecord>& child_sas() const { return ctx_.child_sas; }
  // Established: INFORMATIONAL{D(ESP, spi_in)} for our Child SA whose inbound SPI is spi_in
  // (RFC 7296 1.4.1, R7296-55). ChildSaDeleted once answered (or once the peer's crossing
  // Delete for it arrives). Unknown or already_deleting SPI: error.
  [[nodiscard]] base::Result<void> delete_child(std::uint32_t spi_in, base::TimePoint now);
  // Established or Redirected: INFORMATIONAL{D(IKE)} (1.4.1). Queued exchanges not yet sent
  // are dropped; the state goes to Deleting when the request leaves and to Closed (SaDeleted,
  // after a ChildSaDeleted per Child SA) when it is answered or the retransmissions run out.
  [[nodiscard]] base::Result<void> request_delete(base::TimePoint now);
  // RFC 5685 5, gateway (original responder) with an established SA whose peer announced
  // support (R5685-02/03; refused otherwise): INFORMATIONAL{N(REDIRECT, target)} without
  // nonce data (R5685-15/16/37), retransmitted as any request (R5685-17). RedirectSent now,
  // RedirectAcknowledged when answered; when the client has not deleted the SA `grace` after
  // that, we delete it (R5685-20).
  [[nodiscard]] base::Result<void> redirect(wire::GwIdentity target, base::Duration grace,
                                            base::TimePoint now);
  // The IKE_AUTH redirect target, once chosen by the AuthDecision (responder, state
  // Redirected) or received (initiator).
  [[nodiscard]] const std::optional<wire::GwIdentity>& auth_redirect() const {
    return ctx_.auth_redirect;
  }
  // Opaque to the engine (the HA's reservation tag); handed to the AuthDecision.
  void set_tag(std::uint64_t tag) { ctx_.tag = tag; }
  [[nodiscard]] std::uint64_t tag() const { return ctx_.tag; }
  // Failed or Closed: nothing more will happen; the owner may destroy the SA.
  [[nodiscard]] bool finished() const { return ctx_.finished(); }

  // The checked state change (STYLE B4). Returns false, counts and changes nothing for an
  // illegal transition. Exposed for tests only.
  [[nodiscard]] bool transition_for_test(IkeSaState to) { return ctx_.transition(to); }

  // ---- CREATE_CHILD_SA (tasks/child_create.h, tasks/child_rekey.h, tasks/ike_rekey.h) ----
  // Established: a new Child SA (RFC 7296 1.3.1): SA (config.esp, D-H groups for PFS), Ni,
  // [KEi], TSi/TSr = config.ts_i/ts_r, [N(USE_TRANSPORT_MODE)]. InstallChildSa when answered;
  // ChildSaCreateFailed when refused (INVALID_KE_PAYLOAD is retried with the group asked for).
  [[nodiscard]] base::Result<void> create_child(ChildSaConfig config, base::TimePoint now);
  // Established: rekey our Child SA `spi_in` (1.3.3): N(REKEY_SA) and the same selectors and
  // mode; InstallChildSa + ChildSaRekeyed, then our Delete of the old pair. Also done by the
  // soft lifetime (ChildSaConfig::rekey_after).
  [[nodiscard]] base::Result<void> rekey_child(std::uint32_t spi_in, base::TimePoint now);
  // Established: rekey the IKE SA (1.3.2, 2.18), in place (tasks/ike_rekey.h): IkeSaRekeyed, then
  // our Delete of the old IKE SA. Also done by IkeSaConfig::ike_rekey_after.
  [[nodiscard]] base::Result<void> rekey_ike(base::TimePoint now);
  // Old or redundant IKE SAs this object still answers for (tasks/ike_rekey.h).
  [[nodiscard]] std::size_t retiring_sas() const { return ctx_.retiring.size(); }
  // True when a message with these SPIs belongs to this object (the current SA or a retiring
  // one); the shell's routing uses it after IkeSaRekeyed.
  [[nodiscard]] bool owns_spis(wire::Spi spi_i, wire::Spi spi_r) const;

 private:
  SaContext ctx_;
};

}  // namespace ike::engine
