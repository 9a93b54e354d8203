// CREATE_CHILD_SA (RFC 7296 1.3, 2.8, 2.9, 2.17, 2.18, 2.25) between two IkeSa peers over the
// Loopback, with deterministic RNG/DH and the fake clock: new Child SAs (with and without PFS,
// refusals), Child SA rekeys and their collisions, lifetimes, TS narrowing to the
// CP-assigned home address (RFC 4877), and in-place IKE SA rekeys (tasks/ike_rekey.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::outputs_of;

wire::Header header_of(const std::vector<std::uint8_t>& bytes) {
  auto h = wire::read_header_fields(bytes);
  EXPECT_TRUE(h.has_value());
  return h ? *h : wire::Header{};
}

class CreateChild : public ::testing::Test {
 protected:
  void SetUp() override {
    // What the HA (responder) and the MN (initiator) configure for RFC 4877 SAs.
    f.cfg_r.child.esp.dh_groups = {};
    customize();
    f.run();
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.resp->state(), IkeSaState::Established);
    ASSERT_EQ(f.init->child_sas().size(), 1u);
    first_in_ = f.init->child_sas()[0].spi_in;
    first_out_ = f.init->child_sas()[0].spi_out;
    clear();
  }
  virtual void customize() {}
  void clear() {
    f.net->a_events_.clear();
    f.net->b_events_.clear();
    f.net->a_sent_.clear();
    f.net->b_sent_.clear();
  }
  void run_until(base::TimePoint until) { f.run_until(until, 200); }
  // Both peers hold the same Child SA pairs, mirrored (spi_in on one side = spi_out on the
  // other).
  void expect_mirrored_children() {
    const auto& a = f.init->child_sas();
    const auto& b = f.resp->child_sas();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& c : a) {
      const auto it = std::find_if(b.begin(), b.end(), [&](const ChildSaRecord& d) {
        return d.spi_in == c.spi_out && d.spi_out == c.spi_in;
      });
      EXPECT_NE(it, b.end()) << std::hex << c.spi_in;
    }
  }
  ChildSaConfig mh_child() const {
    ChildSaConfig c = f.cfg_i.child;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    // RFC 4877 7.2.3 style: the MN offers any address; the HA narrows to the HoA.
    c.ts_i = {wire::TrafficSelector::ipv6_range(any, all, wire::kIpProtoIcmpv6, 0x9200, 0x92ff)};
    c.ts_r = {wire::TrafficSelector::ipv6_range(any, all, wire::kIpProtoIcmpv6, 0x9300, 0x93ff)};
    return c;
  }
  base::Ip6Addr hoa() const { return f.resp->assigned_address()->address; }

  Fixture f;
  std::uint32_t first_in_ = 0;
  std::uint32_t first_out_ = 0;
};

// ---- new Child SAs (1.3.1) -------------------------------------------------------------------

// R7296-47: our HA serves CREATE_CHILD_SA; keys from SK_d and the new nonces (R7296-26, 2.17),
// installed mirrored on both sides, distinct from the first Child SA's.
TEST_F(CreateChild, R7296_47_NewChildSaIsInstalledOnBothSides) {
  ASSERT_TRUE(f.init->create_child(mh_child(), f.clock.now()));
  f.net->pump(f.clock.now());
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  const auto cr = outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(ci[0].spi_in, cr[0].spi_out);
  EXPECT_EQ(ci[0].spi_out, cr[0].spi_in);
  EXPECT_EQ(bytes_of(ci[0].encr_out()), bytes_of(cr[0].encr_in()));
  EXPECT_EQ(bytes_of(ci[0].encr_in()), bytes_of(cr[0].encr_out()));
  EXPECT_NE(ci[0].spi_in, first_in_);
  EXPECT_EQ(ci[0].mode, ChildMode::Transport);  // R7296-52: echoed
  EXPECT_EQ(f.init->child_sas().size(), 2u);
  expect_mirrored_children();
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildSasCreated), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ChildSasCreated), 1u);
  // Message ID 2 after IKE_AUTH (R7296-39); the exchange type is CREATE_CHILD_SA.
  const auto req = header_of(f.net->a_sent_[0]);
  EXPECT_EQ(req.exchange, wire::ExchangeType::CreateChildSa);
  EXPECT_EQ(req.message_id.value(), 2u);
}

// R4877-39, 2.9: the responder narrows TSi to the home address it assigned, keeping the
// protocol and the MH/ICMPv6 type ports (R4877-35); TSr is kept.
TEST_F(CreateChild, R4877_39_TsiIsNarrowedToTheAssignedHomeAddress) {
  ASSERT_TRUE(f.init->create_child(mh_child(), f.clock.now()));
  f.net->pump(f.clock.now());
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  const auto cr = outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  ASSERT_EQ(ci[0].ts_local.size(), 1u);
  const auto& ts = ci[0].ts_local[0];
  EXPECT_EQ(ts.ipv6_start(), hoa());
  EXPECT_EQ(ts.ipv6_end(), hoa());
  EXPECT_EQ(ts.ip_protocol, wire::kIpProtoIcmpv6);
  EXPECT_EQ(ts.start_port, 0x9200);
  EXPECT_EQ(cr[0].ts_remote, ci[0].ts_local);
  EXPECT_EQ(ci[0].ts_remote, mh_child().ts_r);
}

// 2.9 at IKE_AUTH: the first Child SA is bound to the CP-assigned address as well.
TEST(CreateChildAuth, R4877_39_IkeAuthChildIsNarrowedToTheAssignedAddress) {
  Fixture f;
  f.run();
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  ASSERT_EQ(ci.size(), 1u);
  const auto assigned = f.init->assigned_address()->address;
  ASSERT_EQ(ci[0].ts_local.size(), 1u);
  EXPECT_EQ(ci[0].ts_local[0].ipv6_start(), assigned);
  EXPECT_EQ(ci[0].ts_local[0].ipv6_end(), assigned);
}

// 2.9: TSi without the assigned address cannot be narrowed: TS_UNACCEPTABLE, counted; the IKE
// SA stays (R7296-53).
TEST_F(CreateChild, TsUnacceptableWhenTsiMissesTheHomeAddress) {
  ChildSaConfig c = mh_child();
  c.ts_i = {wire::TrafficSelector::ipv6_range(addr("2001:db8:99::"), addr("2001:db8:99::ff"))};
  ASSERT_TRUE(f.init->create_child(c, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto failed = outputs_of<ChildSaCreateFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].notify, wire::NotifyType::TsUnacceptable);
  EXPECT_TRUE(outputs_of<InstallChildSa>(f.net->b_events_).empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::TsUnacceptableSent), 1u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->child_sas().size(), 1u);
}

// R7296-12 in CREATE_CHILD_SA: nothing acceptable -> NO_PROPOSAL_CHOSEN, the IKE SA stays.
TEST_F(CreateChild, R7296_12_NoProposalChosenLeavesTheIkeSa) {
  ChildSaConfig c = mh_child();
  c.esp.gcm16_key_bits = 128;  // the responder takes 256 only
  ASSERT_TRUE(f.init->create_child(c, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto failed = outputs_of<ChildSaCreateFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].notify, wire::NotifyType::NoProposalChosen);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildCreateRefused), 1u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));  // the IKE SA still works
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
}

class CreateChildPfs : public CreateChild {
  void customize() override {
    f.cfg_i.child.esp.dh_groups = {crypto::DhGroup::Curve25519, crypto::DhGroup::Ecp256};
    f.cfg_r.child.esp.dh_groups = {crypto::DhGroup::Ecp256};
  }
};

// 2.17 PFS and R7296-19 applied to CREATE_CHILD_SA: KE for Curve25519 first, the responder
// wants ECP-256 (INVALID_KE_PAYLOAD, R7296-18), the retry carries that group and succeeds;
// both sides derive the same KEYMAT with g^ir.
TEST_F(CreateChildPfs, R7296_19_InvalidKeRetryThenPfsChildSa) {
  ASSERT_TRUE(f.init->create_child(mh_child(), f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::InvalidKePayloadSent), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildCreateInvalidKeRetries), 1u);
  const auto ci = outputs_of<InstallChildSa>(f.net->a_events_);
  const auto cr = outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(bytes_of(ci[0].encr_out()), bytes_of(cr[0].encr_in()));
  EXPECT_EQ(bytes_of(ci[0].encr_in()), bytes_of(cr[0].encr_out()));
  // Two requests (KE 31, then KE 19); the second is larger by the ECP public value's extra
  // 32 octets, i.e. it did carry KE.
  ASSERT_EQ(f.net->a_sent_.size(), 2u);
  EXPECT_EQ(f.net->a_sent_[1].size(), f.net->a_sent_[0].size() + 32);
  EXPECT_EQ(header_of(f.net->a_sent_[1]).message_id.value(), 3u);
}

// A responder that demands PFS refuses an offer without a D-H group.
TEST_F(CreateChildPfs, ResponderDemandingPfsRefusesAnOfferWithoutIt) {
  ChildSaConfig c = mh_child();
  c.esp.dh_groups = {};
  ASSERT_TRUE(f.init->create_child(c, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto failed = outputs_of<ChildSaCreateFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].notify, wire::NotifyType::NoProposalChosen);
}

// ---- Child SA rekey (1.3.3) ----------------------------------------------------------------

// The rekey initiator installs the new pair, reports which SA replaces which, and deletes
// the old one (R7296-55); the responder reports the same replacement.
TEST_F(CreateChild, ChildRekeyReplacesAndDeletesTheOldPair) {
  ASSERT_TRUE(f.init->rekey_child(first_in_, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto ri = outputs_of<ChildSaRekeyed>(f.net->a_events_);
  const auto rr = outputs_of<ChildSaRekeyed>(f.net->b_events_);
  ASSERT_EQ(ri.size(), 1u);
  ASSERT_EQ(rr.size(), 1u);
  EXPECT_EQ(ri[0].old_spi_in, first_in_);
  EXPECT_EQ(ri[0].old_spi_out, first_out_);
  EXPECT_FALSE(ri[0].by_peer);
  EXPECT_TRUE(rr[0].by_peer);
  EXPECT_EQ(rr[0].old_spi_in, first_out_);
  EXPECT_EQ(rr[0].new_spi_in, ri[0].new_spi_out);
  // The old pair is gone on both sides, the new one stays, with the same selectors and mode.
  const auto di = outputs_of<ChildSaDeleted>(f.net->a_events_);
  const auto dr = outputs_of<ChildSaDeleted>(f.net->b_events_);
  ASSERT_EQ(di.size(), 1u);
  ASSERT_EQ(dr.size(), 1u);
  EXPECT_EQ(di[0].spi_in, first_in_);
  EXPECT_EQ(dr[0].spi_in, first_out_);
  ASSERT_EQ(f.init->child_sas().size(), 1u);
  EXPECT_EQ(f.init->child_sas()[0].spi_in, ri[0].new_spi_in);
  EXPECT_EQ(f.init->child_sas()[0].mode, ChildMode::Transport);
  expect_mirrored_children();
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildSasRekeyed), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ChildSasRekeyed), 1u);
}

// Either side may rekey (1.3.3): the HA rekeys the MN's Child SA.
TEST_F(CreateChild, ResponderRekeysTheChildSaToo) {
  ASSERT_TRUE(f.resp->rekey_child(first_out_, f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(outputs_of<ChildSaRekeyed>(f.net->b_events_).size(), 1u);
  ASSERT_EQ(outputs_of<ChildSaDeleted>(f.net->a_events_).size(), 1u);
  ASSERT_EQ(f.init->child_sas().size(), 1u);
  EXPECT_NE(f.init->child_sas()[0].spi_in, first_in_);
  expect_mirrored_children();
}

// 2.8.1: both sides rekey the same Child SA at once. Both answer as usual; the SA with the
// lowest of the four nonces is redundant and deleted by its creator, the other creator
// deletes the old SA. Both end with the same single pair.
TEST_F(CreateChild, ChildRekeyCollisionLeavesOnePairOnBothSides) {
  ASSERT_TRUE(f.init->rekey_child(first_in_, f.clock.now()));
  ASSERT_TRUE(f.resp->rekey_child(first_out_, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildRekeyCollisions), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ChildRekeyCollisions), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildRekeyRedundantDeleted) +
                f.resp->counters().get(IkeCounter::ChildRekeyRedundantDeleted),
            1u);
  ASSERT_EQ(f.init->child_sas().size(), 1u);
  EXPECT_NE(f.init->child_sas()[0].spi_in, first_in_);
  expect_mirrored_children();
  // Two deletes on each side: the old pair and the redundant one.
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->a_events_).size(), 2u);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->b_events_).size(), 2u);
}

// 2.25.1: a rekey of a Child SA the peer is deleting gets TEMPORARY_FAILURE; the Delete wins.
TEST_F(CreateChild, RekeyCrossingADeleteGetsTemporaryFailure) {
  ASSERT_TRUE(f.resp->delete_child(first_out_, f.clock.now()));
  ASSERT_TRUE(f.init->rekey_child(first_in_, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::TemporaryFailureSent), 1u);
  const auto failed = outputs_of<ChildSaCreateFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].notify, wire::NotifyType::TemporaryFailure);
  EXPECT_EQ(failed[0].rekeyed_spi_in, first_in_);
  EXPECT_TRUE(f.init->child_sas().empty());
  EXPECT_TRUE(f.resp->child_sas().empty());
}

// ---- lifetimes (2.8) -----------------------------------------------------------------------

class ChildLifetimes : public CreateChild {
  void customize() override {
    f.cfg_i.child.rekey_after = 100s;
    f.cfg_i.child.rekey_jitter = 10s;
    f.cfg_r.child.hard_lifetime = 300s;
  }
};

// The soft lifetime (minus jitter) starts a rekey through next_deadline()/on_timer(); the new
// SA gets a full lifetime again, so the peer's hard lifetime never hits a live SA.
TEST_F(ChildLifetimes, SoftLifetimeRekeysBeforeTheHardLifetime) {
  const auto start = f.clock.now();
  const auto deadline = f.init->next_deadline();
  EXPECT_LE(deadline, start + 100s);
  EXPECT_GT(deadline, start + 89s);
  run_until(start + 250s);
  EXPECT_GE(f.init->counters().get(IkeCounter::ChildSasRekeyed), 2u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ChildSaHardExpired), 0u);
  ASSERT_EQ(f.init->child_sas().size(), 1u);
  expect_mirrored_children();
}

// The hard lifetime deletes a Child SA that was not rekeyed in time.
TEST_F(ChildLifetimes, HardLifetimeDeletesTheChildSa) {
  ASSERT_TRUE(f.init->create_child(mh_child(), f.clock.now()));  // installed now
  f.net->pump(f.clock.now());
  // No soft rekeys from the initiator in this test: drop its timers by never calling them.
  f.clock.advance(301s);
  f.resp->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ChildSaHardExpired), 2u);
  EXPECT_TRUE(f.resp->child_sas().empty());
  EXPECT_TRUE(f.init->child_sas().empty());
}

// ---- IKE SA rekey (1.3.2, 2.18) ------------------------------------------------------------

// The MN rekeys the IKE SA: new SPIs on both sides, the Child SAs move along untouched, the
// old SA is deleted by the rekey initiator, and the new SA's message IDs start at 0.
TEST_F(CreateChild, IkeRekeyByInitiatorMovesChildrenAndDeletesTheOldSa) {
  const auto old_i = f.init->spi_i();
  const auto old_r = f.init->spi_r();
  const auto old_sk_d = bytes_of(f.init->keys()->sk_d);
  ASSERT_TRUE(f.init->rekey_ike(f.clock.now()));
  f.net->pump(f.clock.now());
  const auto ri = outputs_of<IkeSaRekeyed>(f.net->a_events_);
  const auto rr = outputs_of<IkeSaRekeyed>(f.net->b_events_);
  ASSERT_EQ(ri.size(), 1u);
  ASSERT_EQ(rr.size(), 1u);
  EXPECT_EQ(ri[0].old_spis.spi_i, old_i);
  EXPECT_EQ(ri[0].old_spis.spi_r, old_r);
  EXPECT_EQ(ri[0].now_spis.spi_i, rr[0].now_spis.spi_i);
  EXPECT_EQ(ri[0].now_spis.spi_r, rr[0].now_spis.spi_r);
  EXPECT_EQ(f.init->spi_i(), ri[0].now_spis.spi_i);
  EXPECT_EQ(f.resp->spi_r(), rr[0].now_spis.spi_r);
  EXPECT_NE(f.init->spi_i(), old_i);
  EXPECT_NE(f.init->spi_r(), old_r);
  EXPECT_EQ(f.init->role(), Role::Initiator);
  // 2.18: new keys from the old SK_d and the new g^ir.
  EXPECT_NE(bytes_of(f.init->keys()->sk_d), old_sk_d);
  EXPECT_EQ(bytes_of(f.init->keys()->sk_d), bytes_of(f.resp->keys()->sk_d));
  // Children untouched (no delete, no install).
  EXPECT_TRUE(outputs_of<ChildSaDeleted>(f.net->a_events_).empty());
  EXPECT_TRUE(outputs_of<ChildSaDeleted>(f.net->b_events_).empty());
  EXPECT_EQ(f.init->child_sas().size(), 1u);
  expect_mirrored_children();
  // The old SA's Delete went out on the old SPIs and was answered: the initiator is done
  // with it; the responder only lingers to answer a retransmission.
  EXPECT_EQ(f.init->retiring_sas(), 0u);
  ASSERT_EQ(outputs_of<IkeSpisRetired>(f.net->a_events_).size(), 1u);
  const auto del = header_of(f.net->a_sent_.back());
  EXPECT_EQ(del.exchange, wire::ExchangeType::Informational);
  EXPECT_EQ(del.spi_i, old_i);
  run_until(f.clock.now() + 30s);
  EXPECT_EQ(f.resp->retiring_sas(), 0u);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  // The new SA works, from message ID 0 (R7296-39).
  f.net->a_sent_.clear();
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  const auto h = header_of(f.net->a_sent_[0]);
  EXPECT_EQ(h.message_id.value(), 0u);
  EXPECT_EQ(h.spi_i, f.init->spi_i());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::EstablishedRequestsAnswered), 2u);
  EXPECT_TRUE(f.init->owns_spis(f.init->spi_i(), f.init->spi_r()));
  EXPECT_FALSE(f.init->owns_spis(old_i, old_r));
}

// R7296-04: the HA rekeys the IKE SA and becomes the original initiator of the new one: its
// role and I flag flip, and the MN's do too.
TEST_F(CreateChild, R7296_04_IkeRekeyByResponderFlipsTheRoles) {
  ASSERT_TRUE(f.resp->rekey_ike(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->role(), Role::Initiator);
  EXPECT_EQ(f.init->role(), Role::Responder);
  EXPECT_EQ(f.resp->spi_i(), f.init->spi_i());
  EXPECT_EQ(f.resp->spi_r(), f.init->spi_r());
  f.net->b_sent_.clear();
  ASSERT_TRUE(f.resp->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->b_sent_.size(), 1u);
  EXPECT_TRUE(header_of(f.net->b_sent_[0]).initiator);
  EXPECT_EQ(f.resp->next_deadline() > f.clock.now() + 1h, true);  // answered, nothing due
  // A Child SA on the new IKE SA, created by the former responder.
  ASSERT_TRUE(f.resp->create_child(f.cfg_i.child, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->child_sas().size(), 2u);
  expect_mirrored_children();
}

// R7296-37 across the switch: the rekey answer is lost, the retransmitted request reaches the
// responder, which already runs the new SA, and gets the same answer from the old one.
TEST_F(CreateChild, R7296_37_LostRekeyAnswerIsResentFromTheOldSa) {
  int dropped = 0;
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>&) {
    return !(dir == test::Loopback::Dir::BtoA && dropped++ == 0);
  });
  ASSERT_TRUE(f.init->rekey_ike(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(outputs_of<IkeSaRekeyed>(f.net->b_events_).size(), 1u);
  EXPECT_TRUE(outputs_of<IkeSaRekeyed>(f.net->a_events_).empty());
  f.clock.advance(1s);
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ResponsesResent), 1u);
  ASSERT_EQ(outputs_of<IkeSaRekeyed>(f.net->a_events_).size(), 1u);
  EXPECT_EQ(f.init->spi_i(), f.resp->spi_i());
  EXPECT_EQ(f.init->spi_r(), f.resp->spi_r());
}

// 2.8.2: both sides rekey the IKE SA at once; both answer as usual, the SA with the lowest
// nonce is redundant and deleted by its creator, the survivor's creator deletes the old SA.
TEST_F(CreateChild, IkeRekeyCollisionConvergesOnOneSa) {
  ASSERT_TRUE(f.init->rekey_ike(f.clock.now()));
  ASSERT_TRUE(f.resp->rekey_ike(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeRekeyCollisions), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::IkeRekeyCollisions), 1u);
  EXPECT_EQ(f.init->spi_i(), f.resp->spi_i());
  EXPECT_EQ(f.init->spi_r(), f.resp->spi_r());
  EXPECT_NE(f.init->role(), f.resp->role());
  EXPECT_EQ(bytes_of(f.init->keys()->sk_d), bytes_of(f.resp->keys()->sk_d));
  run_until(f.clock.now() + 2min);
  EXPECT_EQ(f.init->retiring_sas(), 0u);
  EXPECT_EQ(f.resp->retiring_sas(), 0u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  expect_mirrored_children();
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->next_deadline() > f.clock.now() + 1h, true);
}

class IkeLifetime : public CreateChild {
  void customize() override {
    f.cfg_i.ike_rekey_after = 600s;
    f.cfg_i.ike_rekey_jitter = 60s;
  }
};

// The IKE SA's soft lifetime (IkeSaConfig::ike_rekey_after, minus jitter) rekeys it through
// the timer, and is armed again on the new SA.
TEST_F(IkeLifetime, SoftLifetimeRekeysTheIkeSaAndRearms) {
  const auto start = f.clock.now();
  EXPECT_LE(f.init->next_deadline(), start + 600s);
  EXPECT_GT(f.init->next_deadline(), start + 539s);
  run_until(start + 1300s);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSasRekeyed), 2u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::IkeSasRekeyed), 2u);
  EXPECT_EQ(f.init->spi_i(), f.resp->spi_i());
  EXPECT_EQ(f.init->child_sas().size(), 1u);
}

// 2.25.2: an IKE rekey request while our own Child SA exchange is in flight gets
// TEMPORARY_FAILURE; the rekey is retried later and succeeds.
TEST_F(CreateChild, IkeRekeyDuringAChildExchangeIsRetriedLater) {
  ASSERT_TRUE(f.resp->create_child(f.cfg_i.child, f.clock.now()));
  ASSERT_TRUE(f.init->rekey_ike(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::TemporaryFailureSent), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeRekeyFailed), 1u);
  EXPECT_EQ(f.init->child_sas().size(), 2u);
  run_until(f.clock.now() + 11s);  // rekey_retry_interval
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeSasRekeyed), 1u);
  EXPECT_EQ(f.init->spi_i(), f.resp->spi_i());
}

TEST(CreateChildApi, CommandsNeedAnEstablishedSa) {
  Fixture f;
  f.build();
  EXPECT_FALSE(f.init->create_child(f.cfg_i.child, f.clock.now()));
  EXPECT_FALSE(f.init->rekey_child(1234, f.clock.now()));
  EXPECT_FALSE(f.init->rekey_ike(f.clock.now()));
}

}  // namespace
}  // namespace ike::engine
