#pragma once
// What MnCore asks its shell to do and tells it (STYLE B1: outputs are plain values). The
// shell performs the first four and formats or ignores the rest:
//   - ike::engine::SendDatagram: an IKE datagram for the UDP transports (500 / 4500);
//   - ike::engine::ResolveGateway: resolve this name (the home agent's FQDN, RFC 5026 5.1.1,
//     or an RFC 5685 redirect target), then call on_gateway_resolved() or
//     on_gateway_resolve_failed();
//   - mip6::engine::SendBindingUpdate: a Binding Update for the data plane, which MUST send
//     it through the Child SA's ESP (RFC 4877 4), never in the clear;
//   - ike::engine::InstallChildSa: a Child SA for the data plane;
//   - the events below.
#include <string_view>
#include <variant>

#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "ike/engine/ike_initiator_session.h"
#include "mip6/engine/mn_registration_engine.h"

namespace mn {

// An output of one IKE bootstrap's session other than datagrams, Child SAs and names to
// resolve (those are outputs of their own). `bootstrap` numbers the bootstraps: 1 for the
// first, one more for each Home Agent Switch (RFC 5142) the core follows.
struct IkeEvent {
  unsigned bootstrap = 0;
  ike::engine::SessionOutput event;
};

// An output of the registration engine other than SendBindingUpdate.
struct RegistrationEvent {
  mip6::engine::MnOutput event;
};

// The home registration started (its first BU is the next SendBindingUpdate): the IKE SA of
// `bootstrap` is established with `home_agent`, which assigned `home_address` by CP.
struct RegistrationStarted {
  unsigned bootstrap = 0;
  base::Ip6Addr home_agent;
  base::Ip6Addr home_address;
  base::Ip6Addr care_of_address;
};

// The IKE SA of `bootstrap` is up but no registration was started: no home address was
// assigned, or the registration engine refused the addresses (error says which).
struct RegistrationNotStarted {
  unsigned bootstrap = 0;
  base::Error error;
};

// A Home Agent Switch (RFC 5142 6.1) is being followed: bootstrap `bootstrap` contacts `to`
// (a listed home agent, or :: while the home agent's FQDN is being resolved again).
struct HomeAgentSwitchStarted {
  unsigned bootstrap = 0;
  base::Ip6Addr from;
  base::Ip6Addr to;
};

// No home agent could be reached after a Home Agent Switch from `from`.
struct HomeAgentSwitchFailed {
  base::Ip6Addr from;
  std::string_view reason;  // static text
};

// The IKE session with a home agent we left (Home Agent Switch) is gone: its de-registration
// ended and its IKE SA was deleted, or the home agent deleted it first.
struct HomeAgentReleased {
  unsigned bootstrap = 0;
  base::Ip6Addr home_agent;
};

using MnCoreOutput =
    std::variant<ike::engine::SendDatagram, ike::engine::ResolveGateway,
                 mip6::engine::SendBindingUpdate, ike::engine::InstallChildSa, IkeEvent,
                 RegistrationEvent, RegistrationStarted, RegistrationNotStarted,
                 HomeAgentSwitchStarted, HomeAgentSwitchFailed, HomeAgentReleased>;

}  // namespace mn
