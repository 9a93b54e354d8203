#pragma once
// Value types an IkeSa takes in and hands out (STYLE B1: inputs are calls with `now`, outputs
// are a queue of plain values the shell drains). Nothing here owns a socket or a timer.
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/transform_ids.h"
#include "ike/wire/cp_payload.h"
#include "ike/wire/header.h"
#include "ike/wire/id_payload.h"
#include "ike/wire/notify_payload.h"
#include "ike/wire/ts_payload.h"

namespace ike::engine {

// Addresses are data (ngtcp2's path): a care-of address change is just a different Path.
struct Endpoint {
  base::Ip6Addr address;
  std::uint16_t port = 500;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct Path {
  Endpoint local;
  Endpoint remote;
  friend bool operator==(const Path&, const Path&) = default;
};

enum class Role : std::uint8_t { Initiator, Responder };
MIP6_ENUM_NAMES(Role, Initiator, Responder);

// The IKE SA life cycle; every change goes through SaContext::transition() (STYLE B4, iked's
// sa_state()).
enum class IkeSaState : std::uint8_t {
  Created,          // nothing sent (initiator) or nothing accepted yet (responder)
  InitRequestSent,  // initiator: IKE_SA_INIT request outstanding
  InitResponded,    // responder: IKE_SA_INIT answered, keys derived, waiting for IKE_AUTH
  AuthRequestSent,  // initiator: IKE_AUTH request outstanding
  Established,
  Failed,  // terminal; the shell destroys the SA
  // RFC 7296 1.4.1: our INFORMATIONAL{D(IKE)} is in flight; the peer's requests are still
  // answered. Ends in Closed when answered or when the retransmissions run out.
  Deleting,
  // RFC 5685 6: IKE_AUTH carried N(REDIRECT); both AUTHs verified, no Child SA. The initiator
  // deletes the IKE SA at once (R5685-23); the responder waits for that Delete, or deletes the
  // SA itself after the grace period.
  Redirected,
  Closed,  // terminal, orderly: deleted by either side (SaDeleted); the shell destroys the SA
};
MIP6_ENUM_NAMES(IkeSaState, Created, InitRequestSent, InitResponded, AuthRequestSent, Established,
                Failed, Deleting, Redirected, Closed);

enum class ChildMode : std::uint8_t { Tunnel, Transport };
MIP6_ENUM_NAMES(ChildMode, Tunnel, Transport);

enum class FailureReason : std::uint8_t {
  RetransmitLimit,       // no response after the configured retries (R7296-36, R7296-38)
  NoProposalChosen,      // we sent or received NO_PROPOSAL_CHOSEN (R7296-12)
  AuthenticationFailed,  // we sent or received AUTHENTICATION_FAILED (R7296-53)
  InvalidSyntax,         // we sent or received INVALID_SYNTAX
  ProposalMismatch,      // the responder chose something we did not offer (R7296-14)
  PeerError,             // any other error notify in a response (R7296-54)
  KeyExchangeFailed,     // invalid peer KE value or key derivation failure
  HalfOpenTimeout,       // responder: no IKE_AUTH after our IKE_SA_INIT answer
  InternalError,         // encoding or crypto failure on our own data
  Redirected,            // initiator: a verified N(REDIRECT) ended this SA (RFC 5685 3)
};
MIP6_ENUM_NAMES(FailureReason, RetransmitLimit, NoProposalChosen, AuthenticationFailed,
                InvalidSyntax, ProposalMismatch, PeerError, KeyExchangeFailed, HalfOpenTimeout,
                InternalError, Redirected);

// ---- Outputs -------------------------------------------------------------------------------

struct SendDatagram {
  Path path;
  std::vector<std::uint8_t> bytes;  // one IKE message; the transport adds the non-ESP marker
  // RFC 3948 4: `bytes` is the one-octet 0xFF NAT keepalive, sent on the NAT-T port as it is
  // (no non-ESP marker).
  bool nat_keepalive = false;
};

// "Install this Child SA pair" (no kernel here; the shell hands it to an XfrmPort).
struct InstallChildSa {
  std::uint32_t spi_in = 0;   // the SPI we chose: the peer sends with it
  std::uint32_t spi_out = 0;  // the peer's SPI: we send with it
  Role role = Role::Initiator;
  // RFC naming (R7296-26): *_i protect initiator -> responder traffic. Use the accessors.
  crypto::ChildSaKeys keys;
  crypto::EncrAlgorithm encr = crypto::EncrAlgorithm::AesGcm16;
  std::uint16_t encr_key_bits = 256;
  // None with AES-GCM; AUTH_HMAC_SHA2_256_128 with AES-CBC (keys.integ_* hold its keys).
  crypto::IntegAlgorithm integ = crypto::IntegAlgorithm::None;
  bool esn = false;
  std::vector<wire::TrafficSelector> ts_local;
  std::vector<wire::TrafficSelector> ts_remote;
  ChildMode mode = ChildMode::Tunnel;
  Path path;  // tunnel endpoints / SA addresses
  // RFC 3948: a NAT was detected, so ESP goes in UDP between path.local.port and
  // path.remote.port (the NAT-T ports; R7296-56).
  bool udp_encap = false;

  [[nodiscard]] const base::SecretBytes& encr_in() const {
    return role == Role::Initiator ? keys.encr_r : keys.encr_i;
  }
  [[nodiscard]] const base::SecretBytes& encr_out() const {
    return role == Role::Initiator ? keys.encr_i : keys.encr_r;
  }
  [[nodiscard]] const base::SecretBytes& integ_in() const {
    return role == Role::Initiator ? keys.integ_r : keys.integ_i;
  }
  [[nodiscard]] const base::SecretBytes& integ_out() const {
    return role == Role::Initiator ? keys.integ_i : keys.integ_r;
  }
};

struct SaEstablished {
  wire::Spi spi_i;
  wire::Spi spi_r;
  wire::IdPayload peer_id;
  std::optional<wire::InternalIp6Address> assigned_address;  // CP result, either side
  std::optional<wire::Mip6HomePrefix> home_prefix;
};

struct SaFailed {
  FailureReason reason = FailureReason::InternalError;
  std::optional<wire::NotifyType> notify;  // the notify sent or received, if any
  std::string_view detail = {};  // static text saying why, for logs (e.g. a certificate error)
};

struct StateChanged {
  IkeSaState from = IkeSaState::Created;
  IkeSaState to = IkeSaState::Created;
};

// Initiator: the IKE_SA_INIT response carried N(REDIRECT) whose nonce copy equals our Ni
// (R5685-05). Emitted just before SaFailed{Redirected}; the owner (IkeInitiatorSession)
// decides whether to follow it and re-initiates towards `gateway` with a fresh SA.
struct RedirectReceived {
  wire::GwIdentity gateway;
};

// ---- INFORMATIONAL (RFC 7296 1.4) and RFC 5685 5/6 outputs ----

// The IKE SA ended in order (state Closed); its Child SAs went with it (R7296-55), each told
// by a ChildSaDeleted just before this.
struct SaDeleted {
  bool by_peer = false;  // the peer's INFORMATIONAL{D(IKE)}; else ours
  // Ours: the peer answered our Delete; false when the retransmissions ran out (1.4.1).
  bool answered = true;
  std::string_view detail = {};  // static text for logs: "requested", "redirect grace", ...
};

// "Remove this Child SA pair" (the shell deletes both kernel SAs). spi_in is ours (the peer
// sends with it), spi_out the peer's, as in InstallChildSa.
struct ChildSaDeleted {
  std::uint32_t spi_in = 0;
  std::uint32_t spi_out = 0;
  bool by_peer = false;  // named in the peer's Delete; else ours, or implied by an IKE delete
};

// Client (original initiator): an authentic INFORMATIONAL request from the original
// responder carried N(REDIRECT, gateway) without nonce data (RFC 5685 5, R5685-39). We
// answered it (R5685-18). This is an IKE-level hint only: the owner sets up an IKE SA with
// `gateway` and then deletes this one (R5685-19); it MUST NOT change any Mobile IPv6 state
// because of it (R5685-33: the HA uses the RFC 5142 Home Agent Switch for that).
struct GatewayRedirectReceived {
  wire::GwIdentity gateway;
};

// Gateway: we sent N(REDIRECT, gateway) to the client, in the IKE_AUTH response
// (at_auth, RFC 5685 6) or in an INFORMATIONAL request (RFC 5685 5).
struct RedirectSent {
  wire::GwIdentity gateway;
  bool at_auth = false;
};

// Gateway: the client answered our INFORMATIONAL REDIRECT (RFC 5685 5, R5685-17/18). Its
// Delete is expected next; without one the gateway deletes the SA after the grace period.
struct RedirectAcknowledged {
  wire::GwIdentity gateway;
};

// Something in an authentic INFORMATIONAL message that we did not act on, or an error notify
// the peer reported (RFC 7296 2.21, 3.10.1): engines do not log, the shell does from this.
// Each is also counted.
struct InformationalNote {
  std::string_view what;  // static text: "error_notify", "unknown_child_spi", ...
  std::optional<wire::NotifyType> notify;
  std::uint32_t spi = 0;  // the Child SA SPI concerned, if any
};

// ---- CREATE_CHILD_SA (RFC 7296 1.3, 2.8, 2.18; tasks/child_*.h, tasks/ike_rekey.h) ----

// A Child SA rekey finished on this side (1.3.3): the new pair (already announced by its
// InstallChildSa) replaces the old one. Traffic moves to the new SA now; the old pair goes
// when its ChildSaDeleted comes (our Delete as rekey initiator, the peer's otherwise).
struct ChildSaRekeyed {
  std::uint32_t old_spi_in = 0;
  std::uint32_t old_spi_out = 0;
  std::uint32_t new_spi_in = 0;
  std::uint32_t new_spi_out = 0;
  bool by_peer = false;  // the peer initiated the rekey
};

// Our CREATE_CHILD_SA request (new Child SA or Child rekey) produced no SA: the peer's error
// notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, TEMPORARY_FAILURE, ...) or an answer we could
// not use. The IKE SA stays up (R7296-53 applies to CREATE_CHILD_SA errors as well). Also
// for the Child SA of IKE_AUTH when we refuse what the responder installed (e.g.
// "ts_not_subset", RFC 7296 2.9); we then delete the responder's half.
struct ChildSaCreateFailed {
  std::optional<wire::NotifyType> notify;
  std::uint32_t rekeyed_spi_in = 0;  // the Child SA we tried to rekey; 0 for a new one
  std::string_view detail = {};      // static text: "peer_error", "proposal_mismatch", ...
};

// One SPI pair of an IKE SA, with our role in it (the I flag, R7296-04).
struct IkeSpis {
  wire::Spi spi_i;
  wire::Spi spi_r;
  Role role = Role::Initiator;
  friend bool operator==(const IkeSpis&, const IkeSpis&) = default;
};

// IKE SA rekey (1.3.2, 2.18) done: the same IkeSa object now runs the new IKE SA (new SPIs,
// keys, message IDs 0, the rekey initiator as original initiator) and owns the Child SAs.
// The shell files it under `now_spis` and keeps routing every pair in `retiring` (the old
// SA; in a collision also the redundant new one, 2.8.2) to it until IkeSpisRetired.
struct IkeSaRekeyed {
  IkeSpis old_spis;
  IkeSpis now_spis;
  std::vector<IkeSpis> retiring;
  bool by_peer = false;
};
// No more messages for these SPIs reach this object (their Delete is done or gave up).
struct IkeSpisRetired {
  IkeSpis spis;
};

using Output = std::variant<SendDatagram, InstallChildSa, SaEstablished, SaFailed, StateChanged,
                            RedirectReceived, SaDeleted, ChildSaDeleted, GatewayRedirectReceived,
                            RedirectSent, RedirectAcknowledged, InformationalNote,
                            ChildSaRekeyed, ChildSaCreateFailed, IkeSaRekeyed, IkeSpisRetired>;

// ---- Counters (iked's ikestat_inc: every drop and every error notify has a name) -----------

enum class IkeCounter : std::uint8_t {
  DatagramsIn,
  DroppedUndecodable,    // header or payload framing does not parse
  DroppedWrongSpi,       // SPIs do not belong to this SA (R7296-06)
  DroppedUnexpected,     // response without a request, request in the wrong state, ...
  DroppedMessageId,      // outside the window (R7296-40); never answered (R7296-42)
  DroppedDecryptFailed,  // SK integrity check failed: silently dropped (R7296-43)
  DroppedRuleViolation,  // per-exchange payload rules (wire/rules.h)
  DroppedAfterFailure,   // anything arriving once the SA failed
  RetransmitsSent,       // our request resent (R7296-36)
  ResponsesResent,       // cached response resent for a retransmitted request (R7296-37)
  InvalidSyntaxSent,
  NoProposalChosenSent,
  InvalidKePayloadSent,
  AuthenticationFailedSent,
  InternalAddressFailureSent,
  UnsupportedCriticalPayloadSent,  // R7296-08
  InvalidMajorVersionSent,         // R7296-02
  IllegalTransitions,              // refused by SaContext::transition (a bug, never the network)
  InvalidKeRetries,  // initiator retried IKE_SA_INIT with the group asked for (R7296-19)
  // RFC 5685, initiator side of IKE_SA_INIT.
  RedirectsAccepted,           // nonce copy matched: SA ends with Redirected (R5685-05)
  RedirectNonceMismatch,       // dropped silently, still waiting (R5685-06)
  RedirectMalformed,           // undecodable N(REDIRECT): ignored, still waiting
  RedirectIgnoredUnannounced,  // we never announced support: notify ignored (R5685-01/03)
  // COOKIE (RFC 7296 2.6), NAT traversal (2.23) and R7296-43.
  CookieRetries,            // IKE_SA_INIT resent with the responder's N(COOKIE) (R7296-22)
  CookieMalformed,          // N(COOKIE) with 0 or > 64 octets: ignored, still waiting
  CookieRetryLimit,         // too many cookie rounds: the SA fails
  NatDetected,              // a NAT_DETECTION hash did not match (R7296-56)
  NatTFloats,               // initiator moved to the NAT-T ports
  PeerPathUpdates,          // an authentic message came on a new path: followed (2.23)
  NatKeepalivesSent,        // RFC 3948 4
  ErrorAnswersRateLimited,  // unprotected error answer dropped by the shared bucket (R7296-43)
  // Exchanges inside an established SA.
  LocalExchangesStarted,      // our CREATE_CHILD_SA / INFORMATIONAL requests sent
  LocalExchangesBuildFailed,  // a queued exchange could not be built: skipped
  EstablishedRequestsAnswered,
  EstablishedInvalidSyntaxSent,  // authentic request breaking the payload rules
  // Peer AUTH refused (RFC 7296 2.15, RFC 7427), one per engine::AuthFailure; the responder
  // also counts AuthenticationFailedSent (R7296-53).
  AuthMissingPayload,
  AuthUnacceptableId,
  AuthNoCredentials,
  AuthUnsupportedMethod,
  AuthNoCertificate,
  AuthCertificateInvalid,
  AuthCertificateUntrusted,
  AuthIdentityMismatch,
  AuthBadSignature,
  // INFORMATIONAL (RFC 7296 1.4, 2.21) and RFC 5685 5/6 (tasks/informational.h and others).
  IkeDeletesReceived,           // the peer deleted the IKE SA
  IkeDeletesSent,               // our D(IKE) requests
  IkeDeletesUnanswered,         // our D(IKE) ran out of retransmissions: closed anyway
  ChildDeletesReceived,         // Child SAs the peer deleted (per SPI)
  ChildDeletesSent,             // Child SAs we deleted (per SPI)
  ChildDeleteUnknownSpi,        // the peer's Delete named an SPI we do not have: ignored
  DeleteMalformed,              // Delete with a wrong SPI size or protocol: ignored
  ErrorNotifiesReceived,        // error notifies in INFORMATIONAL (INVALID_SPI, ...): logged
  InvalidSpiReceived,           // N(INVALID_SPI) among them (1.5)
  StatusNotifiesIgnored,        // unknown status notifies (R7296-54)
  AuthFailureNotified,          // initiator: our INFORMATIONAL N(AUTHENTICATION_FAILED) (2.21.2)
  LivenessChecksSent,           // DPD: empty INFORMATIONAL after dpd_interval of silence
  GatewayRedirectsSent,         // RFC 5685 5: our INFORMATIONAL REDIRECT requests
  GatewayRedirectsAcked,        // ... answered by the client
  GatewayRedirectGraceDeletes,  // R5685-20: the client did not leave, we deleted the SA
  GatewayRedirectsReceived,     // client: an authentic INFORMATIONAL REDIRECT, answered
  RedirectIgnoredNotInitiator,  // REDIRECT from a peer that is not our original responder
  RedirectWithNonceIgnored,     // REDIRECT with Nonce Data outside IKE_SA_INIT (R5685-16/37)
  AuthRedirectsSent,            // RFC 5685 6: IKE_AUTH answered with N(REDIRECT) (R5685-21)
  AuthRedirectsReceived,        // initiator: verified REDIRECT in the IKE_AUTH response
  AuthRedirectForbidden,        // AuthDecision wanted a redirect the peer cannot take (R5685-03)
  RedirectAckSent,              // draft -02 option: N(REDIRECT_ACK) in our response
  // CREATE_CHILD_SA (RFC 7296 1.3, 2.8, 2.25; tasks/child_*.h, tasks/ike_rekey.h).
  ChildSasCreated,              // new Child SAs installed from CREATE_CHILD_SA, either side
  ChildSasRekeyed,              // Child SA rekeys completed, either side
  ChildCreateRefused,           // our CREATE_CHILD_SA got an error notify or an unusable answer
  ChildCreateInvalidKeRetries,  // retried with the DH group the peer asked for (R7296-19)
  TsUnacceptableSent,           // no overlap with what the peer may have (2.9)
  ChildSaNotFoundSent,          // REKEY_SA for an SPI we do not have (2.25)
  TemporaryFailureSent,         // rekey of something being deleted or rekeyed (2.25)
  NoAdditionalSasSent,          // CREATE_CHILD_SA we do not serve (no Child config)
  ChildRekeyCollisions,         // both sides rekeyed one Child SA at once (2.8.1)
  ChildRekeyRedundantDeleted,   // ... and ours was redundant: we deleted it
  ChildSaHardExpired,           // hard lifetime reached before a rekey: deleted
  IkeRekeysStarted,             // our IKE SA rekey requests
  IkeSasRekeyed,                // IKE SA rekeys completed, either side (2.18)
  IkeRekeyFailed,               // our IKE rekey was refused or unusable
  IkeRekeyCollisions,           // simultaneous IKE rekeys (2.8.2)
  RetiringRequestsAnswered,     // requests on an old/redundant IKE SA (its Delete, mostly)
  RetiringSasEnded,             // old/redundant IKE SAs finished (Delete done or given up)
  IkeSaHardExpired,             // IKE SA hard lifetime reached without a rekey: deleted (2.8)
  ChildTsNotSubsetRefused,      // responder's TSi/TSr wider than or outside ours (2.9): refused
  kCount,
};
MIP6_COUNTER_NAMES(
    IkeCounter, DatagramsIn, DroppedUndecodable, DroppedWrongSpi, DroppedUnexpected,
    DroppedMessageId, DroppedDecryptFailed, DroppedRuleViolation, DroppedAfterFailure,
    RetransmitsSent, ResponsesResent, InvalidSyntaxSent, NoProposalChosenSent, InvalidKePayloadSent,
    AuthenticationFailedSent, InternalAddressFailureSent, UnsupportedCriticalPayloadSent,
    InvalidMajorVersionSent, IllegalTransitions, InvalidKeRetries, RedirectsAccepted,
    RedirectNonceMismatch, RedirectMalformed, RedirectIgnoredUnannounced, CookieRetries,
    CookieMalformed, CookieRetryLimit, NatDetected, NatTFloats, PeerPathUpdates, NatKeepalivesSent,
    ErrorAnswersRateLimited, LocalExchangesStarted, LocalExchangesBuildFailed,
    EstablishedRequestsAnswered, EstablishedInvalidSyntaxSent, AuthMissingPayload,
    AuthUnacceptableId, AuthNoCredentials, AuthUnsupportedMethod, AuthNoCertificate,
    AuthCertificateInvalid, AuthCertificateUntrusted, AuthIdentityMismatch, AuthBadSignature,
    IkeDeletesReceived, IkeDeletesSent, IkeDeletesUnanswered, ChildDeletesReceived,
    ChildDeletesSent, ChildDeleteUnknownSpi, DeleteMalformed, ErrorNotifiesReceived,
    InvalidSpiReceived, StatusNotifiesIgnored, AuthFailureNotified, LivenessChecksSent,
    GatewayRedirectsSent, GatewayRedirectsAcked, GatewayRedirectGraceDeletes,
    GatewayRedirectsReceived, RedirectIgnoredNotInitiator, RedirectWithNonceIgnored,
    AuthRedirectsSent, AuthRedirectsReceived, AuthRedirectForbidden, RedirectAckSent,
    ChildSasCreated, ChildSasRekeyed, ChildCreateRefused, ChildCreateInvalidKeRetries,
    TsUnacceptableSent, ChildSaNotFoundSent, TemporaryFailureSent, NoAdditionalSasSent,
    ChildRekeyCollisions, ChildRekeyRedundantDeleted, ChildSaHardExpired, IkeRekeysStarted,
    IkeSasRekeyed, IkeRekeyFailed, IkeRekeyCollisions, RetiringRequestsAnswered, RetiringSasEnded,
    IkeSaHardExpired, ChildTsNotSubsetRefused);
using IkeCounters = base::CounterSet<IkeCounter, static_cast<std::size_t>(IkeCounter::kCount)>;

}  // namespace ike::engine
