// Two-peer IKE_SA_INIT + IKE_AUTH exchanges over a Loopback, deterministic RNG and DH, fake
// clock (STYLE B5).
#include "ike/engine/ike_sa.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "ike/wire/message.h"
#include "tests/ike/engine/loopback.h"
#include "tests/ike/engine/sa_pair.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;

wire::DecodedMessage decode(const std::vector<std::uint8_t>& bytes) {
  auto d = wire::decode_message(bytes);
  EXPECT_TRUE(d.has_value());
  return d ? std::move(*d) : wire::DecodedMessage{};
}

// R7296-45 (IKE_SA_INIT + IKE_AUTH: one IKE SA and one ESP SA), R7296-25 (same IKE keys on
// both sides), R7296-26 (Child keys crossed by direction), R7296-27 (PSK AUTH verified both
// ways), R7296-49/R7296-50 (CP INTERNAL_IP6_ADDRESS), R7296-52 (USE_TRANSPORT_MODE echoed).
TEST(IkeSaExchange, R7296_45_FullExchangeEstablishesBothSidesWithIdenticalKeys) {
  Fixture f;
  f.run();
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  ASSERT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->spi_i(), f.resp->spi_i());
  EXPECT_EQ(f.init->spi_r(), f.resp->spi_r());
  EXPECT_FALSE(f.init->spi_r().is_zero());

  const auto* ki = f.init->keys();
  const auto* kr = f.resp->keys();
  ASSERT_NE(ki, nullptr);
  ASSERT_NE(kr, nullptr);
  EXPECT_EQ(bytes_of(ki->sk_d), bytes_of(kr->sk_d));
  EXPECT_EQ(bytes_of(ki->sk_ei), bytes_of(kr->sk_ei));
  EXPECT_EQ(bytes_of(ki->sk_er), bytes_of(kr->sk_er));
  EXPECT_EQ(bytes_of(ki->sk_pi), bytes_of(kr->sk_pi));
  EXPECT_EQ(bytes_of(ki->sk_pr), bytes_of(kr->sk_pr));
  EXPECT_EQ(ki->sk_ei.size(), 36u);  // AES-256 key + 4-octet salt
  EXPECT_NE(bytes_of(ki->sk_ei), bytes_of(ki->sk_er));
  ASSERT_TRUE(f.init->suite().has_value());
  EXPECT_EQ(f.init->suite()->dh, crypto::DhGroup::Curve25519);
  EXPECT_EQ(f.init->suite()->transforms.prf, crypto::PrfAlgorithm::HmacSha2_256);

  const auto ci = test::outputs_of<InstallChildSa>(f.net->a_events_);
  const auto cr = test::outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(ci[0].spi_in, cr[0].spi_out);
  EXPECT_EQ(ci[0].spi_out, cr[0].spi_in);
  EXPECT_EQ(bytes_of(ci[0].encr_out()), bytes_of(cr[0].encr_in()));
  EXPECT_EQ(bytes_of(ci[0].encr_in()), bytes_of(cr[0].encr_out()));
  EXPECT_NE(bytes_of(ci[0].encr_in()), bytes_of(ci[0].encr_out()));
  EXPECT_EQ(ci[0].encr_out().size(), 36u);
  EXPECT_EQ(ci[0].mode, ChildMode::Transport);
  EXPECT_EQ(cr[0].mode, ChildMode::Transport);
  EXPECT_EQ(ci[0].ts_local, cr[0].ts_remote);
  EXPECT_FALSE(ci[0].esn);

  const auto ei = test::outputs_of<SaEstablished>(f.net->a_events_);
  const auto er = test::outputs_of<SaEstablished>(f.net->b_events_);
  ASSERT_EQ(ei.size(), 1u);
  ASSERT_EQ(er.size(), 1u);
  EXPECT_EQ(ei[0].peer_id, kHaId);
  EXPECT_EQ(er[0].peer_id, kMnId);
  ASSERT_TRUE(ei[0].assigned_address.has_value());
  EXPECT_EQ(ei[0].assigned_address->address, addr("2001:db8:1::1"));
  EXPECT_EQ(ei[0].assigned_address->prefix_len, 128);
  EXPECT_EQ(ei[0].assigned_address, er[0].assigned_address);
  ASSERT_TRUE(ei[0].home_prefix.has_value());  // RFC 5026 3.2 MIP6_HOME_PREFIX
  EXPECT_EQ(ei[0].home_prefix->prefix, addr("2001:db8:1::"));
  EXPECT_EQ(ei[0].home_prefix->prefix_len, 64);
  EXPECT_EQ(f.pool.leased(), 1u);
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
}

// R7296-39 (Message IDs 0 then 1), R7296-03/R7296-04 (R and I flags), R7296-05 (SPIr = 0 in
// the first request), R7296-56 (both NAT_DETECTION notifies in IKE_SA_INIT).
TEST(IkeSaExchange, R7296_39_MessageIdsFlagsAndNatDetection) {
  Fixture f;
  f.run();
  ASSERT_EQ(f.net->a_sent_.size(), 2u);
  ASSERT_EQ(f.net->b_sent_.size(), 2u);
  const auto req0 = decode(f.net->a_sent_[0]);
  const auto res0 = decode(f.net->b_sent_[0]);
  const auto req1 = decode(f.net->a_sent_[1]);
  const auto res1 = decode(f.net->b_sent_[1]);
  EXPECT_EQ(req0.message.header.message_id.value(), 0u);
  EXPECT_TRUE(req0.message.header.spi_r.is_zero());
  EXPECT_TRUE(req0.message.header.initiator);
  EXPECT_FALSE(req0.message.header.response);
  EXPECT_FALSE(res0.message.header.initiator);
  EXPECT_TRUE(res0.message.header.response);
  EXPECT_EQ(req1.message.header.message_id.value(), 1u);
  EXPECT_EQ(res1.message.header.message_id.value(), 1u);
  EXPECT_EQ(req1.message.header.exchange, wire::ExchangeType::IkeAuth);
  EXPECT_TRUE(req1.sk.has_value());
  for (const auto* m : {&req0.message, &res0.message}) {
    EXPECT_NE(wire::find_notify(m->payloads, wire::NotifyType::NatDetectionSourceIp), nullptr);
    EXPECT_NE(wire::find_notify(m->payloads, wire::NotifyType::NatDetectionDestinationIp), nullptr);
  }
  EXPECT_FALSE(f.init->nat_detected());
  EXPECT_FALSE(f.resp->nat_detected());
}

// STYLE B4: every state change is an event OLD -> NEW, in order.
TEST(IkeSaExchange, StateChangesAreReportedInOrder) {
  Fixture f;
  f.run();
  const auto si = test::outputs_of<StateChanged>(f.net->a_events_);
  ASSERT_EQ(si.size(), 3u);
  EXPECT_EQ(si[0].from, IkeSaState::Created);
  EXPECT_EQ(si[0].to, IkeSaState::InitRequestSent);
  EXPECT_EQ(si[1].to, IkeSaState::AuthRequestSent);
  EXPECT_EQ(si[2].from, IkeSaState::AuthRequestSent);
  EXPECT_EQ(si[2].to, IkeSaState::Established);
  const auto sr = test::outputs_of<StateChanged>(f.net->b_events_);
  ASSERT_EQ(sr.size(), 2u);
  EXPECT_EQ(sr[0].to, IkeSaState::InitResponded);
  EXPECT_EQ(sr[1].to, IkeSaState::Established);
}

TEST(IkeSaStateMachine, RefusesIllegalTransitions) {
  Fixture f;
  f.build();
  EXPECT_FALSE(f.init->transition_for_test(IkeSaState::Established));
  EXPECT_EQ(f.init->state(), IkeSaState::Created);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IllegalTransitions), 1u);
  EXPECT_TRUE(f.init->take_outputs().empty());
  EXPECT_TRUE(f.init->transition_for_test(IkeSaState::Failed));
  EXPECT_FALSE(f.init->transition_for_test(IkeSaState::Created));  // Failed is terminal
  EXPECT_EQ(f.init->take_outputs().size(), 1u);
}

// R7296-31: ID_RFC822_ADDR and ID_IPV6_ADDR work as well as ID_FQDN.
class IkeSaIdTypes : public ::testing::TestWithParam<wire::IdPayload> {};

TEST_P(IkeSaIdTypes, R7296_31_PskWithIdType) {
  Fixture f;
  f.cfg_i.local_id = GetParam();
  f.creds_r = InMemoryCredentials();
  f.creds_r.add(GetParam(), secret("another secret of some length"));
  f.creds_i = InMemoryCredentials();
  f.creds_i.add(kHaId, secret("another secret of some length"));
  f.run();
  ASSERT_EQ(f.resp->state(), IkeSaState::Established);
  const auto er = test::outputs_of<SaEstablished>(f.net->b_events_);
  ASSERT_EQ(er.size(), 1u);
  EXPECT_EQ(er[0].peer_id, GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Ids, IkeSaIdTypes,
    ::testing::Values(wire::IdPayload::make_rfc822("mn@example.org"),
                      wire::IdPayload::make_ipv6(*base::Ip6Addr::parse("2001:db8:ff::10"))));

// R7296-18 (responder names the group it wants), R7296-19 (initiator retries with it and the
// full suite list), R7296-28 (AUTH over the latest IKE_SA_INIT: the exchange completes).
TEST(IkeSaExchange, R7296_19_InvalidKePayloadRetry) {
  Fixture f;
  f.cfg_r.ike.dh_groups = {crypto::DhGroup::Ecp256};
  f.run();
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  ASSERT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->counters().get(IkeCounter::InvalidKeRetries), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::InvalidKePayloadSent), 1u);
  EXPECT_EQ(f.init->suite()->dh, crypto::DhGroup::Ecp256);

  ASSERT_GE(f.net->b_sent_.size(), 1u);
  const auto answer = decode(f.net->b_sent_[0]);
  const auto* n = wire::find_notify(answer.message.payloads, wire::NotifyType::InvalidKePayload);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(wire::decode_invalid_ke_payload(*n).value(), 19);
  EXPECT_TRUE(answer.message.header.spi_r.is_zero());

  ASSERT_GE(f.net->a_sent_.size(), 2u);
  const auto first = decode(f.net->a_sent_[0]);
  const auto retry = decode(f.net->a_sent_[1]);
  EXPECT_EQ(retry.message.header.message_id.value(), 0u);
  EXPECT_EQ(retry.message.header.spi_i, first.message.header.spi_i);
  EXPECT_EQ(wire::find_first<wire::KePayload>(retry.message.payloads)->dh_group, 19);
  EXPECT_EQ(*wire::find_first<wire::SaPayload>(retry.message.payloads),
            *wire::find_first<wire::SaPayload>(first.message.payloads));
}

// R7296-53 (AUTHENTICATION_FAILED), R7296-29 (the PSK of the claimed identity).
TEST(IkeSaExchange, R7296_53_WrongPskGetsAuthenticationFailed) {
  Fixture f;
  f.creds_r = InMemoryCredentials();
  f.creds_r.add(kMnId, secret("a different secret entirely!!"));
  f.run();
  EXPECT_EQ(f.resp->state(), IkeSaState::Failed);
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::AuthenticationFailedSent), 1u);
  const auto fi = test::outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(fi.size(), 1u);
  EXPECT_EQ(fi[0].reason, FailureReason::AuthenticationFailed);
  EXPECT_EQ(fi[0].notify, wire::NotifyType::AuthenticationFailed);
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->a_events_).empty());
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->b_events_).empty());
  EXPECT_EQ(f.pool.leased(), 0u);
}

TEST(IkeSaExchange, R7296_29_UnknownIdentityGetsAuthenticationFailed) {
  Fixture f;
  f.cfg_i.local_id = wire::IdPayload::make_fqdn("stranger.example.org");
  f.run();
  EXPECT_EQ(f.resp->state(), IkeSaState::Failed);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::AuthenticationFailedSent), 1u);
  const auto fi = test::outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(fi.size(), 1u);
  EXPECT_EQ(fi[0].reason, FailureReason::AuthenticationFailed);
}

// R7296-37 after a failure: the retransmitted IKE_AUTH request gets the same
// AUTHENTICATION_FAILED answer, not a second evaluation.
TEST(IkeSaExchange, R7296_37_FailedResponderResendsItsErrorAnswer) {
  Fixture f;
  f.creds_r = InMemoryCredentials();
  f.creds_r.add(kMnId, secret("a different secret entirely!!"));
  f.run();
  ASSERT_EQ(f.resp->state(), IkeSaState::Failed);
  ASSERT_EQ(f.net->a_sent_.size(), 2u);
  ASSERT_EQ(f.net->b_sent_.size(), 2u);
  f.resp->on_datagram({f.path.remote, f.path.local}, f.net->a_sent_[1], f.clock.now());
  auto out = f.resp->take_outputs();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<SendDatagram>(out[0]).bytes, f.net->b_sent_[1]);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::AuthenticationFailedSent), 1u);
}

TEST(IkeSaExchange, HalfOpenResponderTimesOut) {
  Fixture f;
  f.cfg_r.half_open_timeout = 10s;
  f.build();
  f.net->set_hook([](test::Loopback::Dir dir, std::vector<std::uint8_t>&) {
    return dir == test::Loopback::Dir::AtoB;  // the initiator never hears back
  });
  const auto t0 = f.clock.now();
  ASSERT_TRUE(f.init->initiate(f.path, t0));
  f.net->pump(t0);
  ASSERT_EQ(f.resp->state(), IkeSaState::InitResponded);
  ASSERT_EQ(f.resp->next_deadline(), t0 + 10s);
  f.resp->on_timer(t0 + 9s);
  EXPECT_EQ(f.resp->state(), IkeSaState::InitResponded);
  f.resp->on_timer(t0 + 10s);
  EXPECT_EQ(f.resp->state(), IkeSaState::Failed);
  const auto failed = test::outputs_of<SaFailed>(f.resp->take_outputs());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, FailureReason::HalfOpenTimeout);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);
}

// R7296-12: nothing acceptable -> NO_PROPOSAL_CHOSEN, responder keeps no state.
TEST(IkeSaExchange, R7296_12_NoCommonProposalGetsNoProposalChosen) {
  Fixture f;
  f.cfg_r.ike.prfs = {crypto::PrfAlgorithm::HmacSha2_512};
  f.cfg_i.ike.prfs = {crypto::PrfAlgorithm::HmacSha2_256};
  f.run();
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  EXPECT_EQ(f.resp->state(), IkeSaState::Created);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::NoProposalChosenSent), 1u);
  const auto fi = test::outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(fi.size(), 1u);
  EXPECT_EQ(fi[0].reason, FailureReason::NoProposalChosen);
  EXPECT_EQ(fi[0].notify, wire::NotifyType::NoProposalChosen);
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
}

// R7296-36 (same bytes, same ID), R7296-38 (exponential back-off), then SA failure.
TEST(IkeSaRetransmit, R7296_38_LostRequestBacksOffThenFails) {
  Fixture f;
  f.cfg_i.retransmit = RetransmitPolicy{1s, 3};
  f.build();
  const auto t0 = f.clock.now();
  ASSERT_TRUE(f.init->initiate(f.path, t0));
  auto first = f.init->take_outputs();
  ASSERT_FALSE(first.empty());
  const auto original = std::get<SendDatagram>(first[0]).bytes;

  const std::vector<base::Duration> expected_sends = {1s, 3s, 7s};
  for (auto at : expected_sends) {
    ASSERT_EQ(f.init->next_deadline(), t0 + at);
    f.init->on_timer(t0 + at - 1ms);  // early wake-up: nothing happens
    EXPECT_TRUE(f.init->take_outputs().empty());
    f.init->on_timer(t0 + at);
    auto out = f.init->take_outputs();
    ASSERT_EQ(out.size(), 1u);
    const auto& send = std::get<SendDatagram>(out[0]);
    EXPECT_EQ(send.bytes, original);
    EXPECT_EQ(send.path, f.path);
  }
  EXPECT_EQ(f.init->counters().get(IkeCounter::RetransmitsSent), 3u);
  ASSERT_EQ(f.init->next_deadline(), t0 + 15s);
  f.init->on_timer(t0 + 15s);
  auto out = f.init->take_outputs();
  const auto failed = test::outputs_of<SaFailed>(out);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, FailureReason::RetransmitLimit);
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
}

// R7296-37: a retransmitted request gets the stored response, byte-identical; the request is
// not processed twice.
TEST(IkeSaRetransmit, R7296_37_RetransmittedAuthRequestGetsCachedResponse) {
  Fixture f;
  f.build();
  int dropped = 0;
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    auto d = wire::decode_message(bytes);
    if (dir == test::Loopback::Dir::BtoA && d &&
        d->message.header.exchange == wire::ExchangeType::IkeAuth && dropped == 0) {
      ++dropped;
      return false;  // the first IKE_AUTH response is lost
    }
    return true;
  });
  ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::AuthRequestSent);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);

  f.clock.advance_to(f.init->next_deadline());
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ResponsesResent), 1u);
  ASSERT_EQ(f.net->b_sent_.size(), 3u);
  EXPECT_EQ(f.net->b_sent_[1], f.net->b_sent_[2]);
  EXPECT_EQ(f.net->a_sent_[1], f.net->a_sent_[2]);  // R7296-36: bit-identical request
  EXPECT_EQ(test::outputs_of<SaEstablished>(f.net->b_events_).size(), 1u);
  EXPECT_EQ(test::outputs_of<InstallChildSa>(f.net->b_events_).size(), 1u);
  EXPECT_EQ(f.pool.leased(), 1u);
}

TEST(IkeSaRetransmit, R7296_37_RetransmittedInitRequestGetsCachedResponse) {
  Fixture f;
  f.build();
  bool dropped = false;
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>&) {
    if (dir == test::Loopback::Dir::BtoA && !dropped) {
      dropped = true;
      return false;  // the IKE_SA_INIT response is lost
    }
    return true;
  });
  ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->state(), IkeSaState::InitResponded);
  f.clock.advance_to(f.init->next_deadline());
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ResponsesResent), 1u);
  ASSERT_GE(f.net->b_sent_.size(), 2u);
  EXPECT_EQ(f.net->b_sent_[0], f.net->b_sent_[1]);  // the same SPIr, nonce and KE

  // Once IKE_AUTH was answered, message 0 is outside the window: ignored, not re-answered.
  f.resp->on_datagram({f.path.remote, f.path.local}, f.net->a_sent_[0], f.clock.now());
  EXPECT_TRUE(f.resp->take_outputs().empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::DroppedMessageId), 1u);
}

// R7296-43: a tampered SK payload is dropped silently and counted; the good retransmission
// still completes the exchange.
TEST(IkeSaExchange, R7296_43_TamperedSkIsDroppedAndCounted) {
  Fixture f;
  f.build();
  bool tampered = false;
  f.net->set_hook([&](test::Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    auto d = wire::decode_message(bytes);
    if (dir == test::Loopback::Dir::AtoB && d && d->sk && !tampered) {
      tampered = true;
      bytes[d->sk->body_offset + d->sk->body_length - 1] ^= 0x01;  // last ICV octet
    }
    return true;
  });
  ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_TRUE(tampered);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::DroppedDecryptFailed), 1u);
  EXPECT_EQ(f.resp->state(), IkeSaState::InitResponded);
  EXPECT_EQ(f.net->b_sent_.size(), 1u);  // nothing answered the tampered message

  f.clock.advance_to(f.init->next_deadline());
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
}

// R7296-06: a message for other SPIs is not ours.
TEST(IkeSaExchange, R7296_06_WrongSpiIsDroppedAndCounted) {
  Fixture f;
  f.run();
  auto bytes = f.net->a_sent_[1];
  bytes[0] ^= 0xff;  // SPIi
  f.resp->on_datagram({f.path.remote, f.path.local}, bytes, f.clock.now());
  EXPECT_TRUE(f.resp->take_outputs().empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::DroppedWrongSpi), 1u);
}

TEST(IkeSaExchange, GarbageIsDroppedAndCounted) {
  Fixture f;
  f.build();
  const std::vector<std::uint8_t> junk(20, 0xab);
  f.resp->on_datagram({f.path.remote, f.path.local}, junk, f.clock.now());
  EXPECT_TRUE(f.resp->take_outputs().empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::DroppedUndecodable), 1u);
  EXPECT_EQ(f.resp->state(), IkeSaState::Created);
}

// R7296-50/R7296-53: an empty pool answers INTERNAL_ADDRESS_FAILURE; the IKE SA still comes
// up, without a Child SA.
TEST(IkeSaExchange, R7296_50_EmptyPoolGetsInternalAddressFailure) {
  Fixture f;
  f.pool = InMemoryAddressPool(addr("2001:db8:1::"), 64, 0);
  f.run();
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::InternalAddressFailureSent), 1u);
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->a_events_).empty());
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->b_events_).empty());
  EXPECT_FALSE(f.init->assigned_address().has_value());
}

// R7296-52: the initiator needs transport mode; a responder that will not echo it gets no
// Child SA installed on the initiator side.
TEST(IkeSaExchange, R7296_52_TransportModeNotEchoedInstallsNothing) {
  Fixture f;
  f.cfg_r.child.transport_mode = false;
  f.run();
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->a_events_).empty());
  const auto cr = test::outputs_of<InstallChildSa>(f.net->b_events_);
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(cr[0].mode, ChildMode::Tunnel);
}

// Feeds a hand-made IKE_SA_INIT request to a fresh responder and returns the one datagram
// it answers with.
wire::Message answer_to(Fixture& f, const std::vector<std::uint8_t>& request) {
  f.resp->on_datagram({f.path.remote, f.path.local}, request, f.clock.now());
  const auto sent = test::outputs_of<SendDatagram>(f.resp->take_outputs());
  EXPECT_EQ(sent.size(), 1u);
  if (sent.size() != 1) {
    return {};
  }
  auto d = wire::decode_message(sent[0].bytes);
  EXPECT_TRUE(d.has_value());
  return d ? d->message : wire::Message{};
}

// The initiator's first request, decoded, to be altered by a test.
wire::Message first_request(Fixture& f) {
  EXPECT_TRUE(f.init->initiate(f.path, f.clock.now()));
  auto out = f.init->take_outputs();
  EXPECT_FALSE(out.empty());
  return decode(std::get<SendDatagram>(out.at(0)).bytes).message;
}

// R7296-08: an unknown critical payload in IKE_SA_INIT is answered with
// UNSUPPORTED_CRITICAL_PAYLOAD naming its type; the responder keeps no state.
TEST(IkeSaErrors, R7296_08_UnknownCriticalPayloadIsRefused) {
  Fixture f;
  f.build();
  wire::Message m = first_request(f);
  m.payloads.push_back(
      wire::Payload{static_cast<wire::PayloadType>(200), true, wire::UnknownPayload{{1, 2, 3, 4}}});
  auto bytes = wire::encode_message(m);
  ASSERT_TRUE(bytes.has_value());
  const auto answer = answer_to(f, *bytes);
  EXPECT_TRUE(answer.header.response);
  const auto* n = wire::find_notify(answer.payloads, wire::NotifyType::UnsupportedCriticalPayload);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(wire::decode_unsupported_critical_payload(*n).value(), 200);
  EXPECT_EQ(f.resp->state(), IkeSaState::Created);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::UnsupportedCriticalPayloadSent), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::DroppedUndecodable), 1u);
}

// R7296-08: the same payload type with C = 0 is skipped and the exchange goes on.
TEST(IkeSaErrors, R7296_08_UnknownNonCriticalPayloadIsSkipped) {
  Fixture f;
  f.build();
  wire::Message m = first_request(f);
  m.payloads.push_back(wire::Payload{static_cast<wire::PayloadType>(200), false,
                                     wire::UnknownPayload{{1, 2, 3, 4}}});
  auto bytes = wire::encode_message(m);
  ASSERT_TRUE(bytes.has_value());
  const auto answer = answer_to(f, *bytes);
  EXPECT_NE(wire::find_first<wire::KePayload>(answer.payloads), nullptr);
  EXPECT_EQ(f.resp->state(), IkeSaState::InitResponded);
}

// R7296-02 / R7296-01: major version 3 gets INVALID_MAJOR_VERSION, sent as version 2.0.
TEST(IkeSaErrors, R7296_02_HigherMajorVersionGetsInvalidMajorVersion) {
  Fixture f;
  f.build();
  wire::Message m = first_request(f);
  m.header.major_version = 3;
  auto bytes = wire::encode_message(m);
  ASSERT_TRUE(bytes.has_value());
  const auto answer = answer_to(f, *bytes);
  EXPECT_EQ(answer.header.major_version, 2);
  EXPECT_EQ(answer.header.minor_version, 0);
  EXPECT_NE(wire::find_notify(answer.payloads, wire::NotifyType::InvalidMajorVersion), nullptr);
  EXPECT_EQ(f.resp->state(), IkeSaState::Created);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::InvalidMajorVersionSent), 1u);
}

// A request the rule tables refuse (no Nonce) gets INVALID_SYNTAX.
TEST(IkeSaErrors, InitRequestWithoutNonceGetsInvalidSyntax) {
  Fixture f;
  f.build();
  wire::Message m = first_request(f);
  m.payloads.erase(
      std::remove_if(m.payloads.begin(), m.payloads.end(),
                     [](const wire::Payload& p) { return p.type == wire::PayloadType::Nonce; }),
      m.payloads.end());
  auto bytes = wire::encode_message(m);
  ASSERT_TRUE(bytes.has_value());
  const auto answer = answer_to(f, *bytes);
  EXPECT_NE(wire::find_notify(answer.payloads, wire::NotifyType::InvalidSyntax), nullptr);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::InvalidSyntaxSent), 1u);
  EXPECT_EQ(f.resp->state(), IkeSaState::Created);
}

// R7296-53: a refused Child SA leaves the IKE SA up on both sides.
TEST(IkeSaErrors, R7296_53_ChildNoProposalChosenKeepsIkeSa) {
  Fixture f;
  f.cfg_r.child.esp.gcm16_key_bits = 128;
  f.run();
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::NoProposalChosenSent), 1u);
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->a_events_).empty());
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->b_events_).empty());
  EXPECT_TRUE(f.init->assigned_address().has_value());  // CP still answered
}

// R7296-29: the responder must prove the identity we expect.
TEST(IkeSaErrors, R7296_29_UnexpectedResponderIdentityFailsTheInitiator) {
  Fixture f;
  f.cfg_r.local_id = wire::IdPayload::make_fqdn("impostor.example.org");
  f.run();
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  const auto fi = test::outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(fi.size(), 1u);
  EXPECT_EQ(fi[0].reason, FailureReason::AuthenticationFailed);
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->a_events_).empty());
}

TEST(IkeSaErrors, InitiateWithoutPskIsRefused) {
  Fixture f;
  f.creds_i = InMemoryCredentials();
  f.build();
  EXPECT_FALSE(f.init->initiate(f.path, f.clock.now()).has_value());
  EXPECT_EQ(f.init->state(), IkeSaState::Created);
  EXPECT_TRUE(f.init->take_outputs().empty());
}

// A lossy link in virtual time (STYLE B5): every datagram is lost with probability 0.3. With
// retransmission (R7296-36, R7296-38) and cached responses (R7296-37) both sides still end
// up established with one Child SA each, whatever was lost.
TEST(IkeSaRetransmit, LossyLinkStillEstablishesExactlyOnce) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    SCOPED_TRACE(seed);
    Fixture f;
    f.cfg_i.retransmit = RetransmitPolicy{1s, 10};
    f.cfg_r.half_open_timeout = 600s;
    f.build();
    test::DeterministicRandom loss(seed);
    int lost = 0;
    f.net->set_hook([&](test::Loopback::Dir, std::vector<std::uint8_t>&) {
      const bool drop = loss.bytes(1)[0] < 77;  // ~30 %
      lost += drop ? 1 : 0;
      return !drop;
    });
    ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
    f.net->pump(f.clock.now());
    for (int step = 0; step < 64 && f.init->state() != IkeSaState::Established; ++step) {
      const auto next = std::min(f.init->next_deadline(), f.resp->next_deadline());
      ASSERT_NE(next, base::kNever);
      f.clock.advance_to(next);
      f.init->on_timer(f.clock.now());
      f.resp->on_timer(f.clock.now());
      f.net->pump(f.clock.now());
    }
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.resp->state(), IkeSaState::Established);
    EXPECT_EQ(bytes_of(f.init->keys()->sk_d), bytes_of(f.resp->keys()->sk_d));
    EXPECT_EQ(test::outputs_of<InstallChildSa>(f.net->a_events_).size(), 1u);
    EXPECT_EQ(test::outputs_of<InstallChildSa>(f.net->b_events_).size(), 1u);
    EXPECT_EQ(f.pool.leased(), 1u);
    EXPECT_EQ(f.init->counters().get(IkeCounter::RetransmitsSent) > 0, lost > 0);
  }
}

// Counter names are stable strings for logs and mip6ctl.
TEST(IkeCounters, EveryCounterHasAName) {
  IkeCounters c;
  c.inc(IkeCounter::DroppedDecryptFailed);
  int named = 0;
  c.for_each([&](std::string_view name, std::uint64_t) {
    EXPECT_NE(name, "unknown");
    ++named;
  });
  EXPECT_EQ(named, static_cast<int>(IkeCounter::kCount));
  EXPECT_EQ(to_string(IkeCounter::DroppedDecryptFailed), "dropped_decrypt_failed");
}

}  // namespace
}  // namespace ike::engine
