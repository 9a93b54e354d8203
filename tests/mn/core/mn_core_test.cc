// MnCore: the IKEv2 bootstrap paired with the home registration, on a fake clock with
// deterministic RNG and DH (STYLE B5). The home agents are real IKEv2 responders
// (ike::engine::IkeResponder fronts, tests/ike/engine/front_harness.h) on an in-process network
// addressed by IP address; the Mobility Header side is fed decoded BAs and Home Agent Switch
// messages, as the data plane will.
#include "mn/core/mn_core.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/ike/engine/front_harness.h"

namespace mn {
namespace {

using namespace std::chrono_literals;
using mip6::engine::SendBindingUpdate;
using test::addr;
namespace engine = ike::engine;

// The home link 2001:db8:1::/64 has two home agents; 2001:db8:2:: another prefix's.
const base::Ip6Addr kCoa = addr("2001:db8:ff::10");
const base::Ip6Addr kCoa2 = addr("2001:db8:fe::20");
const base::Ip6Addr kHa1 = addr("2001:db8:1::a");
const base::Ip6Addr kHa1b = addr("2001:db8:1::b");
const base::Ip6Addr kHa2 = addr("2001:db8:2::a");
const base::Ip6Addr kHa3 = addr("2001:db8:3::a");  // nobody answers there
// The first address of each home agent's pool (CP, R5026-11).
const base::Ip6Addr kHoa1 = addr("2001:db8:1::1");
const base::Ip6Addr kHoa2 = addr("2001:db8:2::1");
constexpr std::uint16_t kFirstSequence = 100;

// The MN's core and the home agents, addressed by IP address.
struct MnNet {
  test::DeterministicRandom rng{11};
  test::DeterministicKeyExchangeFactory kex{33};
  engine::InMemoryCredentials creds;
  MnCoreConfig cfg;
  std::unique_ptr<MnCore> core;
  std::map<base::Ip6Addr, std::unique_ptr<test::Gateway>> gateways;
  test::FakeClock clock;
  std::vector<MnCoreOutput> events;  // every output but datagrams, in order
  std::vector<engine::SendDatagram> sent;

  MnNet() {
    creds.add(test::kHaId, test::secret(test::kPsk));
    cfg.ike.sa = test::mn_config();
    cfg.ike.sa.request_address = true;
    cfg.ike.sa.child.transport_mode = true;
    cfg.ike.sa.retransmit.max_retransmits = 2;  // an unanswered attempt fails after 7 s
    cfg.ike.gateway_permitted = [](const ike::wire::GwIdentity&) { return true; };
    cfg.ike.move_jitter = 0s;
    cfg.home_agent = kHa1;
    cfg.local = {kCoa, 500};
    add_gateway(kHa1, 100, "2001:db8:1::");
    add_gateway(kHa1b, 150, "2001:db8:1::");
    add_gateway(kHa2, 200, "2001:db8:2::");
  }

  test::Gateway& add_gateway(const base::Ip6Addr& a, std::uint64_t seed, const char* pool) {
    engine::IkeResponderConfig rc;
    rc.sa.child.transport_mode = true;
    auto& g = gateways[a];
    g = std::make_unique<test::Gateway>(rc, seed);
    g->pool = engine::InMemoryAddressPool(addr(pool), 64, 8);
    return *g;
  }
  test::Gateway& gw(const base::Ip6Addr& a) { return *gateways.at(a); }

  void start() {
    core = std::make_unique<MnCore>(cfg, engine::Environment{rng, kex, creds, nullptr},
                                    [] { return kFirstSequence; });
    ASSERT_TRUE(core->start(clock.now()));
    pump();
  }

  // Carries datagrams both ways until nobody sends.
  void pump() {
    for (int round = 0; round < 256; ++round) {
      bool moved = false;
      for (auto& o : core->take_outputs()) {
        auto* s = std::get_if<engine::SendDatagram>(&o);
        if (s == nullptr) {
          events.push_back(std::move(o));
          continue;
        }
        moved = true;
        sent.push_back(*s);
        if (auto it = gateways.find(s->path.remote.address); it != gateways.end()) {
          it->second->front->on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes,
                                         clock.now());
        }
      }
      for (auto& [a, g] : gateways) {
        for (auto& o : g->front->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            g->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          core->on_ike_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes, clock.now());
        }
      }
      if (!moved) {
        return;
      }
    }
  }

  // Runs every timer (the core's and the home agents') up to `until`.
  void run_until(base::TimePoint until) {
    for (int i = 0; i < 256; ++i) {
      base::TimePoint next = core->next_deadline();
      for (auto& [a, g] : gateways) {
        next = std::min(next, g->front->next_deadline());
      }
      if (next > until) {
        break;
      }
      clock.advance_to(next);
      core->on_timer(clock.now());
      for (auto& [a, g] : gateways) {
        g->front->on_timer(clock.now());
      }
      pump();
    }
    clock.advance_to(until);
  }

  template <typename T>
  [[nodiscard]] std::vector<T> outputs() const {
    return test::of<T>(events);
  }
  // The outputs of type T inside the IkeEvent or RegistrationEvent outputs (`Wrapper`).
  template <typename T, typename Wrapper>
  [[nodiscard]] std::vector<T> wrapped() const {
    std::vector<T> out;
    for (const auto& e : outputs<Wrapper>()) {
      if (const T* t = std::get_if<T>(&e.event)) {
        out.push_back(*t);
      }
    }
    return out;
  }
  template <typename T>
  [[nodiscard]] std::vector<T> ike_events() const {
    return wrapped<T, IkeEvent>();
  }
  template <typename T>
  [[nodiscard]] std::vector<T> registration_events() const {
    return wrapped<T, RegistrationEvent>();
  }
  // Index of the first output of type T, or events.size().
  template <typename T>
  [[nodiscard]] std::size_t first(std::size_t from = 0) const {
    for (std::size_t i = from; i < events.size(); ++i) {
      if (std::holds_alternative<T>(events[i])) {
        return i;
      }
    }
    return events.size();
  }

  // The home agent's answer to `bu` (ESP-protected, as the data plane will check).
  void acknowledge(const SendBindingUpdate& bu,
                   mip6::wire::BaStatus status = mip6::wire::BaStatus::Accepted) {
    mip6::wire::BindingAck ba;
    ba.status = status;
    ba.sequence = bu.update.sequence;
    ba.lifetime = bu.update.lifetime;
    core->on_binding_ack(mip6::engine::BaContext{bu.destination, true, bu.home_address_option}, ba,
                         clock.now());
    pump();
  }
  // A Home Agent Switch from `from` listing `candidates` (RFC 5142 4).
  void home_agent_switch(const base::Ip6Addr& from, std::vector<base::Ip6Addr> candidates) {
    mip6::wire::HomeAgentSwitch msg;
    msg.home_agents = std::move(candidates);
    core->on_home_agent_switch(mip6::engine::MhContext{from, true, std::nullopt}, msg, clock.now());
    pump();
  }
  // Starts, and acknowledges the first registration.
  void start_registered() {
    start();
    const auto bus = outputs<SendBindingUpdate>();
    ASSERT_EQ(bus.size(), 1u);
    acknowledge(bus[0]);
    ASSERT_EQ(registration_events<mip6::engine::Registered>().size(), 1u);
  }
  // The home agent `at` sends a gateway-initiated REDIRECT (RFC 5685 5) to `to` on our SA.
  [[nodiscard]] bool gateway_redirect(const base::Ip6Addr& at, const base::Ip6Addr& to) {
    std::optional<ike::wire::Spi> spi_r;
    for (const auto& e : gw(at).events) {
      if (const auto* se = std::get_if<engine::ResponderSaEvent>(&e)) {
        if (std::holds_alternative<engine::SaEstablished>(se->output)) {
          spi_r = se->spi_r;
        }
      }
    }
    if (!spi_r) {
      return false;
    }
    const auto sent_redirect = gw(at).front->with_sa(
        *spi_r,
        [to](engine::IkeSa& sa, base::TimePoint now) {
          return sa.redirect(ike::wire::GwIdentity::ipv6(to), 30s, now);
        },
        clock.now());
    pump();
    return sent_redirect.has_value();
  }
};

// R5026-11: the home address comes from IKEv2 CP; the registration starts with the home agent
// the IKE SA is established with, the CP address and our care-of address, once the Child SA
// that protects the BU is installed (RFC 4877 4). R6275-14: the BU carries the HAO.
TEST(MnCore, R5026_11_BootstrapThenRegistrationWithTheCpHomeAddress) {
  MnNet net;
  net.start();
  const auto established = net.ike_events<engine::SaEstablished>();
  ASSERT_EQ(established.size(), 1u);
  ASSERT_TRUE(established[0].assigned_address.has_value());
  EXPECT_EQ(established[0].assigned_address->address, kHoa1);

  const std::size_t child = net.first<engine::InstallChildSa>();
  const std::size_t started_at = net.first<RegistrationStarted>();
  const std::size_t bu_at = net.first<SendBindingUpdate>();
  ASSERT_LT(child, net.events.size());
  EXPECT_LT(child, started_at);
  ASSERT_LT(started_at, bu_at);
  ASSERT_LT(bu_at, net.events.size());

  const auto started = net.outputs<RegistrationStarted>();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].bootstrap, 1u);
  EXPECT_EQ(started[0].home_agent, kHa1);
  EXPECT_EQ(started[0].home_address, kHoa1);
  EXPECT_EQ(started[0].care_of_address, kCoa);

  const auto bus = net.outputs<SendBindingUpdate>();
  ASSERT_EQ(bus.size(), 1u);
  EXPECT_EQ(bus[0].destination, kHa1);
  EXPECT_EQ(bus[0].source, kCoa);
  EXPECT_EQ(bus[0].home_address_option, kHoa1);
  EXPECT_TRUE(bus[0].update.home_registration);
  EXPECT_TRUE(bus[0].update.ack);
  EXPECT_EQ(bus[0].update.lifetime, 105u);  // 420 s in 4-second units
  EXPECT_EQ(bus[0].update.sequence, kFirstSequence);

  net.acknowledge(bus[0]);
  const auto registered = net.registration_events<mip6::engine::Registered>();
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].home_agent, kHa1);
  EXPECT_EQ(registered[0].home_address, kHoa1);
  EXPECT_EQ(net.core->counters().get(MnCoreCounter::RegistrationsStarted), 1u);
}

TEST(MnCore, NoCpHomeAddressNoRegistration) {
  MnNet net;
  net.cfg.ike.sa.request_address = false;
  net.start();
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);
  const auto not_started = net.outputs<RegistrationNotStarted>();
  ASSERT_EQ(not_started.size(), 1u);
  EXPECT_EQ(not_started[0].error.code, "no_home_address");
  EXPECT_TRUE(net.outputs<SendBindingUpdate>().empty());
  EXPECT_EQ(net.core->registration().current(), nullptr);
}

TEST(MnCore, IkeOnlyWhenRegistrationIsOff) {
  MnNet net;
  net.cfg.register_home = false;
  net.start();
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);
  EXPECT_TRUE(net.outputs<RegistrationStarted>().empty());
  EXPECT_TRUE(net.outputs<RegistrationNotStarted>().empty());
  EXPECT_TRUE(net.outputs<SendBindingUpdate>().empty());
}

// R5685-04/07: HA1 redirects at IKE_SA_INIT; the SA is established with HA2, which is then
// the home agent registered with (and whose pool gave the home address).
TEST(MnCore, R5685_04_RedirectAtInitFollowedThenRegisteredWithTheNewHomeAgent) {
  MnNet net;
  net.gw(kHa1).decision.script = [](const engine::InitRequest&) {
    return engine::InitAnswer{engine::Redirect{ike::wire::GwIdentity::ipv6(kHa2)}};
  };
  net.start();
  const auto redirected = net.ike_events<engine::Redirected>();
  ASSERT_EQ(redirected.size(), 1u);
  EXPECT_EQ(redirected[0].point, engine::RedirectPoint::IkeSaInit);
  EXPECT_EQ(redirected[0].to, ike::wire::GwIdentity::ipv6(kHa2));
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);
  EXPECT_EQ(net.core->session()->current_path().remote.address, kHa2);
  const auto bus = net.outputs<SendBindingUpdate>();
  ASSERT_EQ(bus.size(), 1u);
  EXPECT_EQ(bus[0].destination, kHa2);
  EXPECT_EQ(bus[0].home_address_option, kHoa2);
}

// R5685-30/31: an IKE_SA_INIT redirect is unauthenticated discovery data only. HA1 sends us
// to HA3, which never answers: the session goes back to HA1, and the home agent registered
// with is the one the IKE SA authenticated (HA1); nothing was ever started towards HA3.
TEST(MnCore, R5685_30_31_InitRedirectIsOnlyAHintUntilAuthenticated) {
  MnNet net;
  int asked = 0;
  net.gw(kHa1).decision.script = [&asked](const engine::InitRequest&) {
    return ++asked == 1
               ? engine::InitAnswer{engine::Redirect{ike::wire::GwIdentity::ipv6(kHa3)}}
               : engine::InitAnswer{engine::Serve{7}};
  };
  net.start();
  EXPECT_EQ(net.ike_events<engine::Redirected>().size(), 1u);
  EXPECT_TRUE(net.outputs<RegistrationStarted>().empty());
  EXPECT_EQ(net.core->registration().current(), nullptr);
  net.run_until(net.clock.now() + 10s);
  ASSERT_EQ(net.ike_events<engine::ReturnedToOriginal>().size(), 1u);
  const auto started = net.outputs<RegistrationStarted>();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].home_agent, kHa1);
  for (const auto& bu : net.outputs<SendBindingUpdate>()) {
    EXPECT_EQ(bu.destination, kHa1);
  }
}

// R5685-35: a redirect target named by FQDN is resolved through the core's shell.
TEST(MnCore, R5685_35_FqdnRedirectTargetResolvedThroughTheShell) {
  MnNet net;
  net.gw(kHa1).decision.script = [](const engine::InitRequest&) {
    return engine::InitAnswer{engine::Redirect{ike::wire::GwIdentity::fqdn("ha2.test")}};
  };
  net.start();
  const auto asked = net.outputs<engine::ResolveGateway>();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].fqdn, "ha2.test");
  EXPECT_TRUE(net.ike_events<engine::SaEstablished>().empty());
  ASSERT_TRUE(net.core->on_gateway_resolved("ha2.test", kHa2, net.clock.now()));
  net.pump();
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);
  EXPECT_EQ(net.outputs<SendBindingUpdate>().at(0).destination, kHa2);
  // An answer nobody asked for is refused and counted.
  EXPECT_FALSE(net.core->on_gateway_resolved("ha2.test", kHa2, net.clock.now()));
  EXPECT_EQ(net.core->counters().get(MnCoreCounter::UnexpectedResolutions), 1u);
}

TEST(MnCore, UnresolvedRedirectTargetReturnsToTheOriginalHomeAgent) {
  MnNet net;
  int asked = 0;
  net.gw(kHa1).decision.script = [&asked](const engine::InitRequest&) {
    return ++asked == 1
               ? engine::InitAnswer{engine::Redirect{ike::wire::GwIdentity::fqdn("x.test")}}
               : engine::InitAnswer{engine::Serve{7}};
  };
  net.start();
  net.core->on_gateway_resolve_failed("x.test", net.clock.now());
  net.pump();
  EXPECT_EQ(net.ike_events<engine::ReturnedToOriginal>().size(), 1u);
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);
  EXPECT_EQ(net.outputs<SendBindingUpdate>().at(0).destination, kHa1);
}

// R5026-02: a home agent configured by name is resolved (AAAA) before any IKE datagram.
TEST(MnCore, R5026_02_HomeAgentNameResolvedFirst) {
  MnNet net;
  net.cfg.home_agent = std::string("ha.test");
  net.start();
  const auto asked = net.outputs<engine::ResolveGateway>();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].fqdn, "ha.test");
  EXPECT_TRUE(net.sent.empty());
  EXPECT_EQ(net.core->session(), nullptr);
  ASSERT_TRUE(net.core->on_gateway_resolved("ha.test", kHa1, net.clock.now()));
  net.pump();
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);
  EXPECT_EQ(net.outputs<SendBindingUpdate>().at(0).destination, kHa1);
}

TEST(MnCore, UnresolvedHomeAgentNameFailsTheBootstrap) {
  MnNet net;
  net.cfg.home_agent = std::string("ha.test");
  net.start();
  net.core->on_gateway_resolve_failed("ha.test", net.clock.now());
  net.pump();
  const auto failed = net.ike_events<engine::SessionFailed>();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, engine::SessionError::ResolveFailed);
  EXPECT_TRUE(net.sent.empty());
}

// R5685-33: a gateway-initiated redirect moves the IKE SA to HA2 and changes no Mobile IPv6
// state: no BU, the binding stays with HA1 for the same home and care-of addresses, and its
// refresh still goes to HA1.
TEST(MnCore, R5685_33_GatewayRedirectLeavesTheRegistrationUntouched) {
  MnNet net;
  net.start_registered();
  const auto* before = net.core->registration().current();
  ASSERT_NE(before, nullptr);
  const auto refresh_at = before->refresh_at;
  net.events.clear();

  ASSERT_TRUE(net.gateway_redirect(kHa1, kHa2));
  const auto changed = net.ike_events<engine::IkeGatewayChanged>();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].from.remote.address, kHa1);
  EXPECT_EQ(changed[0].to.remote.address, kHa2);
  ASSERT_EQ(net.ike_events<engine::SaEstablished>().size(), 1u);  // the SA with HA2
  EXPECT_EQ(net.core->session()->current_path().remote.address, kHa2);
  EXPECT_EQ(net.core->counters().get(MnCoreCounter::IkeGatewayMoves), 1u);

  EXPECT_TRUE(net.outputs<SendBindingUpdate>().empty());
  EXPECT_TRUE(net.outputs<RegistrationStarted>().empty());
  EXPECT_TRUE(net.outputs<RegistrationEvent>().empty());
  EXPECT_EQ(net.core->counters().get(MnCoreCounter::RegistrationsStarted), 1u);
  const auto* after = net.core->registration().current();
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->home_agent, kHa1);
  EXPECT_EQ(after->home_address, kHoa1);
  EXPECT_EQ(after->care_of_address, kCoa);
  EXPECT_EQ(after->refresh_at, refresh_at);

  net.run_until(refresh_at);
  const auto refresh = net.outputs<SendBindingUpdate>();
  ASSERT_EQ(refresh.size(), 1u);
  EXPECT_EQ(refresh[0].destination, kHa1);
  EXPECT_EQ(refresh[0].home_address_option, kHoa1);
  EXPECT_GT(refresh[0].update.lifetime, 0u);
}

// RFC 6275 11.8 through the core: the first registration's BU is retransmitted at 1.5 s, then
// doubling up to MAX_BINDACK_TIMEOUT (32 s); the engine's MoveToNextHomeAgent comes out once.
TEST(MnCore, BindingAckTimeoutBackoffPassesThrough) {
  MnNet net;
  net.start();
  ASSERT_EQ(net.outputs<SendBindingUpdate>().size(), 1u);
  const base::TimePoint t0 = net.clock.now();
  std::vector<double> send_times{0};
  while (send_times.size() < 8) {
    const std::size_t before = net.outputs<SendBindingUpdate>().size();
    net.run_until(net.core->next_deadline());
    if (net.outputs<SendBindingUpdate>().size() > before) {
      send_times.push_back(std::chrono::duration<double>(net.clock.now() - t0).count());
    }
  }
  EXPECT_EQ(send_times, (std::vector<double>{0, 1.5, 4.5, 10.5, 22.5, 46.5, 78.5, 110.5}));
  const auto move_on = net.registration_events<mip6::engine::MoveToNextHomeAgent>();
  ASSERT_EQ(move_on.size(), 1u);
  EXPECT_EQ(move_on[0].home_agent, kHa1);
}

// RFC 6275 11.7.1: a new primary care-of address re-registers at once; the IKE SA keeps its
// path.
TEST(MnCore, CareOfAddressChangeReregisters) {
  MnNet net;
  net.start_registered();
  net.events.clear();
  ASSERT_TRUE(net.core->change_care_of_address(kCoa2, net.clock.now()));
  net.pump();
  const auto bus = net.outputs<SendBindingUpdate>();
  ASSERT_EQ(bus.size(), 1u);
  EXPECT_EQ(bus[0].destination, kHa1);
  EXPECT_EQ(bus[0].source, kCoa2);
  EXPECT_EQ(net.core->care_of_address(), kCoa2);
  EXPECT_EQ(net.core->session()->current_path().local.address, kCoa);
}

// R5142-26/29: the switch is acknowledged by the de-registration BU to HA1, and the MN
// bootstraps towards the listed home agent and registers there. HA1's IKE SA stays up for the
// de-registration and is deleted once it ended (its Delete answer is routed to it).
TEST(MnCore, R5142_26_29_HomeAgentSwitchRebootstrapsToTheListedHomeAgent) {
  MnNet net;
  net.start_registered();
  net.events.clear();
  net.home_agent_switch(kHa1, {kHa2});

  ASSERT_EQ(net.registration_events<mip6::engine::HomeAgentSwitchRequested>().size(), 1u);
  const auto switched = net.outputs<HomeAgentSwitchStarted>();
  ASSERT_EQ(switched.size(), 1u);
  EXPECT_EQ(switched[0].bootstrap, 2u);
  EXPECT_EQ(switched[0].from, kHa1);
  EXPECT_EQ(switched[0].to, kHa2);
  EXPECT_EQ(net.core->bootstrap(), 2u);

  const auto bus = net.outputs<SendBindingUpdate>();
  ASSERT_EQ(bus.size(), 2u);
  EXPECT_EQ(bus[0].destination, kHa1);  // R5142-26: de-registration
  EXPECT_EQ(bus[0].update.lifetime, 0u);
  EXPECT_EQ(bus[1].destination, kHa2);
  EXPECT_EQ(bus[1].home_address_option, kHoa2);
  EXPECT_GT(bus[1].update.lifetime, 0u);
  const auto started = net.outputs<RegistrationStarted>();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].bootstrap, 2u);
  EXPECT_EQ(started[0].home_agent, kHa2);
  EXPECT_EQ(net.core->session()->current_path().remote.address, kHa2);
  ASSERT_EQ(net.core->sessions().size(), 2u);  // HA1's waits for the de-registration
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 1u);

  net.acknowledge(bus[0]);
  net.acknowledge(bus[1]);
  const auto deregistered = net.registration_events<mip6::engine::Deregistered>();
  ASSERT_EQ(deregistered.size(), 1u);
  EXPECT_EQ(deregistered[0].home_agent, kHa1);
  const auto released = net.outputs<HomeAgentReleased>();
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].bootstrap, 1u);
  EXPECT_EQ(released[0].home_agent, kHa1);
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);
  EXPECT_EQ(net.core->sessions().size(), 1u);
  EXPECT_EQ(net.core->registration().current()->home_agent, kHa2);
  EXPECT_EQ(net.core->registration().current()->state, mip6::binding::BulState::Registered);
}

// R5142-32: a home agent on our home prefix is tried before the others.
TEST(MnCore, R5142_32_HomeAgentOnTheHomePrefixFirst) {
  MnNet net;
  net.start_registered();
  net.home_agent_switch(kHa1, {kHa2, kHa1b});
  const auto switched = net.outputs<HomeAgentSwitchStarted>();
  ASSERT_EQ(switched.size(), 1u);
  EXPECT_EQ(switched[0].to, kHa1b);
  EXPECT_EQ(net.outputs<RegistrationStarted>().back().home_agent, kHa1b);
}

// R5142-31: in the list's order; a home agent that does not answer is followed by the next.
TEST(MnCore, R5142_31_NextListedHomeAgentAfterAFailure) {
  MnNet net;
  net.start_registered();
  net.home_agent_switch(kHa1, {kHa3, kHa2});
  ASSERT_EQ(net.outputs<HomeAgentSwitchStarted>().size(), 1u);
  EXPECT_EQ(net.outputs<HomeAgentSwitchStarted>()[0].to, kHa3);
  net.run_until(net.clock.now() + 10s);
  const auto switched = net.outputs<HomeAgentSwitchStarted>();
  ASSERT_EQ(switched.size(), 2u);
  EXPECT_EQ(switched[1].to, kHa2);
  EXPECT_EQ(switched[1].bootstrap, 2u);
  EXPECT_EQ(net.outputs<RegistrationStarted>().back().home_agent, kHa2);
  EXPECT_TRUE(net.outputs<HomeAgentSwitchFailed>().empty());
}

TEST(MnCore, HomeAgentSwitchFailsWhenNoListedHomeAgentAnswers) {
  MnNet net;
  net.start_registered();
  net.home_agent_switch(kHa1, {kHa3});
  net.run_until(net.clock.now() + 10s);
  const auto failed = net.outputs<HomeAgentSwitchFailed>();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].from, kHa1);
  EXPECT_EQ(net.core->counters().get(MnCoreCounter::HomeAgentSwitchesFailed), 1u);
}

// R5142-30: no home agent listed: discover one first, here by the home agent's name.
TEST(MnCore, R5142_30_EmptySwitchListRediscoversByName) {
  MnNet net;
  net.cfg.home_agent = std::string("ha.test");
  net.start();
  ASSERT_TRUE(net.core->on_gateway_resolved("ha.test", kHa1, net.clock.now()));
  net.pump();
  net.acknowledge(net.outputs<SendBindingUpdate>().at(0));
  net.events.clear();
  net.home_agent_switch(kHa1, {});
  const auto asked = net.outputs<engine::ResolveGateway>();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].fqdn, "ha.test");
  ASSERT_TRUE(net.core->on_gateway_resolved("ha.test", kHa2, net.clock.now()));
  net.pump();
  EXPECT_EQ(net.outputs<RegistrationStarted>().at(0).home_agent, kHa2);
}

TEST(MnCore, R5142_30_EmptySwitchListWithoutANameFails) {
  MnNet net;
  net.start_registered();
  net.home_agent_switch(kHa1, {});
  ASSERT_EQ(net.outputs<HomeAgentSwitchFailed>().size(), 1u);
  EXPECT_TRUE(net.outputs<HomeAgentSwitchStarted>().empty());
}

// stop(): de-register first (the BU needs the IKE SA's Child SA), then delete the IKE SA.
TEST(MnCore, StopDeregistersThenDeletesTheIkeSa) {
  MnNet net;
  net.start_registered();
  net.events.clear();
  net.core->stop(net.clock.now());
  net.pump();
  const auto bus = net.outputs<SendBindingUpdate>();
  ASSERT_EQ(bus.size(), 1u);
  EXPECT_EQ(bus[0].update.lifetime, 0u);
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 1u);
  EXPECT_FALSE(net.core->finished());
  net.acknowledge(bus[0]);
  ASSERT_EQ(net.registration_events<mip6::engine::Deregistered>().size(), 1u);
  const auto deleted = net.ike_events<engine::SaDeleted>();
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_FALSE(deleted[0].by_peer);
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);
  EXPECT_TRUE(net.core->finished());
}

TEST(MnCore, StopWithoutRegistrationDeletesAtOnce) {
  MnNet net;
  net.cfg.register_home = false;
  net.start();
  net.core->stop(net.clock.now());
  net.pump();
  EXPECT_EQ(net.ike_events<engine::SaDeleted>().size(), 1u);
  EXPECT_TRUE(net.core->finished());
}

}  // namespace
}  // namespace mn
