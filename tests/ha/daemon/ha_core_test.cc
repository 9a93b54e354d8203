// HaCore behind a real IkeResponder front, with in-process initiators (deterministic RNG/DH,
// fake clock): admission at IKE_SA_INIT under concurrency (issue 4 race), the reservations an
// established SA keeps, the drain carrying out gateway-initiated redirects (as commands to the
// shell) and Home Agent Switches at the configured rate, and the typed control calls and
// events.
#include "ha/daemon/ha_core.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/ha/daemon/ha_core_fixture.h"

namespace ha::daemon {
namespace {

using namespace core_test;  // NOLINT: the fixture's names
using ha::policy::AdmissionReason;
using ha::policy::DecisionOutcome;
using ha::policy::LedgerCounter;
using mip6::engine::HaAdminState;

TEST_F(HaCoreTest, Issue4RaceConcurrentBootstrapsAdmitExactlyCapacityAndRedirectTheRest) {
  build(pool_config(3), 8);
  start_all();
  int established = 0;
  int redirected = 0;
  for (std::size_t i = 0; i < mobiles_.size(); ++i) {
    if (mobiles_[i]->sa->state() == engine::IkeSaState::Established) {
      ++established;
    }
    const auto r = mobile_events<engine::RedirectReceived>(i);
    if (!r.empty()) {
      ++redirected;
      // R5685-04 via the policy: the best HA of the shared list with room.
      EXPECT_EQ(r[0]->gateway.ipv6_addr(), kHa2);
    }
  }
  EXPECT_EQ(established, 3);
  EXPECT_EQ(redirected, 5);
  EXPECT_EQ(core_->peer_records().size(), 3U);
  const auto snap = core_->binding_engine().binding_cache().snapshot();
  EXPECT_EQ(snap.reservations, 3U);  // each established SA keeps its slot until its BU
  EXPECT_EQ(core_->policy().counters().get(ha::policy::AdmissionCounter::InitServed), 3U);
  EXPECT_EQ(core_->policy().counters().get(ha::policy::AdmissionCounter::InitRedirected), 5U);
  // One IKE_SA_INIT decision event per request, each with its reason.
  const auto decisions = decisions_at(engine::DecisionPoint::IkeSaInit);
  ASSERT_EQ(decisions.size(), 8U);
  int room = 0;
  int overload = 0;
  for (const auto& d : decisions) {
    room += d.reason == AdmissionReason::Room ? 1 : 0;
    overload += d.reason == AdmissionReason::Overload && d.target == kHa2 ? 1 : 0;
  }
  EXPECT_EQ(room, 3);
  EXPECT_EQ(overload, 5);
  EXPECT_EQ(events_of<PeerEstablished>().size(), 3U);
}

TEST_F(HaCoreTest, Issue4EstablishedSaKeepsItsReservationPastTheTtlAndReleasesItWhenItGoes) {
  build(pool_config(2), 2);
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 2U);
  run_core_until(clock_.now() + 5 * config_.reservation_ttl);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 2U);
  EXPECT_GT(core_->ledger().counters().get(LedgerCounter::Refreshed), 0U);
  // Still full: a third initiator is not served.
  auto third = core_->init_decision().decide(
      engine::InitRequest{mn_address(9), kHa1, true, std::nullopt, {}, 0}, clock_.now());
  EXPECT_TRUE(std::holds_alternative<engine::Redirect>(third));

  // The MN deletes its IKE SA: the slot comes back.
  ASSERT_TRUE(mobiles_[0]->sa->request_delete(clock_.now()));
  pump();
  EXPECT_EQ(core_->peer_records().size(), 1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_EQ(core_->ledger().counters().get(LedgerCounter::ReleasedAfterEstablished), 1U);
  const auto removed = events_of<PeerRemoved>();
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0].how, SaEnd::DeletedByPeer);
  EXPECT_EQ(core_->address_pool().leased(), 1U);  // no binding held its home address
}

TEST_F(HaCoreTest, R5685_20_R5142_33_DrainMovesIkeOnlyPeersWithGatewayRedirectsAtTheRate) {
  build(pool_config(5), 3);
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 3U);
  const base::TimePoint t0 = clock_.now();
  const DrainStarted answer = core_->start_drain(seconds(7), t0);
  EXPECT_EQ(answer.queued, 3U);
  EXPECT_EQ(answer.grace, seconds(7));
  run_core_until(t0 + seconds(10));
  ASSERT_EQ(redirects_.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(redirects_[i].command.gateway, ::ike::wire::GwIdentity::ipv6(kHa2));  // best
    EXPECT_EQ(redirects_[i].command.grace, seconds(7));
    // The first at once, then one per drain interval (R5142-33 rate, no burst).
    EXPECT_EQ(redirects_[i].at - t0, seconds(static_cast<int>(i)));
  }
  // Each command names a different established SA.
  EXPECT_NE(redirects_[0].command.spi_r, redirects_[1].command.spi_r);
  EXPECT_NE(redirects_[1].command.spi_r, redirects_[2].command.spi_r);
  // Moved peers give their slots back; nothing new is admitted while draining.
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);
  auto late = core_->init_decision().decide(
      engine::InitRequest{mn_address(9), kHa1, true, std::nullopt, {}, 0}, clock_.now());
  EXPECT_TRUE(std::holds_alternative<engine::Redirect>(late));
  const auto moves = events_of<PeerMoved>();
  ASSERT_EQ(moves.size(), 3U);
  for (const auto& m : moves) {
    EXPECT_EQ(m.kind, MoveKind::GatewayRedirect);
    EXPECT_EQ(m.result, MoveResult::Sent);
  }
  for (const auto& p : core_->peers()) {
    EXPECT_EQ(p.moved_to, kHa2);
    EXPECT_EQ(p.move, MoveKind::GatewayRedirect);
  }
  EXPECT_EQ(core_->status().admin_state, HaAdminState::Draining);
  const auto admin = events_of<AdminChanged>();
  ASSERT_EQ(admin.size(), 1U);
  EXPECT_EQ(admin[0].peers, 3U);
  EXPECT_EQ(admin[0].grace, seconds(7));
}

// The shell could not redirect the SA (it went meanwhile, or the engine refused): the move is
// reported failed with the shell's reason and the peer keeps its slot.
TEST_F(HaCoreTest, R5685_15_RedirectTheShellCouldNotCarryOutIsAFailedMove) {
  build(pool_config(5), 1);
  start_all();
  redirect_on_front_ = true;
  (void)front_->with_sa(
      ::ike::wire::Spi(core_->peer_records().begin()->first),
      [](engine::IkeSa& sa, base::TimePoint at) {
        // Already redirecting: IkeSa::redirect() refuses a second one.
        return sa.redirect(::ike::wire::GwIdentity::ipv6(kHa3), seconds(60), at);
      },
      clock_.now());
  (void)core_->start_drain(std::nullopt, clock_.now());
  core_timer();
  ASSERT_EQ(redirects_.size(), 1U);
  const auto moves = events_of<PeerMoved>();
  ASSERT_EQ(moves.size(), 1U);
  EXPECT_EQ(moves[0].result, MoveResult::Failed);
  EXPECT_EQ(moves[0].why, "already_redirecting");
  EXPECT_EQ(moves[0].identity, "mn1.example.org");
  EXPECT_EQ(core_->counters().get(CoreCounter::GatewayRedirectsFailed), 1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_FALSE(core_->peers()[0].moved_to.has_value());
}

TEST_F(HaCoreTest, R5685_33_R5142_09_BoundPeerIsMovedWithAHomeAgentSwitchNotAnIkeRedirect) {
  build(pool_config(5), 1);
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 1U);
  const PeerRecord peer = core_->peer_records().begin()->second;
  ASSERT_TRUE(peer.home_address);
  // The MN registers its home address (the BU path of the data plane, driven directly).
  mip6::engine::BuContext ctx;
  ctx.source = peer.address;
  ctx.destination = kHa1;
  ctx.home_address_option = *peer.home_address;
  ctx.security.esp_protected = true;
  ctx.security.dynamic_keying = true;
  ctx.security.ike_identity = peer.identity;
  ctx.security.reservation = *core_->ledger().reservation_of_sa(::ike::wire::Spi(peer.spi_r));
  mip6::wire::BindingUpdate bu;
  bu.sequence = 1;
  bu.ack = true;
  bu.home_registration = true;
  bu.lifetime = 600;
  auto& ha = core_->binding_engine();
  ha.on_binding_update(ctx, bu, clock_.now());
  ha.on_dad_result(*peer.home_address, true, clock_.now());
  ASSERT_TRUE(ha.binding_cache().has_binding_for_address(*peer.home_address));
  (void)core_->take_mip6_outputs();

  (void)core_->start_drain(seconds(40), clock_.now());
  core_timer();
  EXPECT_TRUE(redirects_.empty());  // never a gateway-initiated REDIRECT (R5685-33)
  const mip6::engine::SendHomeAgentSwitch* sw = nullptr;
  const auto outs = core_->take_mip6_outputs();
  for (const auto& o : outs) {
    if (const auto* s = std::get_if<mip6::engine::SendHomeAgentSwitch>(&o)) {
      sw = s;
    }
  }
  ASSERT_NE(sw, nullptr);
  EXPECT_EQ(sw->home_address, *peer.home_address);
  EXPECT_EQ(sw->destination, peer.address);
  // The pool's HAs with room by preference, never ourselves (R5142-07).
  EXPECT_EQ(sw->message.home_agents, (std::vector<base::Ip6Addr>{kHa2, kHa3}));
  const auto* bra =
      mip6::wire::find_option<mip6::wire::BindingRefreshAdviceOption>(sw->message.options);
  ASSERT_NE(bra, nullptr);
  EXPECT_EQ(bra->refresh_interval, 10);  // the 40 s grace in 4-second units
  EXPECT_EQ(core_->counters().get(CoreCounter::HaSwitchesStarted), 1U);
  const auto moves = events_of<PeerMoved>();
  ASSERT_EQ(moves.size(), 1U);
  EXPECT_EQ(moves[0].kind, MoveKind::HaSwitch);
  EXPECT_EQ(moves[0].targets, (std::vector<base::Ip6Addr>{kHa2, kHa3}));
  // The binding engine's own events come through the core's event queue.
  bool bound = false;
  for (const auto& b : events_of<mip6::engine::HaEvent>()) {
    bound = bound ||
            (b.kind == mip6::engine::HaEventKind::BindingCreated && b.hoa == *peer.home_address);
  }
  EXPECT_TRUE(bound);
}

TEST_F(HaCoreTest, ResumeStopsTheDrainAndServesAgain) {
  build(pool_config(5), 2);
  start_all();
  (void)core_->start_drain(std::nullopt, clock_.now());
  core_timer();  // the first move goes at once
  core_->resume(clock_.now());
  EXPECT_EQ(core_->status().admin_state, HaAdminState::Serving);
  run_core_until(clock_.now() + seconds(30));
  EXPECT_EQ(redirects_.size(), 1U);  // the second was never sent
  auto again = core_->init_decision().decide(
      engine::InitRequest{mn_address(9), kHa1, true, std::nullopt, {}, 0}, clock_.now());
  EXPECT_TRUE(std::holds_alternative<engine::Serve>(again));
  const auto admin = events_of<AdminChanged>();
  ASSERT_EQ(admin.size(), 2U);
  EXPECT_EQ(admin[1].state, HaAdminState::Serving);
}

TEST_F(HaCoreTest, StatusAndPeersAreTypedSnapshots) {
  build(pool_config(5), 2);
  start_all();
  const CoreStatus s = core_->status();
  EXPECT_EQ(s.admin_state, HaAdminState::Serving);
  EXPECT_EQ(s.cache.capacity, 5U);
  EXPECT_EQ(s.cache.reservations, 2U);
  EXPECT_EQ(s.established_sas, 2U);
  EXPECT_EQ(s.admission.get(ha::policy::AdmissionCounter::InitServed), 2U);
  EXPECT_EQ(s.reasons.get(AdmissionReason::Room), 2U);
  EXPECT_EQ(s.ledger.get(LedgerCounter::Kept), 2U);
  const auto rows = core_->peers();
  ASSERT_EQ(rows.size(), 2U);
  std::set<std::string> identities;
  std::set<base::Ip6Addr> home_addresses;
  for (const auto& p : rows) {
    identities.insert(p.identity);
    ASSERT_TRUE(p.home_address);
    home_addresses.insert(*p.home_address);
    EXPECT_TRUE(p.reservation);
    EXPECT_FALSE(p.bound);
  }
  EXPECT_EQ(identities, (std::set<std::string>{"mn1.example.org", "mn2.example.org"}));
  EXPECT_EQ(home_addresses,
            (std::set<base::Ip6Addr>{addr("2001:db8:3::1"), addr("2001:db8:3::2")}));
}

TEST_F(HaCoreTest, R5685_21_IdentityAssignedElsewhereIsRedirectedAtIkeAuthAndFreesItsSlot) {
  HaDaemonConfig c = pool_config(5);
  c.assignments = {{"mn1.example.org", kHa3}};
  build(c, 1);
  start_all();
  EXPECT_NE(mobiles_[0]->sa->state(), engine::IkeSaState::Established);
  ASSERT_TRUE(mobiles_[0]->sa->auth_redirect());
  EXPECT_EQ(mobiles_[0]->sa->auth_redirect()->ipv6_addr(), kHa3);
  EXPECT_TRUE(core_->peer_records().empty());
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);
  EXPECT_EQ(core_->policy().counters().get(ha::policy::AdmissionCounter::AuthRedirected), 1U);
  bool logged = false;
  for (const auto& d : decisions_at(engine::DecisionPoint::IkeAuth)) {
    logged = logged || d.reason == AdmissionReason::AssignedElsewhere;
  }
  EXPECT_TRUE(logged);
}

// Issue 4 bug: peers were keyed by their first SPIr, so an IKE SA rekey (RFC 7296 1.3.2, in
// place: tasks/ike_rekey.h) lost them. The record follows the SA to its new SPIs, keeps (and
// refreshes) its reservation, and a drain redirects the rekeyed SA (R5685-15), which goes
// after the grace period (R5685-20) with its slot given back exactly once.
TEST_F(HaCoreTest, R5685_15_R5685_20_PeerSurvivesIkeSaRekeyAndIsDrainedOnItsNewSpis) {
  build(pool_config(5), 1);
  redirect_on_front_ = true;
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 1U);
  auto& mn = *mobiles_[0]->sa;
  const std::uint64_t first_spi_r = mn.spi_r().value();
  ASSERT_TRUE(mn.rekey_ike(clock_.now()));
  pump();
  ASSERT_NE(mn.spi_r().value(), first_spi_r);
  // Past the old SA's retirement and several reservation TTLs.
  run_all_until(clock_.now() + seconds(40));
  ASSERT_FALSE(front_->routes(::ike::wire::Spi(first_spi_r)));

  ASSERT_EQ(core_->peer_records().size(), 1U);
  const auto rows = core_->peers();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].spi_i, mn.spi_i());
  EXPECT_EQ(rows[0].spi_r, mn.spi_r());
  EXPECT_EQ(rows[0].rekeys, 1U);
  EXPECT_TRUE(rows[0].reservation);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_EQ(core_->counters().get(CoreCounter::SasRekeyed), 1U);
  const auto rekeyed = events_of<PeerRekeyed>();
  ASSERT_EQ(rekeyed.size(), 1U);
  EXPECT_EQ(rekeyed[0].old_spis.spi_r, ::ike::wire::Spi(first_spi_r));

  const base::TimePoint t0 = clock_.now();
  (void)core_->start_drain(seconds(5), t0);
  run_all_until(t0 + seconds(1));
  ASSERT_EQ(redirects_.size(), 1U);
  EXPECT_EQ(redirects_[0].command.spi_i, mn.spi_i());  // the current SPIs
  EXPECT_EQ(redirects_[0].command.spi_r, mn.spi_r());
  EXPECT_EQ(core_->counters().get(CoreCounter::GatewayRedirectsSent), 1U);
  const auto got = mobile_events<engine::GatewayRedirectReceived>(0);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0]->gateway.ipv6_addr(), kHa2);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);

  // The grace period ends: the HA deletes the SA; the record goes, nothing is released twice.
  run_all_until(t0 + seconds(30));
  EXPECT_TRUE(core_->peer_records().empty());
  EXPECT_EQ(core_->ledger().counters().get(LedgerCounter::ReleasedAfterEstablished), 1U);
  EXPECT_EQ(core_->counters().get(CoreCounter::SasRemoved), 1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);
  EXPECT_EQ(core_->address_pool().leased(), 0U);
  const auto removed = events_of<PeerRemoved>();
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0].spi_r, mn.spi_r());
  EXPECT_EQ(removed[0].how, SaEnd::DeletedByUs);  // R5685-20: the grace period ran out
}

// The HA's own rekey makes it the original initiator (R7296-04: the MN's SPI is the SPIr the
// front files under now); the MN rekeys again; its Delete still finds the record and releases
// its reservation and home address once.
TEST_F(HaCoreTest, Issue4PeerRekeyedByBothSidesReleasesItsReservationOnceWhenItDeletes) {
  build(pool_config(5), 2);
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 2U);
  auto& mn = *mobiles_[0]->sa;
  ASSERT_TRUE(front_->with_sa(
      mn.spi_r(), [](engine::IkeSa& sa, base::TimePoint at) { return sa.rekey_ike(at); },
      clock_.now()));
  pump();
  ASSERT_EQ(mn.role(), engine::Role::Responder);
  ASSERT_TRUE(mn.rekey_ike(clock_.now()));
  pump();
  run_all_until(clock_.now() + seconds(30));
  EXPECT_EQ(core_->counters().get(CoreCounter::SasRekeyed), 2U);
  ASSERT_EQ(core_->peer_records().count(mn.spi_r().value()), 1U);
  EXPECT_EQ(core_->peer_records().at(mn.spi_r().value()).spi_i, mn.spi_i().value());
  EXPECT_EQ(core_->peer_records().at(mn.spi_r().value()).identity, "mn1.example.org");
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 2U);

  ASSERT_TRUE(mn.request_delete(clock_.now()));
  pump();
  EXPECT_EQ(core_->peer_records().size(), 1U);
  EXPECT_EQ(core_->ledger().counters().get(LedgerCounter::ReleasedAfterEstablished), 1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_EQ(core_->address_pool().leased(), 1U);
  EXPECT_EQ(events_of<PeerRemoved>().size(), 1U);
}

// R5685-35 through IkeAdmission and the front: the IKE_SA_INIT REDIRECT names a pool HA by
// the FQDN configured for it (GW Ident Type 3 on the wire, no terminator), an identity
// assigned to an HA known by name only is redirected to that name at IKE_AUTH, and a drain's
// gateway-initiated REDIRECT carries the name as well. Each decision event shows the name.
TEST_F(HaCoreTest, R5685_35_RedirectsNameFqdnTargetsAtEveryPoint) {
  HaDaemonConfig c = pool_config(2);
  c.home_agents = {
      {kHa1, 100, "ha1.mip6.example"}, {kHa2, 300, "ha2.mip6.example"}, {kHa3, 200, ""}};
  // mn1's HA is us, by name; mn2's is known by name only.
  c.fqdn_assignments = {{"mn1.example.org", "ha1.mip6.example"},
                        {"mn2.example.org", "ha9.mip6.example"}};
  build(c, 3);
  start_all();
  // mn1 served (assigned to our own name); mn2 served at IKE_SA_INIT, then sent to its HA's
  // name at IKE_AUTH; mn3 over capacity: redirected at IKE_SA_INIT to HA2 by name.
  EXPECT_EQ(mobiles_[0]->sa->state(), engine::IkeSaState::Established);
  ASSERT_TRUE(mobiles_[1]->sa->auth_redirect());
  EXPECT_EQ(mobiles_[1]->sa->auth_redirect()->type, ::ike::wire::GwIdentType::Fqdn);
  EXPECT_EQ(mobiles_[1]->sa->auth_redirect()->fqdn_text(), "ha9.mip6.example");
  const auto init_redirect = mobile_events<engine::RedirectReceived>(2);
  ASSERT_EQ(init_redirect.size(), 1U);
  EXPECT_EQ(init_redirect[0]->gateway, ::ike::wire::GwIdentity::fqdn("ha2.mip6.example"));

  // On the wire: the unprotected IKE_SA_INIT answer to mn3, byte for byte.
  const ::ike::wire::NotifyPayload* notify = nullptr;
  ::ike::wire::Message answer;
  for (const auto& d : front_sent_) {
    if (d.path.remote.address == mn_address(2)) {
      answer = test::decode(d.bytes);
      notify = ::ike::wire::find_notify(answer.payloads, ::ike::wire::NotifyType::Redirect);
      break;
    }
  }
  ASSERT_NE(notify, nullptr);
  const std::string name = "ha2.mip6.example";
  ASSERT_GE(notify->data.size(), 2 + name.size());
  EXPECT_EQ(notify->data[0], 3);  // GW Ident Type FQDN
  EXPECT_EQ(notify->data[1], name.size());
  EXPECT_EQ(std::string(notify->data.begin() + 2, notify->data.begin() + 2 + name.size()), name);
  // The rest is the Ni copy (R5685-04).
  EXPECT_GE(notify->data.size() - 2 - name.size(), 16U);

  int named = 0;
  for (const auto& d : events_of<ha::policy::AdmissionEvent>()) {
    if (d.outcome == DecisionOutcome::Redirected) {
      ++named;
      EXPECT_FALSE(d.target_fqdn.empty());
      if (d.point == engine::DecisionPoint::IkeAuth) {
        EXPECT_EQ(d.target_fqdn, "ha9.mip6.example");
        EXPECT_FALSE(d.target.has_value());  // no address for it
      }
    }
  }
  EXPECT_EQ(named, 2);

  (void)core_->start_drain(seconds(5), clock_.now());
  core_timer();
  ASSERT_EQ(redirects_.size(), 1U);
  EXPECT_EQ(redirects_[0].command.gateway, ::ike::wire::GwIdentity::fqdn("ha2.mip6.example"));
  const auto moves = events_of<PeerMoved>();
  ASSERT_EQ(moves.size(), 1U);
  EXPECT_EQ(moves[0].target_fqdn, "ha2.mip6.example");
  EXPECT_EQ(moves[0].targets, (std::vector<base::Ip6Addr>{kHa2}));
}

// RFC 5685 4 at the core, behind the real front: an IKE_SA_INIT that arrived on the anycast
// address is answered from the anycast address (R5685-14) with a REDIRECT to our own unicast
// address (R5685-12/13, reason anycast-to-self) and leaves no SA and no reservation; the
// initiator's fresh IKE_SA_INIT to the unicast address, naming the anycast address in
// REDIRECTED_FROM (R5685-07/38), is served there.
TEST_F(HaCoreTest, R5685_12_R5685_13_R5685_14_AnycastRequestIsRedirectedToOurUnicastAddress) {
  HaDaemonConfig c = pool_config(5);
  c.anycast = kAnycast;
  build(c, 1);
  ASSERT_TRUE(mobiles_[0]->sa->initiate({{mn_address(0), 500}, {kAnycast, 500}}, clock_.now()));
  pump();
  const auto got = mobile_events<engine::RedirectReceived>(0);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0]->gateway, ::ike::wire::GwIdentity::ipv6(kHa1));
  ASSERT_EQ(front_sent_.size(), 1U);
  EXPECT_EQ(front_sent_[0].path.local.address, kAnycast);
  EXPECT_EQ(front_->sa_count(), 0U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);
  auto decisions = events_of<ha::policy::AdmissionEvent>();
  ASSERT_EQ(decisions.size(), 1U);
  EXPECT_EQ(decisions[0].point, engine::DecisionPoint::IkeSaInit);
  EXPECT_EQ(decisions[0].outcome, DecisionOutcome::Redirected);
  EXPECT_EQ(decisions[0].reason, AdmissionReason::AnycastToSelf);
  EXPECT_EQ(decisions[0].target, kHa1);

  engine::IkeSaConfig again = test::mn_config();
  again.local_id = ::ike::wire::IdPayload::make_fqdn("mn1.example.org");
  again.request_address = true;
  again.redirected_from = ::ike::wire::GwIdentity::ipv6(kAnycast);
  mobiles_[0] = std::make_unique<test::Mobile>(2000, again);
  ASSERT_TRUE(mobiles_[0]->sa->initiate(path_of(0), clock_.now()));
  pump();
  EXPECT_EQ(mobiles_[0]->sa->state(), engine::IkeSaState::Established);
  ASSERT_EQ(core_->peer_records().size(), 1U);
  const auto established = events_of<PeerEstablished>();
  ASSERT_EQ(established.size(), 1U);
  EXPECT_EQ(established[0].redirected_from, kAnycast);
  decisions = events_of<ha::policy::AdmissionEvent>();
  ASSERT_EQ(decisions.size(), 3U);  // + served at IKE_SA_INIT, continued at IKE_AUTH
  EXPECT_EQ(decisions[1].reason, AdmissionReason::Room);
}

}  // namespace
}  // namespace ha::daemon
