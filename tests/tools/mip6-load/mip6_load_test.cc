// mip6-load's answer classifier, request template and book-keeping (tools/mip6-load), in
// process: answers built with ike::wire and answers made by our own IkeResponder front from
// the tool's own requests (RFC 5685 3 / 9.2, RFC 7296 2.6 / 3.10).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/engine/ike_responder.h"
#include "ike/engine/peer_credentials.h"
#include "ike/wire/message.h"
#include "ike/wire/rules.h"
#include "tests/support/deterministic_random.h"
#include "tools/mip6-load/answer_classifier.h"
#include "tools/mip6-load/init_request.h"
#include "tools/mip6-load/load_stats.h"

namespace mip6load {
namespace {

namespace wire = ike::wire;
namespace engine = ike::engine;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t kSpiI = 0x0102030405060708ULL;
constexpr std::uint64_t kSpiR = 0x1112131415161718ULL;

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

Bytes nonce_of(std::uint8_t fill, std::size_t size = 32) {
  return Bytes(size, fill);
}

// An IKE_SA_INIT response HDR(SPIi, SPIr) with these payloads.
Bytes answer(std::vector<wire::Payload> payloads, std::uint64_t spi_r = 0) {
  wire::Message m;
  m.header.spi_i = wire::Spi(kSpiI);
  m.header.spi_r = wire::Spi(spi_r);
  m.header.exchange = wire::ExchangeType::IkeSaInit;
  m.header.response = true;
  m.payloads = std::move(payloads);
  auto bytes = wire::encode_message(m);
  EXPECT_TRUE(bytes.has_value());
  return bytes ? *bytes : Bytes{};
}

Bytes redirect_answer(const Bytes& nonce) {
  auto n = wire::make_redirect(wire::RedirectInfo{wire::GwIdentity::ipv6(addr("2001:db8:1::2")),
                                                  nonce});
  EXPECT_TRUE(n.has_value());
  return answer({wire::make_payload(std::move(*n))});
}

AnswerKind kind_of(const Bytes& datagram, const Bytes& nonce_i) {
  const ParsedAnswer p = parse_answer(datagram);
  if (!p.view) {
    return AnswerKind::Malformed;
  }
  return classify_answer(*p.view, nonce_i);
}

TEST(AnswerClassifier, R5685_04_RedirectWithOurNonceIsARedirect) {
  const Bytes ni = nonce_of(0xa5);
  const Bytes d = redirect_answer(ni);
  const ParsedAnswer p = parse_answer(d);
  ASSERT_TRUE(p.view.has_value()) << to_string(p.reason);
  EXPECT_EQ(p.view->spi_i, kSpiI);
  EXPECT_EQ(p.view->spi_r, 0u);
  EXPECT_TRUE(p.view->has_redirect);
  EXPECT_EQ(p.view->redirect_gw_type, 2);
  EXPECT_EQ(gateway_text(p.view->redirect_gw_type, p.view->redirect_gw), "2001:db8:1::2");
  EXPECT_EQ(classify_answer(*p.view, ni), AnswerKind::Redirect);
}

// Captured from libreswan 4.10 (global-redirect=yes, global-redirect-to=2001:db8:1::2)
// answering a mip6-load request; also in tests/fuzz/corpus/load_answer_fuzz/.
TEST(AnswerClassifier, R5685_04_LibreswanRedirectVector) {
  const Bytes d = {
      0x08, 0x7b, 0xac, 0xb0, 0x3c, 0xc2, 0xe6, 0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x29, 0x20, 0x22, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x56, 0x00, 0x00,
      0x00, 0x3a, 0x00, 0x00, 0x40, 0x17, 0x02, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xa4, 0x5d, 0xbc, 0x9f, 0x35, 0xff,
      0xbc, 0xd1, 0x93, 0xd6, 0x2d, 0x8c, 0xa2, 0x1f, 0xfb, 0xd3, 0x5d, 0x65, 0x83, 0xe5, 0x3e,
      0xd4, 0x36, 0x10, 0x29, 0xd3, 0x52, 0x8b, 0x52, 0x8d, 0xd7, 0xe6};
  const ParsedAnswer p = parse_answer(d);
  ASSERT_TRUE(p.view.has_value()) << to_string(p.reason);
  EXPECT_EQ(p.view->spi_i, 0x087bacb03cc2e643ULL);
  EXPECT_TRUE(p.view->has_redirect);
  EXPECT_EQ(gateway_text(p.view->redirect_gw_type, p.view->redirect_gw), "2001:db8:1::2");
  const Bytes ni(d.end() - 32, d.end());
  EXPECT_EQ(classify_answer(*p.view, ni), AnswerKind::Redirect);
  EXPECT_EQ(classify_answer(*p.view, nonce_of(0)), AnswerKind::RedirectBadNonce);
}

TEST(AnswerClassifier, R5685_06_RedirectWithAnotherOrNoNonceIsFlagged) {
  EXPECT_EQ(kind_of(redirect_answer(nonce_of(0xa5)), nonce_of(0xa6)),
            AnswerKind::RedirectBadNonce);
  // One octet short: a prefix of our nonce is not our nonce.
  EXPECT_EQ(kind_of(redirect_answer(nonce_of(0xa5, 31)), nonce_of(0xa5)),
            AnswerKind::RedirectBadNonce);
  EXPECT_EQ(kind_of(redirect_answer({}), nonce_of(0xa5)), AnswerKind::RedirectBadNonce);
}

TEST(AnswerClassifier, R7296_21_CookieAndErrorNotifiesAndInitResponses) {
  const Bytes ni = nonce_of(1);
  EXPECT_EQ(kind_of(answer({wire::make_payload(wire::make_cookie(Bytes(16, 7)))}), ni),
            AnswerKind::Cookie);
  const Bytes npc =
      answer({wire::make_payload(wire::make_notify(wire::NotifyType::NoProposalChosen))});
  EXPECT_EQ(kind_of(npc, ni), AnswerKind::ErrorNotify);
  EXPECT_EQ(parse_answer(npc).view->first_error_notify, std::uint16_t{14});

  wire::KePayload ke;
  ke.dh_group = 31;
  ke.data = Bytes(32, 9);
  wire::NoncePayload nr;
  nr.data = Bytes(32, 3);
  const Bytes served = answer({wire::make_payload(engine::make_ike_sa_offer({})),
                               wire::make_payload(std::move(ke)), wire::make_payload(nr)},
                              kSpiR);
  EXPECT_EQ(kind_of(served, ni), AnswerKind::InitResponse);
  // The same payloads with SPIr 0 are no IKE SA.
  EXPECT_EQ(kind_of(answer({wire::make_payload(nr)}), ni), AnswerKind::Other);
}

TEST(AnswerClassifier, MalformedDatagramsSayWhy) {
  const Bytes good = redirect_answer(nonce_of(2));
  EXPECT_EQ(parse_answer(Bytes(27, 0)).reason, MalformedReason::Truncated);

  Bytes v = good;
  v[17] = 0x10;  // major version 1
  EXPECT_EQ(parse_answer(v).reason, MalformedReason::BadVersion);

  Bytes request = good;
  request[19] = 0x08;  // I flag, no R: a request
  EXPECT_EQ(parse_answer(request).reason, MalformedReason::NotInitResponse);

  Bytes auth = good;
  auth[18] = 35;  // IKE_AUTH
  EXPECT_EQ(parse_answer(auth).reason, MalformedReason::NotInitResponse);

  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(parse_answer(longer).reason, MalformedReason::BadLength);

  Bytes overrun = good;
  overrun[28 + 3] = static_cast<std::uint8_t>(overrun[28 + 3] + 1);  // notify length + 1
  EXPECT_EQ(parse_answer(overrun).reason, MalformedReason::BadPayloadLength);

  Bytes short_payload = good;
  short_payload[28 + 2] = 0;
  short_payload[28 + 3] = 3;  // generic payload length < 4
  EXPECT_EQ(parse_answer(short_payload).reason, MalformedReason::BadPayloadLength);

  Bytes bad_gw = good;
  bad_gw[28 + 4 + 4 + 1] = 200;  // GW Ident Len past the notify data (R5685-35)
  EXPECT_EQ(parse_answer(bad_gw).reason, MalformedReason::BadRedirect);
}

// QUICHE-style: every prefix of a good answer is rejected with a reason, never read past.
TEST(AnswerClassifier, EveryTruncationIsMalformed) {
  const Bytes good = redirect_answer(nonce_of(3));
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Bytes prefix(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    const ParsedAnswer p = parse_answer(prefix);
    EXPECT_FALSE(p.view.has_value()) << n;
    EXPECT_EQ(p.reason, n < 28 ? MalformedReason::Truncated : MalformedReason::BadLength) << n;
  }
}

TEST(AnswerClassifier, TooManyPayloadsAreRefused) {
  std::vector<wire::Payload> many;
  for (std::size_t i = 0; i <= kMaxAnswerPayloads; ++i) {
    many.push_back(wire::make_payload(wire::make_notify(wire::NotifyType::InitialContact)));
  }
  EXPECT_EQ(parse_answer(answer(std::move(many))).reason, MalformedReason::TooManyPayloads);
}

TEST(RequestTemplate, R5685_01_StampedRequestsDecodeWithTheirSpiNonceAndNotify) {
  auto t = RequestTemplate::build({});
  ASSERT_TRUE(t.has_value()) << t.error();
  Bytes out(t->size());
  const Bytes ni = nonce_of(0x5a);
  t->stamp(out, kSpiI, ni);
  auto m = wire::decode_message(out);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message.header.spi_i.value(), kSpiI);
  EXPECT_TRUE(m->message.header.spi_r.is_zero());
  EXPECT_TRUE(m->message.header.initiator);
  EXPECT_EQ(m->message.header.exchange, wire::ExchangeType::IkeSaInit);
  EXPECT_TRUE(wire::validate(m->message, {}));
  const auto* nonce = wire::find_first<wire::NoncePayload>(m->message.payloads);
  ASSERT_NE(nonce, nullptr);
  EXPECT_EQ(nonce->data, ni);
  const auto* ke = wire::find_first<wire::KePayload>(m->message.payloads);
  ASSERT_NE(ke, nullptr);
  EXPECT_EQ(ke->dh_group, 31);
  EXPECT_NE(wire::find_notify(m->message.payloads, wire::NotifyType::RedirectSupported), nullptr);

  RequestOptions no_support;
  no_support.redirect_supported = false;
  auto silent = RequestTemplate::build(no_support);
  ASSERT_TRUE(silent.has_value());
  auto m2 = wire::decode_message(silent->bytes());
  ASSERT_TRUE(m2.has_value());
  EXPECT_EQ(wire::find_notify(m2->message.payloads, wire::NotifyType::RedirectSupported), nullptr);

  RequestOptions after_redirect;
  after_redirect.redirected_from = addr("2001:db8:1::9");
  auto from = RequestTemplate::build(after_redirect);
  ASSERT_TRUE(from.has_value());
  auto m3 = wire::decode_message(from->bytes());
  ASSERT_TRUE(m3.has_value());
  const auto* rf = wire::find_notify(m3->message.payloads, wire::NotifyType::RedirectedFrom);
  ASSERT_NE(rf, nullptr);
  EXPECT_EQ(wire::decode_redirected_from(*rf)->ipv6_addr(), addr("2001:db8:1::9"));

  RequestOptions short_nonce;
  short_nonce.nonce_size = 15;  // below 16 (R7296-20)
  EXPECT_FALSE(RequestTemplate::build(short_nonce).has_value());
}

// The tool's requests through our own responder front, both verdicts, and the answers judged
// by the classifier with the nonce each request carried.
class Verdict final : public engine::InitDecision {
 public:
  explicit Verdict(bool redirect) : redirect_(redirect) {}
  [[nodiscard]] engine::InitAnswer decide(const engine::InitRequest&, base::TimePoint) override {
    if (redirect_) {
      return engine::Redirect{wire::GwIdentity::ipv6(addr("2001:db8:1::2"))};
    }
    return engine::Serve{1};
  }

 private:
  bool redirect_;
};

Bytes respond(bool redirect, const Bytes& request) {
  test::DeterministicRandom rng(5);
  test::DeterministicKeyExchangeFactory kex(6);
  engine::InMemoryCredentials creds;
  Verdict verdict(redirect);
  engine::IkeResponderConfig cfg;
  cfg.sa.local_id = wire::IdPayload::make_fqdn("gw.example");
  engine::IkeResponder front(cfg, engine::Environment{rng, kex, creds, nullptr}, verdict);
  const engine::Path path{{addr("2001:db8:1::1"), 500}, {addr("2001:db8:1::100"), 500}};
  front.on_datagram(path, request, base::TimePoint{});
  for (auto& o : front.take_outputs()) {
    if (auto* d = std::get_if<engine::SendDatagram>(&o)) {
      return d->bytes;
    }
  }
  return {};
}

TEST(AnswerClassifier, R5685_04_OurResponderAnswersTheToolsRequests) {
  auto t = RequestTemplate::build({});
  ASSERT_TRUE(t.has_value());
  Bytes request(t->size());
  const Bytes ni = nonce_of(0x77);
  t->stamp(request, kSpiI, ni);

  const Bytes redirected = respond(true, request);
  ASSERT_FALSE(redirected.empty());
  EXPECT_EQ(kind_of(redirected, ni), AnswerKind::Redirect);
  EXPECT_EQ(kind_of(redirected, nonce_of(0x78)), AnswerKind::RedirectBadNonce);
  EXPECT_EQ(parse_answer(redirected).view->spi_i, kSpiI);

  const Bytes served = respond(false, request);
  ASSERT_FALSE(served.empty());
  EXPECT_EQ(kind_of(served, ni), AnswerKind::InitResponse);
}

TEST(Outstanding, MatchesBySpiAndForgetsReusedSlots) {
  Outstanding table(3, 32);  // rounded up to 4
  EXPECT_EQ(table.capacity(), 4u);
  auto a = table.claim(0xdead'beef'0000'0000ULL, 100);
  auto b = table.claim(0xdead'beef'0000'0000ULL, 200);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->spi, b->spi);
  std::fill(a->nonce.begin(), a->nonce.end(), 0x11);
  EXPECT_EQ(table.match(a->spi), a->slot);
  EXPECT_EQ(table.nonce(a->slot)[0], 0x11);
  EXPECT_EQ(table.in_flight(), 2u);
  table.release(a->slot);
  EXPECT_FALSE(table.match(a->spi).has_value());
  // The slot comes back with another SPI: an answer to the old request does not match it.
  auto c = table.claim(0x1234'0000'0000'0000ULL, 300);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->slot, a->slot);
  EXPECT_FALSE(table.match(a->spi).has_value());
  EXPECT_EQ(table.match(c->spi), c->slot);
  EXPECT_FALSE(table.match(0).has_value());
  // Requests sent before 250 expire.
  EXPECT_EQ(table.expire(250), 1u);  // b
  EXPECT_FALSE(table.match(b->spi).has_value());
  EXPECT_EQ(table.in_flight(), 1u);
  // Full table.
  ASSERT_TRUE(table.claim(1, 0) && table.claim(2, 0) && table.claim(3, 0));
  EXPECT_FALSE(table.claim(4, 0).has_value());
}

TEST(LoadStats, AccountsAnswersByKindWithLatency) {
  auto t = RequestTemplate::build({});
  ASSERT_TRUE(t.has_value());
  Outstanding table(8, t->nonce_size());
  LoadCounters counters;
  LatencyHistogram latency;

  auto sent = table.claim(0x4000'0000'0000'0000ULL, 1'000'000);
  ASSERT_TRUE(sent.has_value());
  std::fill(sent->nonce.begin(), sent->nonce.end(), 0x42);
  Bytes request(t->size());
  t->stamp(request, sent->spi, sent->nonce);
  const Bytes redirected = respond(true, request);

  // A forged answer (wrong nonce) keeps the request waiting (R5685-06) ...
  Bytes forged = redirected;
  forged.back() ^= 1;
  EXPECT_EQ(account_answer(forged, 1'500'000, table, counters, latency),
            AnswerKind::RedirectBadNonce);
  EXPECT_EQ(table.in_flight(), 1u);
  // ... and the real one ends it, 2 ms after it was sent.
  EXPECT_EQ(account_answer(redirected, 3'000'000, table, counters, latency), AnswerKind::Redirect);
  EXPECT_EQ(table.in_flight(), 0u);
  // A duplicate finds no request any more.
  EXPECT_EQ(account_answer(redirected, 3'100'000, table, counters, latency),
            AnswerKind::Malformed);
  EXPECT_EQ(account_answer(Bytes{1, 2, 3}, 3'200'000, table, counters, latency),
            AnswerKind::Malformed);

  EXPECT_EQ(counters.of(AnswerKind::Redirect), 1u);
  EXPECT_EQ(counters.of(AnswerKind::RedirectBadNonce), 1u);
  EXPECT_EQ(counters.unmatched, 1u);
  EXPECT_EQ(counters.malformed[static_cast<std::size_t>(MalformedReason::Truncated)], 1u);
  EXPECT_EQ(counters.received, 4u);
  EXPECT_EQ(counters.answered(), 2u);
  EXPECT_EQ(counters.redirect_targets.at("2001:db8:1::2"), 1u);
  EXPECT_EQ(latency.count(), 1u);
  EXPECT_DOUBLE_EQ(latency.mean_us(), 2000.0);
  EXPECT_DOUBLE_EQ(latency.percentile_us(99), 2000.5);

  RunInfo info;
  info.target = "[2001:db8:1::1]:500";
  info.duration_s = 1;
  info.window = 8;
  const auto j = report_json(info, counters, latency);
  EXPECT_EQ(j["answers"]["redirect"], 1);
  EXPECT_EQ(j["answers"]["redirect_bad_nonce"], 1);
  EXPECT_EQ(j["malformed"]["truncated"], 1);
  EXPECT_EQ(j["rates"]["redirects_per_s"], 1.0);
  EXPECT_NE(report_line(info, counters, latency).find("redirects 1/s"), std::string::npos);
}

TEST(LatencyHistogram, PercentilesFollowTheSamples) {
  LatencyHistogram h;
  for (int us = 1; us <= 100; ++us) {
    h.record(std::int64_t{us} * 1000);
  }
  EXPECT_EQ(h.count(), 100u);
  EXPECT_DOUBLE_EQ(h.mean_us(), 50.5);
  EXPECT_DOUBLE_EQ(h.percentile_us(50), 50.5);
  EXPECT_DOUBLE_EQ(h.percentile_us(99), 99.5);
  h.record(std::int64_t{500'000'000});  // 500 ms: the overflow bucket
  EXPECT_DOUBLE_EQ(h.percentile_us(100), 500000.0);
}

}  // namespace
}  // namespace mip6load
