// R7296-43: unprotected error answers are rate-limited (one token bucket per front, shared by
// its SAs, or per Environment), bounded and counted; COOKIE answers are not errors and are
// not limited.
#include <gtest/gtest.h>

#include "tests/ike/engine/front_harness.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::addr;
using test::of;

const base::Ip6Addr kHa = addr("2001:db8:1::1");

std::vector<std::uint8_t> init_request(std::uint64_t seed, const Path& path) {
  test::Mobile mn(seed);
  EXPECT_TRUE(mn.sa->initiate(path, {}));
  return of<SendDatagram>(mn.sa->take_outputs()).at(0).bytes;
}

Path from(int i) {
  auto a = addr("2001:db8:bad::");
  a.bytes()[14] = static_cast<std::uint8_t>(i >> 8);
  a.bytes()[15] = static_cast<std::uint8_t>(i);
  return Path{{kHa, 500}, {a, 500}};
}

// The front's own refusals (Refuse verdicts) pass the bucket: a burst, then the sustained rate.
TEST(ErrorRateLimit, R7296_43_FrontRefusalsAreBoundedAndCounted) {
  IkeResponderConfig cfg;
  cfg.error_answers_per_second = 10;
  cfg.error_answer_burst = 5;
  test::Gateway gw(cfg);
  gw.decision.script = [](const InitRequest&) { return InitAnswer{Refuse{}}; };
  test::FakeClock clock;
  const auto request = init_request(5, Path{{addr("2001:db8:ff::1"), 500}, {kHa, 500}});
  std::size_t answered = 0;
  for (int i = 0; i < 1000; ++i) {
    gw.front->on_datagram(from(i), request, clock.now());
    answered += of<SendDatagram>(gw.front->take_outputs()).size();
  }
  EXPECT_EQ(answered, 5u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::Refused), 1000u);  // still decided
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::ErrorAnswersRateLimited), 995u);
  clock.advance(300ms);  // 3 more tokens at 10/s
  for (int i = 0; i < 100; ++i) {
    gw.front->on_datagram(from(i), request, clock.now());
    answered += of<SendDatagram>(gw.front->take_outputs()).size();
  }
  EXPECT_EQ(answered, 8u);
  clock.advance(1h);  // a quiet hour refills only up to the burst
  for (int i = 0; i < 100; ++i) {
    gw.front->on_datagram(from(i), request, clock.now());
    answered += of<SendDatagram>(gw.front->take_outputs()).size();
  }
  EXPECT_EQ(answered, 13u);
}

// The SAs the front creates share the bucket: NO_PROPOSAL_CHOSEN from served SAs and
// INVALID_SYNTAX from the scratch SA of a malformed request are limited and counted at the
// front. Cookies are not errors: they are always answered.
TEST(ErrorRateLimit, R7296_43_SaErrorAnswersShareTheFrontsBucketCookiesDoNot) {
  IkeResponderConfig cfg;
  cfg.error_answers_per_second = 1;
  cfg.error_answer_burst = 3;
  cfg.sa.ike.dh_groups = {crypto::DhGroup::Modp2048};
  cfg.sa.ike.prfs = {crypto::PrfAlgorithm::HmacSha2_512};
  test::Gateway gw(cfg);
  test::FakeClock clock;
  IkeSaConfig mn_cfg = test::mn_config();
  mn_cfg.ike.prfs = {crypto::PrfAlgorithm::HmacSha2_256};  // nothing in common: NO_PROPOSAL
  test::Mobile mn(5, mn_cfg);
  ASSERT_TRUE(mn.sa->initiate(Path{{addr("2001:db8:ff::1"), 500}, {kHa, 500}}, clock.now()));
  const auto unacceptable = of<SendDatagram>(mn.sa->take_outputs()).at(0).bytes;
  auto without_nonce = test::decode(unacceptable);  // breaks the IKE_SA_INIT payload rules
  std::erase_if(without_nonce.payloads,
                [](const wire::Payload& p) { return p.type == wire::PayloadType::Nonce; });
  const std::vector<std::uint8_t> malformed = *wire::encode_message(without_nonce);
  std::size_t answered = 0;
  for (int i = 0; i < 50; ++i) {
    gw.front->on_datagram(from(i), i % 2 == 0 ? unacceptable : malformed, clock.now());
    answered += of<SendDatagram>(gw.front->take_outputs()).size();
  }
  EXPECT_EQ(answered, 3u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::ErrorAnswersRateLimited), 47u);
  EXPECT_EQ(gw.front->sa_count(), 0u);

  // With cookies demanded, every acceptable request still gets its cookie.
  IkeResponderConfig ccfg = cfg;
  ccfg.cookie_threshold = 0;
  test::Gateway cgw(ccfg);
  const auto fine = init_request(6, Path{{addr("2001:db8:ff::2"), 500}, {kHa, 500}});
  for (int i = 0; i < 50; ++i) {
    cgw.front->on_datagram(from(i), fine, clock.now());
  }
  EXPECT_EQ(of<SendDatagram>(cgw.front->take_outputs()).size(), 50u);
  EXPECT_EQ(cgw.front->counters().get(ResponderCounter::CookiesSent), 50u);
  EXPECT_EQ(cgw.front->counters().get(ResponderCounter::ErrorAnswersRateLimited), 0u);
}

// Without a front, SAs given one Environment bucket share it; each counts what it dropped.
TEST(ErrorRateLimit, R7296_43_SharedEnvironmentBucketBoundsStandaloneResponders) {
  base::RateLimiter bucket(1, 2);
  test::DeterministicRandom rng(1);
  test::DeterministicKeyExchangeFactory kex(2);
  InMemoryCredentials creds;
  IkeSaConfig cfg;
  cfg.role = Role::Responder;
  cfg.ike.dh_groups = {crypto::DhGroup::Ecp256};  // the request's KE is X25519: INVALID_KE
  const auto request = init_request(5, Path{{addr("2001:db8:ff::1"), 500}, {kHa, 500}});
  test::FakeClock clock;
  std::size_t answered = 0;
  std::uint64_t limited = 0;
  for (int i = 0; i < 10; ++i) {
    IkeSa sa(cfg, Environment{rng, kex, creds, nullptr, &bucket});
    sa.on_datagram(from(i), request, clock.now());
    answered += of<SendDatagram>(sa.take_outputs()).size();
    limited += sa.counters().get(IkeCounter::ErrorAnswersRateLimited);
    EXPECT_EQ(sa.counters().get(IkeCounter::InvalidKePayloadSent), 1u);
  }
  EXPECT_EQ(answered, 2u);
  EXPECT_EQ(limited, 8u);
  EXPECT_EQ(bucket.suppressed(), 8u);
}

}  // namespace
}  // namespace ike::engine
