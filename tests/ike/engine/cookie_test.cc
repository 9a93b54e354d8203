// COOKIE (RFC 7296 2.6): the stateless cookie of the IkeResponder front and the initiator's
// retry, R7296-21..24, with a fake clock and deterministic RNG/DH (STYLE B5).
#include "ike/engine/cookie.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ike/engine/ike_initiator_session.h"
#include "tests/ike/engine/front_harness.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::addr;
using test::kHaId;
using test::kMnId;
using test::of;

const base::Ip6Addr kMn = addr("2001:db8:ff::10");
const base::Ip6Addr kHa = addr("2001:db8:1::1");
const Path kMnPath{{kMn, 500}, {kHa, 500}};

IkeResponderConfig cookies_always() {
  IkeResponderConfig cfg;
  cfg.cookie_threshold = 0;
  return cfg;
}

std::vector<std::uint8_t> nonce_of(const wire::Message& m) {
  const auto* n = wire::find_first<wire::NoncePayload>(m.payloads);
  return n != nullptr ? n->data : std::vector<std::uint8_t>{};
}

std::vector<std::uint8_t> ke_of(const wire::Message& m) {
  const auto* k = wire::find_first<wire::KePayload>(m.payloads);
  return k != nullptr ? k->data : std::vector<std::uint8_t>{};
}

bool is_cookie_answer(const std::vector<std::uint8_t>& bytes) {
  const auto m = test::decode(bytes);
  return m.header.response && m.header.spi_r.is_zero() && m.payloads.size() == 1 &&
         wire::find_notify(m.payloads, wire::NotifyType::Cookie) != nullptr;
}

// ---- CookieJar ------------------------------------------------------------------------------

TEST(CookieJar, R7296_21_CookieBindsNonceAddressAndSpiAndFitsTheNotify) {
  test::DeterministicRandom rng(1);
  test::FakeClock clock;
  CookieJar jar(rng, 60s);
  const std::vector<std::uint8_t> ni(32, 0xab);
  const auto c = jar.make(ni, kMn, wire::Spi(42), clock.now());
  ASSERT_EQ(c.size(), CookieJar::kCookieSize);
  EXPECT_LE(c.size(), wire::kMaxCookieSize);                    // 1..64 octets (3.10.1)
  EXPECT_EQ(jar.make(ni, kMn, wire::Spi(42), clock.now()), c);  // no state per request
  EXPECT_TRUE(jar.verify(c, ni, kMn, wire::Spi(42), clock.now()));
  EXPECT_FALSE(jar.verify(c, std::vector<std::uint8_t>(32, 0xac), kMn, wire::Spi(42), clock.now()));
  EXPECT_FALSE(jar.verify(c, ni, addr("2001:db8:ff::11"), wire::Spi(42), clock.now()));
  EXPECT_FALSE(jar.verify(c, ni, kMn, wire::Spi(43), clock.now()));
  auto flipped = c;
  flipped.back() ^= 1;
  EXPECT_FALSE(jar.verify(flipped, ni, kMn, wire::Spi(42), clock.now()));
  EXPECT_FALSE(jar.verify(std::span(c).first(20), ni, kMn, wire::Spi(42), clock.now()));
}

TEST(CookieJar, R7296_23_PreviousSecretStillAcceptedOlderOnesNot) {
  test::DeterministicRandom rng(1);
  test::FakeClock clock;
  CookieJar jar(rng, 60s);
  const std::vector<std::uint8_t> ni(16, 1);
  const auto first = jar.make(ni, kMn, wire::Spi(7), clock.now());
  EXPECT_EQ(jar.version(), 1u);
  clock.advance(61s);  // one rotation: the cookie's secret is now the previous one
  EXPECT_TRUE(jar.verify(first, ni, kMn, wire::Spi(7), clock.now()));
  EXPECT_EQ(jar.version(), 2u);
  const auto second = jar.make(ni, kMn, wire::Spi(7), clock.now());
  EXPECT_NE(second, first);
  clock.advance(61s);  // two rotations: gone
  EXPECT_FALSE(jar.verify(first, ni, kMn, wire::Spi(7), clock.now()));
  EXPECT_TRUE(jar.verify(second, ni, kMn, wire::Spi(7), clock.now()));
  clock.advance(10min);  // a long quiet spell drops both at once
  EXPECT_FALSE(jar.verify(second, ni, kMn, wire::Spi(7), clock.now()));
}

// ---- The front ------------------------------------------------------------------------------

// R7296-21: above the threshold the first IKE_SA_INIT gets HDR(SPIi, 0) N(COOKIE) and nothing
// else; no decision is asked, no DH done, no SA kept.
TEST(IkeCookie, R7296_21_AboveThresholdTheFrontAnswersOnlyACookie) {
  test::Gateway gw(cookies_always());
  test::Mobile mn(5);
  test::Network net{gw, mn};
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  // Deliver only the first request, not the retry.
  const auto request = of<SendDatagram>(mn.sa->take_outputs()).at(0);
  gw.front->on_datagram(Path{kMnPath.remote, kMnPath.local}, request.bytes, net.clock.now());
  const auto answers = of<SendDatagram>(gw.front->take_outputs());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(is_cookie_answer(answers[0].bytes));
  const auto answer = test::decode(answers[0].bytes);
  EXPECT_EQ(answer.header.spi_i, mn.sa->spi_i());
  EXPECT_EQ(answer.header.message_id.value(), 0u);
  EXPECT_EQ(answers[0].path.remote, kMnPath.local);
  EXPECT_EQ(gw.decision.asked, 0);
  EXPECT_EQ(gw.kex.created, 0);
  EXPECT_EQ(gw.front->sa_count(), 0u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesSent), 1u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::Decisions), 0u);
}

// R7296-22: the initiator repeats the request with N(COOKIE) first, the same SPIi, Ni and KEi
// and Message ID 0; the gateway accepts the cookie and both ends establish (AUTH covers the
// request with the cookie, R7296-28).
TEST(IkeCookie, R7296_22_InitiatorRetriesWithTheCookieFirstAndEstablishes) {
  test::Gateway gw(cookies_always());
  test::Mobile mn(5);
  test::Network net{gw, mn};
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  net.pump();
  ASSERT_EQ(mn.sa->state(), IkeSaState::Established);
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::CookieRetries), 1u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesSent), 1u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesAccepted), 1u);
  EXPECT_EQ(gw.decision.asked, 1);
  EXPECT_EQ(test::sa_events<SaEstablished>(gw.events).size(), 1u);

  ASSERT_GE(mn.sent.size(), 3u);  // INIT, INIT + cookie, IKE_AUTH
  const auto first = test::decode(mn.sent[0].bytes);
  const auto retry = test::decode(mn.sent[1].bytes);
  ASSERT_FALSE(retry.payloads.empty());
  EXPECT_EQ(retry.payloads[0].type, wire::PayloadType::Notify);
  ASSERT_NE(retry.payloads[0].get<wire::NotifyPayload>(), nullptr);
  EXPECT_EQ(retry.payloads[0].get<wire::NotifyPayload>()->type, wire::NotifyType::Cookie);
  const auto cookie_answer = test::decode(gw.sent[0].bytes);
  EXPECT_EQ(retry.payloads[0].get<wire::NotifyPayload>()->data,
            wire::find_notify(cookie_answer.payloads, wire::NotifyType::Cookie)->data);
  EXPECT_EQ(retry.header.spi_i, first.header.spi_i);
  EXPECT_EQ(retry.header.message_id.value(), 0u);
  EXPECT_EQ(nonce_of(retry), nonce_of(first));
  EXPECT_EQ(ke_of(retry), ke_of(first));
  // Everything but the cookie is unchanged.
  EXPECT_EQ(std::vector<wire::Payload>(retry.payloads.begin() + 1, retry.payloads.end()),
            first.payloads);
}

// R7296-23: a wrong or stale cookie counts as none: the answer is a fresh cookie, still no
// state; below the threshold a wrong cookie is simply ignored.
TEST(IkeCookie, R7296_23_BadOrStaleCookieGetsAFreshCookie) {
  IkeResponderConfig cfg = cookies_always();
  cfg.cookie_secret_rotation = 60s;
  test::Gateway gw(cfg);
  test::Mobile mn(5);
  test::Network net{gw, mn};
  int seen = 0;
  // Tamper the cookie of the first retry.
  net.to_gateway = [&](std::vector<std::uint8_t>& bytes) {
    if (++seen != 2) {
      return true;
    }
    auto m = test::decode(bytes);
    for (auto& p : m.payloads) {
      if (auto* n = std::get_if<wire::NotifyPayload>(&p.body);
          n != nullptr && n->type == wire::NotifyType::Cookie) {
        n->data[5] ^= 0x80;
      }
    }
    bytes = *wire::encode_message(m);
    return true;
  };
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  net.pump();
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesInvalid), 1u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesSent), 2u);
  ASSERT_GE(gw.sent.size(), 2u);
  EXPECT_TRUE(is_cookie_answer(gw.sent[1].bytes));
  // The initiator follows the fresh cookie and gets through.
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::CookieRetries), 2u);
  EXPECT_EQ(mn.sa->state(), IkeSaState::Established);

  // A cookie kept past two rotations is stale: a fresh one comes back.
  test::Mobile late(9);
  ASSERT_TRUE(late.sa->initiate(kMnPath, net.clock.now()));
  const auto request = of<SendDatagram>(late.sa->take_outputs()).at(0).bytes;
  gw.front->on_datagram(Path{kMnPath.remote, kMnPath.local}, request, net.clock.now());
  const auto cookie = test::decode(of<SendDatagram>(gw.front->take_outputs()).at(0).bytes);
  late.sa->on_datagram(kMnPath, *wire::encode_message(cookie), net.clock.now());
  const auto retry = of<SendDatagram>(late.sa->take_outputs()).at(0).bytes;
  net.clock.advance(121s);
  gw.front->on_datagram(Path{kMnPath.remote, kMnPath.local}, retry, net.clock.now());
  const auto again = of<SendDatagram>(gw.front->take_outputs());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(is_cookie_answer(again[0].bytes));
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesInvalid), 2u);

  // Below the threshold the same stale cookie is ignored and the request served.
  IkeResponderConfig relaxed;  // default threshold, far above 1 half-open SA
  test::Gateway calm(relaxed);
  calm.front->on_datagram(Path{kMnPath.remote, kMnPath.local}, retry, net.clock.now());
  EXPECT_EQ(calm.front->counters().get(ResponderCounter::Served), 1u);
  EXPECT_EQ(calm.front->counters().get(ResponderCounter::CookiesInvalid), 0u);
}

// R7296-24: cookie, then INVALID_KE_PAYLOAD: the KE retry keeps the cookie (no third round
// trip), and the front accepts it because Ni, IPi and SPIi are unchanged.
TEST(IkeCookie, R7296_24_CookieIsKeptAcrossTheInvalidKeRetry) {
  IkeResponderConfig cfg = cookies_always();
  cfg.sa.ike.dh_groups = {crypto::DhGroup::Ecp256};
  test::Gateway gw(cfg);
  test::Mobile mn(5);  // offers Curve25519 first, P-256 second
  test::Network net{gw, mn};
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  net.pump();
  ASSERT_EQ(mn.sa->state(), IkeSaState::Established);
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::CookieRetries), 1u);
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::InvalidKeRetries), 1u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesSent), 1u);  // one round only
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesAccepted), 2u);
  ASSERT_GE(mn.sent.size(), 3u);
  const auto ke_retry = test::decode(mn.sent[2].bytes);
  ASSERT_NE(ke_retry.payloads[0].get<wire::NotifyPayload>(), nullptr);
  EXPECT_EQ(ke_retry.payloads[0].get<wire::NotifyPayload>()->type, wire::NotifyType::Cookie);
  EXPECT_EQ(wire::find_first<wire::KePayload>(ke_retry.payloads)->dh_group,
            static_cast<std::uint16_t>(crypto::DhGroup::Ecp256));
}

// R7296-24 (MUST NOT fail if the peer does not keep it): an initiator that drops the cookie
// on the KE retry just gets another cookie round.
TEST(IkeCookie, R7296_24_ARetryWithoutTheCookieGetsAnotherRound) {
  IkeResponderConfig cfg = cookies_always();
  cfg.sa.ike.dh_groups = {crypto::DhGroup::Ecp256};
  test::Gateway gw(cfg);
  test::Mobile mn(5);
  test::Network net{gw, mn};
  int seen = 0;
  net.to_gateway = [&](std::vector<std::uint8_t>& bytes) {
    if (++seen == 3) {  // the KE retry: strip its cookie, as a peer without 2.6.1 support
      auto m = test::decode(bytes);
      std::erase_if(m.payloads, [](const wire::Payload& p) {
        const auto* n = p.get<wire::NotifyPayload>();
        return n != nullptr && n->type == wire::NotifyType::Cookie;
      });
      bytes = *wire::encode_message(m);
    }
    return true;
  };
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  net.pump();
  EXPECT_EQ(mn.sa->state(), IkeSaState::Established);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesSent), 2u);
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::CookieRetries), 2u);
}

// 2.6 "limit the number of cookie rounds": a responder that never accepts gets up to
// max_cookie_retries retries, then the SA fails; a malformed cookie is ignored.
TEST(IkeCookie, R7296_22_CookieRoundsAreBoundedAndMalformedCookiesIgnored) {
  test::Gateway gw(cookies_always());
  IkeSaConfig cfg = test::mn_config();
  cfg.max_cookie_retries = 2;
  test::Mobile mn(5, cfg);
  test::Network net{gw, mn};
  net.to_gateway = [&](std::vector<std::uint8_t>& bytes) {
    auto m = test::decode(bytes);
    for (auto& p : m.payloads) {
      if (auto* n = std::get_if<wire::NotifyPayload>(&p.body);
          n != nullptr && n->type == wire::NotifyType::Cookie) {
        n->data[0] ^= 0xff;  // a version the front never issued
      }
    }
    bytes = *wire::encode_message(m);
    return true;
  };
  ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
  net.pump();
  EXPECT_EQ(mn.sa->state(), IkeSaState::Failed);
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::CookieRetries), 2u);
  EXPECT_EQ(mn.sa->counters().get(IkeCounter::CookieRetryLimit), 1u);
  const auto failed = of<SaFailed>(mn.events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].notify, wire::NotifyType::Cookie);
  EXPECT_EQ(gw.front->sa_count(), 0u);

  // A 0-octet "cookie" is garbage: counted, ignored, the SA keeps waiting.
  test::Mobile other(8);
  ASSERT_TRUE(other.sa->initiate(kMnPath, net.clock.now()));
  const auto request = test::decode(of<SendDatagram>(other.sa->take_outputs()).at(0).bytes);
  wire::Message bogus;
  bogus.header = request.header;
  bogus.header.response = true;
  bogus.header.initiator = false;
  bogus.payloads.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::Cookie)));
  other.sa->on_datagram(kMnPath, *wire::encode_message(bogus), net.clock.now());
  EXPECT_EQ(other.sa->counters().get(IkeCounter::CookieMalformed), 1u);
  EXPECT_EQ(other.sa->state(), IkeSaState::InitRequestSent);
  EXPECT_TRUE(of<SendDatagram>(other.sa->take_outputs()).empty());
}

// R7296-21: a flood of 10k spoofed IKE_SA_INITs above the threshold creates no state: every
// one gets a cookie, nothing is decided, no DH is done, the half-open count does not move.
TEST(IkeCookie, R7296_21_FloodOf10kSpoofedInitsAboveThresholdCreatesNoState) {
  IkeResponderConfig cfg;
  cfg.cookie_threshold = 2;
  test::Gateway gw(cfg);
  // Two real initiators fill the half-open slots up to the threshold.
  for (std::uint64_t seed : {5u, 6u}) {
    test::Mobile mn(seed);
    const Path p{{addr(seed == 5 ? "2001:db8:ff::5" : "2001:db8:ff::6"), 500}, {kHa, 500}};
    ASSERT_TRUE(mn.sa->initiate(p, {}));
    const auto request = of<SendDatagram>(mn.sa->take_outputs()).at(0).bytes;
    gw.front->on_datagram(Path{p.remote, p.local}, request, {});
  }
  (void)gw.front->take_outputs();
  ASSERT_EQ(gw.front->half_open(), 2u);
  const int dh_before = gw.kex.created;
  const auto decisions_before = gw.front->counters().get(ResponderCounter::Decisions);

  // The template: a real request, then a new SPIi and source address per copy.
  test::Mobile attacker(77);
  ASSERT_TRUE(attacker.sa->initiate(kMnPath, {}));
  const auto tmpl = of<SendDatagram>(attacker.sa->take_outputs()).at(0).bytes;
  constexpr int kFlood = 10000;
  std::size_t answers = 0;
  for (int i = 0; i < kFlood; ++i) {
    auto bytes = tmpl;
    for (int b = 0; b < 4; ++b) {
      bytes[4 + b] = static_cast<std::uint8_t>((i + 1) >> (8 * b));  // SPIi
    }
    auto src = addr("2001:db8:dead::");
    src.bytes()[14] = static_cast<std::uint8_t>(i >> 8);
    src.bytes()[15] = static_cast<std::uint8_t>(i);
    gw.front->on_datagram(Path{{kHa, 500}, {src, 500}}, bytes, {});
    for (const auto& s : of<SendDatagram>(gw.front->take_outputs())) {
      ASSERT_TRUE(is_cookie_answer(s.bytes));
      ++answers;
    }
  }
  EXPECT_EQ(answers, static_cast<std::size_t>(kFlood));
  EXPECT_EQ(gw.front->sa_count(), 2u);
  EXPECT_EQ(gw.front->half_open(), 2u);
  EXPECT_EQ(gw.kex.created, dh_before);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::Decisions), decisions_before);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::CookiesSent),
            static_cast<std::uint64_t>(kFlood));
  EXPECT_EQ(gw.front->next_deadline(), base::TimePoint{} + cfg.sa.half_open_timeout);
}

// The session layer is unaffected: a cookie round, then an RFC 5685 redirect (decided only
// after the cookie, so it names the initiator's real Ni), then establishment at the target.
TEST(IkeCookie, InitiatorSessionFollowsARedirectThatComesAfterACookie) {
  test::Gateway gw1(cookies_always(), 100);
  test::Gateway gw2(cookies_always(), 200);
  const base::Ip6Addr kHa2 = addr("2001:db8:2::1");
  gw1.decision.script = [&](const InitRequest& c) {
    EXPECT_TRUE(c.redirect_supported);
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  test::DeterministicRandom rng(11);
  test::DeterministicKeyExchangeFactory kex(12);
  InMemoryCredentials creds;
  creds.add(kHaId, test::secret(test::kPsk));
  InitiatorSessionConfig scfg;
  scfg.sa = test::mn_config();
  scfg.gateway_permitted = [](const wire::GwIdentity&) { return true; };
  IkeInitiatorSession session(scfg, Environment{rng, kex, creds, nullptr});
  test::FakeClock clock;
  ASSERT_TRUE(session.start(kMnPath, clock.now()));
  std::vector<SessionOutput> events;
  for (int round = 0; round < 64; ++round) {
    bool moved = false;
    for (auto& o : session.take_outputs()) {
      auto* s = std::get_if<SendDatagram>(&o);
      if (s == nullptr) {
        events.push_back(std::move(o));
        continue;
      }
      moved = true;
      test::Gateway& gw = s->path.remote.address == kHa ? gw1 : gw2;
      gw.front->on_datagram(Path{s->path.remote, s->path.local}, s->bytes, clock.now());
      for (auto& r : gw.front->take_outputs()) {
        if (auto* a = std::get_if<SendDatagram>(&r)) {
          session.on_datagram(Path{a->path.remote, a->path.local}, a->bytes, clock.now());
        }
      }
    }
    if (!moved) {
      break;
    }
  }
  EXPECT_EQ(of<Redirected>(events).size(), 1u);
  ASSERT_EQ(of<SaEstablished>(events).size(), 1u);
  EXPECT_EQ(session.current_path().remote.address, kHa2);
  EXPECT_EQ(gw1.front->counters().get(ResponderCounter::CookiesSent), 1u);
  EXPECT_EQ(gw1.front->counters().get(ResponderCounter::Redirected), 1u);
  EXPECT_EQ(gw2.front->counters().get(ResponderCounter::CookiesSent), 1u);
  EXPECT_EQ(gw2.front->counters().get(ResponderCounter::Served), 1u);
  EXPECT_EQ(gw1.front->sa_count(), 0u);
}

}  // namespace
}  // namespace ike::engine
