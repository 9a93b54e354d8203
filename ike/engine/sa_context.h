#pragma once
// SaContext: one IKE SA as its tasks see it (task.h). It holds what the exchanges of the SA
// share: configuration, environment, role, state and its one checked transition (STYLE B4),
// SPIs, path, keys and SK ciphers, the IKE_SA_INIT messages and nonces that AUTH and the first
// Child SA's KEYMAT use, what the setup exchanges learned about the peer, the Child SA
// records, the old IKE SAs of an in-place rekey, counters, the outputs queue and the
// TaskManager (message IDs, retransmission, our queued exchanges, timers). It also has the
// helpers every task needs: fail / close the SA, headers, SK protection, error answers.
// IkeSa owns one and exposes it through its public API; tasks get it at construction.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/exchange.h"
#include "ike/engine/ike_sa_config.h"
#include "ike/engine/proposals.h"
#include "ike/engine/sk_protection.h"
#include "ike/engine/task_manager.h"
#include "ike/wire/message.h"

namespace ike::engine {

// A Child SA of this IKE SA that is installed: the first from IKE_AUTH, more from
// CREATE_CHILD_SA. A Delete names spi_in (ours), the peer's Delete names spi_out (RFC 7296
// 1.4.1); a rekey (2.8) repeats the suite, the selectors and the mode.
struct ChildSaRecord {
  std::uint32_t spi_in = 0;   // we chose it; the peer sends with it
  std::uint32_t spi_out = 0;  // the peer's; we send with it
  wire::ProtocolId protocol = wire::ProtocolId::Esp;
  crypto::EncrAlgorithm encr = crypto::EncrAlgorithm::AesGcm16;
  std::uint16_t encr_key_bits = 256;
  crypto::IntegAlgorithm integ = crypto::IntegAlgorithm::None;  // AES-CBC: HMAC-SHA2-256-128
  bool esn = false;
  std::vector<wire::TrafficSelector> ts_local;
  std::vector<wire::TrafficSelector> ts_remote;
  ChildMode mode = ChildMode::Tunnel;
  bool udp_encap = false;
  base::TimePoint installed{};
  bool deleting = false;  // our Delete for it is queued or in flight
  // CREATE_CHILD_SA rekey (tasks/child_rekey.h, RFC 7296 2.8).
  bool rekeying = false;  // our rekey of it is queued or in flight
  bool replaced = false;  // a rekey installed its successor; a Delete removes it soon
  base::TimePoint rekey_retry_at = base::kNever;  // after TEMPORARY_FAILURE (2.25)

  [[nodiscard]] static ChildSaRecord from(const InstallChildSa& install, base::TimePoint now);
};

// The keys of an IKE SA (RFC 7296 2.14, 2.18): its PRF, the seven keys (R7296-25) and the SK
// ciphers of our direction.
struct IkeKeySet {
  crypto::Prf prf;
  crypto::IkeSaKeys keys;
  std::unique_ptr<crypto::SkCipher> cipher_in;
  std::unique_ptr<crypto::SkCipher> cipher_out;
};

// A new IKE SA from a rekey exchange, before the SA adopts it (tasks/ike_rekey.h).
struct RekeyedIkeSa {
  IkeSpis spis;  // role: ours in the new SA (the rekey initiator is its original initiator)
  IkeSuite suite;
  IkeKeySet keys;
  // This exchange's nonces: the lowest of four decides a collision (2.8.2).
  std::vector<std::uint8_t> nonce_i;
  std::vector<std::uint8_t> nonce_r;
};

// An IKE SA this object no longer runs but still answers for, until its Delete is done
// (tasks/ike_rekey.h): its SPIs, keys and message-ID state.
struct RetiringIkeSa {
  IkeSpis spis;
  std::unique_ptr<crypto::SkCipher> cipher_in;
  std::unique_ptr<crypto::SkCipher> cipher_out;
  ResponderWindow window;          // a retransmitted rekey request still gets its answer (R7296-37)
  OutstandingRequest outstanding;  // our request on it (our Delete of it, mostly)
  std::uint32_t next_request_id = 0;
  // The exchange of ours that was in flight when the SA was replaced; it finishes here.
  std::optional<Exchange> in_flight;
  bool delete_by_us = false;  // we send its Delete (2.18: the rekey initiator does)
  bool delete_sent = false;
  bool peer_deleted = false;  // the peer's D(IKE) came: only its retransmits are answered
  base::TimePoint linger_until = base::kNever;  // waiting for the peer's Delete until then
};

// The IKE SA rekey schedule and the state its initiator and responder tasks share (2.8, 2.8.2).
struct IkeRekeyState {
  bool queued = false;                     // ours is queued or in flight
  bool superseded = false;                 // the peer's won while ours was in flight (2.8.2)
  std::optional<RekeyedIkeSa> peer_rekey;  // answered while ours was in flight (2.8.2)
  base::TimePoint at = base::kNever;       // our next rekey
  base::TimePoint base{};                  // establishment or the last rekey
};

// A fresh IKE SPI: 8 random octets, never zero (R7296-05).
[[nodiscard]] wire::Spi random_ike_spi(crypto::RandomSource& random);

struct SaContext {
  SaContext(IkeSaConfig config, Environment env);
  SaContext(const SaContext&) = delete;
  SaContext& operator=(const SaContext&) = delete;

  [[nodiscard]] bool initiator() const { return config.role == Role::Initiator; }
  [[nodiscard]] bool finished() const {
    return state == IkeSaState::Failed || state == IkeSaState::Closed;
  }

  // The checked state change (STYLE B4): false, counted and nothing changed when illegal.
  [[nodiscard]] bool transition(IkeSaState to);
  // Failed, with SaFailed; its Child SAs go with it (R7296-55).
  void fail(FailureReason reason, std::optional<wire::NotifyType> notify,
            std::string_view detail = {});
  // The orderly end: ChildSaDeleted for each remaining Child SA, SaDeleted, Closed.
  void close(bool by_peer, bool answered, std::string_view detail);

  [[nodiscard]] wire::Header make_header(wire::ExchangeType exchange, bool response,
                                         wire::MessageId id) const;
  [[nodiscard]] base::Result<std::vector<std::uint8_t>> protect(const wire::Header& header,
                                                                std::vector<wire::Payload> inner);
  // An unprotected IKE_SA_INIT error response HDR(SPIi, 0), N(type) (RFC 7296 1.2, 2.21.1),
  // through the shared R7296-43 bucket; nothing is cached.
  void send_init_error(const Path& path, const wire::Header& request, wire::NotifyPayload notify);
  // A protected response carrying one error notify, cached for retransmissions (R7296-37).
  void send_protected_error(const Path& path, const wire::Header& request,
                            std::span<const std::uint8_t> request_bytes,
                            wire::NotifyPayload notify);

  [[nodiscard]] ChildSaRecord* find_child_by_inbound(std::uint32_t spi_in);
  [[nodiscard]] ChildSaRecord* find_child_by_outbound(std::uint32_t spi_out);
  // Removes the record and emits ChildSaDeleted; false when spi_in is not (any more) there.
  bool remove_child(std::uint32_t spi_in, bool by_peer);
  [[nodiscard]] RetiringIkeSa* find_retiring(wire::Spi spi_i, wire::Spi spi_r);

  IkeSaConfig config;  // role: ours in the current SA (an IKE SA rekey may flip it)
  Environment env;
  IkeSaState state = IkeSaState::Created;
  Path path;  // the NAT-T ports after a float, the peer's latest authentic address
  wire::Spi spi_i;
  wire::Spi spi_r;
  std::deque<Output> outputs;
  IkeCounters counters;
  base::TimePoint last_input{};            // `now` of the datagram being handled
  base::TimePoint last_authentic_input{};  // the peer's last authentic message (DPD)
  std::uint64_t tag = 0;

  // Keys.
  std::optional<IkeSuite> suite;
  std::optional<crypto::Prf> prf;
  std::optional<crypto::IkeSaKeys> keys;
  std::unique_ptr<crypto::SkCipher> cipher_out;
  std::unique_ptr<crypto::SkCipher> cipher_in;

  // IKE_SA_INIT as exchanged (latest versions, R7296-28) and its nonces (R7296-26/27).
  std::vector<std::uint8_t> nonce_i;
  std::vector<std::uint8_t> nonce_r;
  std::vector<std::uint8_t> init_request;
  std::vector<std::uint8_t> init_response;

  // What IKE_SA_INIT and IKE_AUTH learned about the peer.
  NatStatus nat_status;
  bool peer_redirect_supported = false;  // R5685-02
  std::optional<wire::GwIdentity> peer_redirected_from;
  std::vector<std::uint16_t> peer_signature_hashes;  // RFC 7427 4
  wire::IdPayload peer_id;
  std::optional<wire::AuthMethod> local_auth_method;
  std::optional<wire::AuthMethod> peer_auth_method;
  std::optional<wire::InternalIp6Address> assigned_address;  // CP, either side
  std::optional<wire::Mip6HomePrefix> home_prefix;
  std::optional<wire::GwIdentity> auth_redirect;  // RFC 5685 6
  // The Child SA negotiated in IKE_AUTH, installed when the SA is established.
  std::optional<InstallChildSa> auth_child;

  std::vector<ChildSaRecord> child_sas;  // oldest first
  std::vector<RetiringIkeSa> retiring;   // after IKE SA rekeys (tasks/ike_rekey.h)
  IkeRekeyState ike_rekey;
  bool delete_queued = false;                    // our D(IKE) is queued or in flight
  std::string_view delete_detail = "requested";  // why we delete: SaDeleted::detail

  TaskManager tasks;
};

}  // namespace ike::engine
