#pragma once
// What an IkeSa is set up with: its configuration (IkeSaConfig and the Child SA and NAT-T parts
// of it) and the Environment it borrows (randomness, DH, credentials, addresses, policies).
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/log.h"
#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/exchange.h"
#include "ike/engine/peer_credentials.h"
#include "ike/engine/proposals.h"
#include "ike/wire/id_payload.h"
#include "ike/wire/notify_payload.h"
#include "ike/wire/ts_payload.h"

namespace ike::engine {

// The Child SAs of an IKE SA (RFC 7296 1.3, 2.9, 2.17; RFC 4877 for transport mode).
struct ChildSaConfig {
  bool enabled = true;  // negotiate one Child SA in IKE_AUTH
  EspProposalConfig esp;
  // Initiator: the selectors it proposes (TSi, TSr). Responder: ignored (it echoes them).
  std::vector<wire::TrafficSelector> ts_i;
  std::vector<wire::TrafficSelector> ts_r;
  // Initiator: send USE_TRANSPORT_MODE, and refuse a tunnel-mode answer (R7296-52).
  // Responder: accept a USE_TRANSPORT_MODE request and echo it.
  bool transport_mode = false;
  // Lifetimes of every Child SA of the IKE SA (RFC 7296 2.8): at `rekey_after` minus a random
  // share of `rekey_jitter` we rekey it (soft); at `hard_lifetime` after installation it is
  // deleted if still there. Zero = never.
  base::Duration rekey_after{0};
  base::Duration rekey_jitter{0};
  base::Duration hard_lifetime{0};
};

// NAT traversal (RFC 7296 2.23, RFC 3948; R7296-56).
struct NatTraversalConfig {
  // Initiator: move IKE (and later ESP) to the NAT-T ports once a NAT is detected (2.23).
  bool float_on_nat = true;
  // Our NAT-T socket (the one with the non-ESP marker) and the peer's. 4500 on the wire;
  // tests on the loopback use kernel-chosen ports instead.
  std::uint16_t local_port = 4500;
  std::uint16_t remote_port = 4500;
  // RFC 3948 4: the side behind the NAT sends a one-octet 0xFF datagram this often on the
  // NAT-T port to keep the mapping alive (20 s is the RFC's default). Zero: none.
  base::Duration keepalive_interval = std::chrono::seconds(20);
};

// What the peer's NAT_DETECTION notifies say about the path.
struct NatStatus {
  bool local_behind_nat = false;  // the peer's DESTINATION hash is not our address: keepalives
  bool peer_behind_nat = false;   // the peer's SOURCE hash is not its address: follow it
  [[nodiscard]] bool any() const { return local_behind_nat || peer_behind_nat; }
};

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

}  // namespace ike::engine
