// HaCore behind a real IkeResponder front, with in-process initiators (deterministic RNG/DH,
// fake clock): admission at IKE_SA_INIT under concurrency (issue 4 race), the reservations an
// established SA keeps, the drain executing gateway-initiated redirects and Home Agent
// Switches at the configured rate, and the control protocol.
#include "ha/daemon/ha_core.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/ike/engine/front_harness.h"

namespace ha::daemon {
namespace {

namespace engine = ::ike::engine;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::addr;

const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
const base::Ip6Addr kHa2 = addr("2001:db8:1::2");
const base::Ip6Addr kHa3 = addr("2001:db8:1::3");
const base::Ip6Addr kAnycast = addr("2001:db8:1::a");

base::Ip6Addr mn_address(int i) {
  base::Ip6Addr a = addr("2001:db8:1::100");
  a.bytes()[15] = static_cast<std::uint8_t>(i);
  return a;
}

HaDaemonConfig pool_config(std::uint32_t capacity) {
  HaDaemonConfig c;
  c.name = "ha1";
  c.addresses = {kHa1};
  c.identity = "ha.example.org";
  c.psks = {{"*", std::string(test::kPsk)}};
  c.capacity = capacity;
  c.reservation_ttl = seconds(10);
  c.home_prefix = addr("2001:db8:3::");
  c.home_prefix_len = 64;
  // One Home Agents List for the pool: HA2 is the best target, then HA3.
  c.home_agents = {{kHa1, 100}, {kHa2, 300}, {kHa3, 200}};
  c.drain_interval = seconds(1);
  c.drain_jitter = milliseconds(0);
  c.drain_grace = seconds(20);
  return c;
}

class RecordingRedirector final : public GatewayRedirector {
 public:
  struct Call {
    std::uint64_t spi_r;
    base::Ip6Addr target;
    base::Duration grace;
    base::TimePoint at;
    ::ike::wire::GwIdentity identity;  // what the REDIRECT would carry
  };
  base::Result<void, std::string> redirect(std::uint64_t /*spi_i*/, std::uint64_t spi_r,
                                           const ::ike::wire::GwIdentity& target,
                                           base::Duration grace, base::TimePoint now) override {
    calls.push_back({spi_r, target.address().value_or(base::Ip6Addr{}),
                     grace, now, target});
    return {};
  }
  std::vector<Call> calls;
};

// HA1: HaCore + IkeResponder front; N initiators on their own addresses.
class HaCoreTest : public ::testing::Test {
 protected:
  // The daemon's redirector without sockets: RFC 5685 5 on the front's SA named by `spi_r`.
  class FrontRedirector final : public GatewayRedirector {
   public:
    explicit FrontRedirector(HaCoreTest& t) : t_(&t) {}
    base::Result<void, std::string> redirect(std::uint64_t spi_i, std::uint64_t spi_r,
                                             const ::ike::wire::GwIdentity& target,
                                             base::Duration grace, base::TimePoint now) override {
      calls.push_back({spi_i, spi_r});
      auto done = t_->front_->with_sa(
          ::ike::wire::Spi(spi_r),
          [&](engine::IkeSa& sa, base::TimePoint at) { return sa.redirect(target, grace, at); },
          now);
      if (!done) {
        return base::fail(std::string(done.error().code));
      }
      return {};
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;  // (spi_i, spi_r)

   private:
    HaCoreTest* t_;
  };

  void build(HaDaemonConfig config, int mobiles) {
    config_ = std::move(config);
    auto core =
        HaCore::create(config_, clock_.now(), [n = std::uint64_t{0}]() mutable { return ++n; });
    ASSERT_TRUE(core) << core.error();
    core_ = std::move(*core);
    core_->set_gateway_redirector(&redirector_);
    engine::Environment env{rng_, kex_, creds_, &core_->address_pool()};
    env.auth_decision = &core_->auth_decision();
    engine::IkeResponderConfig rc;
    rc.sa.local_id = test::kHaId;
    front_ = std::make_unique<engine::IkeResponder>(rc, env, core_->init_decision());
    for (int i = 0; i < mobiles; ++i) {
      // Identities mn1.example.org, mn2..., each with the pool's PSK.
      engine::IkeSaConfig mn = test::mn_config();
      mn.local_id =
          ::ike::wire::IdPayload::make_fqdn("mn" + std::to_string(i + 1) + ".example.org");
      mn.request_address = true;  // the home address by CP (RFC 5026)
      creds_.add(mn.local_id, test::secret(test::kPsk));
      mobiles_.push_back(std::make_unique<test::Mobile>(1000 + 10 * i, mn));
    }
  }

  engine::Path path_of(int i) const { return {{mn_address(i), 500}, {kHa1, 500}}; }

  // Every initiator sends its IKE_SA_INIT before the gateway answers any: concurrent
  // bootstraps as the front sees them.
  void start_all() {
    for (std::size_t i = 0; i < mobiles_.size(); ++i) {
      ASSERT_TRUE(mobiles_[i]->sa->initiate(path_of(static_cast<int>(i)), clock_.now()));
    }
    pump();
  }

  void deliver_front_outputs() {
    for (auto& o : front_->take_outputs()) {
      if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
        front_sent_.push_back(*s);
        for (std::size_t i = 0; i < mobiles_.size(); ++i) {
          if (s->path.remote.address == mn_address(static_cast<int>(i))) {
            mobiles_[i]->sa->on_datagram({s->path.remote, s->path.local}, s->bytes, clock_.now());
          }
        }
        continue;
      }
      const engine::IkeSa* sa = nullptr;
      if (const auto* e = std::get_if<engine::ResponderSaEvent>(&o)) {
        sa = front_->find(e->spi_r);
      }
      core_->on_responder_output(o, sa, clock_.now());
    }
  }

  void pump() {
    for (int round = 0; round < 32; ++round) {
      bool moved = false;
      for (auto& m : mobiles_) {
        for (auto& o : m->sa->take_outputs()) {
          if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
            moved = true;
            front_->on_datagram({s->path.remote, s->path.local}, s->bytes, clock_.now());
          } else {
            m->events.push_back(std::move(o));
          }
        }
      }
      deliver_front_outputs();
      if (!moved) {
        return;
      }
    }
  }

  // Runs the core's timer until `until`, at each deadline.
  void run_core_until(base::TimePoint until) {
    while (core_->next_deadline() <= until) {
      clock_.advance_to(core_->next_deadline());
      core_->on_timer(clock_.now());
    }
    clock_.advance_to(until);
  }

  // Runs every timer (core, front, initiators) up to `until`, delivering what they send.
  void run_all_until(base::TimePoint until) {
    for (int i = 0; i < 1000; ++i) {
      base::TimePoint next = std::min(core_->next_deadline(), front_->next_deadline());
      for (const auto& m : mobiles_) {
        next = std::min(next, m->sa->next_deadline());
      }
      if (next > until) {
        break;
      }
      clock_.advance_to(std::max(next, clock_.now()));
      core_->on_timer(clock_.now());
      front_->on_timer(clock_.now());
      for (auto& m : mobiles_) {
        m->sa->on_timer(clock_.now());
      }
      pump();
    }
    clock_.advance_to(until);
  }

  template <class T>
  std::vector<const T*> mobile_events(std::size_t i) const {
    std::vector<const T*> v;
    for (const auto& o : mobiles_[i]->events) {
      if (const auto* p = std::get_if<T>(&o)) {
        v.push_back(p);
      }
    }
    return v;
  }
  std::vector<json> events_of(const std::string& kind) {
    for (auto& e : core_->take_events()) {
      all_events_.push_back(std::move(e));
    }
    std::vector<json> v;
    for (const auto& e : all_events_) {
      if (e.value("event", "") == kind) {
        v.push_back(e);
      }
    }
    return v;
  }

  test::FakeClock clock_;
  HaDaemonConfig config_;
  std::unique_ptr<HaCore> core_;
  RecordingRedirector redirector_;
  FrontRedirector front_redirector_{*this};
  test::DeterministicRandom rng_{77};
  test::DeterministicKeyExchangeFactory kex_{78};
  engine::InMemoryCredentials creds_;
  std::unique_ptr<engine::IkeResponder> front_;
  std::vector<std::unique_ptr<test::Mobile>> mobiles_;
  std::vector<json> all_events_;
  std::vector<engine::SendDatagram> front_sent_;
};

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
  // One IKE_SA_INIT decision line per request, each with its reason.
  std::vector<json> decisions;
  for (const auto& d : events_of("decision")) {
    if (d["point"] == "ike-sa-init") {
      decisions.push_back(d);
    }
  }
  ASSERT_EQ(decisions.size(), 8U);
  int room = 0;
  int overload = 0;
  for (const auto& d : decisions) {
    room += d["reason"] == "room" ? 1 : 0;
    overload += d["reason"] == "overload" && d["target"] == kHa2.to_string() ? 1 : 0;
  }
  EXPECT_EQ(room, 3);
  EXPECT_EQ(overload, 5);
  EXPECT_EQ(events_of("sa-established").size(), 3U);
}

TEST_F(HaCoreTest, Issue4EstablishedSaKeepsItsReservationPastTheTtlAndReleasesItWhenItGoes) {
  build(pool_config(2), 2);
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 2U);
  run_core_until(clock_.now() + 5 * config_.reservation_ttl);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 2U);
  EXPECT_GT(core_->ledger().counters().get(ha::policy::LedgerCounter::Refreshed), 0U);
  // Still full: a third initiator is not served.
  auto third = core_->init_decision().decide(
      engine::InitRequest{mn_address(9), kHa1, true, std::nullopt, {}, 0}, clock_.now());
  EXPECT_TRUE(std::holds_alternative<engine::Redirect>(third));

  // The MN deletes its IKE SA: the slot comes back.
  ASSERT_TRUE(mobiles_[0]->sa->request_delete(clock_.now()));
  pump();
  EXPECT_EQ(core_->peer_records().size(), 1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_EQ(core_->ledger().counters().get(ha::policy::LedgerCounter::ReleasedAfterEstablished),
            1U);
  EXPECT_EQ(events_of("sa-removed").size(), 1U);
  EXPECT_EQ(core_->address_pool().leased(), 1U);  // no binding held its home address
}

TEST_F(HaCoreTest, R5685_20_R5142_33_DrainMovesIkeOnlyPeersWithGatewayRedirectsAtTheRate) {
  build(pool_config(5), 3);
  start_all();
  ASSERT_EQ(core_->peer_records().size(), 3U);
  const base::TimePoint t0 = clock_.now();
  const json answer = core_->control({{"cmd", "drain"}, {"grace_s", 7}}, t0);
  EXPECT_EQ(answer["ok"], true);
  EXPECT_EQ(answer["queued"], 3);
  run_core_until(t0 + seconds(10));
  ASSERT_EQ(redirector_.calls.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(redirector_.calls[i].target, kHa2);  // the best pool HA
    EXPECT_EQ(redirector_.calls[i].grace, seconds(7));
    // The first at once, then one per drain interval (R5142-33 rate, no burst).
    EXPECT_EQ(redirector_.calls[i].at - t0, seconds(static_cast<int>(i)));
  }
  // Each call names a different established SA.
  EXPECT_NE(redirector_.calls[0].spi_r, redirector_.calls[1].spi_r);
  EXPECT_NE(redirector_.calls[1].spi_r, redirector_.calls[2].spi_r);
  // Moved peers give their slots back; nothing new is admitted while draining.
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);
  auto late = core_->init_decision().decide(
      engine::InitRequest{mn_address(9), kHa1, true, std::nullopt, {}, 0}, clock_.now());
  EXPECT_TRUE(std::holds_alternative<engine::Redirect>(late));
  const auto moves = events_of("move");
  ASSERT_EQ(moves.size(), 3U);
  for (const auto& m : moves) {
    EXPECT_EQ(m["kind"], "gateway-redirect");
    EXPECT_EQ(m["result"], "sent");
  }
  const json peers = core_->peers();
  for (const auto& p : peers["peers"]) {
    EXPECT_EQ(p["moved_to"], kHa2.to_string());
  }
  EXPECT_EQ(core_->status(clock_.now())["admin_state"], "draining");
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
  core_->on_timer(clock_.now());
  EXPECT_TRUE(redirector_.calls.empty());  // never a gateway-initiated REDIRECT (R5685-33)
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
  const auto moves = events_of("move");
  ASSERT_EQ(moves.size(), 1U);
  EXPECT_EQ(moves[0]["kind"], "ha-switch");
}

TEST_F(HaCoreTest, ResumeStopsTheDrainAndServesAgain) {
  build(pool_config(5), 2);
  start_all();
  (void)core_->control({{"cmd", "drain"}}, clock_.now());
  core_->on_timer(clock_.now());  // the first move goes at once
  const json r = core_->control({{"cmd", "resume"}}, clock_.now());
  EXPECT_EQ(r["admin_state"], "serving");
  run_core_until(clock_.now() + seconds(30));
  EXPECT_EQ(redirector_.calls.size(), 1U);  // the second was never sent
  auto again = core_->init_decision().decide(
      engine::InitRequest{mn_address(9), kHa1, true, std::nullopt, {}, 0}, clock_.now());
  EXPECT_TRUE(std::holds_alternative<engine::Serve>(again));
}

TEST_F(HaCoreTest, ControlAnswersStatusAndPeersAndRefusesNonsense) {
  build(pool_config(5), 2);
  start_all();
  const json s = core_->control({{"cmd", "status"}}, clock_.now());
  EXPECT_EQ(s["ok"], true);
  EXPECT_EQ(s["admin_state"], "serving");
  EXPECT_EQ(s["capacity"], 5);
  EXPECT_EQ(s["reservations"], 2);
  EXPECT_EQ(s["established_sas"], 2);
  EXPECT_EQ(s["counters"]["admission"]["init-served"], 2);
  EXPECT_EQ(s["counters"]["reasons"]["room"], 2);
  const json p = core_->control({{"cmd", "peers"}}, clock_.now());
  ASSERT_EQ(p["peers"].size(), 2U);
  std::set<std::string> identities;
  std::set<std::string> home_addresses;
  for (const auto& peer : p["peers"]) {
    identities.insert(peer["identity"].get<std::string>());
    home_addresses.insert(peer.value("home_address", ""));
  }
  EXPECT_EQ(identities, (std::set<std::string>{"mn1.example.org", "mn2.example.org"}));
  EXPECT_EQ(home_addresses, (std::set<std::string>{"2001:db8:3::1", "2001:db8:3::2"}));
  for (const json& bad : {json{{"cmd", "explode"}}, json{{"x", 1}}, json::array(),
                          json{{"cmd", "drain"}, {"grace_s", "soon"}}}) {
    const json a = core_->control(bad, clock_.now());
    EXPECT_EQ(a["ok"], false) << bad.dump();
  }
  EXPECT_EQ(core_->counters().get(CoreCounter::ControlErrors), 4U);
  EXPECT_EQ(core_->status(clock_.now())["admin_state"], "serving");
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
  for (const auto& d : events_of("decision")) {
    logged = logged || (d["point"] == "ike-auth" && d["reason"] == "assigned-elsewhere");
  }
  EXPECT_TRUE(logged);
}

// Issue 4 bug: peers were keyed by their first SPIr, so an IKE SA rekey (RFC 7296 1.3.2, in
// place: ike_rekey.h) lost them. The record follows the SA to its new SPIs, keeps (and
// refreshes) its reservation, and a drain redirects the rekeyed SA (R5685-15), which goes
// after the grace period (R5685-20) with its slot given back exactly once.
TEST_F(HaCoreTest, R5685_15_R5685_20_PeerSurvivesIkeSaRekeyAndIsDrainedOnItsNewSpis) {
  build(pool_config(5), 1);
  core_->set_gateway_redirector(&front_redirector_);
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
  const json peers = core_->peers()["peers"];
  ASSERT_EQ(peers.size(), 1U);
  EXPECT_EQ(peers[0]["spi_i"], ::ike::wire::to_string(mn.spi_i()));
  EXPECT_EQ(peers[0]["spi_r"], ::ike::wire::to_string(mn.spi_r()));
  EXPECT_EQ(peers[0]["rekeys"], 1);
  EXPECT_EQ(peers[0]["reservation"], true);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_EQ(core_->counters().get(CoreCounter::SasRekeyed), 1U);
  const auto rekeyed = events_of("sa-rekeyed");
  ASSERT_EQ(rekeyed.size(), 1U);
  EXPECT_EQ(rekeyed[0]["old_spi_r"], ::ike::wire::to_string(::ike::wire::Spi(first_spi_r)));

  const base::TimePoint t0 = clock_.now();
  (void)core_->control({{"cmd", "drain"}, {"grace_s", 5}}, t0);
  run_all_until(t0 + seconds(1));
  ASSERT_EQ(front_redirector_.calls.size(), 1U);
  EXPECT_EQ(front_redirector_.calls[0],
            std::make_pair(mn.spi_i().value(), mn.spi_r().value()));  // the current SPIs
  EXPECT_EQ(core_->counters().get(CoreCounter::GatewayRedirectsSent), 1U);
  const auto got = mobile_events<engine::GatewayRedirectReceived>(0);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0]->gateway.ipv6_addr(), kHa2);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);

  // The grace period ends: the HA deletes the SA; the record goes, nothing is released twice.
  run_all_until(t0 + seconds(30));
  EXPECT_TRUE(core_->peer_records().empty());
  EXPECT_EQ(core_->ledger().counters().get(ha::policy::LedgerCounter::ReleasedAfterEstablished),
            1U);
  EXPECT_EQ(core_->counters().get(CoreCounter::SasRemoved), 1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 0U);
  EXPECT_EQ(core_->address_pool().leased(), 0U);
  const auto removed = events_of("sa-removed");
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0]["spi_r"], ::ike::wire::to_string(mn.spi_r()));
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
  EXPECT_EQ(core_->ledger().counters().get(ha::policy::LedgerCounter::ReleasedAfterEstablished),
            1U);
  EXPECT_EQ(core_->binding_engine().binding_cache().snapshot().reservations, 1U);
  EXPECT_EQ(core_->address_pool().leased(), 1U);
  EXPECT_EQ(events_of("sa-removed").size(), 1U);
}

// R5685-35 through the adapters and the front: the IKE_SA_INIT REDIRECT names a pool HA by
// the FQDN configured for it (GW Ident Type 3 on the wire, no terminator), an identity
// assigned to an HA known by name only is redirected to that name at IKE_AUTH, and a drain's
// gateway-initiated REDIRECT carries the name as well. Each decision line shows the name.
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
  for (const auto& d : events_of("decision")) {
    if (d["outcome"] == "redirected") {
      ++named;
      EXPECT_TRUE(d.contains("target_fqdn")) << d.dump();
      if (d["point"] == "ike-auth") {
        EXPECT_EQ(d["target_fqdn"], "ha9.mip6.example");
        EXPECT_FALSE(d.contains("target"));  // no address for it
      }
    }
  }
  EXPECT_EQ(named, 2);

  (void)core_->start_drain(seconds(5), clock_.now());
  core_->on_timer(clock_.now());
  ASSERT_EQ(redirector_.calls.size(), 1U);
  EXPECT_EQ(redirector_.calls[0].identity, ::ike::wire::GwIdentity::fqdn("ha2.mip6.example"));
  const auto moves = events_of("move");
  ASSERT_EQ(moves.size(), 1U);
  EXPECT_EQ(moves[0]["target_fqdn"], "ha2.mip6.example");
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
  auto decisions = events_of("decision");
  ASSERT_EQ(decisions.size(), 1U);
  EXPECT_EQ(decisions[0]["point"], "ike-sa-init");
  EXPECT_EQ(decisions[0]["outcome"], "redirected");
  EXPECT_EQ(decisions[0]["reason"], "anycast-to-self");
  EXPECT_EQ(decisions[0]["target"], kHa1.to_string());

  engine::IkeSaConfig again = test::mn_config();
  again.local_id = ::ike::wire::IdPayload::make_fqdn("mn1.example.org");
  again.request_address = true;
  again.redirected_from = ::ike::wire::GwIdentity::ipv6(kAnycast);
  mobiles_[0] = std::make_unique<test::Mobile>(2000, again);
  ASSERT_TRUE(mobiles_[0]->sa->initiate(path_of(0), clock_.now()));
  pump();
  EXPECT_EQ(mobiles_[0]->sa->state(), engine::IkeSaState::Established);
  ASSERT_EQ(core_->peer_records().size(), 1U);
  const auto established = events_of("sa-established");
  ASSERT_EQ(established.size(), 1U);
  EXPECT_EQ(established[0]["redirected_from"], kAnycast.to_string());
  decisions = events_of("decision");
  ASSERT_EQ(decisions.size(), 3U);  // + served at IKE_SA_INIT, continued at IKE_AUTH
  EXPECT_EQ(decisions[1]["reason"], "room");
}

}  // namespace
}  // namespace ha::daemon
