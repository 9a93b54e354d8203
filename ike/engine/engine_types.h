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
std::string_view to_string(Role r);

// The IKE SA life cycle so far. Later tasks add Rekeying / Deleting between Established and
// Closed; every change goes through IkeSa::transition() (STYLE B4, iked's sa_state()).
enum class IkeSaState : std::uint8_t {
  Created,          // nothing sent (initiator) or nothing accepted yet (responder)
  InitRequestSent,  // initiator: IKE_SA_INIT request outstanding
  InitResponded,    // responder: IKE_SA_INIT answered, keys derived, waiting for IKE_AUTH
  AuthRequestSent,  // initiator: IKE_AUTH request outstanding
  Established,
  Failed,  // terminal; the shell destroys the SA
};
std::string_view to_string(IkeSaState s);

enum class ChildMode : std::uint8_t { Tunnel, Transport };
std::string_view to_string(ChildMode m);

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
std::string_view to_string(FailureReason r);

// ---- Outputs -------------------------------------------------------------------------------

struct SendDatagram {
  Path path;
  std::vector<std::uint8_t> bytes;  // one IKE message, no non-ESP marker (port 500 for now)
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
  bool esn = false;
  std::vector<wire::TrafficSelector> ts_local;
  std::vector<wire::TrafficSelector> ts_remote;
  ChildMode mode = ChildMode::Tunnel;
  Path path;  // tunnel endpoints / SA addresses

  [[nodiscard]] const base::SecretBytes& encr_in() const {
    return role == Role::Initiator ? keys.encr_r : keys.encr_i;
  }
  [[nodiscard]] const base::SecretBytes& encr_out() const {
    return role == Role::Initiator ? keys.encr_i : keys.encr_r;
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

using Output = std::variant<SendDatagram, InstallChildSa, SaEstablished, SaFailed, StateChanged,
                            RedirectReceived>;

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
  IllegalTransitions,              // refused by IkeSa::transition (a bug, never the network)
  InvalidKeRetries,  // initiator retried IKE_SA_INIT with the group asked for (R7296-19)
  // RFC 5685, initiator side of IKE_SA_INIT.
  RedirectsAccepted,           // nonce copy matched: SA ends with Redirected (R5685-05)
  RedirectNonceMismatch,       // dropped silently, still waiting (R5685-06)
  RedirectMalformed,           // undecodable N(REDIRECT): ignored, still waiting
  RedirectIgnoredUnannounced,  // we never announced support: notify ignored (R5685-01/03)
  kCount,
};
std::string_view to_string(IkeCounter c);
using IkeCounters = base::CounterSet<IkeCounter, static_cast<std::size_t>(IkeCounter::kCount)>;

}  // namespace ike::engine
