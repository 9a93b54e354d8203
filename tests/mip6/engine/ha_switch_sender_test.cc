// RFC 5142 Home Agent Switch, HA side: HaBindingEngine::send_home_agent_switch() and the
// "switch pending" state of a binding (retransmission ladder, rate cap, acknowledgement by
// de-registration, refused extensions).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "mip6/engine/ha_binding_engine.h"
#include "mip6/wire/mobility_header.h"
#include "tests/support/fake_clock.h"

namespace mip6::engine {
namespace {

using std::chrono::seconds;

base::Ip6Addr ip(const char* text) {
  return *base::Ip6Addr::parse(text);
}

const base::Ip6Addr kHa = ip("2001:db8:1::1");
const base::Ip6Addr kHa2 = ip("2001:db8:1::2");
const base::Ip6Addr kHa3 = ip("2001:db8:1::3");
const base::Ip6Addr kCoa = ip("2001:db8:77::5");

base::Ip6Addr hoa(int i) {
  base::Ip6Addr a = ip("2001:db8:1::100");
  a.bytes()[15] = static_cast<std::uint8_t>(i);
  return a;
}

class AllowAll final : public HomeAddressAuthorizer {
 public:
  bool may_register(std::string_view, const base::Ip6Addr&) const override { return true; }
};

class HaSwitchSenderTest : public ::testing::Test {
 protected:
  HaSwitchSenderTest() {
    config_.home_agent_addresses = {kHa};
    config_.home_prefixes = {HomePrefix{ip("2001:db8:1::"), 64, base::kNever, base::kNever}};
    config_.max_lifetime = std::chrono::hours(1);
    config_.capacity = 10;
    engine_ = std::make_unique<HaBindingEngine>(config_, auth_, clock_.now());
  }

  static wire::BindingUpdate bu(std::uint16_t seq, std::uint16_t lifetime) {
    wire::BindingUpdate b;
    b.sequence = seq;
    b.ack = true;
    b.home_registration = true;
    b.lifetime = lifetime;
    return b;
  }
  static BuContext ctx(const base::Ip6Addr& home) {
    BuContext c;
    c.source = kCoa;
    c.destination = kHa;
    c.home_address_option = home;
    c.security.esp_protected = true;
    c.security.dynamic_keying = true;
    c.security.ike_identity = "mn";
    c.security.identity = binding::IkeIdentityHandle{7};
    return c;
  }
  // A binding of 600 units (2400 s) for `home`.
  void bind(const base::Ip6Addr& home) {
    engine_->on_binding_update(ctx(home), bu(1, 600), clock_.now());
    engine_->on_dad_result(home, true, clock_.now());
    (void)engine_->take_outputs();
    ASSERT_TRUE(engine_->binding_cache().find(home));
  }
  std::vector<SendHomeAgentSwitch> switches(const std::vector<HaOutput>& outs) {
    std::vector<SendHomeAgentSwitch> v;
    for (const auto& o : outs) {
      if (const auto* s = std::get_if<SendHomeAgentSwitch>(&o)) {
        v.push_back(*s);
      }
    }
    return v;
  }
  // Advances to the engine's deadline and returns what on_timer emitted.
  std::vector<HaOutput> tick() {
    clock_.advance_to(engine_->next_deadline());
    engine_->on_timer(clock_.now());
    return engine_->take_outputs();
  }
  std::uint64_t counter(HaCounter c) const { return engine_->counters().get(c); }

  test::FakeClock clock_;
  AllowAll auth_;
  HaBindingConfig config_;
  std::unique_ptr<HaBindingEngine> engine_;
};

TEST_F(HaSwitchSenderTest, R5142_06_07_08_10_SwitchNamesTargetsInOrderToTheCareOfAddressUnderEsp) {
  bind(hoa(1));
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa3, kHa2}, std::nullopt, clock_.now()));
  const auto sent = switches(engine_->take_outputs());
  ASSERT_EQ(sent.size(), 1U);
  const SendHomeAgentSwitch& s = sent[0];
  EXPECT_EQ(s.destination, kCoa);     // to the MN where it is
  EXPECT_EQ(s.home_address, hoa(1));  // type 2 routing header
  EXPECT_EQ(s.source, kHa);
  EXPECT_EQ(s.identity.value, 7U);  // the SA that protects it (R5142-10/35)
  EXPECT_TRUE(SendHomeAgentSwitch::kEspRequired);
  EXPECT_EQ(s.transmission, 1U);
  EXPECT_EQ(s.message.home_agents, (std::vector<base::Ip6Addr>{kHa3, kHa2}));  // R5142-07
  EXPECT_EQ(s.message.reserved, 0);                                            // R5142-03
  EXPECT_TRUE(s.message.options.empty());

  // On the wire: MH type 12, "# of Addresses" = 2, Header Len = 2N (R5142-01/05/06/08).
  wire::MobilityHeader mh;
  mh.message = s.message;
  const auto bytes = wire::encode_mobility_header(mh, kHa, hoa(1));
  ASSERT_EQ(bytes.size(), 8U + 32U);
  EXPECT_EQ(bytes[1], 4);   // Header Len
  EXPECT_EQ(bytes[2], 12);  // MH type
  EXPECT_EQ(bytes[6], 2);   // # of Addresses
  EXPECT_EQ(bytes[7], 0);   // Reserved
  EXPECT_TRUE(engine_->switch_pending(hoa(1)));
  EXPECT_EQ(counter(HaCounter::HaSwitchSent), 1U);
}

TEST_F(HaSwitchSenderTest, R5142_08_NoTargetsMeansZeroAddresses) {
  bind(hoa(1));
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {}, std::nullopt, clock_.now()));
  const auto sent = switches(engine_->take_outputs());
  ASSERT_EQ(sent.size(), 1U);
  wire::MobilityHeader mh;
  mh.message = sent[0].message;
  const auto bytes = wire::encode_mobility_header(mh, kHa, hoa(1));
  EXPECT_EQ(bytes.size(), 8U);
  EXPECT_EQ(bytes[1], 0);
  EXPECT_EQ(bytes[6], 0);
}

TEST_F(HaSwitchSenderTest, R5142_15_16_17_RetransmitsAt5Then10Then20ForEver) {
  bind(hoa(1));
  const base::TimePoint t0 = clock_.now();
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa2}, std::nullopt, t0));
  (void)engine_->take_outputs();
  std::vector<base::Duration> at;
  for (int i = 0; i < 5; ++i) {
    const auto sent = switches(tick());
    ASSERT_EQ(sent.size(), 1U);
    EXPECT_EQ(sent[0].transmission, static_cast<unsigned>(i + 2));
    at.push_back(clock_.now() - t0);
  }
  EXPECT_EQ(at, (std::vector<base::Duration>{seconds(5), seconds(15), seconds(35), seconds(55),
                                             seconds(75)}));
  EXPECT_EQ(counter(HaCounter::HaSwitchRetransmitted), 5U);
}

TEST_F(HaSwitchSenderTest, R5142_09_18_RefreshAdviceIsCarriedAndShortensTheFirstWait) {
  bind(hoa(1));
  const base::TimePoint t0 = clock_.now();
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa2}, seconds(6), t0));
  const auto sent = switches(engine_->take_outputs());
  ASSERT_EQ(sent.size(), 1U);
  const auto* bra = wire::find_option<wire::BindingRefreshAdviceOption>(sent[0].message.options);
  ASSERT_NE(bra, nullptr);
  EXPECT_EQ(bra->refresh_interval, 1);  // 6 s -> one 4-second unit
  // min(4 s / 2, 5 s) = 2 s, then doubling: 4 s.
  ASSERT_EQ(switches(tick()).size(), 1U);
  EXPECT_EQ(clock_.now() - t0, seconds(2));
  ASSERT_EQ(switches(tick()).size(), 1U);
  EXPECT_EQ(clock_.now() - t0, seconds(6));

  // A long advice keeps INITIAL-HA-SWITCH-TIMEOUT (the smaller of the two).
  bind(hoa(2));
  const base::TimePoint t1 = clock_.now();
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(2), {kHa2}, seconds(400), t1));
  (void)engine_->take_outputs();
  base::TimePoint first_retransmit = base::kNever;
  for (int i = 0; i < 4 && first_retransmit == base::kNever; ++i) {
    for (const auto& s : switches(tick())) {
      if (s.home_address == hoa(2)) {
        first_retransmit = clock_.now();
      }
    }
  }
  EXPECT_EQ(first_retransmit - t1, seconds(5));
}

TEST_F(HaSwitchSenderTest, R5142_14_DeregistrationBuAcknowledgesAndStopsRetransmissions) {
  bind(hoa(1));
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa2}, std::nullopt, clock_.now()));
  (void)engine_->take_outputs();
  ASSERT_EQ(switches(tick()).size(), 1U);  // one retransmission
  engine_->on_binding_update(ctx(hoa(1)), bu(2, 0), clock_.now());
  (void)engine_->take_outputs();
  EXPECT_FALSE(engine_->switch_pending(hoa(1)));
  EXPECT_EQ(counter(HaCounter::HaSwitchAcknowledged), 1U);
  // Nothing more is sent for it.
  for (int i = 0; i < 3 && engine_->next_deadline() != base::kNever; ++i) {
    EXPECT_TRUE(switches(tick()).empty());
  }
}

TEST_F(HaSwitchSenderTest, R5142_22_RefreshExtendingTheBindingGets129ShorterOneIsServed) {
  bind(hoa(1));
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa2}, std::nullopt, clock_.now()));
  (void)engine_->take_outputs();
  clock_.advance(seconds(100));
  // 600 units from now ends after the current expiry: refused with 129, binding unchanged.
  engine_->on_binding_update(ctx(hoa(1)), bu(2, 600), clock_.now());
  auto outs = engine_->take_outputs();
  const SendBindingAck* ack = nullptr;
  for (const auto& o : outs) {
    if (const auto* a = std::get_if<SendBindingAck>(&o)) {
      ack = a;
    }
  }
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->ack.status, wire::BaStatus::AdministrativelyProhibited);
  EXPECT_EQ(counter(HaCounter::HaSwitchExtensionRefused), 1U);
  EXPECT_EQ(engine_->binding_cache().find(hoa(1))->sequence.value(), 1);
  // A refresh that ends before the current expiry is still served (R5142-21).
  engine_->on_binding_update(ctx(hoa(1)), bu(3, 10), clock_.now());
  outs = engine_->take_outputs();
  ack = nullptr;
  for (const auto& o : outs) {
    if (const auto* a = std::get_if<SendBindingAck>(&o)) {
      ack = a;
    }
  }
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->ack.status, wire::BaStatus::Accepted);
  EXPECT_TRUE(engine_->switch_pending(hoa(1)));
}

TEST_F(HaSwitchSenderTest, R5142_20_21_BindingServedUntilExpiryThenSwitchEndsUnanswered) {
  bind(hoa(1));
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa2}, std::nullopt, clock_.now()));
  (void)engine_->take_outputs();
  const base::TimePoint expires = engine_->binding_cache().find(hoa(1))->expires;
  int retransmissions = 0;
  while (engine_->switch_pending(hoa(1))) {
    const auto outs = tick();
    retransmissions += static_cast<int>(switches(outs).size());
    if (clock_.now() < expires) {
      EXPECT_TRUE(engine_->binding_cache().find(hoa(1)));  // still served (R5142-21)
    }
    ASSERT_LE(clock_.now(), expires + seconds(1));
  }
  EXPECT_GT(retransmissions, 100);  // 2400 s at 20 s: kept going at the maximum (R5142-17)
  EXPECT_EQ(counter(HaCounter::HaSwitchUnanswered), 1U);
  EXPECT_EQ(engine_->next_deadline(), base::kNever);
}

TEST_F(HaSwitchSenderTest, R5142_33_NewSwitchesLeaveAtMostOnePerSecond) {
  for (int i = 1; i <= 4; ++i) {
    bind(hoa(i));
  }
  const base::TimePoint t0 = clock_.now();
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(engine_->send_home_agent_switch(hoa(i), {kHa2}, std::nullopt, t0));
  }
  std::map<int, base::Duration> first_sent;
  auto note = [&](const std::vector<HaOutput>& outs) {
    for (const auto& s : switches(outs)) {
      if (s.transmission == 1) {
        first_sent[s.home_address.bytes()[15]] = clock_.now() - t0;
      }
    }
  };
  note(engine_->take_outputs());
  while (first_sent.size() < 4) {
    note(tick());
  }
  EXPECT_EQ(first_sent[1], seconds(0));
  EXPECT_EQ(first_sent[2], seconds(1));
  EXPECT_EQ(first_sent[3], seconds(2));
  EXPECT_EQ(first_sent[4], seconds(3));
  EXPECT_EQ(counter(HaCounter::HaSwitchRateDeferred), 3U);
}

TEST_F(HaSwitchSenderTest, SwitchNeedsAnActiveBindingAndIsNotStartedTwice) {
  auto r = engine_->send_home_agent_switch(hoa(9), {kHa2}, std::nullopt, clock_.now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), HaSwitchError::NoBinding);
  EXPECT_EQ(counter(HaCounter::HaSwitchRefusedNoBinding), 1U);
  bind(hoa(1));
  ASSERT_TRUE(engine_->send_home_agent_switch(hoa(1), {kHa2}, std::nullopt, clock_.now()));
  r = engine_->send_home_agent_switch(hoa(1), {kHa3}, std::nullopt, clock_.now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), HaSwitchError::AlreadyPending);
}

TEST_F(HaSwitchSenderTest, AddressListIsCappedByConfiguration) {
  config_.ha_switch.max_addresses = 2;
  engine_ = std::make_unique<HaBindingEngine>(config_, auth_, clock_.now());
  bind(hoa(1));
  ASSERT_TRUE(
      engine_->send_home_agent_switch(hoa(1), {kHa2, kHa3, kHa}, std::nullopt, clock_.now()));
  const auto sent = switches(engine_->take_outputs());
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].message.home_agents.size(), 2U);
}

}  // namespace
}  // namespace mip6::engine
