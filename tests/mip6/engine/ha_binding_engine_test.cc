#include "mip6/engine/ha_binding_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/fake_clock.h"

namespace mip6::engine {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using wire::BaStatus;

base::Ip6Addr ip(const char* text) { return *base::Ip6Addr::parse(text); }

const base::Ip6Addr kHa = ip("2001:db8:1::1");
const base::Ip6Addr kHoa = ip("2001:db8:1::100");
const base::Ip6Addr kHoa2 = ip("2001:db8:1::200");
const base::Ip6Addr kHoa3 = ip("2001:db8:1::300");
const base::Ip6Addr kCoa = ip("2001:db8:77::5");
const base::Ip6Addr kCoa2 = ip("2001:db8:88::6");

// identity -> home addresses it may register.
class FakeAuthorizer final : public HomeAddressAuthorizer {
 public:
  bool may_register(std::string_view identity, const base::Ip6Addr& hoa) const override {
    auto it = allowed_.find(std::string(identity));
    return it != allowed_.end() && it->second.count(hoa) != 0;
  }
  void allow(const std::string& identity, const base::Ip6Addr& hoa) {
    allowed_[identity].insert(hoa);
  }

 private:
  std::map<std::string, std::set<base::Ip6Addr>> allowed_;
};

class HaBindingEngineTest : public ::testing::Test {
 protected:
  HaBindingEngineTest() {
    auth_.allow("mn1", kHoa);
    auth_.allow("mn2", kHoa2);
    auth_.allow("mn3", kHoa3);
    auth_.allow("mn1", ip("ff02::1"));
    auth_.allow("mn1", ip("2001:db8:2::100"));  // authorised, but not a home prefix of ours
    config_.home_agent_addresses = {kHa};
    config_.home_prefixes = {HomePrefix{ip("2001:db8:1::"), 64, base::kNever, base::kNever}};
    config_.max_lifetime = hours(1);  // 900 units
    config_.capacity = 10;
    config_.refresh_advice_fraction = 0.5;
    rebuild();
  }

  void rebuild() {
    engine_ = std::make_unique<HaBindingEngine>(config_, auth_, clock_.now());
  }

  static wire::BindingUpdate bu(std::uint16_t seq, std::uint16_t lifetime = 600,
                                bool h = true) {
    wire::BindingUpdate b;
    b.sequence = seq;
    b.ack = true;
    b.home_registration = h;
    b.lifetime = lifetime;
    return b;
  }

  static BuContext ctx(const base::Ip6Addr& hoa, const std::string_view identity,
                       const base::Ip6Addr& coa = kCoa) {
    BuContext c;
    c.source = coa;
    c.destination = kHa;
    c.home_address_option = hoa;
    c.security.esp_protected = true;
    c.security.dynamic_keying = true;
    c.security.ike_identity = identity;
    c.security.identity = binding::IkeIdentityHandle{identity.empty() ? 0U : 1U};
    return c;
  }

  std::vector<HaOutput> send(const BuContext& c, const wire::BindingUpdate& b) {
    engine_->on_binding_update(c, b, clock_.now());
    return engine_->take_outputs();
  }

  // Registers kHoa (or another) through DAD success; returns the outputs after the DAD result.
  std::vector<HaOutput> register_new(const base::Ip6Addr& hoa, std::string_view identity,
                                     const wire::BindingUpdate& b) {
    auto first = send(ctx(hoa, identity), b);
    EXPECT_EQ(count<StartDad>(first), 1U);
    engine_->on_dad_result(hoa, true, clock_.now());
    return engine_->take_outputs();
  }

  template <typename T>
  static std::size_t count(const std::vector<HaOutput>& outs) {
    std::size_t n = 0;
    for (const auto& o : outs) {
      n += std::holds_alternative<T>(o) ? 1 : 0;
    }
    return n;
  }
  template <typename T>
  static const T* first(const std::vector<HaOutput>& outs) {
    for (const auto& o : outs) {
      if (const auto* p = std::get_if<T>(&o)) {
        return p;
      }
    }
    return nullptr;
  }
  // The only BA among `outs` (fails the test if there is not exactly one).
  static const SendBindingAck& the_ack(const std::vector<HaOutput>& outs) {
    EXPECT_EQ(count<SendBindingAck>(outs), 1U);
    static const SendBindingAck kNone{};
    const auto* a = first<SendBindingAck>(outs);
    return a != nullptr ? *a : kNone;
  }
  static std::optional<std::uint16_t> bra(const wire::BindingAck& ack) {
    const auto* o = wire::find_option<wire::BindingRefreshAdviceOption>(ack.options);
    return o != nullptr ? std::optional<std::uint16_t>(o->refresh_interval) : std::nullopt;
  }
  std::uint64_t counter(HaCounter c) const { return engine_->counters().get(c); }

  // A silently dropped BU produces no BA and no kernel request: only a drop event.
  void expect_silent_drop(const std::vector<HaOutput>& outs, BuDropReason reason) {
    ASSERT_EQ(outs.size(), 1U);
    const auto* ev = first<HaEvent>(outs);
    ASSERT_NE(ev, nullptr);
    EXPECT_EQ(ev->kind, HaEventKind::BuDropped);
    EXPECT_EQ(ev->reason, to_string(reason));
  }

  test::FakeClock clock_;
  FakeAuthorizer auth_;
  HaBindingConfig config_;
  std::unique_ptr<HaBindingEngine> engine_;
};

// ------------------------------------------------------------------- first registration

TEST_F(HaBindingEngineTest, R6275_33_FirstRegistrationRunsDadBeforeTheBa) {
  auto outs = send(ctx(kHoa, "mn1"), bu(50000));  // R6275-22: any sequence without a BCE
  ASSERT_EQ(count<SendBindingAck>(outs), 0U);
  const auto* dad = first<StartDad>(outs);
  ASSERT_NE(dad, nullptr);
  EXPECT_EQ(dad->hoa, kHoa);
  EXPECT_FALSE(dad->link_local_too);
  EXPECT_EQ(engine_->pending_dad_count(), 1U);
  EXPECT_EQ(engine_->binding_cache().snapshot().reservations, 1U);  // slot held during DAD

  engine_->on_dad_result(kHoa, true, clock_.now());
  outs = engine_->take_outputs();
  const auto* route = first<AddBindingRoute>(outs);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->hoa, kHoa);
  EXPECT_EQ(route->coa, kCoa);
  // covers: R6275-42, R6275-43 (the request; the shell sends the NAs and answers NS)
  const auto* proxy = first<StartProxyNd>(outs);
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ(proxy->hoa, kHoa);
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::Accepted);
  EXPECT_EQ(ack.ack.sequence, 50000);  // R6275-39
  EXPECT_EQ(ack.ack.lifetime, 600);
  // R6275-41: to the BU's source, with a type 2 RH carrying the HoA; from the HA address.
  EXPECT_EQ(ack.destination, kCoa);
  EXPECT_EQ(ack.source, kHa);
  ASSERT_TRUE(ack.type2_home_address.has_value());
  EXPECT_EQ(*ack.type2_home_address, kHoa);

  const auto info = engine_->binding_cache().find(kHoa);
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->flags.home_registration);  // R6275-34
  EXPECT_EQ(info->care_of_address, kCoa);
  EXPECT_EQ(info->identity, binding::IkeIdentityHandle{1});
  EXPECT_EQ(engine_->binding_cache().snapshot().bindings, 1U);
  EXPECT_EQ(engine_->binding_cache().snapshot().reservations, 0U);
  EXPECT_EQ(counter(HaCounter::DadStarted), 1U);
  EXPECT_EQ(counter(HaCounter::DadSucceeded), 1U);
  EXPECT_EQ(counter(HaCounter::BindingsCreated), 1U);
  EXPECT_EQ(counter(HaCounter::BaAccepted), 1U);
}

TEST_F(HaBindingEngineTest, R6275_33_LinkLocalCompatibilityDefendsLinkLocalToo) {
  auto b = bu(1);
  b.link_local_compat = true;
  auto outs = send(ctx(kHoa, "mn1"), b);
  const auto* dad = first<StartDad>(outs);
  ASSERT_NE(dad, nullptr);
  EXPECT_TRUE(dad->link_local_too);
  engine_->on_dad_result(kHoa, true, clock_.now());
  outs = engine_->take_outputs();
  const auto* proxy = first<StartProxyNd>(outs);
  ASSERT_NE(proxy, nullptr);
  EXPECT_TRUE(proxy->link_local_too);
  EXPECT_TRUE(engine_->binding_cache().find(kHoa)->flags.link_local);
}

TEST_F(HaBindingEngineTest, R6275_33_DadFailureGivesBa134AndNoBinding) {
  send(ctx(kHoa, "mn1"), bu(7));
  engine_->on_dad_result(kHoa, false, clock_.now());
  auto outs = engine_->take_outputs();
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::DuplicateAddressDetectionFailed);
  EXPECT_EQ(ack.ack.sequence, 7);
  EXPECT_EQ(count<AddBindingRoute>(outs), 0U);
  EXPECT_EQ(count<StartProxyNd>(outs), 0U);
  EXPECT_FALSE(engine_->binding_cache().find(kHoa).has_value());
  EXPECT_EQ(engine_->binding_cache().snapshot().reservations, 0U);  // slot given back
  EXPECT_EQ(counter(HaCounter::DadFailed), 1U);
  EXPECT_EQ(counter(HaCounter::BaDadFailed), 1U);
  EXPECT_EQ(engine_->pending_dad_count(), 0U);
}

TEST_F(HaBindingEngineTest, RetransmissionDuringDadIsAnsweredOnceWithTheLatestSequence) {
  send(ctx(kHoa, "mn1"), bu(10));
  auto outs = send(ctx(kHoa, "mn1", kCoa2), bu(11));
  EXPECT_TRUE(outs.empty());  // no second DAD, no BA yet
  EXPECT_EQ(counter(HaCounter::DadPendingUpdated), 1U);
  engine_->on_dad_result(kHoa, true, clock_.now());
  outs = engine_->take_outputs();
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.sequence, 11);
  EXPECT_EQ(ack.destination, kCoa2);
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->care_of_address, kCoa2);
  EXPECT_EQ(counter(HaCounter::DadStarted), 1U);
}

TEST_F(HaBindingEngineTest, OlderBuDuringDadDoesNotReplaceThePendingOne) {
  auto b = bu(20);
  b.link_local_compat = true;
  send(ctx(kHoa, "mn1"), b);
  EXPECT_TRUE(send(ctx(kHoa, "mn1", kCoa2), bu(19)).empty());
  EXPECT_EQ(counter(HaCounter::DadPendingStale), 1U);
  engine_->on_dad_result(kHoa, true, clock_.now());
  auto outs = engine_->take_outputs();
  EXPECT_EQ(the_ack(outs).ack.sequence, 20);
  EXPECT_EQ(the_ack(outs).destination, kCoa);
  EXPECT_TRUE(engine_->binding_cache().find(kHoa)->flags.link_local);
}

TEST_F(HaBindingEngineTest, DadResultWithoutPendingBuIsIgnored) {
  engine_->on_dad_result(kHoa, true, clock_.now());
  EXPECT_TRUE(engine_->take_outputs().empty());
  EXPECT_EQ(counter(HaCounter::DadResultUnmatched), 1U);
}

TEST_F(HaBindingEngineTest, DadWithoutResultTimesOutSilently) {
  send(ctx(kHoa, "mn1"), bu(1));
  EXPECT_EQ(engine_->next_deadline(), clock_.now() + config_.dad_timeout);
  clock_.advance_to(engine_->next_deadline());
  engine_->on_timer(clock_.now());
  auto outs = engine_->take_outputs();
  EXPECT_EQ(count<SendBindingAck>(outs), 0U);
  const auto* ev = first<HaEvent>(outs);
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->kind, HaEventKind::DadTimedOut);
  EXPECT_EQ(engine_->pending_dad_count(), 0U);
  EXPECT_EQ(engine_->binding_cache().snapshot().reservations, 0U);
  EXPECT_EQ(counter(HaCounter::DadTimedOut), 1U);
  // A late result finds nothing.
  engine_->on_dad_result(kHoa, true, clock_.now());
  EXPECT_EQ(counter(HaCounter::DadResultUnmatched), 1U);
}

TEST_F(HaBindingEngineTest, PendingDadTableIsBounded) {
  config_.max_pending_dad = 1;
  rebuild();
  send(ctx(kHoa, "mn1"), bu(1));
  auto outs = send(ctx(kHoa2, "mn2"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::InsufficientResources);
  EXPECT_EQ(count<StartDad>(outs), 0U);
  EXPECT_EQ(counter(HaCounter::DadPendingFull), 1U);
  EXPECT_EQ(counter(HaCounter::BaInsufficientResources), 1U);
}

// ------------------------------------------------------------------------------- refresh

TEST_F(HaBindingEngineTest, R6275_36_RefreshIsAnsweredImmediatelyEvenWithoutA) {
  register_new(kHoa, "mn1", bu(1));
  auto b = bu(2);
  b.ack = false;
  auto outs = send(ctx(kHoa, "mn1"), b);
  EXPECT_EQ(count<StartDad>(outs), 0U);  // the binding is valid: no DAD
  EXPECT_EQ(count<AddBindingRoute>(outs), 0U);
  EXPECT_EQ(count<UpdateBindingRoute>(outs), 0U);
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::Accepted);
  EXPECT_EQ(ack.ack.sequence, 2);
  EXPECT_EQ(counter(HaCounter::BindingsRefreshed), 1U);
}

TEST_F(HaBindingEngineTest, CareOfAddressChangeUpdatesRouteAndIkeEndpoint) {
  register_new(kHoa, "mn1", bu(1));
  auto outs = send(ctx(kHoa, "mn1", kCoa2), bu(2));
  const auto* upd = first<UpdateBindingRoute>(outs);
  ASSERT_NE(upd, nullptr);
  EXPECT_EQ(upd->hoa, kHoa);
  EXPECT_EQ(upd->old_coa, kCoa);
  EXPECT_EQ(upd->coa, kCoa2);
  const auto* ike = first<IkeEndpointUpdate>(outs);
  ASSERT_NE(ike, nullptr);
  EXPECT_EQ(ike->coa, kCoa2);
  EXPECT_FALSE(ike->move_endpoint);  // K not negotiated
  EXPECT_EQ(the_ack(outs).destination, kCoa2);
  EXPECT_EQ(counter(HaCounter::BindingsMoved), 1U);
}

TEST_F(HaBindingEngineTest, AlternateCareOfAddressOptionWinsOverSource) {
  auto b = bu(1);
  b.options.emplace_back(wire::AlternateCareOfAddressOption{kCoa2});
  auto outs = register_new(kHoa, "mn1", b);
  EXPECT_EQ(first<AddBindingRoute>(outs)->coa, kCoa2);
  EXPECT_EQ(the_ack(outs).destination, kCoa);  // the BA still goes to the IPv6 source
}

// ------------------------------------------------------------------------ status codes

TEST_F(HaBindingEngineTest, R6275_24_StaleSequenceGetsBa135WithLastAccepted) {
  register_new(kHoa, "mn1", bu(100));
  for (std::uint16_t stale : {std::uint16_t{100}, std::uint16_t{99}, std::uint16_t{40000}}) {
    auto outs = send(ctx(kHoa, "mn1", kCoa2), bu(stale));
    const auto& ack = the_ack(outs);
    EXPECT_EQ(ack.ack.status, BaStatus::SequenceNumberOutOfWindow);
    EXPECT_EQ(ack.ack.sequence, 100);
    EXPECT_EQ(ack.destination, kCoa2);
  }
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->care_of_address, kCoa);  // unchanged
  EXPECT_EQ(counter(HaCounter::BaSequenceOutOfWindow), 3U);
}

TEST_F(HaBindingEngineTest, R6275_23_SequenceWrapsAround) {
  register_new(kHoa, "mn1", bu(65535));
  auto outs = send(ctx(kHoa, "mn1"), bu(0));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::Accepted);
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->sequence, binding::BindingSequence(0));
}

TEST_F(HaBindingEngineTest, R6275_25_HomeFlagChangeGetsBa139AndKeepsTheBce) {
  register_new(kHoa, "mn1", bu(1));
  auto outs = send(ctx(kHoa, "mn1"), bu(2, 600, /*h=*/false));
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::RegistrationTypeChangeDisallowed);
  EXPECT_EQ(ack.ack.sequence, 2);
  const auto info = engine_->binding_cache().find(kHoa);
  EXPECT_TRUE(info->flags.home_registration);
  EXPECT_EQ(info->sequence, binding::BindingSequence(1));
  EXPECT_EQ(counter(HaCounter::BaRegistrationTypeChange), 1U);
}

TEST_F(HaBindingEngineTest, R6275_29_NotConfiguredAsHomeAgentGetsBa131) {
  config_.home_agent = false;
  rebuild();
  auto outs = send(ctx(kHoa, "mn1"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::HomeRegistrationNotSupported);
  EXPECT_EQ(count<StartDad>(outs), 0U);
  EXPECT_EQ(counter(HaCounter::BaHomeRegistrationNotSupported), 1U);
}

TEST_F(HaBindingEngineTest, R6275_29_BuToAnAddressWeDoNotServeAsHaGetsBa131) {
  auto c = ctx(kHoa, "mn1");
  c.destination = ip("2001:db8:1::2");
  auto outs = send(c, bu(1));
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::HomeRegistrationNotSupported);
  EXPECT_EQ(ack.source, c.destination);
}

TEST_F(HaBindingEngineTest, R6275_30_HomeAddressOutsideHomePrefixesGetsBa132) {
  auto outs = send(ctx(ip("2001:db8:2::100"), "mn1"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::NotHomeSubnet);
  EXPECT_EQ(counter(HaCounter::BaNotHomeSubnet), 1U);
}

TEST_F(HaBindingEngineTest, R6275_30_InvalidPrefixIsNotHome) {
  config_.home_prefixes[0].valid_until = clock_.now() + seconds(3);  // < one 4-s unit
  rebuild();
  auto outs = send(ctx(kHoa, "mn1"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::NotHomeSubnet);
}

TEST_F(HaBindingEngineTest, R6275_31_DrainingRefusesNewBindingsWith129ButRefreshes) {
  register_new(kHoa, "mn1", bu(1));
  engine_->set_admin_state(HaAdminState::Draining);
  auto outs = send(ctx(kHoa2, "mn2"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::AdministrativelyProhibited);
  EXPECT_EQ(count<StartDad>(outs), 0U);
  outs = send(ctx(kHoa, "mn1"), bu(2));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::Accepted);
  EXPECT_EQ(counter(HaCounter::BaAdminProhibited), 1U);
}

TEST_F(HaBindingEngineTest, R6275_31_DrainingStartedDuringDadRefusesAtTheEnd) {
  send(ctx(kHoa, "mn1"), bu(1));
  engine_->set_admin_state(HaAdminState::Draining);
  engine_->on_dad_result(kHoa, true, clock_.now());
  auto outs = engine_->take_outputs();
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::AdministrativelyProhibited);
  EXPECT_FALSE(engine_->binding_cache().find(kHoa).has_value());
  EXPECT_EQ(engine_->binding_cache().snapshot().reservations, 0U);
}

TEST_F(HaBindingEngineTest, R6275_31_NoCapacityGetsBa130) {
  config_.capacity = 1;
  rebuild();
  register_new(kHoa, "mn1", bu(1));
  auto outs = send(ctx(kHoa2, "mn2"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::InsufficientResources);
  EXPECT_EQ(count<StartDad>(outs), 0U);
  EXPECT_EQ(counter(HaCounter::BaInsufficientResources), 1U);
}

TEST_F(HaBindingEngineTest, ReservationFromIkeSaIsCommittedByTheFirstBinding) {
  config_.capacity = 2;
  rebuild();
  auto& cache = engine_->binding_cache();
  // The IKE responder admitted mn2 at IKE_SA_INIT.
  auto res = cache.reserve(clock_.now());
  ASSERT_TRUE(res.has_value());
  register_new(kHoa, "mn1", bu(1));  // takes the last free slot
  EXPECT_TRUE(cache.snapshot().full());
  // mn3 holds no reservation: no room.
  auto outs = send(ctx(kHoa3, "mn3"), bu(1));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::InsufficientResources);
  // mn2 registers with its reservation.
  auto c = ctx(kHoa2, "mn2");
  c.security.reservation = *res;
  outs = send(c, bu(1));
  ASSERT_EQ(count<StartDad>(outs), 1U);
  EXPECT_EQ(cache.snapshot().reservations, 1U);  // still the one reservation, not two
  engine_->on_dad_result(kHoa2, true, clock_.now());
  outs = engine_->take_outputs();
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::Accepted);
  const auto snap = cache.snapshot();
  EXPECT_EQ(snap.bindings, 2U);
  EXPECT_EQ(snap.reservations, 0U);
  EXPECT_FALSE(cache.is_reserved(*res));
  // Both first registrations went through a reservation: mn1's held by the engine during DAD,
  // mn2's taken at IKE_SA_INIT.
  EXPECT_EQ(cache.counters().get(binding::BindingCacheCounter::ReservationsCommitted), 2U);
}

TEST_F(HaBindingEngineTest, ReservationHeldByMnWithBindingIsGivenBack) {
  register_new(kHoa, "mn1", bu(1));
  auto& cache = engine_->binding_cache();
  auto res = cache.reserve(clock_.now());  // e.g. the MN re-ran IKEv2
  ASSERT_TRUE(res.has_value());
  auto c = ctx(kHoa, "mn1");
  c.security.reservation = *res;
  send(c, bu(2));
  EXPECT_FALSE(cache.is_reserved(*res));
  EXPECT_EQ(cache.snapshot().reservations, 0U);
  EXPECT_EQ(cache.snapshot().bindings, 1U);
}

TEST_F(HaBindingEngineTest, ConcurrentFirstRegistrationsCannotOvershootCapacity) {
  config_.capacity = 2;
  rebuild();
  send(ctx(kHoa, "mn1"), bu(1));
  send(ctx(kHoa2, "mn2"), bu(1));
  auto outs = send(ctx(kHoa3, "mn3"), bu(1));  // both slots held by running DADs
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::InsufficientResources);
  engine_->on_dad_result(kHoa, true, clock_.now());
  engine_->on_dad_result(kHoa2, true, clock_.now());
  EXPECT_EQ(engine_->binding_cache().snapshot().bindings, 2U);
}

// ------------------------------------------------------------------------ silent drops

TEST_F(HaBindingEngineTest, R6275_27_NonUnicastHomeAddressIsDropped) {
  expect_silent_drop(send(ctx(ip("ff02::1"), "mn1"), bu(1)), BuDropReason::NonUnicastHomeAddress);
  EXPECT_EQ(counter(HaCounter::DropNonUnicastHomeAddress), 1U);
}

TEST_F(HaBindingEngineTest, R6275_28_BuWithoutEspIsDropped) {
  register_new(kHoa, "mn1", bu(100));
  auto c = ctx(kHoa, "mn1");
  c.security.esp_protected = false;
  // Not even a stale sequence number earns a BA: nothing leaks to an unauthenticated sender.
  expect_silent_drop(send(c, bu(5)), BuDropReason::NotEspProtected);
  EXPECT_EQ(counter(HaCounter::DropNotEspProtected), 1U);
}

TEST_F(HaBindingEngineTest, R6275_72_IdentityNotAuthorisedForHomeAddressIsDropped) {
  register_new(kHoa, "mn1", bu(1));
  // mn2's SA must not register (or hijack) mn1's home address (R4877-10).
  expect_silent_drop(send(ctx(kHoa, "mn2", kCoa2), bu(2)), BuDropReason::IdentityNotAuthorized);
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->care_of_address, kCoa);
  expect_silent_drop(send(ctx(kHoa, ""), bu(3)), BuDropReason::IdentityNotAuthorized);
  EXPECT_EQ(counter(HaCounter::DropIdentityNotAuthorized), 2U);
}

TEST_F(HaBindingEngineTest, R6275_26_NonceIndicesWithHomeRegistrationIsDropped) {
  auto b = bu(1);
  b.options.emplace_back(wire::NonceIndicesOption{1, 2});
  expect_silent_drop(send(ctx(kHoa, "mn1"), b), BuDropReason::NonceIndicesWithHomeRegistration);
  EXPECT_EQ(counter(HaCounter::DropNonceIndices), 1U);
}

TEST_F(HaBindingEngineTest, R6275_32_RegistrationWithoutHaoIsDropped) {
  auto c = ctx(kHoa, "mn1");
  c.home_address_option.reset();
  c.source = kHoa;
  auto b = bu(1);
  b.options.emplace_back(wire::AlternateCareOfAddressOption{kCoa});  // CoA != HoA: registration
  expect_silent_drop(send(c, b), BuDropReason::MissingHomeAddressOption);
  EXPECT_EQ(counter(HaCounter::DropMissingHomeAddressOption), 1U);
}

TEST_F(HaBindingEngineTest, R6275_27_CorrespondentRegistrationIsDropped) {
  expect_silent_drop(send(ctx(kHoa, "mn1"), bu(1, 600, /*h=*/false)),
                     BuDropReason::CorrespondentRegistration);
  EXPECT_EQ(counter(HaCounter::DropCorrespondentRegistration), 1U);
}

TEST_F(HaBindingEngineTest, R6275_27_NonUnicastCareOfAddressIsDropped) {
  auto b = bu(1);
  b.options.emplace_back(wire::AlternateCareOfAddressOption{ip("ff0e::1")});
  expect_silent_drop(send(ctx(kHoa, "mn1"), b), BuDropReason::InvalidCareOfAddress);
  EXPECT_EQ(counter(HaCounter::DropInvalidCareOfAddress), 1U);
}

// ------------------------------------------------------------------ lifetime and flags

TEST_F(HaBindingEngineTest, R6275_35_LifetimeClampedToPolicy) {
  auto outs = register_new(kHoa, "mn1", bu(1, 10000));
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.lifetime, 900);  // 1 h max
  EXPECT_EQ(ack.ack.status, BaStatus::Accepted);
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->expires, clock_.now() + seconds(3600));
}

TEST_F(HaBindingEngineTest, R6275_35_R6275_37_LifetimeClampedToPrefixValidLifetimeWithStatus1) {
  // 103 s valid: the two low bits are dropped, 25 units = 100 s.
  config_.home_prefixes[0].valid_until = clock_.now() + seconds(103);
  config_.home_prefixes[0].preferred_until = clock_.now() + seconds(50);
  rebuild();
  auto outs = register_new(kHoa, "mn1", bu(1, 600));
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.lifetime, 25);
  EXPECT_EQ(ack.ack.status, BaStatus::AcceptedPrefixDiscoveryNecessary);
  EXPECT_EQ(counter(HaCounter::BaAcceptedPrefixDiscovery), 1U);
  // The binding is gone when the prefix is (R6275-35).
  EXPECT_LE(engine_->binding_cache().find(kHoa)->expires,
            config_.home_prefixes[0].valid_until);
}

TEST_F(HaBindingEngineTest, R6275_37_PrefixDeprecatedWithinLifetimeGivesStatus1) {
  config_.home_prefixes[0].preferred_until = clock_.now() + seconds(1000);
  rebuild();
  auto outs = register_new(kHoa, "mn1", bu(1, 600));  // 2400 s > 1000 s
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::AcceptedPrefixDiscoveryNecessary);
  EXPECT_EQ(the_ack(outs).ack.lifetime, 600);
  // A short binding that ends before deprecation gets 0.
  outs = send(ctx(kHoa, "mn1"), bu(2, 100));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::Accepted);
  // Once deprecated, every BA says 1.
  clock_.advance(seconds(1001));
  outs = send(ctx(kHoa, "mn1"), bu(3, 10));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::AcceptedPrefixDiscoveryNecessary);
}

TEST_F(HaBindingEngineTest, R6275_38_KeyManagementBitOnlyWhenAllThreeHold) {
  struct Case {
    bool bu_k, dynamic, can_move, expect_k;
  };
  const Case cases[] = {{true, true, true, true},    {false, true, true, false},
                        {true, false, true, false},  {true, true, false, false},
                        {false, false, false, false}};
  for (const auto& tc : cases) {
    config_.can_move_ike_endpoint = tc.can_move;
    rebuild();
    auto c = ctx(kHoa, "mn1");
    c.security.dynamic_keying = tc.dynamic;
    auto b = bu(1);
    b.key_mgmt_mobility = tc.bu_k;
    send(c, b);
    engine_->on_dad_result(kHoa, true, clock_.now());
    auto outs = engine_->take_outputs();
    EXPECT_EQ(the_ack(outs).ack.key_mgmt_mobility, tc.expect_k)
        << tc.bu_k << tc.dynamic << tc.can_move;
    EXPECT_EQ(engine_->binding_cache().find(kHoa)->flags.key_mgmt, tc.expect_k);
    // On a move, the IKE endpoint follows only with K.
    b.sequence = 2;
    auto moved = ctx(kHoa, "mn1", kCoa2);
    moved.security.dynamic_keying = tc.dynamic;
    outs = send(moved, b);
    EXPECT_EQ(the_ack(outs).ack.key_mgmt_mobility, tc.expect_k);
    const auto* ike = first<IkeEndpointUpdate>(outs);
    ASSERT_NE(ike, nullptr);
    EXPECT_EQ(ike->move_endpoint, tc.expect_k);
  }
}

TEST_F(HaBindingEngineTest, R6275_12_RefreshAdviceIsBelowLifetime) {
  auto outs = register_new(kHoa, "mn1", bu(1, 600));
  const auto advice = bra(the_ack(outs).ack);
  ASSERT_TRUE(advice.has_value());
  EXPECT_EQ(*advice, 300);
  EXPECT_LT(*advice, the_ack(outs).ack.lifetime);
  // One unit granted leaves no room for an advice below it.
  outs = send(ctx(kHoa, "mn1"), bu(2, 1));
  EXPECT_EQ(the_ack(outs).ack.lifetime, 1);
  EXPECT_FALSE(bra(the_ack(outs).ack).has_value());
  // A fraction of 1 is still kept below the lifetime.
  config_.refresh_advice_fraction = 1.0;
  engine_->update_config(config_);
  outs = send(ctx(kHoa, "mn1"), bu(3, 8));
  EXPECT_EQ(bra(the_ack(outs).ack), std::optional<std::uint16_t>(7));
  config_.refresh_advice_fraction = 0.0;
  engine_->update_config(config_);
  outs = send(ctx(kHoa, "mn1"), bu(4, 8));
  EXPECT_FALSE(bra(the_ack(outs).ack).has_value());
}

TEST_F(HaBindingEngineTest, R6275_40_NoRefreshAdviceForNonVolatileCache) {
  config_.non_volatile_binding_cache = true;
  rebuild();
  auto outs = register_new(kHoa, "mn1", bu(1, 600));
  EXPECT_FALSE(bra(the_ack(outs).ack).has_value());
}

// ---------------------------------------------------------------------- de-registration

TEST_F(HaBindingEngineTest, R6275_46_R6275_47_DeregistrationThenLateRefreshGets135) {
  auto b = bu(1);
  b.link_local_compat = true;
  register_new(kHoa, "mn1", b);
  const auto refresh_sent_before = bu(2);  // delayed in the network
  auto outs = send(ctx(kHoa, "mn1"), bu(3, 0));
  // Stop intercepting at once.
  const auto* stop = first<StopProxyNd>(outs);
  ASSERT_NE(stop, nullptr);
  EXPECT_TRUE(stop->link_local_too);
  const auto* del = first<DeleteBindingRoute>(outs);
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->coa, kCoa);
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::Accepted);
  EXPECT_EQ(ack.ack.lifetime, 0);
  EXPECT_EQ(ack.ack.sequence, 3);
  EXPECT_TRUE(ack.ack.options.empty());  // no BRA
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->state,
            binding::BindingState::DeregisteredHold);
  EXPECT_EQ(engine_->binding_cache().snapshot().bindings, 0U);

  clock_.advance(seconds(5));
  outs = send(ctx(kHoa, "mn1"), refresh_sent_before);
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::SequenceNumberOutOfWindow);
  EXPECT_EQ(the_ack(outs).ack.sequence, 3);
  EXPECT_EQ(count<AddBindingRoute>(outs) + count<StartDad>(outs), 0U);

  // After MAX_DELETE_BCE_TIMEOUT the entry is gone and any sequence is accepted again.
  clock_.advance_to(engine_->next_deadline());
  engine_->on_timer(clock_.now());
  EXPECT_TRUE(engine_->take_outputs().empty());  // nothing left to undo
  EXPECT_FALSE(engine_->binding_cache().find(kHoa).has_value());
  outs = send(ctx(kHoa, "mn1"), refresh_sent_before);
  EXPECT_EQ(count<StartDad>(outs), 1U);
  EXPECT_EQ(counter(HaCounter::BindingsDeregistered), 1U);
}

TEST_F(HaBindingEngineTest, R6275_41_DeregistrationFromHomeHasNoRoutingHeader) {
  register_new(kHoa, "mn1", bu(1));
  BuContext c = ctx(kHoa, "mn1", kHoa);  // at home: source = HoA
  c.home_address_option.reset();
  auto outs = send(c, bu(2, 0));
  const auto& ack = the_ack(outs);
  EXPECT_EQ(ack.ack.status, BaStatus::Accepted);
  EXPECT_EQ(ack.destination, kHoa);
  EXPECT_FALSE(ack.type2_home_address.has_value());
  const auto* ike = first<IkeEndpointUpdate>(outs);
  ASSERT_NE(ike, nullptr);
  EXPECT_EQ(ike->coa, kHoa);  // the HoA is the new "care-of address"
}

TEST_F(HaBindingEngineTest, CareOfAddressEqualToHomeAddressDeregisters) {
  register_new(kHoa, "mn1", bu(1));
  auto b = bu(2, 600);
  b.options.emplace_back(wire::AlternateCareOfAddressOption{kHoa});
  auto outs = send(ctx(kHoa, "mn1"), b);
  EXPECT_EQ(the_ack(outs).ack.lifetime, 0);
  EXPECT_EQ(count<DeleteBindingRoute>(outs), 1U);
  EXPECT_EQ(engine_->binding_cache().find(kHoa)->state,
            binding::BindingState::DeregisteredHold);
}

TEST_F(HaBindingEngineTest, R6275_45_DeregistrationWithoutBindingGets133) {
  auto outs = send(ctx(kHoa, "mn1"), bu(1, 0));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::NotHomeAgentForThisMobileNode);
  EXPECT_EQ(count<StopProxyNd>(outs), 0U);
  EXPECT_EQ(counter(HaCounter::BaNotHomeAgent), 1U);
}

TEST_F(HaBindingEngineTest, R6275_45_DeregistrationDuringDadCancelsTheRegistration) {
  send(ctx(kHoa, "mn1"), bu(1));
  auto outs = send(ctx(kHoa, "mn1"), bu(2, 0));
  EXPECT_EQ(the_ack(outs).ack.status, BaStatus::NotHomeAgentForThisMobileNode);
  EXPECT_EQ(engine_->pending_dad_count(), 0U);
  EXPECT_EQ(engine_->binding_cache().snapshot().reservations, 0U);
  EXPECT_EQ(counter(HaCounter::DadPendingCancelled), 1U);
  engine_->on_dad_result(kHoa, true, clock_.now());
  EXPECT_TRUE(engine_->take_outputs().empty());
}

// ------------------------------------------------------------------------------ expiry

TEST_F(HaBindingEngineTest, ExpiredBindingStopsInterceptionAndRoute) {
  register_new(kHoa, "mn1", bu(1, 10));  // 40 s
  register_new(kHoa2, "mn2", bu(1, 20));
  EXPECT_EQ(engine_->next_deadline(), clock_.now() + seconds(40));
  clock_.advance_to(engine_->next_deadline());
  engine_->on_timer(clock_.now());
  auto outs = engine_->take_outputs();
  const auto* del = first<DeleteBindingRoute>(outs);
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->hoa, kHoa);
  EXPECT_EQ(del->coa, kCoa);
  ASSERT_NE(first<StopProxyNd>(outs), nullptr);
  EXPECT_EQ(first<StopProxyNd>(outs)->hoa, kHoa);
  EXPECT_EQ(first<HaEvent>(outs)->kind, HaEventKind::BindingExpired);
  EXPECT_FALSE(engine_->binding_cache().find(kHoa).has_value());
  EXPECT_TRUE(engine_->binding_cache().find(kHoa2).has_value());
  EXPECT_EQ(counter(HaCounter::BindingsExpired), 1U);
  EXPECT_EQ(engine_->next_deadline(), clock_.now() + seconds(40));
}

TEST_F(HaBindingEngineTest, CountersHaveNames) {
  for (std::size_t i = 0; i < HaCounters::size(); ++i) {
    EXPECT_NE(to_string(static_cast<HaCounter>(i)), "unknown") << i;
  }
  EXPECT_EQ(to_string(HaAdminState::Draining), "draining");
}

}  // namespace
}  // namespace mip6::engine
