// The HA's IKE_AUTH decision (RFC 5685 6, decision point B): AdmissionPolicy's per-identity
// assignments behind the engine's AuthDecision (IkeAdmission), in front of real responder
// IkeSas, with MN IkeInitiatorSessions following the redirect, deterministic RNG/DH and a fake
// clock (STYLE B5).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ha/ike/ike_admission.h"
#include "tests/ha/ike/admission_harness.h"

namespace ha::ike_admission {
namespace {

using namespace harness;  // the pool fixture shared with the IKE_SA_INIT tests

// HA1 assigns mn1 to HA2 and mn2 to itself; HA2 assigns nobody elsewhere.
struct Pool : PoolNet {
  Pool() {
    has[kHa1] = std::make_unique<HomeAgent>(
        kHa1,
        HomeAgentOptions{
            8, {}, 1024, Assignments{{"mn1.example.org", kHa2}, {"mn2.example.org", kHa1}}},
        100, clock.now());
    has[kHa2] = std::make_unique<HomeAgent>(kHa2, HomeAgentOptions{8, {}, 1024, Assignments{}}, 200,
                                            clock.now());
  }

  Mn& run(int i, bool announce = true) {
    Mn& mn = add_mn(i, kPsk, announce);
    start(mn);
    pump();
    return mn;
  }
};

// R5685-21: an identity assigned to another HA is redirected there once its AUTH verified; the
// IKE_SA_INIT reservation is given back (no slot lost), no Child SA on HA1; the MN deletes the
// SA (R5685-23) and completes on HA2 (R5685-07: REDIRECTED_FROM = HA1).
TEST(IkeAdmissionAuth, R5685_21_AssignedElsewhereIsRedirectedAndSlotReleased) {
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
  EXPECT_EQ(ha1.ledger.size(), 0u);
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
TEST(IkeAdmissionAuth, UnassignedAndOwnIdentitiesAreServed) {
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
TEST(IkeAdmissionAuth, R5685_03_NoSupportIsServedHere) {
  Pool pool;
  Mn& mn = pool.run(1, /*announce=*/false);
  EXPECT_TRUE(of<engine::Redirected>(mn.events).empty());
  ASSERT_EQ(of<engine::SaEstablished>(mn.events).size(), 1u);
  EXPECT_EQ(mn.session->current_path().remote.address, kHa1);
  EXPECT_EQ(pool.ha(kHa1).policy->counters().get(ha::policy::AdmissionCounter::AuthRedirected), 0u);
}

// R5685-35: the IKE_AUTH answer names the gateway as the policy says: an FQDN assignment, or
// a pool HA's configured name (even an IPv4 one's), as GW Ident Type 3; an IPv4 HA
// (::ffff:a.b.c.d) as type 1.
TEST(IkeAdmissionAuth, R5685_35_TargetsBecomeFqdnIpv4OrIpv6GatewayIdentities) {
  test::FakeClock clock;
  BindingCache cache(BindingCache::Config{8, 30s, 10s}, clock.now());
  HomeAgentsList hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng());
  ha::policy::AdmissionPolicyConfig pc;
  pc.unicast_addresses = {kHa1};
  pc.assignments = {{"mn5.example.org", kHa2},
                    {"mn6.example.org", addr("::ffff:192.0.2.7")},
                    {"mn7.example.org", kHa3},
                    {"mn8.example.org", addr("::ffff:192.0.2.8")}};
  pc.fqdn_assignments = {{"mn4.example.org", "ha9.example.org"}};
  pc.gateway_names = {{kHa2, "ha2.example.org"}, {addr("::ffff:192.0.2.8"), "x.example"}};
  ReservationLedger ledger(cache, ReservationLedger::Config{});
  auto policy = ha::policy::AdmissionPolicy::create(pc, ledger, hal, weyl_rng());
  ASSERT_TRUE(policy.has_value());
  IkeAdmission auth(*policy, ledger);
  auto verdict = [&](int i) {
    engine::AuthRequest c;
    c.peer_id = mn_id(i);
    c.initiator = mn_addr(i);
    c.local = kHa1;
    c.redirect_supported = true;
    const auto v = auth.decide(c, clock.now());
    EXPECT_TRUE(std::holds_alternative<engine::Redirect>(v)) << i;
    return std::holds_alternative<engine::Redirect>(v) ? std::get<engine::Redirect>(v).gateway
                                                       : wire::GwIdentity{};
  };
  EXPECT_EQ(verdict(4), wire::GwIdentity::fqdn("ha9.example.org"));
  EXPECT_EQ(verdict(5), wire::GwIdentity::fqdn("ha2.example.org"));
  EXPECT_EQ(verdict(6), wire::GwIdentity::ipv4({192, 0, 2, 7}));
  EXPECT_EQ(verdict(7), wire::GwIdentity::ipv6(kHa3));
  EXPECT_EQ(verdict(8), wire::GwIdentity::fqdn("x.example"));  // a name wins over the address
}

}  // namespace
}  // namespace ha::ike_admission
