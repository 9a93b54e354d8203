#include "ha/policy/admission_policy.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "tests/support/fake_clock.h"

namespace ha::policy {
namespace {

namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using mip6::binding::BindingCache;
using mip6::binding::BindingParams;
using mip6::binding::HomeAgentsList;
using mip6::binding::ReservationId;
using std::chrono::milliseconds;
using std::chrono::seconds;

base::Ip6Addr ip(const char* text) {
  return *base::Ip6Addr::parse(text);
}

// Deterministic "random" source: a Weyl sequence, so equal-preference shuffles still vary.
mip6::binding::RandomSource fixed_rng() {
  return [n = std::uint64_t{0}]() mutable {
    n += 0x9e3779b97f4a7c15ULL;
    return n ^ (n >> 29);
  };
}

const base::Ip6Addr kSelf = ip("2001:db8::1");
const base::Ip6Addr kAnycast = ip("2001:db8::a");
const base::Ip6Addr kHa2 = ip("2001:db8::2");  // preference 20
const base::Ip6Addr kHa3 = ip("2001:db8::3");  // preference 20
const base::Ip6Addr kHa4 = ip("2001:db8::4");  // preference 5

base::Ip6Addr mn(int i) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0xcc};
  b[14] = static_cast<std::uint8_t>(i >> 8);
  b[15] = static_cast<std::uint8_t>(i);
  return base::Ip6Addr(b);
}

// The answer alternatives of a decision, and what they carry.
template <class T, class Answer>
bool is(const PolicyAnswer<Answer>& d) {
  return std::holds_alternative<T>(d.answer);
}
template <class Answer>
std::uint64_t tag_of(const PolicyAnswer<Answer>& d) {
  return std::get<engine::Serve>(d.answer).tag;
}
template <class Answer>
const wire::GwIdentity& gateway_of(const PolicyAnswer<Answer>& d) {
  return std::get<engine::Redirect>(d.answer).gateway;
}
template <class Answer>
std::optional<wire::NotifyType> refusal_of(const PolicyAnswer<Answer>& d) {
  return std::get<engine::Refuse>(d.answer).notify;
}
const std::optional<wire::NotifyType> kNoProposalChosen = wire::NotifyType::NoProposalChosen;

engine::AuthRequest auth(const char* identity, const base::Ip6Addr& initiator,
                         bool redirect_supported, std::uint64_t tag) {
  engine::AuthRequest r;
  r.peer_id = wire::IdPayload::from_text(identity);
  r.initiator = initiator;
  r.redirect_supported = redirect_supported;
  r.tag = tag;
  return r;
}

engine::MoveRequest served(const base::Ip6Addr& initiator,
                           std::optional<base::Ip6Addr> home_address, bool redirect_supported) {
  engine::MoveRequest r;
  r.initiator = initiator;
  r.home_address = home_address;
  r.redirect_supported = redirect_supported;
  return r;
}

class AdmissionPolicyTest : public ::testing::Test {
 protected:
  void build(std::uint32_t capacity, bool with_pool = true) {
    policy_.reset();
    ledger_.reset();
    cache_ = std::make_unique<BindingCache>(
        BindingCache::Config{capacity, seconds(30), seconds(10)}, clock_.now());
    ledger_ = std::make_unique<ReservationLedger>(*cache_, ReservationLedger::Config{});
    hal_ = std::make_unique<HomeAgentsList>(mip6::binding::HomeAgentsListConfig{}, fixed_rng());
    // Our own entry has the best preference: choose_target must still never pick it.
    hal_->set_configured(ip("fe80::1"), {kSelf}, 100, /*self=*/true);
    if (with_pool) {
      hal_->set_configured(ip("fe80::2"), {kHa2}, 20, false);
      hal_->set_configured(ip("fe80::3"), {kHa3}, 20, false);
      hal_->set_configured(ip("fe80::4"), {kHa4}, 5, false);
    }
    auto p = AdmissionPolicy::create(config_, *ledger_, *hal_, fixed_rng());
    ASSERT_TRUE(p.has_value());
    policy_ = std::make_unique<AdmissionPolicy>(std::move(*p));
  }

  static AdmissionPolicyConfig default_config() {
    AdmissionPolicyConfig c;
    c.unicast_addresses = {kSelf};
    c.anycast_address = kAnycast;
    return c;
  }

  engine::InitRequest supported(int i, base::Ip6Addr local = kSelf) {
    engine::InitRequest r;
    r.initiator = mn(i);
    r.local = local;
    r.redirect_supported = true;
    return r;
  }
  engine::InitRequest unsupported(int i, base::Ip6Addr local = kSelf) {
    engine::InitRequest r = supported(i, local);
    r.redirect_supported = false;
    return r;
  }

  void bind(const base::Ip6Addr& hoa, const base::Ip6Addr& coa) {
    BindingParams p;
    p.home_address = hoa;
    p.care_of_address = coa;
    p.lifetime_units = 100;
    ASSERT_TRUE(cache_->commit(p, ReservationId{}, clock_.now()).has_value());
  }

  void fill_cache() {
    while (cache_->reserve(clock_.now()).has_value()) {
    }
  }

  test::FakeClock clock_;
  AdmissionPolicyConfig config_ = default_config();
  std::unique_ptr<BindingCache> cache_;
  std::unique_ptr<ReservationLedger> ledger_;
  std::unique_ptr<HomeAgentsList> hal_;
  std::unique_ptr<AdmissionPolicy> policy_;
};

TEST_F(AdmissionPolicyTest, ConfigIsValidated) {
  build(10);
  auto bad = [&](AdmissionPolicyConfig c) {
    auto p = AdmissionPolicy::create(std::move(c), *ledger_, *hal_, fixed_rng());
    EXPECT_FALSE(p.has_value());
    return p.has_value() ? AdmissionConfigError::NoUnicastAddress : p.error();
  };
  AdmissionPolicyConfig c = default_config();
  c.unicast_addresses.clear();
  EXPECT_EQ(bad(c), AdmissionConfigError::NoUnicastAddress);
  c = default_config();
  c.anycast_address = kSelf;
  EXPECT_EQ(bad(c), AdmissionConfigError::AnycastIsUnicast);
  c = default_config();
  c.redirect_load_threshold = 0.0;
  EXPECT_EQ(bad(c), AdmissionConfigError::BadThreshold);
  c.redirect_load_threshold = 1.5;
  EXPECT_EQ(bad(c), AdmissionConfigError::BadThreshold);
  c = default_config();
  c.drain_interval = base::Duration::zero();
  EXPECT_EQ(bad(c), AdmissionConfigError::BadDrainInterval);
  c = default_config();
  c.drain_jitter = -milliseconds(1);
  EXPECT_EQ(bad(c), AdmissionConfigError::BadDrainJitter);
}

TEST_F(AdmissionPolicyTest, ServesWithReservationWhileThereIsRoom) {
  build(10);
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::Room);
  ASSERT_NE(tag_of(d), 0U);
  // The ledger holds the reservation behind the Serve's tag.
  EXPECT_EQ(ledger_->state(tag_of(d)), ReservationLedger::State::Reserved);
  EXPECT_TRUE(cache_->is_reserved(*ledger_->reservation(tag_of(d))));
  EXPECT_EQ(cache_->snapshot().reservations, 1U);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::InitServed), 1U);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::Reserved), 1U);
  EXPECT_EQ(policy_->reason_counters().get(AdmissionReason::Room), 1U);
}

TEST_F(AdmissionPolicyTest, R5685_03_NeverRedirectsWithoutSupportServesWhileRoom) {
  config_.redirect_load_threshold = 0.5;
  build(4);
  ASSERT_TRUE(cache_->reserve(clock_.now()).has_value());
  ASSERT_TRUE(cache_->reserve(clock_.now()).has_value());  // load 0.5 >= threshold
  // Over the threshold but not full: a non-supporting initiator is served, not redirected.
  auto d = policy_->decide_at_ike_sa_init(unsupported(1), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::NoRedirectSupport);
  EXPECT_NE(tag_of(d), 0U);
  fill_cache();
  d = policy_->decide_at_ike_sa_init(unsupported(2), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::FullNoRedirectSupport);
  EXPECT_EQ(refusal_of(d), kNoProposalChosen);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::InitRedirected), 0U);
}

TEST_F(AdmissionPolicyTest, R5685_12_FullRedirectsToBestPreferenceNeverSelfAndSpreads) {
  build(0);
  std::set<base::Ip6Addr> targets;
  for (int i = 0; i < 40; ++i) {
    auto d = policy_->decide_at_ike_sa_init(supported(i), clock_.now());
    ASSERT_TRUE(is<engine::Redirect>(d));
    EXPECT_EQ(d.reason, AdmissionReason::Overload);
    targets.insert(*d.target);
  }
  // Both preference-20 HAs, never ourselves (preference 100) nor the worse HA.
  EXPECT_EQ(targets, (std::set<base::Ip6Addr>{kHa2, kHa3}));
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::InitRedirected), 40U);
  EXPECT_EQ(cache_->snapshot().reservations, 0U);
}

TEST_F(AdmissionPolicyTest, R5685_09_RedirectedFromImpliesSupportAndExcludesThatGateway) {
  build(0);
  for (int i = 0; i < 10; ++i) {
    engine::InitRequest r = unsupported(i);
    r.redirected_from = wire::GwIdentity::ipv6(kHa2);
    auto d = policy_->decide_at_ike_sa_init(r, clock_.now());
    ASSERT_TRUE(is<engine::Redirect>(d));
    EXPECT_EQ(d.target, kHa3);
  }
}

TEST_F(AdmissionPolicyTest, InitiatorWithBindingIsNeverRedirected) {
  config_.redirect_load_threshold = 0.5;
  build(2);
  bind(ip("2001:db8:1::10"), mn(1));  // CoA = the initiator
  bind(ip("2001:db8:1::11"), ip("2001:db8:2::11"));
  ASSERT_TRUE(cache_->snapshot().full());
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::ExistingBinding);
  EXPECT_EQ(tag_of(d), 0U);  // needs no slot
  // Home address match too (an MN at home runs IKE from its home address).
  engine::InitRequest at_home = supported(0);
  at_home.initiator = ip("2001:db8:1::11");
  d = policy_->decide_at_ike_sa_init(at_home, clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::ExistingBinding);
  // Even while draining.
  policy_->set_admin_state(HaAdminState::Draining);
  d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  EXPECT_TRUE(is<engine::Serve>(d));
  // Once de-registered, it is an ordinary newcomer again.
  policy_->set_admin_state(HaAdminState::Serving);
  ASSERT_TRUE(
      cache_->deregister(ip("2001:db8:1::10"), mip6::binding::BindingSequence{2}, clock_.now()));
  bind(ip("2001:db8:1::12"), ip("2001:db8:2::12"));  // full again
  d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
}

TEST_F(AdmissionPolicyTest, InjectedLookupReplacesTheCacheIndex) {
  build(0);
  auto p = AdmissionPolicy::create(config_, *ledger_, *hal_, fixed_rng(),
                                   [](const base::Ip6Addr& a) { return a == mn(7); });
  ASSERT_TRUE(p.has_value());
  auto d = p->decide_at_ike_sa_init(supported(7), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::ExistingBinding);
  d = p->decide_at_ike_sa_init(supported(8), clock_.now());
  EXPECT_TRUE(is<engine::Redirect>(d));
}

TEST_F(AdmissionPolicyTest, DrainingRedirectsSupportersRefusesOthers) {
  config_.admin_state = HaAdminState::Draining;
  build(100);
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.reason, AdmissionReason::Draining);
  EXPECT_NE(d.target, kSelf);
  // R5685-03: no support, no redirect: refused although there is room.
  d = policy_->decide_at_ike_sa_init(unsupported(2), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::DrainingNoRedirectSupport);
  EXPECT_EQ(cache_->snapshot().reservations, 0U);
}

TEST_F(AdmissionPolicyTest, DrainingWithoutTargetRefuses) {
  config_.admin_state = HaAdminState::Draining;
  build(100, /*with_pool=*/false);
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::DrainingNoTarget);
}

TEST_F(AdmissionPolicyTest, R5685_12_R5685_13_AnycastGoesToOurUnicastWhenRoom) {
  build(1);
  auto d = policy_->decide_at_ike_sa_init(supported(1, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.target, kSelf);
  EXPECT_EQ(d.reason, AdmissionReason::AnycastToSelf);
  EXPECT_EQ(cache_->snapshot().reservations, 0U);  // reserved when it comes back on unicast
  // It comes back on unicast naming the anycast address: served there.
  engine::InitRequest back = unsupported(1);
  back.redirected_from = wire::GwIdentity::ipv6(kAnycast);
  d = policy_->decide_at_ike_sa_init(back, clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  // Full: the anycast request goes to a pool HA, still never to the anycast address.
  d = policy_->decide_at_ike_sa_init(supported(2, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.reason, AdmissionReason::AnycastToPool);
  EXPECT_TRUE(d.target == kHa2 || d.target == kHa3);
}

TEST_F(AdmissionPolicyTest, R5685_12_R5685_03_AnycastWithoutSupportOrTargetIsRefused) {
  build(0, /*with_pool=*/false);
  auto d = policy_->decide_at_ike_sa_init(unsupported(1, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::AnycastNoRedirectSupport);
  d = policy_->decide_at_ike_sa_init(supported(2, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::FullNoTarget);
}

TEST_F(AdmissionPolicyTest, R5685_12_AnycastWithoutPoolTarget) {
  config_.redirect_load_threshold = 0.5;
  build(2, /*with_pool=*/false);
  ASSERT_TRUE(cache_->reserve(clock_.now()).has_value());
  // Over the threshold, not full, nobody else: still our own unicast address.
  auto d = policy_->decide_at_ike_sa_init(supported(1, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.target, kSelf);
  // Draining with nowhere to send it: refused, never served on the anycast address.
  policy_->set_admin_state(HaAdminState::Draining);
  d = policy_->decide_at_ike_sa_init(supported(2, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::DrainingNoTarget);
}

TEST_F(AdmissionPolicyTest, R5685_12_AnycastFromBoundPeerGoesToOurUnicast) {
  build(1);
  bind(ip("2001:db8:1::10"), mn(1));
  auto d = policy_->decide_at_ike_sa_init(supported(1, kAnycast), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.target, kSelf);
}

TEST_F(AdmissionPolicyTest, HalfOpenLimitRedirectsOrDrops) {
  config_.max_half_open_ike_sas = 3;
  build(1000);
  engine::InitRequest r = supported(1);
  r.half_open = 3;
  auto d = policy_->decide_at_ike_sa_init(r, clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.reason, AdmissionReason::HalfOpenLimit);
  r = unsupported(2);
  r.half_open = 3;
  d = policy_->decide_at_ike_sa_init(r, clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::HalfOpenLimit);
  EXPECT_EQ(refusal_of(d), std::nullopt);
  r.half_open = 2;
  EXPECT_TRUE(is<engine::Serve>(policy_->decide_at_ike_sa_init(r, clock_.now())));
}

TEST_F(AdmissionPolicyTest, LoadCountsBindingsReservationsAndHalfOpenOnce) {
  config_.redirect_load_threshold = 0.5;
  build(10);
  bind(ip("2001:db8:1::10"), ip("2001:db8:2::10"));
  ASSERT_TRUE(cache_->reserve(clock_.now()).has_value());
  ASSERT_TRUE(cache_->reserve(clock_.now()).has_value());
  // 1 binding + max(2 reservations, 2 half-open) = 3 of 10.
  EXPECT_DOUBLE_EQ(policy_->load(2), 0.3);
  // Half-open SAs beyond the reservations count: 1 + 4 = 5 of 10 = the threshold.
  EXPECT_DOUBLE_EQ(policy_->load(4), 0.5);
  engine::InitRequest r = supported(1);
  r.half_open = 4;
  EXPECT_TRUE(is<engine::Redirect>(policy_->decide_at_ike_sa_init(r, clock_.now())));
  r.half_open = 3;
  EXPECT_TRUE(is<engine::Serve>(policy_->decide_at_ike_sa_init(r, clock_.now())));
}

TEST_F(AdmissionPolicyTest, NoTargetFallsBackToServingWhenRoom) {
  config_.redirect_load_threshold = 0.5;
  build(2, /*with_pool=*/false);
  ASSERT_TRUE(cache_->reserve(clock_.now()).has_value());
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::NoTargetFallback);
  EXPECT_NE(tag_of(d), 0U);
  d = policy_->decide_at_ike_sa_init(supported(2), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  EXPECT_EQ(d.reason, AdmissionReason::FullNoTarget);
  EXPECT_EQ(refusal_of(d), kNoProposalChosen);
}

TEST_F(AdmissionPolicyTest, R5142_33_PoolLoadReportsSteerAndAreConsumedByRedirects) {
  build(0);
  auto& pool = policy_->pool_load();
  pool.report(kHa2, 1, clock_.now());
  pool.report(kHa3, 0, clock_.now());
  auto target = [&](int i) {
    auto d = policy_->decide_at_ike_sa_init(supported(i), clock_.now());
    EXPECT_TRUE(is<engine::Redirect>(d));
    return d.target.value_or(base::Ip6Addr{});
  };
  EXPECT_EQ(target(1), kHa2);  // the only preference-20 HA with a free slot
  EXPECT_EQ(pool.free_slots(kHa2, clock_.now()), std::optional<std::uint32_t>(0));
  EXPECT_EQ(target(2), kHa4);  // its slot is taken by our own redirect: next preference
  // Reports go stale: unknown HAs are presumed to have room again.
  clock_.advance(seconds(31));
  EXPECT_EQ(pool.free_slots(kHa2, clock_.now()), std::nullopt);
  const auto t = target(3);
  EXPECT_TRUE(t == kHa2 || t == kHa3);
}

TEST_F(AdmissionPolicyTest, UnknownPoolMembersCanBeTreatedAsFull) {
  config_.pool_load.unknown_has_capacity = false;
  build(0);
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Refuse>(d));
  policy_->pool_load().report(kHa4, 5, clock_.now());
  d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.target, kHa4);
}

// N concurrent IKE_SA_INITs, all decided before any IKE_AUTH or binding: exactly K served.
TEST_F(AdmissionPolicyTest, RaceConcurrentBootstrapsNeverOvershootCapacity) {
  constexpr int kCapacity = 7;
  constexpr int kInitiators = 25;
  build(kCapacity);
  int served = 0;
  int redirected = 0;
  std::set<std::uint64_t> ids;
  std::uint32_t half_open = 0;
  for (int i = 0; i < kInitiators; ++i) {
    engine::InitRequest r = supported(i);
    r.half_open = half_open;
    auto d = policy_->decide_at_ike_sa_init(r, clock_.now());
    if (const auto* s = std::get_if<engine::Serve>(&d.answer)) {
      ++served;
      ++half_open;  // each served initiator now has a half-open IKE SA holding a reservation
      ids.insert(s->tag);
    } else {
      ASSERT_TRUE(is<engine::Redirect>(d));
      ++redirected;
    }
  }
  EXPECT_EQ(served, kCapacity);
  EXPECT_EQ(redirected, kInitiators - kCapacity);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kCapacity));  // distinct reservations
  EXPECT_EQ(ledger_->size(), static_cast<std::size_t>(kCapacity));
  EXPECT_EQ(cache_->snapshot().reservations, static_cast<std::uint32_t>(kCapacity));
  EXPECT_EQ(cache_->snapshot().bindings, 0U);
}

TEST_F(AdmissionPolicyTest, RaceUnsupportedInitiatorsAdmitExactlyKRefuseRest) {
  build(3);
  int served = 0;
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    auto d = policy_->decide_at_ike_sa_init(unsupported(i), clock_.now());
    served += is<engine::Serve>(d) ? 1 : 0;
    refused += is<engine::Refuse>(d) ? 1 : 0;
  }
  EXPECT_EQ(served, 3);
  EXPECT_EQ(refused, 7);
  // Reservations of abandoned bootstraps expire and free their slots.
  clock_.advance(seconds(31));
  EXPECT_TRUE(is<engine::Serve>(policy_->decide_at_ike_sa_init(unsupported(99), clock_.now())));
}

TEST_F(AdmissionPolicyTest, R5685_21_IkeAuthRedirectsByAssignmentAndReleasesReservation) {
  config_.assignments["alice@example.org"] = kHa3;
  config_.assignments["bob@example.org"] = kSelf;
  build(10);
  auto init = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(init));
  const std::uint64_t tag = tag_of(init);
  const ReservationId id = *ledger_->reservation(tag);
  auto d = policy_->decide_at_ike_auth(auth("alice@example.org", mn(1), true, tag), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_EQ(d.target, kHa3);
  EXPECT_EQ(d.reason, AdmissionReason::AssignedElsewhere);
  EXPECT_FALSE(cache_->is_reserved(id));
  EXPECT_EQ(ledger_->state(tag), std::nullopt);  // the ledger let go of it
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::ReservationsReleased), 1U);

  d = policy_->decide_at_ike_auth(auth("bob@example.org", mn(2), true, 0), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::NotAssignedElsewhere);
  d = policy_->decide_at_ike_auth(auth("carol@example.org", mn(3), true, 0), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
}

TEST_F(AdmissionPolicyTest, R5685_03_IkeAuthNeverRedirectsWithoutSupportOrWithBinding) {
  config_.assignments["alice@example.org"] = kHa3;
  build(10);
  auto init = policy_->decide_at_ike_sa_init(unsupported(1), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(init));
  const std::uint64_t tag = tag_of(init);
  const ReservationId id = *ledger_->reservation(tag);
  auto d = policy_->decide_at_ike_auth(auth("alice@example.org", mn(1), false, tag), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::AssignedElsewhereNoRedirectSupport);
  EXPECT_TRUE(cache_->is_reserved(id));  // kept for the binding
  bind(ip("2001:db8:1::10"), mn(5));
  d = policy_->decide_at_ike_auth(auth("alice@example.org", mn(5), true, 0), clock_.now());
  ASSERT_TRUE(is<engine::Serve>(d));
  EXPECT_EQ(d.reason, AdmissionReason::ExistingBinding);
}

TEST_F(AdmissionPolicyTest, R5685_33_BoundPeerMovesByHomeAgentSwitchOthersByRedirect) {
  build(10);
  bind(ip("2001:db8:1::10"), mn(1));
  auto d = policy_->decide_move(served(mn(1), ip("2001:db8:1::10"), true), clock_.now());
  ASSERT_TRUE(is<engine::SwitchHomeAgent>(d));
  const auto& targets = std::get<engine::SwitchHomeAgent>(d.answer).home_agents;
  ASSERT_EQ(targets.size(), 3U);  // best first, never ourselves
  EXPECT_EQ((std::set<base::Ip6Addr>{targets[0], targets[1]}),
            (std::set<base::Ip6Addr>{kHa2, kHa3}));
  EXPECT_EQ(targets[2], kHa4);
  // Found through the home address the IKE layer knows, even from another address.
  d = policy_->decide_move(served(mn(9), ip("2001:db8:1::10"), false), clock_.now());
  EXPECT_TRUE(is<engine::SwitchHomeAgent>(d));

  d = policy_->decide_move(served(mn(2), std::nullopt, true), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_NE(d.target, kSelf);
  d = policy_->decide_move(served(mn(3), std::nullopt, false), clock_.now());
  ASSERT_TRUE(is<engine::Stay>(d));
  EXPECT_EQ(d.reason, AdmissionReason::MoveNoRedirectSupport);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::MovesHaSwitch), 2U);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::MovesGatewayRedirect), 1U);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::MovesNone), 1U);
}

TEST_F(AdmissionPolicyTest, MoveWithoutPoolIsNoMove) {
  build(10, /*with_pool=*/false);
  bind(ip("2001:db8:1::10"), mn(1));
  auto d = policy_->decide_move(served(mn(1), std::nullopt, true), clock_.now());
  ASSERT_TRUE(is<engine::Stay>(d));
  EXPECT_EQ(d.reason, AdmissionReason::MoveNoTarget);
}

TEST_F(AdmissionPolicyTest, R5142_33_DrainSchedulerNeverExceedsTheSwitchRate) {
  config_.drain_interval = seconds(1);
  config_.drain_jitter = milliseconds(300);
  build(10);
  std::vector<engine::MoveRequest> peers;
  for (int i = 0; i < 6; ++i) {
    bind(mn(100 + i), mn(i));
    peers.push_back(served(mn(i), mn(100 + i), true));
  }
  EXPECT_EQ(policy_->next_deadline(), base::kNever);
  policy_->start_drain(peers, clock_.now());
  policy_->start_drain({peers[0]}, clock_.now());  // already queued: not added twice
  EXPECT_EQ(policy_->drain_pending(), 6U);
  EXPECT_EQ(policy_->next_deadline(), clock_.now());
  std::vector<base::TimePoint> sent;
  std::set<base::Duration> gaps;
  while (policy_->next_deadline() != base::kNever) {
    clock_.advance_to(policy_->next_deadline());
    // Nothing before the deadline.
    EXPECT_FALSE(policy_->on_timer(clock_.now() - milliseconds(1)).has_value());
    auto m = policy_->on_timer(clock_.now());
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(is<engine::SwitchHomeAgent>(m->decided));
    EXPECT_EQ(m->request.initiator, peers[sent.size()].initiator);  // in queue order
    if (!sent.empty()) {
      const auto gap = clock_.now() - sent.back();
      EXPECT_GE(gap, seconds(1));
      EXPECT_LT(gap, milliseconds(1300));
      gaps.insert(gap);
    }
    sent.push_back(clock_.now());
  }
  EXPECT_EQ(sent.size(), 6U);
  EXPECT_GT(gaps.size(), 1U);  // jitter applied
}

TEST_F(AdmissionPolicyTest, R5142_33_LateTimerDoesNotBurst) {
  config_.drain_jitter = base::Duration::zero();
  build(10);
  policy_->start_drain({served(mn(1), std::nullopt, true), served(mn(2), std::nullopt, true),
                        served(mn(3), std::nullopt, true)},
                       clock_.now());
  clock_.advance(seconds(30));  // the shell slept through many deadlines
  EXPECT_TRUE(policy_->on_timer(clock_.now()).has_value());
  EXPECT_FALSE(policy_->on_timer(clock_.now()).has_value());
  EXPECT_EQ(policy_->next_deadline(), clock_.now() + seconds(1));
  policy_->stop_drain();
  EXPECT_EQ(policy_->next_deadline(), base::kNever);
  EXPECT_EQ(policy_->drain_pending(), 0U);
}

TEST_F(AdmissionPolicyTest, OneEventPerDecisionWithReason) {
  config_.max_queued_events = 3;
  build(1);
  (void)policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  (void)policy_->decide_at_ike_sa_init(supported(2), clock_.now());
  (void)policy_->decide_at_ike_sa_init(unsupported(3), clock_.now());
  auto events = policy_->take_events();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].outcome, DecisionOutcome::Served);
  EXPECT_EQ(to_string(events[0].reason), "room");
  EXPECT_EQ(events[0].peer, mn(1));
  EXPECT_EQ(events[1].outcome, DecisionOutcome::Redirected);
  EXPECT_EQ(to_string(events[1].reason), "overload");
  ASSERT_TRUE(events[1].target.has_value());
  EXPECT_EQ(events[2].outcome, DecisionOutcome::Refused);
  EXPECT_EQ(to_string(events[2].reason), "full_no_redirect_support");
  EXPECT_TRUE(policy_->take_events().empty());
  for (int i = 0; i < 5; ++i) {
    (void)policy_->decide_at_ike_sa_init(supported(10 + i), clock_.now());
  }
  EXPECT_EQ(policy_->take_events().size(), 3U);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::EventsDropped), 2U);
  EXPECT_EQ(policy_->counters().get(AdmissionCounter::InitRedirected), 6U);
}

TEST(AdmissionPolicyNames, EveryEnumHasAName) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(AdmissionReason::kCount); ++i) {
    EXPECT_NE(to_string(static_cast<AdmissionReason>(i)), "unknown");
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(AdmissionCounter::kCount); ++i) {
    EXPECT_NE(to_string(static_cast<AdmissionCounter>(i)), "unknown");
  }
  EXPECT_EQ(to_string(engine::DecisionPoint::IkeAuth), "ike_auth");
  EXPECT_EQ(to_string(DecisionOutcome::NotMoved), "not_moved");
  EXPECT_EQ(to_string(AdmissionConfigError::BadThreshold), "bad_threshold");
}

// R5685-35: a pool HA configured with a name is named by it in every REDIRECT (IKE_SA_INIT,
// gateway-initiated); an identity assigned to an HA known only by name is redirected there at
// IKE_AUTH, with no address (the MN resolves the FQDN). The event log records the name.
TEST_F(AdmissionPolicyTest, R5685_35_TargetsAreNamedByTheirFqdnWhenConfigured) {
  config_.gateway_names = {{kHa2, "ha2.example.org"}, {kHa3, "ha3.example.org"}};
  config_.fqdn_assignments = {{"dave@example.org", "ha9.example.org"}};
  config_.assignments = {{"erin@example.org", kHa4}};
  build(1);
  fill_cache();
  auto d = policy_->decide_at_ike_sa_init(supported(1), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(d));
  EXPECT_TRUE(d.target == kHa2 || d.target == kHa3);
  EXPECT_EQ(gateway_of(d),
            wire::GwIdentity::fqdn(d.target == kHa2 ? "ha2.example.org" : "ha3.example.org"));

  auto a = policy_->decide_at_ike_auth(auth("dave@example.org", mn(2), true, 0), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(a));
  EXPECT_EQ(gateway_of(a), wire::GwIdentity::fqdn("ha9.example.org"));
  EXPECT_EQ(a.target, std::nullopt);
  EXPECT_EQ(a.reason, AdmissionReason::AssignedElsewhere);
  // An address target without a name stays an address.
  a = policy_->decide_at_ike_auth(auth("erin@example.org", mn(3), true, 0), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(a));
  EXPECT_EQ(a.target, kHa4);
  EXPECT_EQ(gateway_of(a), wire::GwIdentity::ipv6(kHa4));
  // R5685-03 holds for named targets too.
  a = policy_->decide_at_ike_auth(auth("dave@example.org", mn(4), false, 0), clock_.now());
  EXPECT_TRUE(is<engine::Serve>(a));

  auto m = policy_->decide_move(served(mn(5), std::nullopt, true), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(m));
  EXPECT_EQ(gateway_of(m),
            wire::GwIdentity::fqdn(m.target == kHa2 ? "ha2.example.org" : "ha3.example.org"));

  const auto events = policy_->take_events();
  ASSERT_EQ(events.size(), 5U);
  EXPECT_FALSE(events[0].target_fqdn.empty());
  EXPECT_EQ(events[1].target_fqdn, "ha9.example.org");
  EXPECT_FALSE(events[1].target.has_value());  // known by name only
  EXPECT_TRUE(events[2].target_fqdn.empty());
  EXPECT_EQ(events[2].target, kHa4);
}

// A pool HA reached over IPv4 (::ffff:a.b.c.d, from the daemon's config) is a fine target for
// an IKE redirect (named as IPv4, R5685-35) but never listed in an RFC 5142
// Home Agent Switch, which carries IPv6 home agent addresses.
TEST_F(AdmissionPolicyTest, R5685_35_Ipv4PoolMemberIsARedirectTargetButNoHaSwitchTarget) {
  build(10);
  const base::Ip6Addr v4 = ip("::ffff:192.0.2.9");
  hal_->set_configured(ip("fe80::9"), {v4}, 200, false);  // the best preference
  auto m = policy_->decide_move(served(mn(1), std::nullopt, true), clock_.now());
  ASSERT_TRUE(is<engine::Redirect>(m));
  EXPECT_EQ(m.target, v4);
  EXPECT_EQ(gateway_of(m), wire::GwIdentity::ipv4({192, 0, 2, 9}));
  bind(ip("2001:db8:1::10"), mn(2));
  m = policy_->decide_move(served(mn(2), ip("2001:db8:1::10"), true), clock_.now());
  ASSERT_TRUE(is<engine::SwitchHomeAgent>(m));
  for (const auto& t : std::get<engine::SwitchHomeAgent>(m.answer).home_agents) {
    EXPECT_NE(t, v4);
  }
  EXPECT_EQ(std::get<engine::SwitchHomeAgent>(m.answer).home_agents.size(), 3U);
}

}  // namespace
}  // namespace ha::policy
