// MnRegistrationEngine: home registration, BA handling, retransmission ladder, refresh, BRR,
// RFC 5142 Home Agent Switch and de-registration. Driven by a FakeClock advanced to
// next_deadline(); assertions on the exact BUs and events emitted.
#include "mip6/engine/mn_registration_engine.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

#include "tests/support/fake_clock.h"

namespace mip6::engine {
namespace {

using namespace std::chrono_literals;
using wire::BaStatus;

base::Ip6Addr addr(std::string_view s) { return *base::Ip6Addr::parse(s); }

const base::Ip6Addr kHa = addr("2001:db8:1::1");
const base::Ip6Addr kHa2 = addr("2001:db8:1::2");
const base::Ip6Addr kHoa = addr("2001:db8:1::1000");
const base::Ip6Addr kCoa = addr("2001:db8:99::5");
const base::Ip6Addr kCoa2 = addr("2001:db8:98::6");
const base::Ip6Addr kCoa3 = addr("2001:db8:97::7");
const base::Ip6Addr kCoa4 = addr("2001:db8:96::8");
constexpr std::uint16_t kFirstSeq = 100;

template <typename T>
std::vector<T> only(const std::vector<MnOutput>& outs) {
  std::vector<T> r;
  for (const auto& o : outs) {
    if (const auto* p = std::get_if<T>(&o)) {
      r.push_back(*p);
    }
  }
  return r;
}

class MnEngineTest : public ::testing::Test {
 protected:
  MnEngineTest() { make(); }

  void make(MnRegistrationConfig config = {}, std::uint16_t first_seq = kFirstSeq) {
    engine_.emplace(config, [first_seq] { return first_seq; });
    start_ = clock_.now();
  }

  HomeRegistration reg(const base::Ip6Addr& ha = kHa) const {
    HomeRegistration r;
    r.home_agent = ha;
    r.home_address = kHoa;
    r.care_of_address = kCoa;
    r.lifetime = 420s;  // 105 units
    return r;
  }

  static wire::BindingAck ba(std::uint16_t seq, std::uint16_t lifetime_units,
                             BaStatus status = BaStatus::Accepted) {
    wire::BindingAck b;
    b.status = status;
    b.sequence = seq;
    b.lifetime = lifetime_units;
    return b;
  }
  static BaContext from(const base::Ip6Addr& ha, bool esp = true) {
    return BaContext{ha, esp, kHoa};
  }

  std::vector<MnOutput> drain() { return engine_->take_outputs(); }
  // Advances to the engine's deadline and fires it.
  std::vector<MnOutput> step() {
    const base::TimePoint d = engine_->next_deadline();
    EXPECT_NE(d, base::kNever);
    clock_.advance_to(d);
    engine_->on_timer(clock_.now());
    return drain();
  }
  base::TimePoint now() const { return clock_.now(); }
  // Seconds since the engine was made.
  double t() const { return std::chrono::duration<double>(clock_.now() - start_).count(); }
  double at(base::TimePoint p) const { return std::chrono::duration<double>(p - start_).count(); }

  // Registers and accepts the first BU; returns the sequence used.
  std::uint16_t register_and_accept(std::uint16_t lifetime_units = 105) {
    EXPECT_TRUE(engine_->register_home(reg(), now()).has_value());
    const auto bus = only<SendBindingUpdate>(drain());
    EXPECT_EQ(bus.size(), 1U);
    const std::uint16_t seq = bus.at(0).update.sequence;
    engine_->on_binding_ack(from(kHa), ba(seq, lifetime_units), now());
    EXPECT_EQ(only<Registered>(drain()).size(), 1U);
    return seq;
  }

  test::FakeClock clock_;
  base::TimePoint start_;
  std::optional<MnRegistrationEngine> engine_;
};

// ---- the BU itself -------------------------------------------------------------------------

TEST_F(MnEngineTest, R6275_13_14_15_18_FirstBuIsHomeRegistrationWithHaoAndAlternateCoa) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  const SendBindingUpdate& s = bus[0];
  EXPECT_EQ(s.destination, kHa);
  EXPECT_EQ(s.source, kCoa);                  // away from home: from the CoA
  EXPECT_EQ(s.home_address_option, kHoa);     // R6275-14
  EXPECT_TRUE(s.update.home_registration);    // R6275-13
  EXPECT_TRUE(s.update.ack);                  // R6275-13
  EXPECT_EQ(s.update.lifetime, 105);          // 420 s in 4-s units, non-zero (R6275-18)
  EXPECT_EQ(s.update.sequence, kFirstSeq);
  // R6275-15: Alternate CoA always, aligned 8n+6 after a 2-octet PadN (options start at 12).
  ASSERT_EQ(s.update.options.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<wire::PadNOption>(s.update.options[0]));
  EXPECT_TRUE(std::get<wire::PadNOption>(s.update.options[0]).data.empty());
  const auto* alt = wire::find_option<wire::AlternateCareOfAddressOption>(s.update.options);
  ASSERT_NE(alt, nullptr);
  EXPECT_EQ(alt->address, kCoa);
  EXPECT_EQ(engine_->current()->state, binding::BulState::Registering);
}

TEST_F(MnEngineTest, R6275_16_LinkLocalCompatibilityOnlyForSameIidAndNotForPrivacyHoa) {
  HomeRegistration r = reg();
  r.link_local_address = addr("fe80::1000");  // same IID as kHoa (::1000)
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_TRUE(only<SendBindingUpdate>(drain()).at(0).update.link_local_compat);

  make();
  r.privacy_home_address = true;  // RFC 4941 HoA: L must be 0
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_FALSE(only<SendBindingUpdate>(drain()).at(0).update.link_local_compat);

  make();
  r.privacy_home_address = false;
  r.link_local_address = addr("fe80::abcd");  // different IID
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_FALSE(only<SendBindingUpdate>(drain()).at(0).update.link_local_compat);
}

TEST_F(MnEngineTest, R6275_17_KeyManagementBitOnlyWithDynamicSasAndMovableEndpoint) {
  HomeRegistration r = reg();
  r.dynamic_keying = true;
  r.can_move_ike_endpoint = true;
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_TRUE(only<SendBindingUpdate>(drain()).at(0).update.key_mgmt_mobility);

  make();
  r.dynamic_keying = false;  // manual IPsec: K must be 0
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_FALSE(only<SendBindingUpdate>(drain()).at(0).update.key_mgmt_mobility);

  make();
  r.dynamic_keying = true;
  r.can_move_ike_endpoint = false;
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_FALSE(only<SendBindingUpdate>(drain()).at(0).update.key_mgmt_mobility);
}

TEST_F(MnEngineTest, R6275_18_LifetimeCappedByHomeAndCareOfValidityButNeverZero) {
  HomeRegistration r = reg();
  r.home_address_valid_until = now() + 203s;  // rounds down to 50 units (200 s)
  r.care_of_valid_until = now() + 300s;
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_EQ(only<SendBindingUpdate>(drain()).at(0).update.lifetime, 50);

  make();
  r.home_address_valid_until = std::nullopt;
  r.care_of_valid_until = now() + 1s;  // less than one unit: still non-zero
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  EXPECT_EQ(only<SendBindingUpdate>(drain()).at(0).update.lifetime, 1);
}

TEST_F(MnEngineTest, RegisterHomeRejectsUnusableInput) {
  HomeRegistration r = reg();
  r.care_of_address = addr("fe80::1");
  EXPECT_EQ(engine_->register_home(r, now()).error().code, "invalid_address");
  r = reg();
  r.care_of_address = kHoa;
  EXPECT_EQ(engine_->register_home(r, now()).error().code, "care_of_is_home_address");
  r = reg();
  r.lifetime = 0s;
  EXPECT_EQ(engine_->register_home(r, now()).error().code, "zero_lifetime");
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->next_deadline(), base::kNever);
  EXPECT_EQ(engine_->deregister(now()).error().code, "no_registration");
  EXPECT_EQ(engine_->change_care_of_address(kCoa2, now()).error().code, "no_registration");
}

// ---- retransmission ------------------------------------------------------------------------

TEST_F(MnEngineTest, R6275_57_58_FirstRegistrationLadderDoublesFrom1500msTo32s) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  std::vector<double> send_times{t()};
  std::vector<std::uint16_t> seqs{only<SendBindingUpdate>(drain()).at(0).update.sequence};
  std::vector<double> move_on_times;
  for (int i = 0; i < 8; ++i) {
    const auto outs = step();
    const auto bus = only<SendBindingUpdate>(outs);
    ASSERT_EQ(bus.size(), 1U);
    send_times.push_back(t());
    seqs.push_back(bus[0].update.sequence);
    if (!only<MoveToNextHomeAgent>(outs).empty()) {
      move_on_times.push_back(t());
    }
  }
  const std::vector<double> expected{0, 1.5, 4.5, 10.5, 22.5, 46.5, 78.5, 110.5, 142.5};
  EXPECT_EQ(send_times, expected);  // intervals 1.5, 3, 6, 12, 24, 32, 32, 32
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    EXPECT_EQ(seqs[i], static_cast<std::uint16_t>(seqs[i - 1] + 1));  // R6275-58
  }
  // MAX_BINDACK_TIMEOUT reached unanswered once (at the end of the first 32 s wait): SHOULD
  // move to the next HA; reported once, retransmissions continue at 32 s.
  EXPECT_EQ(move_on_times, std::vector<double>{78.5});
  EXPECT_EQ(engine_->counters().get(MnCounter::RegistrationTimedOutAtMax), 1U);
  EXPECT_EQ(engine_->counters().get(MnCounter::BuRetransmitted), 8U);
}

TEST_F(MnEngineTest, R6275_57_ReregistrationLadderStartsAtInitialBindackTimeout) {
  register_and_accept();
  const double start = t();
  ASSERT_TRUE(engine_->change_care_of_address(kCoa2, now()).has_value());
  ASSERT_EQ(only<SendBindingUpdate>(drain()).size(), 1U);
  std::vector<double> offsets;
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(only<SendBindingUpdate>(step()).size(), 1U);
    offsets.push_back(t() - start);
  }
  EXPECT_EQ(offsets, (std::vector<double>{1, 3, 7, 15, 31, 63, 95}));  // 1, 2, 4, 8, 16, 32, 32
}

TEST_F(MnEngineTest, R6275_70_InitialBindackTimeoutFirstRegIsConfigurable) {
  MnRegistrationConfig c;
  c.initial_bindack_timeout_first_reg = 3s;
  make(c);
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  EXPECT_EQ(at(engine_->next_deadline()), 3.0);
  ASSERT_EQ(only<SendBindingUpdate>(step()).size(), 1U);
  EXPECT_EQ(at(engine_->next_deadline()), 3.0 + 6.0);
}

TEST_F(MnEngineTest, R6275_59_NoMoreThanThreeBusPerSecondToOneDestination) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());  // t = 0
  const base::Ip6Addr coas[] = {kCoa2, kCoa3, kCoa4, kCoa};
  std::vector<double> sent{0.0};
  drain();
  for (const auto& coa : coas) {
    clock_.advance(100ms);
    ASSERT_TRUE(engine_->change_care_of_address(coa, now()).has_value());
    for (const auto& bu : only<SendBindingUpdate>(drain())) {
      (void)bu;
      sent.push_back(t());
    }
  }
  // 0, 0.1, 0.2 went out; the BUs for the changes at 0.3 and 0.4 wait for the window.
  EXPECT_EQ(sent, (std::vector<double>{0.0, 0.1, 0.2}));
  EXPECT_EQ(engine_->counters().get(MnCounter::BuRateLimited), 1U);
  EXPECT_EQ(at(engine_->next_deadline()), 1.0);
  const auto bus = only<SendBindingUpdate>(step());
  ASSERT_EQ(bus.size(), 1U);  // only the latest CoA is sent, once
  EXPECT_EQ(bus[0].source, kCoa);
  EXPECT_EQ(wire::find_option<wire::AlternateCareOfAddressOption>(bus[0].update.options)->address,
            kCoa);
  EXPECT_EQ(t(), 1.0);
  // The ladder then runs from the actual send time (1.5 s: still a first registration).
  EXPECT_EQ(at(engine_->next_deadline()), 2.5);
}

// ---- BA validation (R6275-60) --------------------------------------------------------------

TEST_F(MnEngineTest, R6275_60_BaWithoutEspIsIgnored) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa, /*esp=*/false), ba(kFirstSeq, 105), now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BaNotProtected), 1U);
  EXPECT_EQ(engine_->current()->state, binding::BulState::Registering);
  EXPECT_EQ(only<SendBindingUpdate>(step()).size(), 1U);  // still retransmitting
}

TEST_F(MnEngineTest, R6275_60_BaWithUnmatchedSequenceIsIgnored) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq + 1, 105), now());  // never sent
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq - 1, 105), now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BaSequenceMismatch), 2U);
  EXPECT_EQ(engine_->current()->state, binding::BulState::Registering);
}

TEST_F(MnEngineTest, R6275_60_BaWithAuthorizationDataNotLastIsIgnored) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  wire::BindingAck b = ba(kFirstSeq, 105);
  b.options.emplace_back(wire::BindingAuthorizationDataOption{{1, 2, 3, 4}});
  b.options.emplace_back(wire::PadNOption{});
  engine_->on_binding_ack(from(kHa), b, now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BaAuthDataNotLast), 1U);
}

TEST_F(MnEngineTest, R6275_60_BaFromAnotherSourceOrHomeAddressIsIgnored) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa2), ba(kFirstSeq, 105), now());
  engine_->on_binding_ack(BaContext{kHa, true, addr("2001:db8:1::2000")}, ba(kFirstSeq, 105),
                          now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BaNoMatchingEntry), 2U);
}

TEST_F(MnEngineTest, R6275_60_DuplicateBaAfterAcceptanceIsIgnored) {
  const std::uint16_t seq = register_and_accept();
  engine_->on_binding_ack(from(kHa), ba(seq, 105), now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BaSequenceMismatch), 1U);
}

// ---- BA outcomes ---------------------------------------------------------------------------

TEST_F(MnEngineTest, R6275_61_AcceptedBaStopsRetransmissionAndTakesSmallerLifetime) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  clock_.advance(200ms);
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 60), now());  // less than the 105 asked
  const auto regs = only<Registered>(drain());
  ASSERT_EQ(regs.size(), 1U);
  EXPECT_EQ(regs[0].granted_lifetime, 240s);
  EXPECT_EQ(regs[0].care_of_address, kCoa);
  EXPECT_EQ(at(regs[0].expires_at), 240.0);  // counted from when the BU was sent
  const binding::BulEntry* e = engine_->current();
  EXPECT_EQ(e->state, binding::BulState::Registered);
  EXPECT_EQ(e->retransmit_at, base::kNever);
  EXPECT_EQ(at(engine_->next_deadline()), 192.0);  // refresh at 80 % of 240 s

  make();
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 0xffff), now());  // more than asked
  EXPECT_EQ(only<Registered>(drain()).at(0).granted_lifetime, 420s);
}

TEST_F(MnEngineTest, R6275_61_BaToEarlierRetransmissionCountsFromFirstSend) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  ASSERT_EQ(only<SendBindingUpdate>(step()).at(0).update.sequence, kFirstSeq + 1);  // t=1.5
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 105), now());  // answers the first BU
  const auto regs = only<Registered>(drain());
  ASSERT_EQ(regs.size(), 1U);
  EXPECT_EQ(at(regs[0].expires_at), 420.0);
}

TEST_F(MnEngineTest, CareOfChangeMidRegistrationIgnoresBaForOldCareOf) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  clock_.advance(500ms);
  ASSERT_TRUE(engine_->change_care_of_address(kCoa2, now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].source, kCoa2);
  EXPECT_EQ(bus[0].update.sequence, kFirstSeq + 1);
  // Still no binding at the HA: the first-registration timeout applies again.
  EXPECT_EQ(at(engine_->next_deadline()), 2.0);
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 105), now());  // for the old CoA
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BaSequenceMismatch), 1U);
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq + 1, 105), now());
  const auto regs = only<Registered>(drain());
  ASSERT_EQ(regs.size(), 1U);
  EXPECT_EQ(regs[0].care_of_address, kCoa2);
}

TEST_F(MnEngineTest, R6275_19_Ba135ResyncsToReturnedSequencePlusOne) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(5000, 0, BaStatus::SequenceNumberOutOfWindow), now());
  auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].update.sequence, 5001);
  // An echo of the same 135 (answering an earlier BU) must not roll the number back.
  engine_->on_binding_ack(from(kHa), ba(5000, 0, BaStatus::SequenceNumberOutOfWindow), now());
  EXPECT_TRUE(drain().empty());
  // The BU before the resync is no longer acknowledgeable.
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 105), now());
  EXPECT_TRUE(drain().empty());
  engine_->on_binding_ack(from(kHa), ba(5001, 105), now());
  EXPECT_EQ(only<Registered>(drain()).size(), 1U);
  EXPECT_EQ(engine_->counters().get(MnCounter::BaResync), 1U);
}

TEST_F(MnEngineTest, R6275_19_Ba135WrapsModulo65536) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(0xffff, 0, BaStatus::SequenceNumberOutOfWindow), now());
  EXPECT_EQ(only<SendBindingUpdate>(drain()).at(0).update.sequence, 0);
  engine_->on_binding_ack(from(kHa), ba(0, 105), now());
  EXPECT_EQ(only<Registered>(drain()).size(), 1U);
}

TEST_F(MnEngineTest, Ba135LoopIsBoundedAndFailsTheRegistration) {
  MnRegistrationConfig c;
  c.max_resyncs_per_attempt = 2;
  make(c);
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  std::uint16_t answer = 7000;
  for (int i = 0; i < 2; ++i) {
    clock_.advance(1s);  // stay clear of MAX_UPDATE_RATE
    engine_->on_binding_ack(from(kHa), ba(answer, 0, BaStatus::SequenceNumberOutOfWindow), now());
    ASSERT_EQ(only<SendBindingUpdate>(drain()).size(), 1U);
    answer = static_cast<std::uint16_t>(answer + 100);
  }
  engine_->on_binding_ack(from(kHa), ba(answer, 0, BaStatus::SequenceNumberOutOfWindow), now());
  const auto outs = drain();
  EXPECT_TRUE(only<SendBindingUpdate>(outs).empty());
  const auto failed = only<RegistrationFailed>(outs);
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].reason, RegistrationFailure::TooManyResyncs);
  EXPECT_EQ(engine_->next_deadline(), base::kNever);
}

TEST_F(MnEngineTest, R6275_20_Ba134CondemnsTheHomeAddress) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa),
                          ba(kFirstSeq, 0, BaStatus::DuplicateAddressDetectionFailed), now());
  const auto outs = drain();
  ASSERT_EQ(only<HomeAddressUnusable>(outs).size(), 1U);
  EXPECT_EQ(only<HomeAddressUnusable>(outs)[0].home_address, kHoa);
  ASSERT_EQ(only<RegistrationFailed>(outs).size(), 1U);
  EXPECT_EQ(only<RegistrationFailed>(outs)[0].status, BaStatus::DuplicateAddressDetectionFailed);
  EXPECT_TRUE(engine_->home_address_unusable(kHoa));
  EXPECT_EQ(engine_->next_deadline(), base::kNever);  // no more BUs to that HA
  // Never again, not even with another home agent.
  EXPECT_EQ(engine_->register_home(reg(kHa2), now()).error().code, "home_address_unusable");
}

TEST_F(MnEngineTest, RejectionStopsSendingAndReportsStatus) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 0, BaStatus::NotHomeSubnet), now());
  const auto failed = only<RegistrationFailed>(drain());
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].status, BaStatus::NotHomeSubnet);
  EXPECT_EQ(failed[0].reason, RegistrationFailure::Rejected);
  EXPECT_FALSE(failed[0].previous_binding_until.has_value());
  EXPECT_EQ(engine_->current()->state, binding::BulState::Failed);
  EXPECT_EQ(engine_->next_deadline(), base::kNever);
  // A CoA change does not wake a failed registration up.
  ASSERT_TRUE(engine_->change_care_of_address(kCoa2, now()).has_value());
  EXPECT_TRUE(only<SendBindingUpdate>(drain()).empty());
}

TEST_F(MnEngineTest, AcceptedWithZeroLifetimeIsAFailure) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 0), now());
  const auto failed = only<RegistrationFailed>(drain());
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].reason, RegistrationFailure::ZeroLifetimeGranted);
}

TEST_F(MnEngineTest, R6275_62_Status1AsksForPrefixDiscovery) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa),
                          ba(kFirstSeq, 105, BaStatus::AcceptedPrefixDiscoveryNecessary), now());
  const auto outs = drain();
  EXPECT_EQ(only<Registered>(outs).size(), 1U);
  ASSERT_EQ(only<PrefixDiscoveryNeeded>(outs).size(), 1U);
  EXPECT_EQ(only<PrefixDiscoveryNeeded>(outs)[0].home_address, kHoa);
}

// ---- refresh -------------------------------------------------------------------------------

TEST_F(MnEngineTest, R6275_63_RefreshAtConfiguredShareOfLifetimeWithNewSequence) {
  MnRegistrationConfig c;
  c.refresh_percent = 50;
  make(c);
  const std::uint16_t seq = register_and_accept(100);  // 400 s granted
  EXPECT_EQ(at(engine_->next_deadline()), 200.0);
  const auto bus = only<SendBindingUpdate>(step());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(t(), 200.0);
  EXPECT_EQ(bus[0].update.sequence, seq + 1);
  EXPECT_EQ(bus[0].update.lifetime, 105);
  EXPECT_EQ(at(engine_->next_deadline()), 201.0);  // binding exists: 1 s, not 1.5 s
  engine_->on_binding_ack(from(kHa), ba(seq + 1, 100), now());
  const auto regs = only<Registered>(drain());
  ASSERT_EQ(regs.size(), 1U);
  EXPECT_EQ(at(regs[0].expires_at), 600.0);
}

TEST_F(MnEngineTest, R6275_63_BindingRefreshAdviceBringsRefreshForward) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  wire::BindingAck b = ba(kFirstSeq, 105);
  b.options.emplace_back(wire::BindingRefreshAdviceOption{25});  // 100 s
  engine_->on_binding_ack(from(kHa), b, now());
  drain();
  EXPECT_EQ(at(engine_->next_deadline()), 80.0);  // 80 % of the advice

  make();
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  b = ba(kFirstSeq, 105);
  b.options.emplace_back(wire::BindingRefreshAdviceOption{105});  // not below the lifetime
  engine_->on_binding_ack(from(kHa), b, now());
  drain();
  EXPECT_EQ(at(engine_->next_deadline()), 336.0);  // ignored: 80 % of 420 s
}

TEST_F(MnEngineTest, UnansweredRefreshReportsBindingExpiry) {
  MnRegistrationConfig c;
  c.refresh_percent = 90;
  make(c);
  register_and_accept(10);  // 40 s; refresh at 36 s
  bool expired = false;
  while (!expired && t() < 100) {
    const auto outs = step();
    if (!only<BindingExpired>(outs).empty()) {
      expired = true;
      EXPECT_EQ(t(), 40.0);
    }
  }
  EXPECT_TRUE(expired);
  EXPECT_EQ(engine_->current()->state, binding::BulState::Registering);
}

TEST_F(MnEngineTest, BindingRefreshRequestFromHomeAgentTriggersRefresh) {
  const std::uint16_t seq = register_and_accept();
  clock_.advance(10s);
  engine_->on_binding_refresh_request(MhContext{kHa, false, kHoa}, now());  // not protected
  engine_->on_binding_refresh_request(MhContext{kHa2, true, kHoa}, now());  // not our HA
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::BrrNotProtected), 1U);
  EXPECT_EQ(engine_->counters().get(MnCounter::BrrIgnored), 1U);
  engine_->on_binding_refresh_request(MhContext{kHa, true, kHoa}, now());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].update.sequence, seq + 1);
  EXPECT_EQ(bus[0].update.lifetime, 105);
  // A second BRR while the refresh is outstanding adds nothing.
  engine_->on_binding_refresh_request(MhContext{kHa, true, kHoa}, now());
  EXPECT_TRUE(drain().empty());
}

// ---- key management (K bit) ----------------------------------------------------------------

TEST_F(MnEngineTest, R6275_63_KeyManagementMoveOrDropAfterCareOfChange) {
  HomeRegistration r = reg();
  r.can_move_ike_endpoint = true;
  ASSERT_TRUE(engine_->register_home(r, now()).has_value());
  drain();
  wire::BindingAck b = ba(kFirstSeq, 105);
  b.key_mgmt_mobility = true;
  engine_->on_binding_ack(from(kHa), b, now());
  auto outs = drain();
  EXPECT_TRUE(only<KeyManagementMove>(outs).empty());  // first registration moved nothing
  EXPECT_TRUE(only<KeyManagementDrop>(outs).empty());

  ASSERT_TRUE(engine_->change_care_of_address(kCoa2, now()).has_value());
  b.sequence = only<SendBindingUpdate>(drain()).at(0).update.sequence;
  engine_->on_binding_ack(from(kHa), b, now());
  outs = drain();
  ASSERT_EQ(only<KeyManagementMove>(outs).size(), 1U);
  EXPECT_EQ(only<KeyManagementMove>(outs)[0].from, kCoa);
  EXPECT_EQ(only<KeyManagementMove>(outs)[0].to, kCoa2);

  clock_.advance(1s);
  ASSERT_TRUE(engine_->change_care_of_address(kCoa3, now()).has_value());
  b.sequence = only<SendBindingUpdate>(drain()).at(0).update.sequence;
  b.key_mgmt_mobility = false;  // the HA cannot move its end: drop ours
  engine_->on_binding_ack(from(kHa), b, now());
  outs = drain();
  EXPECT_TRUE(only<KeyManagementMove>(outs).empty());
  ASSERT_EQ(only<KeyManagementDrop>(outs).size(), 1U);
  EXPECT_EQ(only<KeyManagementDrop>(outs)[0].endpoint, kCoa2);
}

// ---- de-registration -----------------------------------------------------------------------

TEST_F(MnEngineTest, R6275_64_65_ReturningHomeSendsDeregistrationFromHomeAddress) {
  const std::uint16_t seq = register_and_accept();
  clock_.advance(30s);
  ASSERT_TRUE(engine_->deregister(now(), DeregisterMode::ReturnHome).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  const SendBindingUpdate& s = bus[0];
  EXPECT_EQ(s.destination, kHa);
  EXPECT_EQ(s.source, kHoa);                        // source = HoA
  EXPECT_FALSE(s.home_address_option.has_value());  // at home: no HAO
  EXPECT_EQ(s.update.lifetime, 0);
  EXPECT_TRUE(s.update.ack);
  EXPECT_TRUE(s.update.home_registration);
  EXPECT_EQ(s.update.sequence, seq + 1);
  EXPECT_EQ(wire::find_option<wire::AlternateCareOfAddressOption>(s.update.options)->address,
            kHoa);  // CoA = HoA
  EXPECT_EQ(engine_->current(), nullptr);

  engine_->on_binding_ack(from(kHa), ba(seq + 1, 0), now());
  const auto deregs = only<Deregistered>(drain());
  ASSERT_EQ(deregs.size(), 1U);
  EXPECT_TRUE(deregs[0].returned_home);  // R6275-65: the shell now sends the unsolicited NAs
  EXPECT_EQ(deregs[0].status, BaStatus::Accepted);
  EXPECT_TRUE(engine_->binding_update_list().entries().empty());
  EXPECT_EQ(engine_->next_deadline(), base::kNever);
}

TEST_F(MnEngineTest, UnansweredDeregistrationGivesUpWhenNoBindingCanRemain) {
  register_and_accept(10);  // 40 s binding
  ASSERT_TRUE(engine_->deregister(now()).has_value());
  auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].source, kCoa);                 // leaving the HA from the CoA
  EXPECT_EQ(bus[0].home_address_option, kHoa);
  std::vector<double> sends;
  std::optional<Deregistered> done;
  while (!done && t() < 100) {
    const auto outs = step();
    for (const auto& b : only<SendBindingUpdate>(outs)) {
      EXPECT_EQ(b.update.lifetime, 0);
      sends.push_back(t());
    }
    if (!only<Deregistered>(outs).empty()) {
      done = only<Deregistered>(outs)[0];
    }
  }
  EXPECT_EQ(sends, (std::vector<double>{1, 3, 7, 15, 31}));
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->timed_out);
  EXPECT_EQ(t(), 40.0);
  EXPECT_EQ(engine_->next_deadline(), base::kNever);
}

TEST_F(MnEngineTest, DeregistrationAnsweredWith133EndsIt) {
  const std::uint16_t seq = register_and_accept();
  ASSERT_TRUE(engine_->deregister(now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(seq + 1, 0, BaStatus::NotHomeAgentForThisMobileNode),
                          now());
  const auto deregs = only<Deregistered>(drain());
  ASSERT_EQ(deregs.size(), 1U);
  EXPECT_EQ(deregs[0].status, BaStatus::NotHomeAgentForThisMobileNode);
  EXPECT_FALSE(deregs[0].returned_home);
}

TEST_F(MnEngineTest, RegisteringWithAnotherHomeAgentDeregistersTheOldOne) {
  const std::uint16_t seq = register_and_accept();
  ASSERT_TRUE(engine_->register_home(reg(kHa2), now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 2U);
  EXPECT_EQ(bus[0].destination, kHa);
  EXPECT_EQ(bus[0].update.lifetime, 0);
  EXPECT_EQ(bus[0].update.sequence, seq + 1);
  EXPECT_EQ(bus[1].destination, kHa2);
  EXPECT_EQ(bus[1].update.lifetime, 105);
  EXPECT_EQ(engine_->current()->home_agent, kHa2);
  // Rate limiting is per destination: the two BUs do not share a window.
  engine_->on_binding_ack(from(kHa), ba(seq + 1, 0), now());
  EXPECT_EQ(only<Deregistered>(drain()).size(), 1U);
  engine_->on_binding_ack(from(kHa2), ba(bus[1].update.sequence, 105), now());
  EXPECT_EQ(only<Registered>(drain()).at(0).home_agent, kHa2);
}

TEST_F(MnEngineTest, DeregisteringAnUnansweredRegistrationStillSendsOne) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  // The first BU may have created a binding whose BA was lost: it must be deleted.
  ASSERT_TRUE(engine_->deregister(now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].update.lifetime, 0);
  EXPECT_EQ(bus[0].update.sequence, kFirstSeq + 1);
}

TEST_F(MnEngineTest, LeavingARejectedHomeAgentSendsNothing) {
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  drain();
  engine_->on_binding_ack(from(kHa), ba(kFirstSeq, 0, BaStatus::InsufficientResources), now());
  drain();
  // The rejected HA holds nothing of ours: moving to another one sends only the new BU.
  ASSERT_TRUE(engine_->register_home(reg(kHa2), now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].destination, kHa2);
  EXPECT_EQ(engine_->binding_update_list().entries().size(), 1U);
}

// ---- RFC 5142 Home Agent Switch ------------------------------------------------------------

TEST_F(MnEngineTest, R5142_26_SwitchWithoutAdviceDeregistersImmediately) {
  const std::uint16_t seq = register_and_accept();
  wire::HomeAgentSwitch sw;
  sw.home_agents = {kHa2, addr("2001:db8:1::3")};
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  const auto outs = drain();
  const auto req = only<HomeAgentSwitchRequested>(outs);
  ASSERT_EQ(req.size(), 1U);
  EXPECT_EQ(req[0].candidates, sw.home_agents);  // in the HA's order (R5142-31)
  EXPECT_FALSE(req[0].discovery_needed);
  EXPECT_FALSE(req[0].refresh_advice.has_value());
  EXPECT_TRUE(req[0].from_current_home_agent);
  const auto bus = only<SendBindingUpdate>(outs);
  ASSERT_EQ(bus.size(), 1U);  // the de-registration is the acknowledgement
  EXPECT_EQ(bus[0].destination, kHa);
  EXPECT_EQ(bus[0].update.lifetime, 0);
  EXPECT_EQ(bus[0].update.sequence, seq + 1);
  EXPECT_EQ(engine_->current(), nullptr);  // stop using this HA
  // The HA retransmits until it sees the BU: nothing new happens.
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::HaSwitchDuplicate), 1U);
  // R5142-27: the de-registration BU is retransmitted per RFC 6275 11.8.
  EXPECT_EQ(only<SendBindingUpdate>(step()).at(0).update.lifetime, 0);
  engine_->on_binding_ack(from(kHa), ba(seq + 2, 0), now());
  EXPECT_EQ(only<Deregistered>(drain()).size(), 1U);
}

TEST_F(MnEngineTest, R5142_02_30_SwitchWithoutAddressesAsksForDiscovery) {
  register_and_accept();
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, wire::HomeAgentSwitch{}, now());
  const auto req = only<HomeAgentSwitchRequested>(drain());
  ASSERT_EQ(req.size(), 1U);
  EXPECT_TRUE(req[0].discovery_needed);
  EXPECT_TRUE(req[0].candidates.empty());
}

TEST_F(MnEngineTest, R5142_24_UnprotectedSwitchIsIgnored) {
  register_and_accept();
  wire::HomeAgentSwitch sw;
  sw.home_agents = {kHa2};
  engine_->on_home_agent_switch(MhContext{kHa, false, kHoa}, sw, now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::HaSwitchNotProtected), 1U);
  EXPECT_EQ(engine_->current()->state, binding::BulState::Registered);
}

TEST_F(MnEngineTest, SwitchWithoutBindingIsIgnored) {
  wire::HomeAgentSwitch sw;
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(engine_->counters().get(MnCounter::HaSwitchNoBinding), 1U);
}

TEST_F(MnEngineTest, R5142_28_RefreshAdviceKeepsBindingUntilAdvisedTime) {
  register_and_accept();  // 420 s binding, refresh would be at 336 s
  clock_.advance(10s);
  wire::HomeAgentSwitch sw;
  sw.home_agents = {kHa2};
  sw.options.emplace_back(wire::BindingRefreshAdviceOption{15});  // 60 s
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  auto outs = drain();
  ASSERT_EQ(only<HomeAgentSwitchRequested>(outs).size(), 1U);
  EXPECT_EQ(only<HomeAgentSwitchRequested>(outs)[0].refresh_advice, 60s);
  EXPECT_TRUE(only<SendBindingUpdate>(outs).empty());  // binding kept for now
  EXPECT_EQ(at(engine_->next_deadline()), 70.0);       // the advised time, not a refresh
  // A BRR does not extend a binding we are leaving.
  engine_->on_binding_refresh_request(MhContext{kHa, true, kHoa}, now());
  EXPECT_TRUE(drain().empty());
  const auto bus = only<SendBindingUpdate>(step());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(t(), 70.0);
  EXPECT_EQ(bus[0].destination, kHa);
  EXPECT_EQ(bus[0].update.lifetime, 0);
}

TEST_F(MnEngineTest, R5142_28_RegisteringElsewhereEndsTheAdvisedWaitAtOnce) {
  register_and_accept();
  wire::HomeAgentSwitch sw;
  sw.home_agents = {kHa2};
  sw.options.emplace_back(wire::BindingRefreshAdviceOption{15});
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  drain();
  clock_.advance(5s);
  ASSERT_TRUE(engine_->register_home(reg(kHa2), now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 2U);
  EXPECT_EQ(bus[0].destination, kHa);
  EXPECT_EQ(bus[0].update.lifetime, 0);
  EXPECT_EQ(bus[1].destination, kHa2);
  EXPECT_GT(bus[1].update.lifetime, 0);
}

TEST_F(MnEngineTest, R5142_26_SwitchManualModeOnlyReportsAndCallerDeregisters) {
  MnRegistrationConfig c;
  c.auto_deregister_on_ha_switch = false;
  make(c);
  const std::uint16_t seq = register_and_accept();
  wire::HomeAgentSwitch sw;
  sw.home_agents = {kHa2};
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  auto outs = drain();
  EXPECT_EQ(only<HomeAgentSwitchRequested>(outs).size(), 1U);
  EXPECT_TRUE(only<SendBindingUpdate>(outs).empty());
  // No refresh (336 s) of a binding we must leave; only its expiry remains.
  EXPECT_EQ(at(engine_->next_deadline()), 420.0);
  engine_->on_home_agent_switch(MhContext{kHa, true, kHoa}, sw, now());
  EXPECT_TRUE(drain().empty());  // duplicate
  ASSERT_TRUE(engine_->deregister(now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].update.lifetime, 0);
  EXPECT_EQ(bus[0].update.sequence, seq + 1);
}

TEST_F(MnEngineTest, SwitchFromAnotherHomeAgentIsFlaggedAndStillLeavesTheCurrentOne) {
  register_and_accept();
  wire::HomeAgentSwitch sw;
  sw.home_agents = {kHa2};  // R5142-13: "switch to me"
  engine_->on_home_agent_switch(MhContext{kHa2, true, kHoa}, sw, now());
  const auto outs = drain();
  const auto req = only<HomeAgentSwitchRequested>(outs);
  ASSERT_EQ(req.size(), 1U);
  EXPECT_FALSE(req[0].from_current_home_agent);
  EXPECT_EQ(req[0].home_agent, kHa);
  EXPECT_EQ(only<SendBindingUpdate>(outs).at(0).destination, kHa);
}

TEST_F(MnEngineTest, CareOfChangeDuringDeregistrationResendsFromNewAddress) {
  const std::uint16_t seq = register_and_accept();
  ASSERT_TRUE(engine_->deregister(now()).has_value());
  drain();
  clock_.advance(500ms);
  ASSERT_TRUE(engine_->change_care_of_address(kCoa2, now()).has_value());
  const auto bus = only<SendBindingUpdate>(drain());
  ASSERT_EQ(bus.size(), 1U);
  EXPECT_EQ(bus[0].source, kCoa2);
  EXPECT_EQ(bus[0].update.lifetime, 0);
  EXPECT_EQ(bus[0].update.sequence, seq + 2);
  engine_->on_binding_ack(from(kHa), ba(seq + 1, 0), now());  // answer to the old CoA's BU
  EXPECT_TRUE(drain().empty());
  engine_->on_binding_ack(from(kHa), ba(seq + 2, 0), now());
  EXPECT_EQ(only<Deregistered>(drain()).size(), 1U);
}

TEST_F(MnEngineTest, R6275_58_SequenceWrapsModulo65536) {
  make({}, 0xffff);
  ASSERT_TRUE(engine_->register_home(reg(), now()).has_value());
  EXPECT_EQ(only<SendBindingUpdate>(drain()).at(0).update.sequence, 0xffff);
  EXPECT_EQ(only<SendBindingUpdate>(step()).at(0).update.sequence, 0);
  engine_->on_binding_ack(from(kHa), ba(0xffff, 105), now());  // earlier BU of the attempt
  EXPECT_EQ(only<Registered>(drain()).size(), 1U);
}

TEST_F(MnEngineTest, CounterNamesAreDistinct) {
  std::vector<std::string_view> names;
  MnCounters c;
  c.for_each([&](std::string_view n, std::uint64_t) { names.push_back(n); });
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_NE(names[i], "unknown");
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      EXPECT_NE(names[i], names[j]);
    }
  }
}

}  // namespace
}  // namespace mip6::engine
