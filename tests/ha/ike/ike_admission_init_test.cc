// The HA's AdmissionPolicy behind the IKEv2 responder front (RFC 5685 at IKE_SA_INIT, HA
// side): an in-process pool of three HAs, each an IkeResponder with its own Binding Cache,
// ReservationLedger, Home Agents List, AdmissionPolicy and IkeAdmission, and several MN
// sessions, all with deterministic RNG/DH and a fake clock (STYLE B5).
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

using namespace harness;  // the pool fixture shared with the IKE_AUTH tests

// HA1 (capacity 1) lists HA2 before HA3; HA2 lists HA3 before HA1; HA3 lists HA2, HA1.
struct Pool : PoolNet {
  explicit Pool(std::uint32_t ha1_capacity = 1, std::uint32_t ha1_max_half_open = 1024) {
    const PoolMember m1{addr("fe80::1"), kHa1, 10};
    const PoolMember m2{addr("fe80::2"), kHa2, 30};
    const PoolMember m3{addr("fe80::3"), kHa3, 20};
    has[kHa1] = std::make_unique<HomeAgent>(
        kHa1, HomeAgentOptions{ha1_capacity, {m2, m3}, ha1_max_half_open, std::nullopt}, 100,
        clock.now());
    has[kHa2] = std::make_unique<HomeAgent>(kHa2, HomeAgentOptions{8, {m3, m1}, 1024, std::nullopt},
                                            200, clock.now());
    has[kHa3] = std::make_unique<HomeAgent>(kHa3, HomeAgentOptions{8, {m2, m1}, 1024, std::nullopt},
                                            300, clock.now());
  }

  // MNs are numbered in the order they are added.
  Mn& add_mn(std::string_view psk = kPsk, bool announce = true) {
    return PoolNet::add_mn(static_cast<int>(mns.size()), psk, announce);
  }
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

// Answers without the network: a refusal under a half-open flood is silence, a full HA
// answers NO_PROPOSAL_CHOSEN, and an IPv4 REDIRECTED_FROM reaches the policy as
// ::ffff:a.b.c.d, so the gateway it names is excluded as a target (R5685-09).
TEST(IkeAdmissionInit, RefusalsAreSilenceOrNoProposalChosenIpv4RedirectedFrom) {
  test::FakeClock clock;
  BindingCache cache(BindingCache::Config{1, 30s, 10s}, clock.now());
  HomeAgentsList hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng());
  hal.set_configured(addr("fe80::ffff"), {kHa1}, 100, /*self=*/true);
  hal.set_configured(addr("fe80::4"), {addr("::ffff:192.0.2.7")}, 50, false);
  ha::policy::AdmissionPolicyConfig pc;
  pc.unicast_addresses = {kHa1};
  pc.max_half_open_ike_sas = 4;
  ReservationLedger ledger(cache, ReservationLedger::Config{});
  auto p = ha::policy::AdmissionPolicy::create(pc, ledger, hal, weyl_rng());
  ASSERT_TRUE(p.has_value());
  IkeAdmission adapter(*p, ledger);
  ASSERT_TRUE(cache.reserve(clock.now()).has_value());  // full

  engine::InitRequest c;
  c.initiator = mn_addr(1);
  c.local = kHa1;
  c.redirect_supported = true;
  c.redirected_from = wire::GwIdentity::ipv4({192, 0, 2, 7});
  auto v = adapter.decide(c, clock.now());
  const auto* refuse = std::get_if<engine::Refuse>(&v);
  ASSERT_NE(refuse, nullptr);
  EXPECT_EQ(refuse->notify, wire::NotifyType::NoProposalChosen);
  EXPECT_EQ(p->reason_counters().get(ha::policy::AdmissionReason::FullNoTarget), 1u);

  c.redirected_from.reset();
  v = adapter.decide(c, clock.now());  // full: the IPv4 pool HA is a fine target now
  const auto* redirect = std::get_if<engine::Redirect>(&v);
  ASSERT_NE(redirect, nullptr);
  // An IPv4 pool HA is named as IPv4 (GW Ident Type 1, R5685-35), not as ::ffff:a.b.c.d.
  EXPECT_EQ(redirect->gateway, wire::GwIdentity::ipv4({192, 0, 2, 7}));

  c.redirected_from = wire::GwIdentity::ipv4({192, 0, 2, 7});
  c.half_open = 9;  // half-open flood, no target: silence
  v = adapter.decide(c, clock.now());
  refuse = std::get_if<engine::Refuse>(&v);
  ASSERT_NE(refuse, nullptr);
  EXPECT_EQ(refuse->notify, std::nullopt);
  EXPECT_EQ(ledger.size(), 0u);
}

// R5685-01/04/07/09: four concurrent bootstraps at HA1 (capacity 1): exactly one is served,
// the others are redirected at IKE_SA_INIT to HA2 (best preference) and establish there with
// REDIRECTED_FROM naming HA1. R5685-04: the redirect happens before any binding, so HA1 holds
// exactly the one reservation and no binding; the ledger keeps it with the established SA
// (the Binding Update will consume it).
TEST(IkeAdmissionInit, R5685_04_07_PoolServesKRedirectsRestToHa2) {
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
  EXPECT_EQ(ha1.ledger.size(), 1u);  // established: kept, not released
  EXPECT_EQ(ha1.ledger.count(ReservationLedger::State::Established), 1u);
  EXPECT_EQ(ha1.ledger.counters().get(LedgerCounter::ReleasedBeforeEstablished), 0u);
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
TEST(IkeAdmissionInit, FailedIkeAuthReleasesReservationNextBootstrapServed) {
  Pool pool;
  auto& bad = pool.add_mn("wrong psk");
  pool.start(bad);
  pool.pump();
  EXPECT_FALSE(established(bad));
  auto& ha1 = pool.ha(kHa1);
  const auto removed = of<engine::ResponderSaRemoved>(ha1.events);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_FALSE(removed[0].established);
  EXPECT_EQ(ha1.ledger.counters().get(LedgerCounter::ReleasedBeforeEstablished), 1u);
  EXPECT_EQ(ha1.ledger.size(), 0u);
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
TEST(IkeAdmissionInit, R5685_03_UnsupportedPeerRefusedWhenFullNeverRedirected) {
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
TEST(IkeAdmissionInit, R5685_09_DrainingHa2RedirectsToHa3) {
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

// The front's half-open bound drops a Serve answer: the reservation the policy took for it is
// released.
TEST(IkeAdmissionInit, HalfOpenLimitDropReleasesReservation) {
  Pool pool(/*ha1_capacity=*/1, /*ha1_max_half_open=*/0);
  auto& mn = pool.add_mn();
  pool.start(mn);
  pool.pump();
  auto& ha1 = pool.ha(kHa1);
  const auto decided = of<engine::InitDecided>(ha1.events);
  ASSERT_FALSE(decided.empty());
  EXPECT_EQ(decided[0].outcome, engine::InitOutcome::HalfOpenLimit);
  EXPECT_EQ(ha1.cache.snapshot().reservations, 0u);
  EXPECT_EQ(ha1.ledger.size(), 0u);
  EXPECT_GE(ha1.ledger.counters().get(LedgerCounter::ReleasedBeforeEstablished), 1u);
  EXPECT_EQ(ha1.front->sa_count(), 0u);
}

// The front's outputs drive the ledger: a Serve answer the front dropped (half-open bound) or
// whose SA answered with an error gives its slot back; a created SA takes its reservation
// along through establishment and an IKE SA rekey, and gives it back once when it goes.
TEST(IkeAdmissionInit, ResponderOutputsMoveTheReservationThroughTheLedger) {
  test::FakeClock clock;
  BindingCache cache(BindingCache::Config{4, 30s, 10s}, clock.now());
  HomeAgentsList hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng());
  ReservationLedger ledger(cache, ReservationLedger::Config{});
  ha::policy::AdmissionPolicyConfig pc;
  pc.unicast_addresses = {kHa1};
  auto p = ha::policy::AdmissionPolicy::create(pc, ledger, hal, weyl_rng());
  ASSERT_TRUE(p.has_value());
  IkeAdmission admission(*p, ledger);
  auto serve = [&] {
    engine::InitRequest r;
    r.initiator = mn_addr(1);
    r.local = kHa1;
    return std::get<engine::Serve>(admission.decide(r, clock.now())).tag;
  };
  auto decided = [](engine::InitOutcome outcome, std::uint64_t tag) {
    engine::InitDecided d;
    d.outcome = outcome;
    d.tag = tag;
    return engine::ResponderOutput{d};
  };
  for (const auto dropped :
       {engine::InitOutcome::HalfOpenLimit, engine::InitOutcome::ServeRejectedBySa}) {
    const std::uint64_t tag = serve();
    ASSERT_EQ(cache.snapshot().reservations, 1u);
    admission.on_responder_output(decided(dropped, tag), clock.now());
    EXPECT_EQ(cache.snapshot().reservations, 0u) << engine::to_string(dropped);
    EXPECT_EQ(ledger.size(), 0u);
  }

  const std::uint64_t tag = serve();
  admission.on_responder_output(decided(engine::InitOutcome::Served, tag), clock.now());
  admission.on_responder_output(engine::ResponderSaCreated{wire::Spi(1), wire::Spi(2), tag, true},
                                clock.now());
  EXPECT_EQ(ledger.state(tag), ReservationLedger::State::HalfOpen);
  admission.on_responder_output(engine::ResponderSaEvent{wire::Spi(2), engine::SaEstablished{}},
                                clock.now());
  EXPECT_EQ(ledger.state(tag), ReservationLedger::State::Established);
  engine::IkeSaRekeyed rekeyed;
  rekeyed.old_spis = {wire::Spi(1), wire::Spi(2), engine::Role::Initiator};
  rekeyed.now_spis = {wire::Spi(3), wire::Spi(4), engine::Role::Initiator};
  admission.on_responder_output(engine::ResponderSaEvent{wire::Spi(4), rekeyed}, clock.now());
  EXPECT_EQ(ledger.reservation_of_sa(wire::Spi(4)), ledger.reservation(tag));
  for (int i = 0; i < 2; ++i) {  // a second removal report finds nothing to give back
    admission.on_responder_output(engine::ResponderSaRemoved{wire::Spi(4), tag, true}, clock.now());
  }
  EXPECT_EQ(cache.snapshot().reservations, 0u);
  EXPECT_EQ(ledger.counters().get(LedgerCounter::ReleasedBeforeEstablished), 2u);
  EXPECT_EQ(ledger.counters().get(LedgerCounter::ReleasedAfterEstablished), 1u);
  EXPECT_EQ(ledger.counters().get(LedgerCounter::ReleasedStale), 0u);
}

}  // namespace
}  // namespace ha::ike_admission
