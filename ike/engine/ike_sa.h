#pragma once
// One IKE SA, initiator or responder (RFC 7296), as a sans-IO engine (STYLE A3, B1):
//   inputs  initiate(path, now), on_datagram(path, bytes, now), on_timer(now);
//   wake-up next_deadline();
//   outputs take_outputs(): SendDatagram, InstallChildSa, SaEstablished, SaFailed,
//           StateChanged, SaDeleted, ChildSaDeleted, ... (engine_types.h), in the order they
//           happened.
// Randomness, DH, PSKs and CP addresses come in through the Environment; there is no clock,
// socket or global object inside.
//
// This first slice does IKE_SA_INIT (ike_init_task.cc, with ike_natd), IKE_AUTH with PSK
// (ike_auth_task.cc) composed with the CP task (ike_config) and the first Child SA
// (child_create), and error notifies. Where later work slots in:
//  - CREATE_CHILD_SA is done (create_child_task.cc: new Child SAs with optional PFS, Child
//    rekeys and their 2.8.1 collisions, lifetimes, TS narrowing to the CP address;
//    ike_rekey_task.cc: IKE SA rekey IN PLACE, the old SA retiring inside this object, see
//    ike_rekey.h for the design and why). INFORMATIONAL is in informational_task.cc.
//  - COOKIE (R7296-21..24): initiator side in handle_init_response() next to
//    INVALID_KE_PAYLOAD (N(COOKIE) first in the retried request, wire::sort_for_send does it).
//  - The IkeResponder front (ike_responder.h) sees IKE_SA_INIT before any DH, asks an
//    InitDecision (load, RFC 5685 redirect) and only then creates a responder IkeSa; an SA
//    that answers NO_PROPOSAL_CHOSEN / INVALID_KE_PAYLOAD / INVALID_SYNTAX stays in Created
//    and the front discards it. COOKIE handling (R7296-21..24) slots into the front too.
//  - RFC 5685 redirect at IKE_SA_INIT is done: the IkeResponder front (ike_responder.h) asks an
//    InitDecision before any DH and redirects statelessly; this SA records what the peer
//    announced (R5685-02); as initiator it announces REDIRECT_SUPPORTED / REDIRECTED_FROM and
//    verifies the nonce copy (ike_init_task.cc), and IkeInitiatorSession follows the redirect.
//    REDIRECT in the IKE_AUTH response (R5685-21..28) and the gateway-initiated INFORMATIONAL
//    REDIRECT (R5685-15..20) are in ike_redirect.cc (AuthDecision in admission.h).
//  - INFORMATIONAL (informational_task.cc): Delete of the IKE SA (Deleting -> Closed, SaDeleted)
//    and of Child SAs (child_sas(), ChildSaDeleted), error/status notifies (InformationalNote),
//    AUTHENTICATION_FAILED after IKE_AUTH (2.21.2), and DPD (dpd_interval): an empty
//    INFORMATIONAL request after that long without anything authentic from the peer.
//  - NAT-T (ike_natd.h): the initiator floats to the NAT-T port from IKE_AUTH on when either
//    hash mismatches; the responder answers on the path a request came in on and follows the
//    peer's latest path once a message from it is authentic (follow_authentic_path); the side
//    behind the NAT sends keepalives (SendDatagram::nat_keepalive); Child SAs carry udp_encap.
//  - Tasks: ChildCreateTask already has the strongSwan build/process shape; a common Task
//    interface (and a per-exchange task list) is factored out when CREATE_CHILD_SA becomes
//    the second exchange to use it.
// Not yet: INITIAL_CONTACT. Unprotected IKE_SA_INIT error answers pass the shared
// Environment::unprotected_errors bucket when there is one (R7296-43).
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/log.h"
#include "ike/crypto/auth.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/child_create.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/exchange.h"
#include "ike/engine/ike_rekey.h"
#include "ike/engine/ike_natd.h"
#include "ike/engine/peer_credentials.h"
#include "ike/engine/proposals.h"
#include "ike/engine/signature_auth.h"
#include "ike/engine/sk_protection.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct IkeSaConfig {
  Role role = Role::Initiator;
  wire::IdPayload local_id;  // ID_FQDN, ID_RFC822_ADDR or ID_IPV6_ADDR (R7296-31)
  // Initiator: the identity the responder must prove (checked against IDr); empty data = any.
  wire::IdPayload remote_id;
  IkeProposalConfig ike;
  ChildSaConfig child;
  RetransmitPolicy retransmit;
  std::size_t nonce_size = 32;  // >= half the largest PRF key (R7296-20)
  // Initiator: CP(CFG_REQUEST) with INTERNAL_IP6_ADDRESS (R7296-49) and MIP6_HOME_PREFIX.
  bool request_address = false;
  bool request_home_prefix = false;
  unsigned max_invalid_ke_retries = 2;
  // Responder: how long a half-open SA (IKE_SA_INIT answered) waits for IKE_AUTH.
  base::Duration half_open_timeout = std::chrono::seconds(30);
  // RFC 5685, initiator: N(REDIRECT_SUPPORTED) in the IKE_SA_INIT request (R5685-01); after a
  // redirect the owner sets redirected_from to the original gateway address (R5685-07/38),
  // which announces support by itself.
  bool announce_redirect_support = true;
  std::optional<wire::GwIdentity> redirected_from;
  // Initiator: N(COOKIE) answers followed before giving up (R7296-22, 2.6 "limit the number of
  // cookie rounds"); a cookie is kept across an INVALID_KE_PAYLOAD retry (R7296-24).
  unsigned max_cookie_retries = 3;
  NatTraversalConfig nat;  // R7296-56, RFC 3948
  // RFC 7296 1.4 liveness (DPD): an empty INFORMATIONAL request once nothing came from the
  // peer for this long while Established; zero = off.
  base::Duration dpd_interval{0};
  // RFC 5685 6, responder: after answering IKE_AUTH with N(REDIRECT), how long to wait for the
  // initiator's Delete before deleting the IKE SA ourselves.
  base::Duration auth_redirect_grace = std::chrono::seconds(30);
  // draft-ietf-ipsecme-ikev2-redirect-02 compatibility (off by default): the client puts
  // N(REDIRECT_ACK) with this (private-use status) type into its answer to an INFORMATIONAL
  // REDIRECT, and a gateway waits for it. RFC 5685 has no such notify (spec digest 7).
  std::optional<std::uint16_t> redirect_ack_notify;
  // RFC 7427 4: N(SIGNATURE_HASH_ALGORITHMS) in IKE_SA_INIT (initiator: always, like
  // strongSwan's signature_authentication; responder: in answer to the initiator's). Off, a
  // signing peer falls back to the legacy AUTH methods 1 / 9-11.
  bool announce_signature_hashes = true;
  // IKE SA rekey (RFC 7296 2.8, 2.18): at `ike_rekey_after` minus a random share of
  // `ike_rekey_jitter` after establishment (or the last rekey) we rekey it; zero = never.
  base::Duration ike_rekey_after{0};
  base::Duration ike_rekey_jitter{0};
  // IKE SA hard lifetime (2.8): this long after establishment (or the last rekey) an SA whose
  // rekey never succeeded (unanswered, refused) is deleted with its Child SAs. Zero: 110 % of
  // ike_rekey_after (strongSwan's default over_time of 10 %), never when that is zero too.
  base::Duration ike_hard_lifetime{0};
  // A rekey refused with TEMPORARY_FAILURE (2.25) or crossing a Delete is tried again after
  // this long.
  base::Duration rekey_retry_interval = std::chrono::seconds(10);
  // A replaced IKE SA whose Delete is the peer's business is forgotten after this long.
  base::Duration retiring_linger = std::chrono::seconds(60);
};

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
  // CREATE_CHILD_SA rekey (create_child_task.cc, RFC 7296 2.8).
  bool rekeying = false;  // our rekey of it is queued or in flight
  bool replaced = false;  // a rekey installed its successor; a Delete removes it soon
  base::TimePoint rekey_retry_at = base::kNever;  // after TEMPORARY_FAILURE (2.25)

  [[nodiscard]] static ChildSaRecord from(const InstallChildSa& install, base::TimePoint now);
};

class AuthDecision;  // admission.h: RFC 5685 6 redirect in IKE_AUTH

// Everything an IkeSa needs from outside; all references must outlive it.
struct Environment {
  crypto::RandomSource& random;
  crypto::KeyExchangeFactory& key_exchanges;
  const PeerCredentials& credentials;
  AddressProvider* addresses = nullptr;  // responder CP; nullptr: CP requests get no address
  // R7296-43: shared by every SA of one front or driver; unprotected IKE_SA_INIT error answers
  // beyond it are dropped and counted (ErrorAnswersRateLimited). nullptr: no limit.
  base::RateLimiter* unprotected_errors = nullptr;
  // Responder: asked after the initiator's AUTH verified whether to serve it or redirect it
  // (RFC 5685 6); nullptr: serve.
  AuthDecision* auth_decision = nullptr;
};

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

  [[nodiscard]] Role role() const { return config_.role; }
  [[nodiscard]] IkeSaState state() const { return state_; }
  [[nodiscard]] wire::Spi spi_i() const { return spi_i_; }
  [[nodiscard]] wire::Spi spi_r() const { return spi_r_; }
  [[nodiscard]] const IkeCounters& counters() const { return counters_; }
  [[nodiscard]] const crypto::IkeSaKeys* keys() const { return keys_ ? &*keys_ : nullptr; }
  [[nodiscard]] std::optional<IkeSuite> suite() const { return suite_; }
  [[nodiscard]] const std::optional<wire::InternalIp6Address>& assigned_address() const {
    return assigned_address_;
  }
  // NAT_DETECTION_*_IP from the peer did not match what we see (R7296-56).
  [[nodiscard]] bool nat_detected() const { return nat_detected_; }
  [[nodiscard]] NatStatus nat_status() const { return nat_status_; }
  // The path the SA uses now: the NAT-T ports after a float, the peer's latest authentic
  // address and port (responder).
  [[nodiscard]] const Path& path() const { return path_; }
  // Responder: the initiator announced REDIRECT_SUPPORTED or REDIRECTED_FROM (R5685-02).
  [[nodiscard]] bool peer_redirect_supported() const { return peer_redirect_supported_; }
  [[nodiscard]] const std::optional<wire::GwIdentity>& peer_redirected_from() const {
    return peer_redirected_from_;
  }
  // RFC 7427 4: the hash IDs the peer announced in N(SIGNATURE_HASH_ALGORITHMS); empty when it
  // sent none (then we sign with the legacy methods).
  [[nodiscard]] const std::vector<std::uint16_t>& peer_signature_hashes() const {
    return peer_signature_hashes_;
  }
  // The AUTH methods of IKE_AUTH: ours as sent, the peer's once it verified.
  [[nodiscard]] std::optional<wire::AuthMethod> local_auth_method() const {
    return local_auth_method_;
  }
  [[nodiscard]] std::optional<wire::AuthMethod> peer_auth_method() const {
    return peer_auth_method_;
  }

  // Established only: an empty INFORMATIONAL request (liveness check, RFC 7296 1.4); no
  // answer after the retransmissions fails the SA with RetransmitLimit (R7296-36/38).
  [[nodiscard]] base::Result<void> check_liveness(base::TimePoint now);
  // Our requests waiting behind the one in flight (window size 1, R7296-39).
  [[nodiscard]] std::size_t queued_exchanges() const { return queued_exchanges_.size(); }

  // ---- INFORMATIONAL (informational_task.cc) ----
  // The installed Child SAs, oldest first.
  [[nodiscard]] const std::vector<ChildSaRecord>& child_sas() const { return child_sas_; }
  // Established: INFORMATIONAL{D(ESP, spi_in)} for our Child SA whose inbound SPI is spi_in
  // (RFC 7296 1.4.1, R7296-55). ChildSaDeleted once answered (or once the peer's crossing
  // Delete for it arrives). Unknown or already-deleting SPI: error.
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
    return auth_redirect_;
  }
  // Opaque to the engine (the HA's reservation tag); handed to the AuthDecision.
  void set_tag(std::uint64_t tag) { tag_ = tag; }
  [[nodiscard]] std::uint64_t tag() const { return tag_; }
  // Failed or Closed: nothing more will happen; the owner may destroy the SA.
  [[nodiscard]] bool finished() const {
    return state_ == IkeSaState::Failed || state_ == IkeSaState::Closed;
  }

  // The checked state change (STYLE B4). Returns false, counts and changes nothing for an
  // illegal transition. Exposed for tests only.
  [[nodiscard]] bool transition_for_test(IkeSaState to) { return transition(to); }

  // ---- CREATE_CHILD_SA (create_child_task.cc, ike_rekey_task.cc) ----
  // Established: a new Child SA (RFC 7296 1.3.1): SA (config.esp, D-H groups for PFS), Ni,
  // [KEi], TSi/TSr = config.ts_i/ts_r, [N(USE_TRANSPORT_MODE)]. InstallChildSa when answered;
  // ChildSaCreateFailed when refused (INVALID_KE_PAYLOAD is retried with the group asked for).
  [[nodiscard]] base::Result<void> create_child(ChildSaConfig config, base::TimePoint now);
  // Established: rekey our Child SA `spi_in` (1.3.3): N(REKEY_SA) and the same selectors and
  // mode; InstallChildSa + ChildSaRekeyed, then our Delete of the old pair. Also done by the
  // soft lifetime (ChildSaConfig::rekey_after).
  [[nodiscard]] base::Result<void> rekey_child(std::uint32_t spi_in, base::TimePoint now);
  // Established: rekey the IKE SA (1.3.2, 2.18), in place (ike_rekey.h): IkeSaRekeyed, then
  // our Delete of the old IKE SA. Also done by IkeSaConfig::ike_rekey_after.
  [[nodiscard]] base::Result<void> rekey_ike(base::TimePoint now);
  // Old or redundant IKE SAs this object still answers for (ike_rekey.h).
  [[nodiscard]] std::size_t retiring_sas() const { return retiring_.size(); }
  // True when a message with these SPIs belongs to this object (the current SA or a retiring
  // one); the shell's routing uses it after IkeSaRekeyed.
  [[nodiscard]] bool owns_spis(wire::Spi spi_i, wire::Spi spi_r) const;

 private:
  // ---- dispatch (ike_sa.cc) ----
  void on_request(const Path& path, const wire::DecodedMessage& msg,
                  std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_response(const Path& path, const wire::DecodedMessage& msg,
                   std::span<const std::uint8_t> bytes, base::TimePoint now);
  [[nodiscard]] bool transition(IkeSaState to);
  void fail(FailureReason reason, std::optional<wire::NotifyType> notify,
            std::string_view detail = {});
  void send_request(const Path& path, std::vector<std::uint8_t> bytes, base::TimePoint now);
  void send_response(const Path& path, wire::MessageId id, std::span<const std::uint8_t> request,
                     std::vector<std::uint8_t> bytes);
  [[nodiscard]] wire::Header make_header(wire::ExchangeType exchange, bool response,
                                         wire::MessageId id) const;
  // An unprotected IKE_SA_INIT error response HDR(SPIi, 0), N(type) (RFC 7296 1.2, 2.21.1).
  void send_init_error(const Path& path, const wire::Header& request, wire::NotifyPayload notify);
  // A protected response carrying one error notify.
  void send_protected_error(const Path& path, const wire::Header& request,
                            std::span<const std::uint8_t> request_bytes,
                            wire::NotifyPayload notify);
  // An IKE_SA_INIT request we cannot decode may still deserve an answer (R7296-02, R7296-08).
  void answer_undecodable(const Path& path, std::span<const std::uint8_t> bytes,
                          const wire::ParseError& error);
  [[nodiscard]] base::Result<std::vector<std::uint8_t>> protect(const wire::Header& header,
                                                                std::vector<wire::Payload> inner);

  // ---- exchanges of an established SA (established.cc) ----
  // A request of ours inside the SA. With window size 1 (R7296-39) our exchanges run one at a
  // time, in the order they were queued; `build` runs only when the window is free, so it
  // sees the keys and SPIs current at that moment (after a rekey, for instance).
  struct LocalExchange {
    wire::ExchangeType exchange = wire::ExchangeType::Informational;
    std::string_view name;  // "liveness", "delete", "rekey-child", ...: for logs and tests
    // The inner payloads; an error drops this exchange and starts the next one.
    std::function<base::Result<std::vector<wire::Payload>>()> build;
    // The authentic, rule-checked response; may queue further exchanges.
    std::function<void(const Path&, const OpenedMessage&, base::TimePoint)> on_response;
  };
  void queue_exchange(LocalExchange exchange, base::TimePoint now);
  void start_next_exchange(base::TimePoint now);
  // Requests and responses of CREATE_CHILD_SA / INFORMATIONAL once Established: opened,
  // rule-checked and handed to the task of their exchange type.
  void on_established_request(const Path& path, const wire::DecodedMessage& msg,
                              std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_established_response(const Path& path, const wire::DecodedMessage& msg,
                               std::span<const std::uint8_t> bytes, base::TimePoint now);
  // Protects `payloads` as the response to `request` and caches it (R7296-37).
  void respond(const Path& path, const wire::Header& request,
               std::span<const std::uint8_t> request_bytes, std::vector<wire::Payload> payloads);
  // The exchange tasks. Each must answer the request exactly once (respond() or
  // send_protected_error()), R7296-35.
  void handle_informational_request(const Path& path, const wire::Header& header,
                                    std::span<const std::uint8_t> bytes,
                                    const OpenedMessage& request, base::TimePoint now);
  void handle_create_child_request(const Path& path, const wire::Header& header,
                                   std::span<const std::uint8_t> bytes,
                                   const OpenedMessage& request, base::TimePoint now);

  // ---- INFORMATIONAL helpers (informational_task.cc) ----
  // Annotates (NAT-T), records in child_sas_ and emits an InstallChildSa.
  void emit_child_sa(InstallChildSa install, base::TimePoint now);
  [[nodiscard]] ChildSaRecord* find_child_by_inbound(std::uint32_t spi_in);
  [[nodiscard]] ChildSaRecord* find_child_by_outbound(std::uint32_t spi_out);
  // Removes the record and emits ChildSaDeleted; false when spi_in is not (any more) there.
  bool remove_child(std::uint32_t spi_in, bool by_peer);
  // The orderly end: ChildSaDeleted for each remaining Child SA, SaDeleted, Closed.
  void close(bool by_peer, bool answered, std::string_view detail);
  // Our INFORMATIONAL{D(IKE)} left (Deleting) / was answered or timed out (Closed).
  void start_ike_delete(base::TimePoint now);
  // The gateway of an INFORMATIONAL or IKE_AUTH REDIRECT, when the notify is acceptable here
  // (no nonce data, R5685-16/37; well-formed); counts and returns nullopt otherwise.
  [[nodiscard]] std::optional<wire::GwIdentity> authentic_redirect_target(
      const wire::NotifyPayload& notify);
  // Initiator whose IKE_AUTH response failed the AUTH check: INFORMATIONAL
  // N(AUTHENTICATION_FAILED) (RFC 7296 2.21.2), sent once, not retransmitted.
  void notify_auth_failure(const Path& path);
  [[nodiscard]] base::TimePoint dpd_deadline() const;

  // ---- RFC 5685 redirects after IKE_SA_INIT (ike_redirect.cc) ----
  // Responder, IKE_AUTH, after the initiator's AUTH verified and ours is in `out` (R5685-21):
  // asks the AuthDecision; on Redirect answers IDr, AUTH, N(REDIRECT) without SA/TS/CP and
  // goes to Redirected. False: serve as usual.
  [[nodiscard]] bool redirect_at_auth(const Path& path, const wire::Header& request,
                                      std::span<const std::uint8_t> request_bytes,
                                      std::vector<wire::Payload>& out);
  // Initiator, IKE_AUTH response whose AUTH verified (R5685-22): an acceptable N(REDIRECT)
  // ends the SA: RedirectReceived, Redirected, then our Delete (R5685-23). False: none.
  [[nodiscard]] bool follow_auth_redirect(std::span<const wire::Payload> inner);
  // Client, the peer's INFORMATIONAL request carried N(REDIRECT) (RFC 5685 5): decides
  // whether to accept it (R5685-39, R5685-01/03, R5685-16) and adds the -02 REDIRECT_ACK to
  // our `answer` when configured.
  void on_gateway_redirect(const wire::NotifyPayload& notify, std::vector<wire::Payload>& answer);
  // Gateway: the grace period after a redirect ran out (R5685-20).
  void on_redirect_deadline(base::TimePoint now);

  // ---- IKE_SA_INIT (ike_init_task.cc) ----
  [[nodiscard]] base::Result<void> send_init_request(const Path& path, base::TimePoint now);
  void handle_init_request(const Path& path, const wire::DecodedMessage& msg,
                           std::span<const std::uint8_t> bytes, base::TimePoint now);
  void handle_init_response(const Path& path, const wire::DecodedMessage& msg,
                            std::span<const std::uint8_t> bytes, base::TimePoint now);
  // N(REDIRECT) in an IKE_SA_INIT response; false: ignore the notify and go on (R5685-05/06).
  [[nodiscard]] bool handle_init_redirect(const wire::NotifyPayload& notify);
  // N(COOKIE) in an IKE_SA_INIT response: retry with it first (R7296-22).
  void handle_init_cookie(const wire::NotifyPayload& notify, base::TimePoint now);

  // ---- NAT traversal (ike_natd.cc, R7296-56) ----
  // The initiator moves path_ to the NAT-T ports when a NAT was detected.
  void float_to_nat_t();
  // A message from the peer proved authentic on `path`: use that path from now on (2.23).
  void follow_authentic_path(const Path& path);
  // UDP encapsulation and the current path for a Child SA about to be installed.
  void annotate_encapsulation(InstallChildSa& install) const;
  [[nodiscard]] base::TimePoint keepalive_deadline() const;
  // At Established: the first keepalive one interval after `last_input_`, when we are the
  // side behind the NAT and on the NAT-T path.
  void start_keepalives();
  void send_keepalive(base::TimePoint now);
  // SKEYSEED and the seven keys from g^ir and both nonces (R7296-25); builds the SK ciphers.
  [[nodiscard]] base::Result<void> derive_keys(std::span<const std::uint8_t> g_ir);

  // ---- IKE_AUTH (ike_auth_task.cc) ----
  [[nodiscard]] base::Result<void> send_auth_request(const Path& path, base::TimePoint now);
  void handle_auth_request(const Path& path, const wire::DecodedMessage& msg,
                           std::span<const std::uint8_t> bytes);
  void handle_auth_response(const Path& path, const wire::DecodedMessage& msg,
                            std::span<const std::uint8_t> bytes);
  [[nodiscard]] std::vector<std::uint8_t> auth_data(std::span<const std::uint8_t> psk,
                                                    bool for_initiator,
                                                    std::span<const std::uint8_t> id_body) const;
  [[nodiscard]] ChildKeyInput child_key_input() const;
  // The signer's part of 2.15: its RealMessage, the other side's nonce, its SK_p.
  [[nodiscard]] crypto::AuthInput auth_input(bool signer_is_initiator,
                                             std::span<const std::uint8_t> id_body) const;
  // Appends our [CERT...] AUTH: a signature when credentials hold our certificate (RFC 7427
  // when the peer announced hashes), else the PSK shared with `psk_peer` (R7296-27).
  [[nodiscard]] base::Result<void, AuthError> add_our_auth(std::vector<wire::Payload>& out,
                                                           bool as_initiator,
                                                           const wire::IdPayload& psk_peer);
  // The peer's AUTH for the ID it claimed (`id_raw`: IDx' as received), PSK (R7296-29) or
  // signature; a refusal is counted (AuthFailure counters) and returned.
  [[nodiscard]] base::Result<void, AuthError> verify_peer_auth(const wire::IdPayload* id,
                                                               std::span<const std::uint8_t> id_raw,
                                                               const wire::AuthPayload* auth,
                                                               std::span<const wire::Payload> inner,
                                                               bool peer_is_initiator);
  // RFC 7427 4 in IKE_SA_INIT: N(SIGNATURE_HASH_ALGORITHMS), sent by the initiator always and
  // by the responder when the initiator sent it (as strongSwan does).
  [[nodiscard]] wire::Payload signature_hash_notify() const;
  void record_peer_signature_hashes(std::span<const wire::Payload> payloads);
  // CERTREQ naming our trusted CAs (RFC 7296 3.7); nullopt without any.
  [[nodiscard]] std::optional<wire::Payload> certreq_payload() const;

  IkeSaConfig config_;
  Environment env_;
  IkeSaState state_ = IkeSaState::Created;
  Path path_;
  wire::Spi spi_i_;
  wire::Spi spi_r_;
  std::deque<Output> outputs_;
  IkeCounters counters_;

  OutstandingRequest outstanding_;
  ResponderWindow window_;
  std::optional<LocalExchange> current_exchange_;  // ours, in flight in outstanding_
  std::deque<LocalExchange> queued_exchanges_;
  std::uint32_t next_request_id_ = 0;

  // IKE_SA_INIT material.
  crypto::DhGroup dh_group_ = crypto::DhGroup::None;
  std::unique_ptr<crypto::KeyExchange> kex_;
  std::vector<std::uint8_t> nonce_i_;
  std::vector<std::uint8_t> nonce_r_;
  std::vector<std::uint8_t> init_request_;  // latest version, as sent/received (R7296-28)
  std::vector<std::uint8_t> init_response_;
  unsigned invalid_ke_retries_ = 0;
  base::TimePoint half_open_deadline_ = base::kNever;
  bool nat_detected_ = false;
  NatStatus nat_status_;
  base::TimePoint next_keepalive_ = base::kNever;
  std::vector<std::uint8_t> cookie_;  // initiator: the responder's latest N(COOKIE) data
  unsigned cookie_retries_ = 0;
  base::TimePoint last_input_{};  // `now` of the datagram being handled (R7296-43 bucket)
  bool peer_redirect_supported_ = false;
  std::optional<wire::GwIdentity> peer_redirected_from_;

  // Keys.
  std::optional<IkeSuite> suite_;
  std::optional<crypto::Prf> prf_;
  std::optional<crypto::IkeSaKeys> keys_;
  std::unique_ptr<crypto::SkCipher> cipher_out_;
  std::unique_ptr<crypto::SkCipher> cipher_in_;

  // IKE_AUTH tasks and results.
  ChildCreateTask child_task_;
  std::optional<wire::InternalIp6Address> assigned_address_;
  std::optional<wire::Mip6HomePrefix> home_prefix_;
  wire::IdPayload peer_id_;
  // Certificate authentication (RFC 7427, RFC 7296 3.6-3.8).
  std::vector<std::uint16_t> peer_signature_hashes_;
  std::optional<wire::AuthMethod> local_auth_method_;
  std::optional<wire::AuthMethod> peer_auth_method_;

  // INFORMATIONAL and RFC 5685 5/6 (informational_task.cc).
  std::vector<ChildSaRecord> child_sas_;
  std::uint64_t tag_ = 0;
  base::TimePoint last_authentic_input_{};        // DPD: the peer's last authentic message
  bool delete_queued_ = false;                    // our D(IKE) is queued or in flight
  std::string_view delete_detail_ = "requested";  // why we delete: SaDeleted::detail
  // Gateway: our REDIRECT target while it is in flight or acknowledged; the SA is deleted at
  // redirect_deadline_ unless the client deletes it first (R5685-20).
  std::optional<wire::GwIdentity> gateway_redirect_;
  base::Duration gateway_redirect_grace_{};
  base::TimePoint redirect_deadline_ = base::kNever;
  std::optional<wire::GwIdentity> auth_redirect_;  // RFC 5685 6

  // ---- CREATE_CHILD_SA (create_child_task.cc) ----
  // One CREATE_CHILD_SA of ours (new Child SA or Child rekey), shared by the build and
  // on_response closures of its LocalExchange.
  struct PendingChild;
  void queue_child_exchange(std::shared_ptr<PendingChild> pending, base::TimePoint now);
  void on_child_response(const std::shared_ptr<PendingChild>& pending,
                         const OpenedMessage& response, base::TimePoint now);
  void answer_child_request(const Path& path, const wire::Header& header,
                            std::span<const std::uint8_t> bytes, const OpenedMessage& request,
                            base::TimePoint now);
  // Our Child rekey finished (ours wins or no collision): Delete of the old pair (1.3.3).
  void finish_child_rekey(std::uint32_t old_spi_in, base::TimePoint now);
  // A Child SA the responder installed but we refused (TS not a subset of ours, 2.9):
  // INFORMATIONAL{D(ESP, spi_in)} so the peer removes its half too (2.21.3, 1.4.1).
  void delete_refused_child(std::uint32_t spi_in, base::TimePoint now);
  // Soft/hard lifetimes of the Child SAs and the IKE SA (2.8).
  [[nodiscard]] base::TimePoint child_rekey_time(const ChildSaRecord& child) const;
  [[nodiscard]] base::TimePoint lifetime_deadline() const;
  void on_lifetime_timer(base::TimePoint now);
  // The peer's rekeys of Child SAs we were rekeying too (2.8.1), until ours is answered.
  struct PeerChildRekey {
    std::uint32_t old_spi_in = 0;
    std::uint32_t new_spi_in = 0;  // ours in the SA the peer's exchange created
    std::vector<std::uint8_t> nonce_i;
    std::vector<std::uint8_t> nonce_r;
  };
  std::vector<PeerChildRekey> peer_child_rekeys_;

  // ---- IKE SA rekey (ike_rekey_task.cc, design in ike_rekey.h) ----
  void answer_ike_rekey_request(const Path& path, const wire::Header& header,
                                std::span<const std::uint8_t> bytes, const OpenedMessage& request,
                                base::TimePoint now);
  struct PendingIkeRekey;  // our rekey request's SPI, nonce and KE
  void queue_ike_rekey(std::shared_ptr<PendingIkeRekey> pending, base::TimePoint now);
  void on_ike_rekey_response(const std::shared_ptr<PendingIkeRekey>& pending,
                             const OpenedMessage& response, base::TimePoint now);
  // Files a redundant new SA of a collision (2.8.2) as retiring; IkeSaRekeyed tells the shell.
  void keep_redundant(RekeyedIkeSa redundant, bool delete_by_us, base::TimePoint now);
  void answer_retiring_request(RetiringIkeSa& old, const Path& path, const wire::Header& header,
                               std::span<const std::uint8_t> bytes, const OpenedMessage& request,
                               base::TimePoint now);
  [[nodiscard]] base::Result<RekeyedIkeSa> derive_rekeyed(const IkeSuite& suite,
                                                          std::span<const std::uint8_t> g_ir,
                                                          IkeSpis spis,
                                                          std::vector<std::uint8_t> nonce_i,
                                                          std::vector<std::uint8_t> nonce_r);
  // Switches this object to `next`; the current SA becomes a RetiringIkeSa (deleted by us when
  // `delete_old_by_us`); `redundant` (2.8.2) is kept as a retiring SA too.
  void adopt_rekeyed(RekeyedIkeSa next, bool delete_old_by_us, bool by_peer,
                     std::optional<RekeyedIkeSa> redundant, bool redundant_by_us,
                     base::TimePoint now);
  // 2.8.2: our rekey and the peer's both succeeded; keep the one without the lowest nonce.
  void resolve_ike_rekey_collision(RekeyedIkeSa ours, base::TimePoint now);
  [[nodiscard]] RetiringIkeSa* find_retiring(wire::Spi spi_i, wire::Spi spi_r);
  void on_retiring_datagram(RetiringIkeSa& old, const Path& path, const wire::DecodedMessage& msg,
                            std::span<const std::uint8_t> bytes, base::TimePoint now);
  void send_retiring_delete(RetiringIkeSa& old, base::TimePoint now);
  void end_retiring(wire::Spi spi_i, wire::Spi spi_r);
  [[nodiscard]] base::TimePoint retiring_deadline() const;
  // ike_rekey_at_ from `from` (establishment or the last rekey) and the config (2.8).
  void arm_ike_rekey(base::TimePoint from);
  // IkeSaConfig::ike_hard_lifetime from ike_rekey_base_; kNever when off.
  [[nodiscard]] base::TimePoint ike_hard_deadline() const;
  // The hard lifetime ran out: D(IKE) when the window is free, else closed at once.
  void expire_ike_sa(base::TimePoint now);
  void on_retiring_timer(base::TimePoint now);
  // Answer to a request that arrives on the current SA's predecessor while we hold a collision
  // candidate: the peer's D(IKE) of the old SA means its rekey survived (2.8.2).
  [[nodiscard]] bool intercept_old_ike_delete(const Path& path, const wire::Header& header,
                                              std::span<const std::uint8_t> bytes,
                                              const OpenedMessage& request, base::TimePoint now);

  std::vector<RetiringIkeSa> retiring_;
  std::optional<RekeyedIkeSa> peer_ike_rekey_;  // answered while ours was in flight (2.8.2)
  bool ike_rekey_queued_ = false;               // ours queued or in flight
  bool own_ike_rekey_superseded_ = false;       // the peer's won while ours was in flight (2.8.2)
  base::TimePoint ike_rekey_at_ = base::kNever;
  base::TimePoint ike_rekey_base_{};  // establishment or the last rekey
};

}  // namespace ike::engine
