// INFORMATIONAL exchanges (RFC 7296 1.4, 1.4.1, 2.21): Delete of the IKE SA and of Child SAs,
// error and status notifies, the initiator's AUTHENTICATION_FAILED notice and the liveness
// timer (DPD), on the shared two-peer Fixture with a fake clock.
#include <gtest/gtest.h>

#include "ike/wire/delete_payload.h"
#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"
#include "tests/ike/engine/sk_peek.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::Loopback;
using test::outputs_of;

wire::Header header_of(const std::vector<std::uint8_t>& bytes) {
  auto h = wire::read_header_fields(bytes);
  EXPECT_TRUE(h.has_value());
  return h ? *h : wire::Header{};
}

class Informational : public ::testing::Test {
 protected:
  void SetUp() override { establish(); }
  void establish() {
    f.run();
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.resp->state(), IkeSaState::Established);
    ASSERT_EQ(f.init->child_sas().size(), 1u);
    ASSERT_EQ(f.resp->child_sas().size(), 1u);
    f.net->a_sent_.clear();
    f.net->b_sent_.clear();
    f.net->a_events_.clear();
    f.net->b_events_.clear();
  }
  // Runs `sa`'s timers (and the network) until it has nothing left to wait for.
  void run_timers(IkeSa& sa) {
    for (int i = 0; i < 32 && sa.next_deadline() != base::kNever; ++i) {
      f.clock.advance_to(sa.next_deadline());
      sa.on_timer(f.clock.now());
      f.net->pump(f.clock.now());
    }
  }
  // An INFORMATIONAL request the responder "sends" to the initiator (its Message IDs from 0).
  void resp_sends(std::vector<wire::Payload> inner, std::uint32_t id = 0) {
    f.init->on_datagram(
        f.net->a_path(),
        test::forge(*f.resp, wire::ExchangeType::Informational, false, id, std::move(inner)),
        f.clock.now());
    f.net->pump(f.clock.now());
  }
  Fixture f;
};

// R7296-55 / 1.4.1: our Delete of the IKE SA is D(IKE) without SPIs; the answer is empty;
// both sides end in Closed (not Failed), each telling its Child SA went with it.
TEST_F(Informational, R7296_55_InitiatorDeletesTheIkeSa) {
  const ChildSaRecord child_i = f.init->child_sas()[0];
  const ChildSaRecord child_r = f.resp->child_sas()[0];
  ASSERT_TRUE(f.init->request_delete(f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  ASSERT_EQ(f.net->b_sent_.size(), 1u);
  EXPECT_EQ(header_of(f.net->a_sent_[0]).message_id.value(), 2u);
  const auto request = test::open_sent(*f.init, f.net->a_sent_[0]);
  ASSERT_EQ(request.size(), 1u);
  const auto* d = request[0].get<wire::DeletePayload>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->protocol, wire::ProtocolId::Ike);
  EXPECT_EQ(d->spi_size, 0u);
  EXPECT_TRUE(d->spis.empty());
  EXPECT_TRUE(test::open_sent(*f.resp, f.net->b_sent_[0]).empty());

  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  EXPECT_TRUE(f.init->child_sas().empty());
  EXPECT_TRUE(f.resp->child_sas().empty());
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);

  const auto changes = outputs_of<StateChanged>(f.net->a_events_);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].to, IkeSaState::Deleting);
  EXPECT_EQ(changes[1].to, IkeSaState::Closed);
  const auto gone_i = outputs_of<ChildSaDeleted>(f.net->a_events_);
  ASSERT_EQ(gone_i.size(), 1u);
  EXPECT_EQ(gone_i[0].spi_in, child_i.spi_in);
  EXPECT_EQ(gone_i[0].spi_out, child_i.spi_out);
  EXPECT_FALSE(gone_i[0].by_peer);
  const auto deleted_i = outputs_of<SaDeleted>(f.net->a_events_);
  ASSERT_EQ(deleted_i.size(), 1u);
  EXPECT_FALSE(deleted_i[0].by_peer);
  EXPECT_TRUE(deleted_i[0].answered);

  const auto gone_r = outputs_of<ChildSaDeleted>(f.net->b_events_);
  ASSERT_EQ(gone_r.size(), 1u);
  EXPECT_EQ(gone_r[0].spi_in, child_r.spi_in);
  EXPECT_TRUE(gone_r[0].by_peer);
  const auto deleted_r = outputs_of<SaDeleted>(f.net->b_events_);
  ASSERT_EQ(deleted_r.size(), 1u);
  EXPECT_TRUE(deleted_r[0].by_peer);
  EXPECT_TRUE(outputs_of<SaFailed>(f.net->b_events_).empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::IkeDeletesReceived), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeDeletesSent), 1u);
}

// The responder deletes with its own Message IDs and the I flag clear (R7296-04, R7296-39).
TEST_F(Informational, R7296_55_ResponderDeletesTheIkeSa) {
  ASSERT_TRUE(f.resp->request_delete(f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->b_sent_.size(), 1u);
  const auto h = header_of(f.net->b_sent_[0]);
  EXPECT_EQ(h.message_id.value(), 0u);
  EXPECT_FALSE(h.initiator);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  ASSERT_EQ(outputs_of<SaDeleted>(f.net->a_events_).size(), 1u);
  EXPECT_TRUE(outputs_of<SaDeleted>(f.net->a_events_)[0].by_peer);
}

// 1.4.1: a Delete that is never answered still ends the SA, in Closed, after the normal
// retransmissions (R7296-36/38); it is not a failure.
TEST_F(Informational, R7296_36_UnansweredDeleteClosesAfterRetransmissions) {
  f.net->set_hook([](Loopback::Dir, std::vector<std::uint8_t>&) { return false; });
  ASSERT_TRUE(f.init->request_delete(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Deleting);
  run_timers(*f.init);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.net->a_sent_.size(), 1u + f.cfg_i.retransmit.max_retransmits);
  const auto deleted = outputs_of<SaDeleted>(f.net->a_events_);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_FALSE(deleted[0].answered);
  EXPECT_TRUE(outputs_of<SaFailed>(f.net->a_events_).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::IkeDeletesUnanswered), 1u);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->a_events_).size(), 1u);
}

// R7296-37: the responder closed on the Delete, its answer was lost; the retransmitted Delete
// gets the stored answer, byte for byte.
TEST_F(Informational, R7296_37_ClosedSaStillResendsItsDeleteAnswer) {
  int answers = 0;
  f.net->set_hook([&](Loopback::Dir dir, std::vector<std::uint8_t>&) {
    return dir == Loopback::Dir::AtoB || ++answers > 1;
  });
  ASSERT_TRUE(f.init->request_delete(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  EXPECT_EQ(f.init->state(), IkeSaState::Deleting);
  f.clock.advance_to(f.init->next_deadline());
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ResponsesResent), 1u);
  ASSERT_EQ(f.net->b_sent_.size(), 2u);
  EXPECT_EQ(f.net->b_sent_[0], f.net->b_sent_[1]);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_TRUE(outputs_of<SaDeleted>(f.net->a_events_)[0].answered);
}

// 1.4.1, R7296-55: D(ESP) names our inbound SPI; the answer names the peer's half of the
// pair; both sides remove the same pair; the IKE SA stays up.
TEST_F(Informational, R7296_55_DeleteChildSaAnsweredWithThePairedSpi) {
  const ChildSaRecord child_i = f.init->child_sas()[0];
  const ChildSaRecord child_r = f.resp->child_sas()[0];
  ASSERT_EQ(child_i.spi_in, child_r.spi_out);
  ASSERT_TRUE(f.init->delete_child(child_i.spi_in, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto req =
      test::payloads_of<wire::DeletePayload>(test::open_sent(*f.init, f.net->a_sent_[0]));
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].protocol, wire::ProtocolId::Esp);
  EXPECT_EQ(req[0].spis32(), std::vector<std::uint32_t>{child_i.spi_in});
  const auto rsp =
      test::payloads_of<wire::DeletePayload>(test::open_sent(*f.resp, f.net->b_sent_[0]));
  ASSERT_EQ(rsp.size(), 1u);
  EXPECT_EQ(rsp[0].spis32(), std::vector<std::uint32_t>{child_r.spi_in});

  const auto gone_i = outputs_of<ChildSaDeleted>(f.net->a_events_);
  const auto gone_r = outputs_of<ChildSaDeleted>(f.net->b_events_);
  ASSERT_EQ(gone_i.size(), 1u);
  ASSERT_EQ(gone_r.size(), 1u);
  EXPECT_EQ(gone_i[0].spi_in, child_i.spi_in);
  EXPECT_EQ(gone_i[0].spi_out, child_i.spi_out);
  EXPECT_FALSE(gone_i[0].by_peer);
  EXPECT_EQ(gone_r[0].spi_in, child_r.spi_in);
  EXPECT_TRUE(gone_r[0].by_peer);
  EXPECT_TRUE(f.init->child_sas().empty());
  EXPECT_TRUE(f.resp->child_sas().empty());
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ChildDeletesReceived), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildDeletesSent), 1u);
  // The SA still works: a liveness check is answered.
  ASSERT_TRUE(f.init->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
}

// 1.4.1: both ends delete the same pair at once; each answer omits the pair, each side removes
// it exactly once.
TEST_F(Informational, R7296_55_CrossingChildDeletesRemoveThePairOnce) {
  ASSERT_TRUE(f.init->delete_child(f.init->child_sas()[0].spi_in, f.clock.now()));
  ASSERT_TRUE(f.resp->delete_child(f.resp->child_sas()[0].spi_in, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->a_events_).size(), 1u);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->b_events_).size(), 1u);
  for (const auto& bytes : f.net->a_sent_) {
    if (header_of(bytes).response) {
      EXPECT_TRUE(test::open_sent(*f.init, bytes).empty());
    }
  }
  for (const auto& bytes : f.net->b_sent_) {
    if (header_of(bytes).response) {
      EXPECT_TRUE(test::open_sent(*f.resp, bytes).empty());
    }
  }
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);
}

// Crossing IKE SA Deletes: both end Closed, neither waits for its retransmissions.
TEST_F(Informational, R7296_55_CrossingIkeDeletesCloseBothSides) {
  ASSERT_TRUE(f.init->request_delete(f.clock.now()));
  ASSERT_TRUE(f.resp->request_delete(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  EXPECT_EQ(f.init->next_deadline(), base::kNever);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);
  EXPECT_EQ(outputs_of<SaDeleted>(f.net->a_events_).size(), 1u);
  EXPECT_EQ(outputs_of<SaDeleted>(f.net->b_events_).size(), 1u);
}

// A Delete naming an SPI we do not have is answered (without it), counted and noted; the
// Child SA we do have stays.
TEST_F(Informational, UnknownChildSpiIsIgnoredAndCounted) {
  const std::uint32_t unknown[] = {0xdeadbeef};
  std::vector<wire::Payload> inner;
  inner.push_back(
      wire::make_payload(wire::DeletePayload::make_child(wire::ProtocolId::Esp, unknown)));
  resp_sends(std::move(inner));
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_TRUE(header_of(f.net->a_sent_[0]).response);
  EXPECT_TRUE(test::open_sent(*f.init, f.net->a_sent_[0]).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::ChildDeleteUnknownSpi), 1u);
  const auto notes = outputs_of<InformationalNote>(f.net->a_events_);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].spi, 0xdeadbeefu);
  EXPECT_EQ(f.init->child_sas().size(), 1u);
  EXPECT_TRUE(outputs_of<ChildSaDeleted>(f.net->a_events_).empty());
}

// A D(IKE) with SPIs, or D(ESP) with 8-octet SPIs, is malformed: ignored, counted, answered.
TEST_F(Informational, MalformedDeletesAreIgnored) {
  wire::DeletePayload ike_with_spi;
  ike_with_spi.protocol = wire::ProtocolId::Ike;
  ike_with_spi.spi_size = 4;
  ike_with_spi.spis = {{1, 2, 3, 4}};
  wire::DeletePayload esp_wide;
  esp_wide.protocol = wire::ProtocolId::Esp;
  esp_wide.spi_size = 8;
  esp_wide.spis = {{1, 2, 3, 4, 5, 6, 7, 8}};
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(ike_with_spi));
  inner.push_back(wire::make_payload(esp_wide));
  resp_sends(std::move(inner));
  EXPECT_EQ(f.init->counters().get(IkeCounter::DeleteMalformed), 2u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->child_sas().size(), 1u);
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
}

// R7296-54 / 3.10.1: an error notify in a request (INVALID_SPI, 1.5) is counted and noted for
// the log; an unknown status notify is ignored; the request is answered, the SA stays.
TEST_F(Informational, R7296_54_ErrorAndUnknownStatusNotifies) {
  std::vector<wire::Payload> inner;
  const std::uint8_t spi[] = {0x12, 0x34, 0x56, 0x78};
  inner.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::InvalidSpi, spi)));
  inner.push_back(wire::make_payload(wire::make_notify(static_cast<wire::NotifyType>(40001))));
  resp_sends(std::move(inner));
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_TRUE(test::open_sent(*f.init, f.net->a_sent_[0]).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::ErrorNotifiesReceived), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::InvalidSpiReceived), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::StatusNotifiesIgnored), 1u);
  const auto notes = outputs_of<InformationalNote>(f.net->a_events_);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].notify, wire::NotifyType::InvalidSpi);
  EXPECT_EQ(notes[0].spi, 0x12345678u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
}

TEST_F(Informational, DeleteCommandsCheckTheirPreconditions) {
  EXPECT_FALSE(f.init->delete_child(0x1234, f.clock.now()));  // no such Child SA
  const std::uint32_t spi = f.init->child_sas()[0].spi_in;
  ASSERT_TRUE(f.init->delete_child(spi, f.clock.now()));
  EXPECT_FALSE(f.init->delete_child(spi, f.clock.now()));  // already deleting
  ASSERT_TRUE(f.init->request_delete(f.clock.now()));
  EXPECT_FALSE(f.init->request_delete(f.clock.now()));  // already deleting
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_FALSE(f.init->request_delete(f.clock.now()));
  EXPECT_FALSE(f.init->check_liveness(f.clock.now()));
}

TEST(InformationalOnly, DeleteNeedsAnEstablishedSa) {
  Fixture f;
  f.build();
  EXPECT_FALSE(f.init->request_delete(f.clock.now()));
  EXPECT_FALSE(f.init->delete_child(1, f.clock.now()));
}

// R7296-53 (2.21.2): the responder's AUTH does not verify at the initiator, which tells the
// responder in a separate INFORMATIONAL N(AUTHENTICATION_FAILED); the responder drops the SA.
TEST(InformationalAuth, R7296_53_InitiatorReportsAuthFailureToResponder) {
  Fixture f;
  f.build();
  // Flip one octet of the responder's AUTH inside its (re-protected) IKE_AUTH response.
  f.net->set_hook([&](Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    const auto h = header_of(bytes);
    if (dir != Loopback::Dir::BtoA || h.exchange != wire::ExchangeType::IkeAuth) {
      return true;
    }
    auto inner = test::open_sent(*f.resp, bytes);
    for (auto& p : inner) {
      if (auto* a = std::get_if<wire::AuthPayload>(&p.body)) {
        a->data[0] ^= 0x01;
      }
    }
    bytes = test::forge(*f.resp, wire::ExchangeType::IkeAuth, true, 1, std::move(inner));
    return true;
  });
  ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  const auto failed = outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, FailureReason::AuthenticationFailed);
  EXPECT_EQ(f.init->counters().get(IkeCounter::AuthFailureNotified), 1u);
  const auto& notice = f.net->a_sent_.back();
  EXPECT_EQ(header_of(notice).exchange, wire::ExchangeType::Informational);
  EXPECT_EQ(header_of(notice).message_id.value(), 2u);
  // The responder heard it and dropped the SA it had established.
  EXPECT_EQ(f.resp->counters().get(IkeCounter::ErrorNotifiesReceived), 1u);
  EXPECT_EQ(f.resp->state(), IkeSaState::Failed);
  const auto resp_failed = outputs_of<SaFailed>(f.net->b_events_);
  ASSERT_EQ(resp_failed.size(), 1u);
  EXPECT_EQ(resp_failed[0].notify, wire::NotifyType::AuthenticationFailed);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->b_events_).size(), 1u);  // its Child SA goes
}

// RFC 7296 1.4 liveness: after dpd_interval without anything authentic from the peer, an empty
// INFORMATIONAL request; answered, the next check is one interval after the answer.
TEST(InformationalDpd, LivenessCheckAfterSilenceAndPostponedByTraffic) {
  Fixture f;
  f.cfg_i.dpd_interval = 30s;
  f.run();
  ASSERT_EQ(f.init->state(), IkeSaState::Established);
  const auto t0 = f.clock.now();
  EXPECT_EQ(f.init->next_deadline(), t0 + 30s);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);  // DPD off on the responder
  // The peer's own request at +20 s counts as a sign of life.
  f.clock.advance(20s);
  ASSERT_TRUE(f.resp->check_liveness(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.init->next_deadline(), t0 + 50s);
  f.net->a_sent_.clear();
  f.clock.advance_to(f.init->next_deadline());
  f.init->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_EQ(header_of(f.net->a_sent_[0]).exchange, wire::ExchangeType::Informational);
  EXPECT_TRUE(test::open_sent(*f.init, f.net->a_sent_[0]).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::LivenessChecksSent), 1u);
  EXPECT_EQ(f.init->next_deadline(), f.clock.now() + 30s);
}

// A silent peer: the liveness check's retransmissions run out and the SA fails
// (R7296-36/38), its Child SA removed with it.
TEST(InformationalDpd, R7296_38_DeadPeerFailsTheSa) {
  Fixture f;
  f.cfg_i.dpd_interval = 10s;
  f.cfg_i.retransmit.max_retransmits = 2;
  f.run();
  f.net->set_hook([](Loopback::Dir, std::vector<std::uint8_t>&) { return false; });
  for (int i = 0; i < 10 && f.init->state() == IkeSaState::Established; ++i) {
    f.clock.advance_to(f.init->next_deadline());
    f.init->on_timer(f.clock.now());
    f.net->pump(f.clock.now());
  }
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  const auto failed = outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, FailureReason::RetransmitLimit);
  EXPECT_EQ(outputs_of<ChildSaDeleted>(f.net->a_events_).size(), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::LivenessChecksSent), 1u);
}

}  // namespace
}  // namespace ike::engine
