#pragma once
// The admission vocabulary: what a responder asks before it serves, keeps or moves a peer, and
// what a policy answers (STYLE A1.2: strongSwan's redirect_provider; STYLE B1: engine types
// that a layer-3 policy implements). One request per decision point of RFC 5685, and one set
// of answers shared by all three:
//  - IkeSaInit: asked by IkeResponder before any DH work or state.
//    InitRequest -> InitAnswer: Serve, Redirect or Refuse.
//  - IkeAuth: asked by a responder IkeSa once the initiator's AUTH verified (R5685-21).
//    AuthRequest -> AuthAnswer: Serve or Redirect.
//  - Move: asked by the owner of established SAs (a drain).
//    MoveRequest -> MoveAnswer: Redirect, SwitchHomeAgent or Stay.
//
//  - Serve carries the owner's opaque tag (the HA's Binding Cache reservation); the engine
//    keeps it with the SA (IkeSa::tag()) and hands it back in its events, so the owner can
//    release what the tag stands for. At IKE_AUTH the SA keeps the tag it has.
//  - Redirect names the gateway as the REDIRECT notify carries it: IPv6, IPv4 or FQDN
//    (R5685-35). The engine never redirects a peer that announced no support (R5685-03): it
//    overrides the answer and counts it.
//  - Refuse: an unprotected error notify (RFC 7296 2.21.1), or silence.
//  - SwitchHomeAgent and Stay answer only the Move point: a peer with a binding moves with an
//    RFC 5142 Home Agent Switch, never with a gateway-initiated REDIRECT (R5685-33); a peer
//    with only an IKE SA gets the REDIRECT (RFC 5685 5) on its SA.
// The engine asks through InitDecision (injected into IkeResponder) and AuthDecision
// (Environment::auth_decision). The Move point has no engine interface: the owner asks its
// policy and acts itself (IkeSa::redirect(), or its binding engine's Home Agent Switch). A
// policy keeps its own reasons next to these answers (events, counters).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/wire/header.h"
#include "ike/wire/id_payload.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

enum class DecisionPoint : std::uint8_t { IkeSaInit, IkeAuth, Move };
MIP6_ENUM_NAMES(DecisionPoint, IkeSaInit, IkeAuth, Move);

// --- Requests --------------------------------------------------------------------------------

// What the IKE_SA_INIT decision sees of a request (no DH done, nothing stored yet).
struct InitRequest {
  base::Ip6Addr initiator;  // source address of the request
  base::Ip6Addr local;      // the address it arrived on (unicast or anycast)
  // REDIRECT_SUPPORTED or REDIRECTED_FROM was present (R5685-02).
  bool redirect_supported = false;
  std::optional<wire::GwIdentity> redirected_from;
  std::span<const std::uint8_t> nonce_i;  // valid during decide() only
  std::uint32_t half_open = 0;            // current half-open responder SAs
};

// The IKE_AUTH decision (RFC 5685 6): the identity the initiator proved.
struct AuthRequest {
  wire::IdPayload peer_id;          // authenticated IDi
  base::Ip6Addr initiator;          // the request's source address
  base::Ip6Addr local;              // the address it arrived on
  std::uint64_t tag = 0;            // the Serve tag of this SA (IkeSa::tag())
  bool redirect_supported = false;  // REDIRECT_SUPPORTED or REDIRECTED_FROM seen (R5685-02)
  std::optional<wire::GwIdentity> redirected_from;
};

// A peer served on an established IKE SA, to be moved elsewhere (a drain).
struct MoveRequest {
  // The SA's current SPIs (an IKE SA rekey changes them; RFC 7296 2.6 names the SA by them).
  wire::Spi spi_i;
  wire::Spi spi_r;
  base::Ip6Addr initiator;                    // the IKE SA's remote address
  wire::IdPayload peer_id;                    // authenticated IDi
  std::optional<base::Ip6Addr> home_address;  // assigned by CP, or otherwise known
  bool bound = false;                         // the asker knows of a binding for the home address
  bool redirect_supported = false;            // recorded at IKE_SA_INIT (R5685-02)
};

// --- Answers ---------------------------------------------------------------------------------

struct Serve {
  std::uint64_t tag = 0;
};
struct Redirect {
  wire::GwIdentity gateway;  // IPv4, IPv6 or FQDN (R5685-35)
};
struct Refuse {
  std::optional<wire::NotifyType> notify = wire::NotifyType::NoProposalChosen;  // none: silence
};
// RFC 5142: the home agents to switch to, best first (the MN tries them in order, R5142-31).
struct SwitchHomeAgent {
  std::vector<base::Ip6Addr> home_agents;
};
struct Stay {};

using InitAnswer = std::variant<Serve, Redirect, Refuse>;
using AuthAnswer = std::variant<Serve, Redirect>;
using MoveAnswer = std::variant<Redirect, SwitchHomeAgent, Stay>;

// --- The engine's two questions --------------------------------------------------------------

class InitDecision {
 public:
  virtual ~InitDecision() = default;
  [[nodiscard]] virtual InitAnswer decide(const InitRequest& request, base::TimePoint now) = 0;
};

// Injected through Environment::auth_decision (nullptr: serve everyone). A Redirect for a peer
// that announced no support is overridden to serve and counted (AuthRedirectForbidden,
// R5685-03); `redirect_supported` lets the policy see that beforehand.
class AuthDecision {
 public:
  virtual ~AuthDecision() = default;
  [[nodiscard]] virtual AuthAnswer decide(const AuthRequest& request, base::TimePoint now) = 0;
};

}  // namespace ike::engine
