// The HA's IKE_AUTH decision (RFC 5685 6, decision point B): AdmissionPolicy's per-identity
// assignments behind the engine's AuthDecision (AdmissionAuthDecision), in front of real
// responder IkeSas, with MN IkeInitiatorSessions following the redirect, deterministic RNG/DH
// and a fake clock (STYLE B5).
#include "ha/ike/admission_auth_decision.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ike/engine/ike_initiator_session.h"
#include "ike/engine/ike_responder.h"
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

const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");
constexpr std::string_view kPsk = "correct horse battery staple";
const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
const base::Ip6Addr kHa2 = addr("2001:db8:2::1");

wire::IdPayload mn_id(int i) {
  return wire::IdPayload::make_fqdn("mn" + std::to_string(i) + ".example.org");
}
base::Ip6Addr mn_addr(int i) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0xff};
  b[15] = static_cast<std::uint8_t>(0x10 + i);
  return base::Ip6Addr(b);
}

// One HA: front + AdmissionPolicy (with `assignments`) + both adapters.
struct HomeAgent {
  HomeAgent(
      const base::Ip6Addr& self,
      std::unordered_map<std::string, base::Ip6Addr, ha::policy::IdentityHash, std::equal_to<>>
          assignments,
      std::uint64_t seed, base::TimePoint now)
      : rng(seed),
        kex(seed + 1),
        pool(addr("2001:db8:100::"), 64, 8),
        cache(BindingCache::Config{8, 30s, 10s}, now),
        hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng()) {
    for (int i = 0; i < 4; ++i) {
      creds.add(mn_id(i), secret(kPsk));
    }
    hal.set_configured(addr("fe80::ffff"), {self}, 100, /*self=*/true);
    ha::policy::AdmissionPolicyConfig pc;
    pc.unicast_addresses = {self};
    pc.assignments = std::move(assignments);
    auto p = ha::policy::AdmissionPolicy::create(pc, cache, hal, weyl_rng());
    EXPECT_TRUE(p.has_value());
    policy = std::make_unique<ha::policy::AdmissionPolicy>(std::move(*p));
    init = std::make_unique<AdmissionInitDecision>(*policy, cache);
    auth = std::make_unique<AdmissionAuthDecision>(*policy, *init);
    engine::IkeResponderConfig cfg;
    cfg.sa.local_id = kHaId;
    cfg.sa.child.transport_mode = true;
    engine::Environment env{rng, kex, creds, &pool};
    env.auth_decision = auth.get();
    front = std::make_unique<engine::IkeResponder>(cfg, env, *init);
  }
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  engine::InMemoryAddressPool pool;
  BindingCache cache;
  HomeAgentsList hal;
  std::unique_ptr<ha::policy::AdmissionPolicy> policy;
  std::unique_ptr<AdmissionInitDecision> init;
  std::unique_ptr<AdmissionAuthDecision> auth;
  std::unique_ptr<engine::IkeResponder> front;
  std::vector<engine::ResponderOutput> events;
};

struct Mn {
  Mn(int i, bool announce) : rng(1000 + i), kex(2000 + i), address(mn_addr(i)) {
    creds.add(kHaId, secret(kPsk));
    cfg.sa.local_id = mn_id(i);
    cfg.sa.remote_id = kHaId;
    cfg.sa.child.transport_mode = true;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.sa.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
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

// HA1 assigns mn1 to HA2 and mn2 to itself; HA2 assigns nobody elsewhere.
struct Pool {
  Pool() {
    has[kHa1] = std::make_unique<HomeAgent>(
        kHa1,
        std::unordered_map<std::string, base::Ip6Addr, ha::policy::IdentityHash, std::equal_to<>>{
            {"mn1.example.org", kHa2}, {"mn2.example.org", kHa1}},
        100, clock.now());
    has[kHa2] = std::make_unique<HomeAgent>(
        kHa2,
        std::unordered_map<std::string, base::Ip6Addr, ha::policy::IdentityHash, std::equal_to<>>{},
        200, clock.now());
  }
  HomeAgent& ha(const base::Ip6Addr& a) { return *has.at(a); }

  Mn& run(int i, bool announce = true) {
    mns[i] = std::make_unique<Mn>(i, announce);
    Mn& mn = *mns[i];
    EXPECT_TRUE(mn.session->start(engine::Path{{mn.address, 500}, {kHa1, 500}}, clock.now()));
    pump();
    return mn;
  }

  void pump() {
    for (int round = 0; round < 256; ++round) {
      bool moved = false;
      for (auto& [i, mn] : mns) {
        for (auto& o : mn->session->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            mn->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          auto it = has.find(s->path.remote.address);
          if (it != has.end()) {
            it->second->front->on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes,
                                           clock.now());
          }
        }
      }
      for (auto& [a, h] : has) {
        for (auto& o : h->front->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            h->init->on_responder_event(o, clock.now());
            h->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          for (auto& [i, mn] : mns) {
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
  std::map<int, std::unique_ptr<Mn>> mns;
};

// R5685-21: an identity assigned to another HA is redirected there once its AUTH verified; the
// IKE_SA_INIT reservation is given back (no slot lost), no Child SA on HA1; the MN deletes the
// SA (R5685-23) and completes on HA2 (R5685-07: REDIRECTED_FROM = HA1).
TEST(AdmissionAuthDecision, R5685_21_AssignedElsewhereIsRedirectedAndSlotReleased) {
  Pool pool;
  Mn& mn = pool.run(1);
  const auto redirected = of<engine::Redirected>(mn.events);
  ASSERT_EQ(redirected.size(), 1u);
  EXPECT_EQ(redirected[0].point, engine::RedirectPoint::IkeAuth);
  EXPECT_EQ(redirected[0].to, wire::GwIdentity::ipv6(kHa2));
  ASSERT_EQ(of<engine::SaEstablished>(mn.events).size(), 1u);
  EXPECT_EQ(mn.session->current_path().remote.address, kHa2);

  HomeAgent& ha1 = pool.ha(kHa1);
  EXPECT_EQ(ha1.policy->counters().get(ha::policy::AdmissionCounter::AuthRedirected), 1u);
  EXPECT_EQ(ha1.cache.snapshot().reservations, 0u);  // the slot came back
  EXPECT_EQ(ha1.init->pending(), 0u);
  EXPECT_EQ(ha1.front->sa_count(), 0u);  // closed by the MN's Delete
  for (const auto& e : ha1.events) {
    if (const auto* ev = std::get_if<engine::ResponderSaEvent>(&e)) {
      EXPECT_FALSE(std::holds_alternative<engine::InstallChildSa>(ev->output));
      EXPECT_FALSE(std::holds_alternative<engine::SaEstablished>(ev->output));
    }
  }
  // HA2 serves it (its reservation stays for the coming Binding Update).
  EXPECT_EQ(pool.ha(kHa2).cache.snapshot().reservations, 1u);
}

// Not assigned elsewhere (absent, or assigned to HA1 itself): served at HA1.
TEST(AdmissionAuthDecision, UnassignedAndOwnIdentitiesAreServed) {
  Pool pool;
  for (int i : {0, 2}) {
    Mn& mn = pool.run(i);
    EXPECT_TRUE(of<engine::Redirected>(mn.events).empty()) << i;
    ASSERT_EQ(of<engine::SaEstablished>(mn.events).size(), 1u) << i;
    EXPECT_EQ(mn.session->current_path().remote.address, kHa1) << i;
  }
  EXPECT_EQ(pool.ha(kHa1).policy->counters().get(ha::policy::AdmissionCounter::AuthContinued), 2u);
}

// R5685-03: assigned elsewhere but the MN announced no support: served here.
TEST(AdmissionAuthDecision, R5685_03_NoSupportIsServedHere) {
  Pool pool;
  Mn& mn = pool.run(1, /*announce=*/false);
  EXPECT_TRUE(of<engine::Redirected>(mn.events).empty());
  ASSERT_EQ(of<engine::SaEstablished>(mn.events).size(), 1u);
  EXPECT_EQ(mn.session->current_path().remote.address, kHa1);
  EXPECT_EQ(pool.ha(kHa1).policy->counters().get(ha::policy::AdmissionCounter::AuthRedirected), 0u);
}

}  // namespace
}  // namespace ha::ike_admission
