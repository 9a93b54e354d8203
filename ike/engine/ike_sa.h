#pragma once
// One IKE SA, initiator or responder (RFC 7296), as a sans-IO engine (STYLE A3, B1):
//   inputs  initiate(path, now), on_datagram(path, bytes, now), on_timer(now);
//   wake-up next_deadline();
//   outputs take_outputs(): SendDatagram, InstallChildSa, SaEstablished, SaFailed,
//           StateChanged, in the order they happened.
// Randomness, DH, PSKs and CP addresses come in through the Environment; there is no clock,
// socket or global object inside.
//
// This first slice does IKE_SA_INIT (ike_init_task.cc, with ike_natd), IKE_AUTH with PSK
// (ike_auth_task.cc) composed with the CP task (ike_config) and the first Child SA
// (child_create), and error notifies. Where later work slots in:
//  - CREATE_CHILD_SA / Child and IKE rekey, INFORMATIONAL (delete, DPD): new *_task.cc files
//    dispatched from IkeSa::on_request()/on_response() for their exchange types in state
//    Established; they reuse proposals.h, sk_protection.h and exchange.h (message IDs >= 2).
//    Today such requests are dropped and counted (DroppedUnexpected).
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
//    Still to do: REDIRECT in the IKE_AUTH response (R5685-21..28; ike_auth_task.cc, after
//    AUTH is verified, no Child SA, then Delete) and the gateway-initiated INFORMATIONAL
//    REDIRECT (R5685-15..20, an ike_redirect task once INFORMATIONAL exists).
//  - DPD and rekey/lifetime timers: more deadlines folded into next_deadline()/on_timer();
//    DPD is an empty INFORMATIONAL request through the same OutstandingRequest.
//  - NAT-T: the NAT_DETECTION hashes are sent and stored (nat_detected()), not acted on.
//  - Tasks: ChildCreateTask already has the strongSwan build/process shape; a common Task
//    interface (and a per-exchange task list) is factored out when CREATE_CHILD_SA becomes
//    the second exchange to use it.
// Not yet: INITIAL_CONTACT, telling the responder about an initiator-side AUTH failure
// (needs INFORMATIONAL), rate limiting of unprotected error answers (R7296-43).
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/child_create.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/exchange.h"
#include "ike/engine/peer_credentials.h"
#include "ike/engine/proposals.h"
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
};

// Everything an IkeSa needs from outside; all references must outlive it.
struct Environment {
  crypto::RandomSource& random;
  crypto::KeyExchangeFactory& key_exchanges;
  const PeerCredentials& credentials;
  AddressProvider* addresses = nullptr;  // responder CP; nullptr: CP requests get no address
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
  // NAT_DETECTION_*_IP from the peer did not match what we see (R7296-56; not acted on yet).
  [[nodiscard]] bool nat_detected() const { return nat_detected_; }
  // Responder: the initiator announced REDIRECT_SUPPORTED or REDIRECTED_FROM (R5685-02).
  [[nodiscard]] bool peer_redirect_supported() const { return peer_redirect_supported_; }
  [[nodiscard]] const std::optional<wire::GwIdentity>& peer_redirected_from() const {
    return peer_redirected_from_;
  }

  // The checked state change (STYLE B4). Returns false, counts and changes nothing for an
  // illegal transition. Exposed for tests only.
  [[nodiscard]] bool transition_for_test(IkeSaState to) { return transition(to); }

 private:
  // ---- dispatch (ike_sa.cc) ----
  void on_request(const Path& path, const wire::DecodedMessage& msg,
                  std::span<const std::uint8_t> bytes, base::TimePoint now);
  void on_response(const Path& path, const wire::DecodedMessage& msg,
                   std::span<const std::uint8_t> bytes, base::TimePoint now);
  [[nodiscard]] bool transition(IkeSaState to);
  void fail(FailureReason reason, std::optional<wire::NotifyType> notify);
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

  // ---- IKE_SA_INIT (ike_init_task.cc) ----
  [[nodiscard]] base::Result<void> send_init_request(const Path& path, base::TimePoint now);
  void handle_init_request(const Path& path, const wire::DecodedMessage& msg,
                           std::span<const std::uint8_t> bytes, base::TimePoint now);
  void handle_init_response(const Path& path, const wire::DecodedMessage& msg,
                            std::span<const std::uint8_t> bytes, base::TimePoint now);
  // N(REDIRECT) in an IKE_SA_INIT response; false: ignore the notify and go on (R5685-05/06).
  [[nodiscard]] bool handle_init_redirect(const wire::NotifyPayload& notify);
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
};

}  // namespace ike::engine
