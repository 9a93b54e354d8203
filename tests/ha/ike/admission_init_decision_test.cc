// The HA's AdmissionPolicy behind the IKEv2 responder front (RFC 5685 at IKE_SA_INIT, HA
// side): an in-process pool of three HAs, each an IkeResponder with its own Binding Cache,
// Home Agents List, AdmissionPolicy and AdmissionInitDecision, and several MN sessions, all
// with deterministic RNG/DH and a fake clock (STYLE B5).
#include "ha/ike/admission_init_decision.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ike/engine/ike_initiator_session.h"
#include "ike/engine/ike_responder.h"
#include "ike/wire/message.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace ha::ike_admission {
namespace {

using namespace std::chrono_literals;
namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using mip6::binding::BindingCache;
using mip6::binding::HomeAgentsList;

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

mip6::binding::RandomSource weyl_rng() {
  return [n = std::uint64_t{0}]() mutable {
    n += 0x9e3779b97f4a7c15ULL;
    return n ^ (n >> 29);
  };
}

// One PAD entry for the whole pool (R5685-10/11): every HA proves the same identity.
const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");
constexpr std::string_view kPsk = "correct horse battery staple";
constexpr int kMaxMns = 8;

const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
const base::Ip6Addr kHa2 = addr("2001:db8:2::1");
const base::Ip6Addr kHa3 = addr("2001:db8:3::1");

wire::IdPayload mn_id(int i) {
  return wire::IdPayload::make_fqdn("mn" + std::to_string(i) + ".example.org");
}
base::Ip6Addr mn_addr(int i) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0xff};
  b[15] = static_cast<std::uint8_t>(0x10 + i);
  return base::Ip6Addr(b);
}

struct PoolMember {
  base::Ip6Addr ll;
  base::Ip6Addr address;
  std::uint16_t preference;
};

struct HomeAgent {
  HomeAgent(const base::Ip6Addr& self, std::uint32_t capacity,
            const std::vector<PoolMember>& others, std::uint64_t seed, base::TimePoint now,
            std::uint32_t max_half_open = 1024)
      : address(self),
        rng(seed),
        kex(seed + 1),
        pool(addr("2001:db8:100::"), 64, 8),
        cache(BindingCache::Config{capacity, 30s, 10s}, now),
        hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng()) {
    for (int i = 0; i < kMaxMns; ++i) {
      creds.add(mn_id(i), secret(kPsk));
    }
    hal.set_configured(addr("fe80::ffff"), {self}, 100, /*self=*/true);
    for (const auto& o : others) {
      hal.set_configured(o.ll, {o.address}, o.preference, false);
    }
    ha::policy::AdmissionPolicyConfig pc;
    pc.unicast_addresses = {self};
    auto p = ha::policy::AdmissionPolicy::create(pc, cache, hal, weyl_rng());
    EXPECT_TRUE(p.has_value());
    policy = std::make_unique<ha::policy::AdmissionPolicy>(std::move(*p));
    adapter = std::make_unique<AdmissionInitDecision>(*policy, cache);
    engine::IkeResponderConfig cfg;
    cfg.sa.local_id = kHaId;
    cfg.sa.child.transport_mode = true;
    cfg.max_half_open = max_half_open;
    front = std::make_unique<engine::IkeResponder>(
        cfg, engine::Environment{rng, kex, creds, &pool}, *adapter);
  }

  base::Ip6Addr address;
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  engine::InMemoryAddressPool pool;
  BindingCache cache;
  HomeAgentsList hal;
  std::unique_ptr<ha::policy::AdmissionPolicy> policy;
  std::unique_ptr<AdmissionInitDecision> adapter;
  std::unique_ptr<engine::IkeResponder> front;
  std::vector<engine::ResponderOutput> events;  // everything but datagrams
};

struct Mn {
  Mn(int i, std::string_view psk, bool announce)
      : rng(1000 + static_cast<std::uint64_t>(i)),
        kex(2000 + static_cast<std::uint64_t>(i)),
        address(mn_addr(i)) {
    creds.add(kHaId, secret(psk));
    cfg.sa.local_id = mn_id(i);
    cfg.sa.remote_id = kHaId;
    cfg.sa.child.transport_mode = true;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.sa.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.retransmit.max_retransmits = 2;
    cfg.sa.announce_redirect_support = announce;
    cfg.gateway_permitted = [](const wire::GwIdentity&) { return true; };
    session = std::make_unique<engine::IkeInitiatorSession>(
        cfg, engine::Environment{rng, kex, creds, nullptr});
  }
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  engine::InitiatorSessionConfig cfg;
  base::Ip6Addr address;
  std::unique_ptr<engine::IkeInitiatorSession> session;
  std::vector<engine::SessionOutput> events;
  std::vector<engine::SendDatagram> sent;
};

template <typename T, typename V>
std::vector<T> of(const std::vector<V>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const T* t = std::get_if<T>(&e)) {
      out.push_back(*t);
    }
  }
  return out;
}

// HA1 (capacity 1) lists HA2 before HA3; HA2 lists HA3 before HA1; HA3 lists HA2, HA1.
struct Pool {
  explicit Pool(std::uint32_t ha1_capacity = 1, std::uint32_t ha1_max_half_open = 1024) {
    const PoolMember m1{addr("fe80::1"), kHa1, 10};
    const PoolMember m2{addr("fe80::2"), kHa2, 30};
    const PoolMember m3{addr("fe80::3"), kHa3, 20};
    has[kHa1] = std::make_unique<HomeAgent>(kHa1, ha1_capacity, std::vector{m2, m3}, 100,
                                            clock.now(), ha1_max_half_open);
    has[kHa2] = std::make_unique<HomeAgent>(kHa2, 8, std::vector{m3, m1}, 200, clock.now());
    has[kHa3] = std::make_unique<HomeAgent>(kHa3, 8, std::vector{m2, m1}, 300, clock.now());
  }

  HomeAgent& ha(const base::Ip6Addr& a) { return *has.at(a); }

  Mn& add_mn(std::string_view psk = kPsk, bool announce = true) {
    const int i = static_cast<int>(mns.size());
    mns.push_back(std::make_unique<Mn>(i, psk, announce));
    return *mns.back();
  }

  void start(Mn& mn, const base::Ip6Addr& first = kHa1) {
    ASSERT_TRUE(mn.session->start(
        engine::Path{{mn.address, 500}, {first, 500}}, clock.now()));
  }

  void pump() {
    for (int round = 0; round < 512; ++round) {
      bool moved = false;
      for (auto& mn : mns) {
        for (auto& o : mn->session->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            mn->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          mn->sent.push_back(*s);
          auto it = has.find(s->path.remote.address);
          if (it != has.end()) {
            it->second->front->on_datagram(engine::Path{s->path.remote, s->path.local},
                                           s->bytes, clock.now());
          }
        }
      }
      for (auto& [name, h] : has) {
        for (auto& o : h->front->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            h->adapter->on_responder_event(o, clock.now());
            h->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          for (auto& mn : mns) {
            if (mn->address == s->path.remote.address) {
              mn->session->on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes,
                                       clock.now());
            }
          }
        }
      }
      if (!moved) {
        return;
      }
    }
    ADD_FAILURE() << "pump did not settle";
  }

  test::FakeClock clock;
  std::map<base::Ip6Addr, std::unique_ptr<HomeAgent>> has;
  std::vector<std::unique_ptr<Mn>> mns;
};

bool established(const Mn& mn) {
  return !of<engine::SaEstablished>(mn.events).empty();
}

std::optional<wire::GwIdentity> redirected_from_in(const engine::SendDatagram& d) {
  auto m = wire::decode_message(d.bytes);
  if (!m) {
    return std::nullopt;
  }
  const auto* n = wire::find_notify(m->message.payloads, wire::NotifyType::RedirectedFrom);
  if (n == nullptr) {
    return std::nullopt;
  }
  auto gw = wire::decode_redirected_from(*n);
  return gw ? std::optional<wire::GwIdentity>(*gw) : std::nullopt;
}

TEST(AdmissionInitDecision, GatewayAddressMapsIpv4AndRejectsFqdn) {
  EXPECT_EQ(gateway_address(wire::GwIdentity::ipv6(kHa2)), kHa2);
  EXPECT_EQ(gateway_address(wire::GwIdentity::ipv4({192, 0, 2, 7})), addr("::ffff:192.0.2.7"));
  EXPECT_EQ(gateway_address(wire::GwIdentity::fqdn("ha2.example.org")), std::nullopt);
}

// Verdict mapping without the network: Refuse{Drop} -> silence, Refuse{Answer} ->
// NO_PROPOSAL_CHOSEN, and an IPv4 REDIRECTED_FROM reaches the policy as ::ffff:a.b.c.d, so
// the gateway it names is excluded as a target (R5685-09).
TEST(AdmissionInitDecision, RefuseVerdictsMapToDropOrNoProposalChosenIpv4RedirectedFrom) {
  test::FakeClock clock;
  BindingCache cache(BindingCache::Config{1, 30s, 10s}, clock.now());
  HomeAgentsList hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng());
  hal.set_configured(addr("fe80::ffff"), {kHa1}, 100, /*self=*/true);
  hal.set_configured(addr("fe80::4"), {addr("::ffff:192.0.2.7")}, 50, false);
  ha::policy::AdmissionPolicyConfig pc;
  pc.unicast_addresses = {kHa1};
  pc.max_half_open_ike_sas = 4;
  auto p = ha::policy::AdmissionPolicy::create(pc, cache, hal, weyl_rng());
  ASSERT_TRUE(p.has_value());
  AdmissionInitDecision adapter(*p, cache);
  ASSERT_TRUE(cache.reserve(clock.now()).has_value());  // full

  engine::InitContext c;
  c.initiator = mn_addr(1);
  c.local = kHa1;
  c.redirect_supported = true;
  c.redirected_from = wire::GwIdentity::ipv4({192, 0, 2, 7});
  auto v = adapter.decide(c, clock.now());
  const auto* refuse = std::get_if<engine::RefuseInit>(&v);
  ASSERT_NE(refuse, nullptr);
  EXPECT_EQ(refuse->notify, wire::NotifyType::NoProposalChosen);
  EXPECT_EQ(p->reason_counters().get(ha::policy::AdmissionReason::FullNoTarget), 1u);

  c.redirected_from.reset();
  v = adapter.decide(c, clock.now());  // full: the IPv4 pool HA is a fine target now
  const auto* redirect = std::get_if<engine::RedirectInit>(&v);
  ASSERT_NE(redirect, nullptr);
  EXPECT_EQ(redirect->gateway, wire::GwIdentity::ipv6(addr("::ffff:192.0.2.7")));

  c.redirected_from = wire::GwIdentity::ipv4({192, 0, 2, 7});
  c.half_open = 9;  // half-open flood, no target: silence
  v = adapter.decide(c, clock.now());
  refuse = std::get_if<engine::RefuseInit>(&v);
  ASSERT_NE(refuse, nullptr);
  EXPECT_EQ(refuse->notify, std::nullopt);
  EXPECT_EQ(adapter.pending(), 0u);
}

// R5685-01/04/07/09: four concurrent bootstraps at HA1 (capacity 1): exactly one is served,
// the others are redirected at IKE_SA_INIT to HA2 (best preference) and establish there with
// REDIRECTED_FROM naming HA1. R5685-04: the redirect happens before any binding, so HA1 holds
// exactly the one reservation and no binding; the established SA no longer owns it in the
// adapter (the Binding Update will consume it).
TEST(AdmissionInitDecision, R5685_04_07_PoolServesKRedirectsRestToHa2) {
  Pool pool;
  constexpr int kN = 4;
  for (int i = 0; i < kN; ++i) {
    pool.start(pool.add_mn());
  }
  pool.pump();

  int on_ha1 = 0;
  int on_ha2 = 0;
  for (const auto& mn : pool.mns) {
    ASSERT_TRUE(established(*mn));
    const auto at = mn->session->current_path().remote.address;
    if (at == kHa1) {
      ++on_ha1;
      EXPECT_TRUE(of<engine::Redirected>(mn->events).empty());
      continue;
    }
    EXPECT_EQ(at, kHa2);
    ++on_ha2;
    const auto redirected = of<engine::Redirected>(mn->events);
    ASSERT_EQ(redirected.size(), 1u);
    EXPECT_EQ(redirected[0].from, wire::GwIdentity::ipv6(kHa1));
    EXPECT_EQ(redirected[0].to, wire::GwIdentity::ipv6(kHa2));
    ASSERT_EQ(mn->sent.size(), 3u);  // INIT to HA1, INIT to HA2, AUTH to HA2
    EXPECT_FALSE(redirected_from_in(mn->sent[0]).has_value());
    EXPECT_EQ(redirected_from_in(mn->sent[1]), wire::GwIdentity::ipv6(kHa1));
  }
  EXPECT_EQ(on_ha1, 1);
  EXPECT_EQ(on_ha2, kN - 1);

  auto& ha1 = pool.ha(kHa1);
  const auto snap = ha1.cache.snapshot();
  EXPECT_EQ(snap.reservations, 1u);
  EXPECT_EQ(snap.bindings, 0u);
  EXPECT_EQ(ha1.adapter->pending(), 0u);  // established: forgotten, not released
  EXPECT_EQ(ha1.adapter->released(), 0u);
  EXPECT_EQ(ha1.front->sa_count(), 1u);
  EXPECT_EQ(ha1.front->counters().get(engine::ResponderCounter::Redirected),
            static_cast<std::uint64_t>(kN - 1));
  EXPECT_EQ(ha1.policy->counters().get(ha::policy::AdmissionCounter::InitServed), 1u);
  EXPECT_EQ(ha1.policy->counters().get(ha::policy::AdmissionCounter::InitRedirected),
            static_cast<std::uint64_t>(kN - 1));
  const auto decided = of<engine::InitDecided>(ha1.events);
  ASSERT_EQ(decided.size(), static_cast<std::size_t>(kN));

  auto& ha2 = pool.ha(kHa2);
  EXPECT_EQ(ha2.cache.snapshot().reservations, static_cast<std::uint32_t>(kN - 1));
  EXPECT_EQ(ha2.cache.snapshot().bindings, 0u);
  EXPECT_EQ(ha2.front->sa_count(), static_cast<std::size_t>(kN - 1));
  for (const auto& c : of<engine::ResponderSaCreated>(ha2.events)) {
    EXPECT_TRUE(c.redirect_supported);  // R5685-02
    EXPECT_NE(c.tag, 0u);
  }
  EXPECT_TRUE(pool.ha(kHa3).events.empty());
}

// A failed IKE_AUTH (wrong PSK) on HA1 gives its reservation back at once, so the next
// bootstrap is served by HA1 instead of redirected.
TEST(AdmissionInitDecision, FailedIkeAuthReleasesReservationNextBootstrapServed) {
  Pool pool;
  auto& bad = pool.add_mn("wrong psk");
  pool.start(bad);
  pool.pump();
  EXPECT_FALSE(established(bad));
  auto& ha1 = pool.ha(kHa1);
  const auto removed = of<engine::ResponderSaRemoved>(ha1.events);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_FALSE(removed[0].established);
  EXPECT_EQ(ha1.adapter->released(), 1u);
  EXPECT_EQ(ha1.adapter->pending(), 0u);
  EXPECT_EQ(ha1.cache.snapshot().reservations, 0u);
  EXPECT_EQ(ha1.front->sa_count(), 0u);

  auto& good = pool.add_mn();
  pool.start(good);
  pool.pump();
  ASSERT_TRUE(established(good));
  EXPECT_EQ(good.session->current_path().remote.address, kHa1);
  EXPECT_TRUE(of<engine::Redirected>(good.events).empty());
  EXPECT_EQ(ha1.cache.snapshot().reservations, 1u);
  EXPECT_TRUE(pool.ha(kHa2).events.empty());
}

// R5685-03: with HA1 full, a peer that announced no support is refused with
// NO_PROPOSAL_CHOSEN by the policy itself (not by the front's override), never redirected.
TEST(AdmissionInitDecision, R5685_03_UnsupportedPeerRefusedWhenFullNeverRedirected) {
  Pool pool;
  auto& first = pool.add_mn();
  pool.start(first);
  pool.pump();
  ASSERT_TRUE(established(first));

  auto& plain = pool.add_mn(kPsk, /*announce=*/false);
  pool.start(plain);
  pool.pump();
  EXPECT_FALSE(established(plain));
  const auto failed = of<engine::SessionFailed>(plain.events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].sa_reason, engine::FailureReason::NoProposalChosen);
  EXPECT_TRUE(of<engine::Redirected>(plain.events).empty());
  auto& ha1 = pool.ha(kHa1);
  const auto decided = of<engine::InitDecided>(ha1.events);
  ASSERT_EQ(decided.size(), 2u);
  EXPECT_EQ(decided[1].outcome, engine::InitOutcome::Refused);
  EXPECT_EQ(decided[1].notify, wire::NotifyType::NoProposalChosen);
  EXPECT_EQ(ha1.front->counters().get(engine::ResponderCounter::RedirectForbidden), 0u);
  EXPECT_EQ(ha1.policy->reason_counters().get(ha::policy::AdmissionReason::FullNoRedirectSupport),
            1u);
  for (const auto& s : plain.sent) {
    EXPECT_EQ(s.path.remote.address, kHa1);
  }
  EXPECT_TRUE(pool.ha(kHa2).events.empty());
  EXPECT_EQ(ha1.cache.snapshot().reservations, 1u);
}

// R5685-07/09: HA1 full sends the MN to HA2; HA2 is draining and sends it on to HA3 (never
// back to HA1, which it was redirected from); the MN establishes on HA3.
TEST(AdmissionInitDecision, R5685_09_DrainingHa2RedirectsToHa3) {
  Pool pool;
  auto& first = pool.add_mn();
  pool.start(first);
  pool.pump();
  ASSERT_TRUE(established(first));
  pool.ha(kHa2).policy->set_admin_state(ha::policy::HaAdminState::Draining);

  auto& mn = pool.add_mn();
  pool.start(mn);
  pool.pump();
  ASSERT_TRUE(established(mn));
  EXPECT_EQ(mn.session->current_path().remote.address, kHa3);
  const auto redirected = of<engine::Redirected>(mn.events);
  ASSERT_EQ(redirected.size(), 2u);
  EXPECT_EQ(redirected[0].to, wire::GwIdentity::ipv6(kHa2));
  EXPECT_EQ(redirected[1].from, wire::GwIdentity::ipv6(kHa2));
  EXPECT_EQ(redirected[1].to, wire::GwIdentity::ipv6(kHa3));
  auto& ha2 = pool.ha(kHa2);
  EXPECT_EQ(ha2.front->sa_count(), 0u);
  EXPECT_EQ(ha2.cache.snapshot().reservations, 0u);
  EXPECT_EQ(ha2.policy->reason_counters().get(ha::policy::AdmissionReason::Draining), 1u);
  EXPECT_EQ(pool.ha(kHa3).cache.snapshot().reservations, 1u);
  EXPECT_EQ(pool.ha(kHa3).front->sa_count(), 1u);
}

// The front's half-open bound drops a Serve verdict: the adapter releases the reservation the
// policy took for it.
TEST(AdmissionInitDecision, HalfOpenLimitDropReleasesReservation) {
  Pool pool(/*ha1_capacity=*/1, /*ha1_max_half_open=*/0);
  auto& mn = pool.add_mn();
  pool.start(mn);
  pool.pump();
  auto& ha1 = pool.ha(kHa1);
  const auto decided = of<engine::InitDecided>(ha1.events);
  ASSERT_FALSE(decided.empty());
  EXPECT_EQ(decided[0].outcome, engine::InitOutcome::HalfOpenLimit);
  EXPECT_EQ(ha1.cache.snapshot().reservations, 0u);
  EXPECT_EQ(ha1.adapter->pending(), 0u);
  EXPECT_GE(ha1.adapter->released(), 1u);
  EXPECT_EQ(ha1.front->sa_count(), 0u);
}

}  // namespace
}  // namespace ha::ike_admission
