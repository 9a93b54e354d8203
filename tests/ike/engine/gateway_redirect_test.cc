// RFC 5685 redirects once the IKE SA has keys: gateway-initiated in INFORMATIONAL (section 5)
// and in the IKE_AUTH response (section 6), for the IkeSa engines (two-peer Fixture) and for
// the IkeInitiatorSession that follows them across gateways (IkeResponder fronts on an
// in-process network), with deterministic RNG/DH and a fake clock.
//
// R5685-24..27 do not apply here: they are about EAP and multiple authentication (RFC 4739),
// where IKE_AUTH takes several round trips; our IKE_AUTH is a single exchange (PSK or
// signature). R5685-28 (accept REDIRECT only in the first or last IKE_AUTH response) holds
// trivially because the only response is both: tested as "REDIRECT in the only response is
// acted on, after its AUTH verified" (R5685_22_28_...).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <memory>

#include "ike/engine/ike_initiator_session.h"
#include "ike/engine/ike_responder.h"
#include "ike/wire/delete_payload.h"
#include "ike/wire/message.h"
#include "tests/ike/engine/sa_pair.h"
#include "tests/ike/engine/sk_peek.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::Loopback;
using test::outputs_of;

const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
const base::Ip6Addr kHa2 = addr("2001:db8:2::1");
const base::Ip6Addr kMn = addr("2001:db8:ff::10");

wire::Header header_of(const std::vector<std::uint8_t>& bytes) {
  auto h = wire::read_header_fields(bytes);
  EXPECT_TRUE(h.has_value());
  return h ? *h : wire::Header{};
}

class ScriptedAuthDecision final : public AuthDecision {
 public:
  std::function<AuthAnswer(const AuthRequest&)> script = [](const AuthRequest&) {
    return AuthAnswer{Serve{}};
  };
  std::vector<AuthRequest> seen;
  AuthAnswer decide(const AuthRequest& c, base::TimePoint) override {
    seen.push_back(c);
    return script(c);
  }
};

// ---- RFC 5685 5: gateway-initiated redirect, engine level -----------------------------------

class GatewayRedirect : public ::testing::Test {
 protected:
  void SetUp() override {}
  void establish() {
    f.run();
    ASSERT_EQ(f.init->state(), IkeSaState::Established);
    ASSERT_EQ(f.resp->peer_redirect_supported(), f.cfg_i.announce_redirect_support);
    f.net->a_sent_.clear();
    f.net->b_sent_.clear();
    f.net->a_events_.clear();
    f.net->b_events_.clear();
  }
  // A request the responder "sends" (white-box forge, its Message IDs from 0).
  void resp_sends(std::vector<wire::Payload> inner) {
    f.init->on_datagram(
        f.net->a_path(),
        test::forge(*f.resp, wire::ExchangeType::Informational, false, 0, std::move(inner)),
        f.clock.now());
    f.net->pump(f.clock.now());
  }
  Fixture f;
};

// R5685-15/16/34/37: INFORMATIONAL request SK{N(REDIRECT, new gw)} without Nonce Data;
// R5685-18: the client answers (empty); R5685-17: the answer is the acknowledgement.
TEST_F(GatewayRedirect, R5685_15_16_18_RedirectAnsweredAndAcknowledged) {
  establish();
  ASSERT_TRUE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->b_sent_.size(), 1u);
  const auto h = header_of(f.net->b_sent_[0]);
  EXPECT_EQ(h.exchange, wire::ExchangeType::Informational);
  EXPECT_FALSE(h.response);
  const auto request = test::open_sent(*f.resp, f.net->b_sent_[0]);
  ASSERT_EQ(request.size(), 1u);
  const auto* n = request[0].get<wire::NotifyPayload>();
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->type, wire::NotifyType::Redirect);
  EXPECT_EQ(n->protocol, wire::ProtocolId::None);  // R5685-34
  EXPECT_TRUE(n->spi.empty());
  const auto info = wire::decode_redirect(*n);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->gateway, wire::GwIdentity::ipv6(kHa2));  // R5685-15
  EXPECT_TRUE(info->nonce.empty());                        // R5685-16/37
  EXPECT_EQ(n->data.size(), 2u + 16u);

  ASSERT_EQ(f.net->a_sent_.size(), 1u);  // R5685-18
  EXPECT_TRUE(header_of(f.net->a_sent_[0]).response);
  EXPECT_TRUE(test::open_sent(*f.init, f.net->a_sent_[0]).empty());
  const auto received = outputs_of<GatewayRedirectReceived>(f.net->a_events_);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].gateway, wire::GwIdentity::ipv6(kHa2));
  EXPECT_EQ(f.init->counters().get(IkeCounter::GatewayRedirectsReceived), 1u);

  const auto sent = outputs_of<RedirectSent>(f.net->b_events_);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].at_auth);
  ASSERT_EQ(outputs_of<RedirectAcknowledged>(f.net->b_events_).size(), 1u);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::GatewayRedirectsAcked), 1u);
  // Nothing else changed: both SAs are still up with their Child SA.
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->child_sas().size(), 1u);
}

// R5685-17: lost answers make the gateway retransmit the same request until one arrives.
TEST_F(GatewayRedirect, R5685_17_RedirectRetransmittedUntilAnswered) {
  establish();
  int answers = 0;
  f.net->set_hook([&](Loopback::Dir dir, std::vector<std::uint8_t>&) {
    return dir == Loopback::Dir::BtoA || ++answers > 2;
  });
  ASSERT_TRUE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  for (int i = 0; i < 2; ++i) {
    f.clock.advance_to(f.resp->next_deadline());
    f.resp->on_timer(f.clock.now());
    f.net->pump(f.clock.now());
  }
  ASSERT_EQ(f.net->b_sent_.size(), 3u);
  EXPECT_EQ(f.net->b_sent_[0], f.net->b_sent_[1]);
  EXPECT_EQ(f.net->b_sent_[1], f.net->b_sent_[2]);
  EXPECT_EQ(outputs_of<RedirectAcknowledged>(f.net->b_events_).size(), 1u);
  // The client saw one redirect; the retransmissions got the stored answer (R7296-37).
  EXPECT_EQ(outputs_of<GatewayRedirectReceived>(f.net->a_events_).size(), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::ResponsesResent), 2u);
}

// R5685-20: the client stays; after the grace period the gateway deletes the IKE SA itself.
TEST_F(GatewayRedirect, R5685_20_GatewayDeletesAfterGracePeriod) {
  establish();
  ASSERT_TRUE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto acked_at = f.clock.now();
  EXPECT_EQ(f.resp->next_deadline(), acked_at + 30s);
  f.clock.advance(29s);
  f.resp->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  f.clock.advance_to(acked_at + 30s);
  f.resp->on_timer(f.clock.now());
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  const auto deleted = outputs_of<SaDeleted>(f.net->b_events_);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_FALSE(deleted[0].by_peer);
  EXPECT_EQ(deleted[0].detail, "redirect grace period over");
  EXPECT_EQ(f.resp->counters().get(IkeCounter::GatewayRedirectGraceDeletes), 1u);
  EXPECT_TRUE(outputs_of<SaDeleted>(f.net->a_events_)[0].by_peer);
}

// R5685-19: the client deletes the old SA itself within the grace period; no grace Delete.
TEST_F(GatewayRedirect, R5685_19_ClientDeleteEndsItBeforeTheGrace) {
  establish();
  ASSERT_TRUE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  f.clock.advance(5s);
  ASSERT_TRUE(f.init->request_delete(f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);
  EXPECT_TRUE(outputs_of<SaDeleted>(f.net->b_events_)[0].by_peer);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::GatewayRedirectGraceDeletes), 0u);
}

// R5685-02/03: a client that announced nothing is never redirected; R5685-39: only the
// original responder redirects.
TEST_F(GatewayRedirect, R5685_03_39_RedirectRefusedWhenNotAllowed) {
  f.cfg_i.announce_redirect_support = false;
  f.run();
  ASSERT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_FALSE(f.resp->peer_redirect_supported());
  f.net->b_sent_.clear();
  EXPECT_FALSE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  EXPECT_FALSE(f.init->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_TRUE(f.net->b_sent_.empty());
  EXPECT_EQ(f.resp->next_deadline(), base::kNever);
}

// R5685-01/03 at the client: it never announced support, so a REDIRECT is ignored (but the
// request is answered) and counted.
TEST_F(GatewayRedirect, R5685_01_UnannouncedClientIgnoresRedirect) {
  f.cfg_i.announce_redirect_support = false;
  establish();
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(*wire::make_redirect({wire::GwIdentity::ipv6(kHa2), {}})));
  resp_sends(std::move(inner));
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_TRUE(outputs_of<GatewayRedirectReceived>(f.net->a_events_).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::RedirectIgnoredUnannounced), 1u);
}

// R5685-16/37: a REDIRECT with Nonce Data outside IKE_SA_INIT is not acted on.
TEST_F(GatewayRedirect, R5685_16_RedirectWithNonceDataIgnored) {
  establish();
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(
      *wire::make_redirect({wire::GwIdentity::ipv6(kHa2), std::vector<std::uint8_t>(16, 7)})));
  resp_sends(std::move(inner));
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_TRUE(header_of(f.net->a_sent_[0]).response);
  EXPECT_TRUE(outputs_of<GatewayRedirectReceived>(f.net->a_events_).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::RedirectWithNonceIgnored), 1u);
}

// A malformed REDIRECT (GW Ident Len beyond the data) is ignored and counted, never a crash.
TEST_F(GatewayRedirect, MalformedRedirectIgnored) {
  establish();
  const std::uint8_t garbage[] = {2, 16, 0x20, 0x01};
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::Redirect, garbage)));
  resp_sends(std::move(inner));
  ASSERT_EQ(f.net->a_sent_.size(), 1u);
  EXPECT_TRUE(outputs_of<GatewayRedirectReceived>(f.net->a_events_).empty());
  EXPECT_EQ(f.init->counters().get(IkeCounter::RedirectMalformed), 1u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
}

// R5685-39: a REDIRECT sent by the original initiator is not for the responder to follow.
TEST_F(GatewayRedirect, R5685_39_ResponderIgnoresRedirectFromInitiator) {
  establish();
  std::vector<wire::Payload> inner;
  inner.push_back(wire::make_payload(*wire::make_redirect({wire::GwIdentity::ipv6(kHa2), {}})));
  f.resp->on_datagram(
      Path{f.path.remote, f.path.local},
      test::forge(*f.init, wire::ExchangeType::Informational, false, 2, std::move(inner)),
      f.clock.now());
  f.net->pump(f.clock.now());
  ASSERT_EQ(f.net->b_sent_.size(), 1u);  // answered all the same
  EXPECT_TRUE(outputs_of<GatewayRedirectReceived>(f.net->b_events_).empty());
  EXPECT_EQ(f.resp->counters().get(IkeCounter::RedirectIgnoredNotInitiator), 1u);
}

// draft-ietf-ipsecme-ikev2-redirect-02 option: the client answers with N(REDIRECT_ACK) of the
// configured type and the gateway in that mode takes only that as the acknowledgement.
TEST_F(GatewayRedirect, Draft02RedirectAckOption) {
  f.cfg_i.redirect_ack_notify = 40960;
  f.cfg_r.redirect_ack_notify = 40960;
  establish();
  ASSERT_TRUE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  const auto answer = test::open_sent(*f.init, f.net->a_sent_[0]);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(static_cast<std::uint16_t>(answer[0].get<wire::NotifyPayload>()->type), 40960u);
  EXPECT_EQ(outputs_of<RedirectAcknowledged>(f.net->b_events_).size(), 1u);
  EXPECT_EQ(f.init->counters().get(IkeCounter::RedirectAckSent), 1u);
}

TEST_F(GatewayRedirect, Draft02GatewayWithoutAckDoesNotCountItAcknowledged) {
  f.cfg_r.redirect_ack_notify = 40960;  // the client speaks plain RFC 5685
  establish();
  ASSERT_TRUE(f.resp->redirect(wire::GwIdentity::ipv6(kHa2), 30s, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_TRUE(outputs_of<RedirectAcknowledged>(f.net->b_events_).empty());
  const auto notes = outputs_of<InformationalNote>(f.net->b_events_);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].what, "redirect_ack_missing");
  // The grace period runs all the same (R5685-20).
  EXPECT_NE(f.resp->next_deadline(), base::kNever);
}

// ---- RFC 5685 6: redirect in IKE_AUTH, engine level ------------------------------------------

class AuthRedirect : public ::testing::Test {
 protected:
  void build() {
    f.init = std::make_unique<IkeSa>(f.cfg_i, Environment{f.rng_i, f.kex_i, f.creds_i, nullptr});
    Environment env_r{f.rng_r, f.kex_r, f.creds_r, &f.pool};
    env_r.auth_decision = &decision;
    f.resp = std::make_unique<IkeSa>(f.cfg_r, env_r);
    f.resp->set_tag(42);
    f.net = std::make_unique<Loopback>(*f.init, f.path, *f.resp);
  }
  void run() {
    build();
    ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
    f.net->pump(f.clock.now());
  }
  Fixture f;
  ScriptedAuthDecision decision;
};

// R5685-21 (gateway verifies AUTH first, then IDr, AUTH, N(REDIRECT) and no SA/TS/CP, no Child
// SA), R5685-37 (no Nonce Data), R5685-22/28 (client acts after verifying the gateway's AUTH,
// in the only = last IKE_AUTH response), R5685-23 (client deletes the IKE SA).
TEST_F(AuthRedirect, R5685_21_22_23_28_RedirectAfterAuthThenDelete) {
  decision.script = [](const AuthRequest&) {
    return AuthAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  run();
  ASSERT_EQ(decision.seen.size(), 1u);
  EXPECT_EQ(decision.seen[0].peer_id, kMnId);  // the authenticated identity
  EXPECT_TRUE(decision.seen[0].redirect_supported);
  EXPECT_EQ(decision.seen[0].tag, 42u);
  EXPECT_EQ(decision.seen[0].initiator, f.path.local.address);

  // The IKE_AUTH response (the responder's 2nd datagram).
  ASSERT_GE(f.net->b_sent_.size(), 2u);
  ASSERT_EQ(header_of(f.net->b_sent_[1]).exchange, wire::ExchangeType::IkeAuth);
  const auto rsp = test::open_sent(*f.resp, f.net->b_sent_[1]);
  bool has_id = false, has_auth = false;
  const wire::NotifyPayload* redirect = nullptr;
  for (const auto& p : rsp) {
    has_id = has_id || p.type == wire::PayloadType::IdResponder;
    has_auth = has_auth || p.type == wire::PayloadType::Authentication;
    EXPECT_NE(p.type, wire::PayloadType::SecurityAssociation);
    EXPECT_NE(p.type, wire::PayloadType::TsInitiator);
    EXPECT_NE(p.type, wire::PayloadType::TsResponder);
    EXPECT_NE(p.type, wire::PayloadType::Configuration);
    if (const auto* n = p.get<wire::NotifyPayload>(); n && n->type == wire::NotifyType::Redirect) {
      redirect = n;
    }
  }
  EXPECT_TRUE(has_id);
  EXPECT_TRUE(has_auth);
  ASSERT_NE(redirect, nullptr);
  const auto info = wire::decode_redirect(*redirect);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->gateway, wire::GwIdentity::ipv6(kHa2));
  EXPECT_TRUE(info->nonce.empty());  // R5685-37

  // Responder: no Child SA, never "established"; RedirectSent, then the client's Delete.
  EXPECT_TRUE(outputs_of<InstallChildSa>(f.net->b_events_).empty());
  EXPECT_TRUE(outputs_of<SaEstablished>(f.net->b_events_).empty());
  const auto sent = outputs_of<RedirectSent>(f.net->b_events_);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].at_auth);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::AuthRedirectsSent), 1u);
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  ASSERT_EQ(outputs_of<SaDeleted>(f.net->b_events_).size(), 1u);
  EXPECT_TRUE(outputs_of<SaDeleted>(f.net->b_events_)[0].by_peer);
  EXPECT_EQ(f.pool.leased(), 0u);  // no CP address handed out

  // Initiator: RedirectReceived, no Child SA, then INFORMATIONAL D(IKE) with Message ID 2.
  const auto got = outputs_of<RedirectReceived>(f.net->a_events_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].gateway, wire::GwIdentity::ipv6(kHa2));
  EXPECT_TRUE(outputs_of<SaEstablished>(f.net->a_events_).empty());
  EXPECT_TRUE(outputs_of<InstallChildSa>(f.net->a_events_).empty());
  const auto& del = f.net->a_sent_.back();
  EXPECT_EQ(header_of(del).exchange, wire::ExchangeType::Informational);
  EXPECT_EQ(header_of(del).message_id.value(), 2u);
  const auto d = test::payloads_of<wire::DeletePayload>(test::open_sent(*f.init, del));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].protocol, wire::ProtocolId::Ike);
  EXPECT_EQ(f.init->state(), IkeSaState::Closed);
  EXPECT_EQ(f.init->auth_redirect(), wire::GwIdentity::ipv6(kHa2));
  EXPECT_EQ(f.init->counters().get(IkeCounter::AuthRedirectsReceived), 1u);
}

// R5685-22: the gateway's AUTH does not verify, so its REDIRECT is not acted on; the
// initiator fails with AUTHENTICATION_FAILED (and tells the gateway, 2.21.2).
TEST_F(AuthRedirect, R5685_22_RedirectIgnoredWhenGatewayAuthFails) {
  decision.script = [](const AuthRequest&) {
    return AuthAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  build();
  f.net->set_hook([&](Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    if (dir != Loopback::Dir::BtoA || header_of(bytes).exchange != wire::ExchangeType::IkeAuth) {
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
  EXPECT_TRUE(outputs_of<RedirectReceived>(f.net->a_events_).empty());
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  ASSERT_EQ(outputs_of<SaFailed>(f.net->a_events_).size(), 1u);
  EXPECT_EQ(outputs_of<SaFailed>(f.net->a_events_)[0].reason, FailureReason::AuthenticationFailed);
  EXPECT_EQ(f.init->counters().get(IkeCounter::AuthRedirectsReceived), 0u);
}

// R5685-03: the policy wants a redirect but the peer announced no support: served instead.
TEST_F(AuthRedirect, R5685_03_NoSupportMeansServed) {
  f.cfg_i.announce_redirect_support = false;
  decision.script = [](const AuthRequest&) {
    return AuthAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  run();
  ASSERT_EQ(decision.seen.size(), 1u);
  EXPECT_FALSE(decision.seen[0].redirect_supported);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::AuthRedirectForbidden), 1u);
  EXPECT_EQ(outputs_of<InstallChildSa>(f.net->b_events_).size(), 1u);
}

// Serve verdict: the normal IKE_AUTH, the decision asked once.
TEST_F(AuthRedirect, ServeVerdictEstablishesNormally) {
  run();
  EXPECT_EQ(decision.seen.size(), 1u);
  EXPECT_EQ(f.init->state(), IkeSaState::Established);
  EXPECT_EQ(f.resp->state(), IkeSaState::Established);
}

// R5685-21/23: the client never deletes; the gateway's SA deletes itself after
// auth_redirect_grace.
TEST_F(AuthRedirect, R5685_23_GatewayDeletesWhenClientStays) {
  f.cfg_r.auth_redirect_grace = 20s;
  decision.script = [](const AuthRequest&) {
    return AuthAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  build();
  // Everything from the client after IKE_AUTH is lost (its Delete never arrives).
  f.net->set_hook([&](Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    return dir == Loopback::Dir::BtoA ||
           header_of(bytes).exchange != wire::ExchangeType::Informational;
  });
  ASSERT_TRUE(f.init->initiate(f.path, f.clock.now()));
  f.net->pump(f.clock.now());
  EXPECT_EQ(f.resp->state(), IkeSaState::Redirected);
  const auto t0 = f.clock.now();
  EXPECT_EQ(f.resp->next_deadline(), t0 + 20s);
  for (int i = 0; i < 16 && f.resp->next_deadline() != base::kNever; ++i) {
    f.clock.advance_to(f.resp->next_deadline());
    f.resp->on_timer(f.clock.now());
    f.net->pump(f.clock.now());
  }
  EXPECT_EQ(f.resp->state(), IkeSaState::Closed);
  EXPECT_EQ(f.resp->counters().get(IkeCounter::GatewayRedirectGraceDeletes), 1u);
}

// ---- IkeInitiatorSession across gateways ---------------------------------------------------

struct Gw {
  explicit Gw(std::uint64_t seed) : rng(seed), kex(seed + 1), pool(addr("2001:db8:100::"), 64, 8) {
    creds.add(kMnId, secret("correct horse battery staple"));
    IkeResponderConfig cfg;
    cfg.sa.local_id = kHaId;
    cfg.sa.child.transport_mode = true;
    Environment env{rng, kex, creds, &pool};
    env.auth_decision = &auth;
    front = std::make_unique<IkeResponder>(cfg, env, init);
  }
  class ServeAll final : public InitDecision {
   public:
    std::function<InitAnswer(const InitRequest&)> script = [](const InitRequest&) {
      return InitAnswer{Serve{7}};
    };
    std::vector<std::optional<wire::GwIdentity>> redirected_from;
    InitAnswer decide(const InitRequest& c, base::TimePoint) override {
      redirected_from.push_back(c.redirected_from);
      return script(c);
    }
  };
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  InMemoryCredentials creds;
  InMemoryAddressPool pool;
  ServeAll init;
  ScriptedAuthDecision auth;
  std::unique_ptr<IkeResponder> front;
  std::vector<ResponderOutput> events;
  std::vector<wire::ExchangeType> received;  // exchange types of the requests it got, in order
  // The established responder SA (most recent).
  std::optional<wire::Spi> established_spi() const {
    std::optional<wire::Spi> out;
    for (const auto& e : events) {
      if (const auto* ev = std::get_if<ResponderSaEvent>(&e)) {
        if (std::holds_alternative<SaEstablished>(ev->output)) {
          out = ev->spi_r;
        }
      }
    }
    return out;
  }
};

struct SessionNet {
  test::DeterministicRandom rng{11};
  test::DeterministicKeyExchangeFactory kex{33};
  InMemoryCredentials creds;
  InitiatorSessionConfig cfg;
  std::unique_ptr<IkeInitiatorSession> mn;
  std::map<base::Ip6Addr, std::unique_ptr<Gw>> gws;
  test::FakeClock clock;
  std::vector<SessionOutput> events;
  std::vector<SendDatagram> sent;

  SessionNet() {
    creds.add(kHaId, secret("correct horse battery staple"));
    cfg.sa.local_id = kMnId;
    cfg.sa.remote_id = kHaId;
    cfg.sa.child.transport_mode = true;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.sa.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.retransmit.max_retransmits = 2;
    cfg.gateway_permitted = [](const wire::GwIdentity&) { return true; };
    cfg.move_jitter = 0s;  // the move itself; the jittered start has its own tests
    gws[kHa1] = std::make_unique<Gw>(100);
    gws[kHa2] = std::make_unique<Gw>(200);
  }
  Gw& gw(const base::Ip6Addr& a) { return *gws.at(a); }

  void start() {
    mn = std::make_unique<IkeInitiatorSession>(cfg, Environment{rng, kex, creds, nullptr});
    ASSERT_TRUE(mn->start(Path{{kMn, 500}, {kHa1, 500}}, clock.now()));
    pump();
  }
  void pump() {
    for (int round = 0; round < 256; ++round) {
      bool moved = false;
      for (auto& o : mn->take_outputs()) {
        auto* s = std::get_if<SendDatagram>(&o);
        if (s == nullptr) {
          events.push_back(std::move(o));
          continue;
        }
        moved = true;
        sent.push_back(*s);
        auto it = gws.find(s->path.remote.address);
        if (it != gws.end()) {
          const auto h = wire::read_header_fields(s->bytes);
          if (h && !h->response) {
            it->second->received.push_back(h->exchange);
          }
          it->second->front->on_datagram(Path{s->path.remote, s->path.local}, s->bytes,
                                         clock.now());
        }
      }
      for (auto& [a, g] : gws) {
        for (auto& o : g->front->take_outputs()) {
          auto* s = std::get_if<SendDatagram>(&o);
          if (s == nullptr) {
            g->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          mn->on_datagram(Path{s->path.remote, s->path.local}, s->bytes, clock.now());
        }
      }
      if (!moved) {
        return;
      }
    }
  }
  void run_timers(int max = 64) {
    for (int i = 0; i < max; ++i) {
      base::TimePoint next = mn->next_deadline();
      for (auto& [a, g] : gws) {
        next = std::min(next, g->front->next_deadline());
      }
      if (next == base::kNever) {
        return;
      }
      clock.advance_to(next);
      mn->on_timer(clock.now());
      for (auto& [a, g] : gws) {
        g->front->on_timer(clock.now());
      }
      pump();
    }
  }
  // HA1 redirects its established SA to HA2 (RFC 5685 5) with `grace`; false if it could not.
  [[nodiscard]] bool ha1_redirects_to_ha2(base::Duration grace) {
    const auto spi_r1 = gw(kHa1).established_spi();
    if (!spi_r1) {
      return false;
    }
    const auto sent = gw(kHa1).front->with_sa(
        *spi_r1,
        [grace](IkeSa& sa, base::TimePoint now) {
          return sa.redirect(wire::GwIdentity::ipv6(kHa2), grace, now);
        },
        clock.now());
    pump();
    return sent.has_value();
  }
  template <typename T>
  std::vector<T> mn_events() const {
    std::vector<T> out;
    for (const auto& e : events) {
      if (const T* t = std::get_if<T>(&e)) {
        out.push_back(*t);
      }
    }
    return out;
  }
};

std::vector<ResponderSaRemoved> of_removed(const std::vector<ResponderOutput>& events) {
  std::vector<ResponderSaRemoved> out;
  for (const auto& e : events) {
    if (const auto* r = std::get_if<ResponderSaRemoved>(&e)) {
      out.push_back(*r);
    }
  }
  return out;
}

// R5685-19 make-before-break and R5685-07 on the gateway-initiated path; R5685-33: the session
// says only the IKE gateway changed (IkeGatewayChanged) and the old gateway's SA is deleted
// only after the new one is up.
TEST(SessionGatewayRedirect, R5685_19_33_MovesToNewGatewayThenDeletesOld) {
  SessionNet net;
  net.start();
  ASSERT_EQ(net.mn_events<SaEstablished>().size(), 1u);
  ASSERT_TRUE(net.ha1_redirects_to_ha2(60s));

  const auto redirected = net.mn_events<Redirected>();
  ASSERT_EQ(redirected.size(), 1u);
  EXPECT_EQ(redirected[0].point, RedirectPoint::Informational);
  EXPECT_EQ(redirected[0].from, wire::GwIdentity::ipv6(kHa1));
  EXPECT_EQ(redirected[0].to, wire::GwIdentity::ipv6(kHa2));
  // R5685-07: the attempt to HA2 carried REDIRECTED_FROM = HA1.
  ASSERT_EQ(net.gw(kHa2).init.redirected_from.size(), 1u);
  EXPECT_EQ(net.gw(kHa2).init.redirected_from[0], wire::GwIdentity::ipv6(kHa1));
  // Established with HA2; the gateway change is announced before its SaEstablished.
  ASSERT_EQ(net.mn_events<SaEstablished>().size(), 2u);
  const auto changed = net.mn_events<IkeGatewayChanged>();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].from.remote.address, kHa1);
  EXPECT_EQ(changed[0].to.remote.address, kHa2);
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::Established);
  // Make-before-break: HA1 got IKE_SA_INIT/IKE_AUTH..., then our redirect answer... and our
  // Delete came only after HA2's IKE_AUTH (HA1's last request is INFORMATIONAL).
  ASSERT_FALSE(net.gw(kHa1).received.empty());
  EXPECT_EQ(net.gw(kHa1).received.back(), wire::ExchangeType::Informational);
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);  // HA1's SA closed by our Delete (R5685-19)
  const auto removed = of_removed(net.gw(kHa1).events);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_TRUE(removed[0].established);
  EXPECT_EQ(net.mn->retiring(), 0u);
  // The old SA's Child SA removal reached the owner as a retired SA's event.
  bool old_child_gone = false;
  for (const auto& r : net.mn_events<RetiredSaEvent>()) {
    old_child_gone = old_child_gone || std::holds_alternative<ChildSaDeleted>(r.output);
  }
  EXPECT_TRUE(old_child_gone);
  EXPECT_TRUE(net.mn_events<SessionFailed>().empty());
  EXPECT_FALSE(net.mn->finished());
}

// The new gateway refuses us: the SA with the old gateway stays the current one
// (GatewayMoveFailed); the old gateway's grace Delete then ends the session in order.
TEST(SessionGatewayRedirect, MoveFailsOldSaStaysUntilGatewayDeletes) {
  SessionNet net;
  net.gw(kHa2).init.script = [](const InitRequest&) {
    return InitAnswer{Refuse{wire::NotifyType::NoProposalChosen}};
  };
  net.start();
  ASSERT_TRUE(net.ha1_redirects_to_ha2(60s));
  const auto failed = net.mn_events<GatewayMoveFailed>();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].to, wire::GwIdentity::ipv6(kHa2));
  EXPECT_EQ(net.mn->current_path().remote.address, kHa1);
  ASSERT_NE(net.mn->sa(), nullptr);
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::Established);
  EXPECT_FALSE(net.mn->finished());
  net.run_timers();  // HA1's grace period ends: it deletes our SA (R5685-20)
  EXPECT_EQ(net.mn_events<SaDeleted>().size(), 1u);
  EXPECT_TRUE(net.mn_events<SaDeleted>()[0].by_peer);
  EXPECT_TRUE(net.mn->finished());
  EXPECT_TRUE(net.mn_events<SessionFailed>().empty());
}

// Issue 4 (drain without a reconnect storm): the MN follows a gateway-initiated redirect
// after a random delay below move_jitter, keeping the old SA up meanwhile.
TEST(SessionGatewayRedirect, MoveStartsAfterAJitteredDelayWithTheOldSaUp) {
  SessionNet net;
  net.cfg.move_jitter = 5s;
  net.start();
  const base::TimePoint t0 = net.clock.now();
  ASSERT_TRUE(net.ha1_redirects_to_ha2(60s));
  EXPECT_EQ(net.mn_events<GatewayRedirectReceived>().size(), 1u);
  EXPECT_TRUE(net.mn_events<Redirected>().empty());  // not yet followed
  EXPECT_TRUE(net.gw(kHa2).received.empty());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa1);
  ASSERT_NE(net.mn->sa(), nullptr);
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::Established);

  const base::TimePoint start = net.mn->next_deadline();
  EXPECT_GE(start, t0);
  EXPECT_LT(start, t0 + 5s);
  net.clock.advance_to(start);
  net.mn->on_timer(net.clock.now());
  net.pump();
  ASSERT_FALSE(net.gw(kHa2).received.empty());
  EXPECT_EQ(net.gw(kHa2).received.front(), wire::ExchangeType::IkeSaInit);
  EXPECT_EQ(net.mn_events<IkeGatewayChanged>().size(), 1u);
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
}

// The delays differ between MNs: eight sessions whose random streams differ start their moves
// at (mostly) different times, all inside the window.
TEST(SessionGatewayRedirect, JitteredStartsSpreadAcrossTheWindow) {
  std::set<base::Duration> delays;
  for (std::size_t shift = 0; shift < 8; ++shift) {
    SessionNet net;
    net.cfg.move_jitter = 5s;
    (void)net.rng.bytes(shift + 1);  // a different random stream for each MN
    net.start();
    const base::TimePoint t0 = net.clock.now();
    ASSERT_TRUE(net.ha1_redirects_to_ha2(60s));
    const base::Duration delay = net.mn->next_deadline() - t0;
    EXPECT_GE(delay, base::Duration::zero());
    EXPECT_LT(delay, 5s);
    delays.insert(delay);
  }
  EXPECT_GE(delays.size(), 6u);
}

// The old gateway's grace period ends before the jittered start: the MN follows at once,
// as a fresh attempt, and ends on the new gateway (no session failure).
TEST(SessionGatewayRedirect, OldSaDeletedBeforeTheJitteredStartMovesAtOnce) {
  SessionNet net;
  net.cfg.move_jitter = std::chrono::hours(1);
  net.start();
  ASSERT_TRUE(net.ha1_redirects_to_ha2(5s));
  EXPECT_TRUE(net.gw(kHa2).received.empty());
  net.clock.advance_to(net.gw(kHa1).front->next_deadline());  // HA1's grace period ends
  net.gw(kHa1).front->on_timer(net.clock.now());
  net.pump();
  EXPECT_EQ(net.mn_events<SaDeleted>().size(), 1u);
  ASSERT_FALSE(net.gw(kHa2).received.empty());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
  ASSERT_NE(net.mn->sa(), nullptr);
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::Established);
  EXPECT_TRUE(net.mn_events<SessionFailed>().empty());
  EXPECT_FALSE(net.mn->finished());
}

// RFC 5685 6 through the session: HA1 redirects at IKE_AUTH; the old SA's Delete finishes at
// HA1 (R5685-23) while the session completes with HA2 (REDIRECTED_FROM = HA1, R5685-07).
TEST(SessionGatewayRedirect, R5685_23_AuthRedirectFollowedAndOldSaDeleted) {
  SessionNet net;
  net.gw(kHa1).auth.script = [](const AuthRequest&) {
    return AuthAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.start();
  const auto redirected = net.mn_events<Redirected>();
  ASSERT_EQ(redirected.size(), 1u);
  EXPECT_EQ(redirected[0].point, RedirectPoint::IkeAuth);
  ASSERT_EQ(net.mn_events<SaEstablished>().size(), 1u);
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
  ASSERT_EQ(net.gw(kHa2).init.redirected_from.size(), 1u);
  EXPECT_EQ(net.gw(kHa2).init.redirected_from[0], wire::GwIdentity::ipv6(kHa1));
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);
  EXPECT_EQ(net.gw(kHa1).front->half_open(), 0u);
  EXPECT_EQ(net.mn->retiring(), 0u);
  EXPECT_EQ(net.gw(kHa1).received.back(), wire::ExchangeType::Informational);
}

}  // namespace
}  // namespace ike::engine
