// The responder front's IKE_SA_INIT fast path (issue 4): view_init_request() and the direct
// REDIRECT encoder against the full decode and the generic encoder. Every case runs the same
// bytes through a front with the fast path and one without (tests/support/init_front_twin.h)
// and demands the same octets, events, counters and decision inputs; the sweep mutates a real
// request one octet at a time so the malformed cases are not only the ones thought of.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/init_request_view.h"
#include "ike/engine/stateless_answer.h"
#include "ike/wire/message.h"
#include "ike/wire/rules.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/init_front_twin.h"

namespace ike::engine {
namespace {

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

const Path kToGateway{{addr("2001:db8:1::1"), 500}, {addr("2001:db8:ff::10"), 500}};
const wire::GwIdentity kTarget = wire::GwIdentity::ipv6(addr("2001:db8:2::1"));

// A real initiator's IKE_SA_INIT request: SA, KE, Ni, NAT-D and N(REDIRECT_SUPPORTED).
std::vector<std::uint8_t> real_request(std::uint64_t seed = 5) {
  test::DeterministicRandom rng(seed);
  test::DeterministicKeyExchangeFactory kex(seed + 1);
  InMemoryCredentials creds;
  IkeSaConfig cfg;
  cfg.role = Role::Initiator;
  cfg.local_id = wire::IdPayload::make_fqdn("mn1.example.org");
  cfg.remote_id = wire::IdPayload::make_fqdn("ha.example.org");
  creds.add(cfg.remote_id, base::SecretBytes(std::vector<std::uint8_t>(16, 1)));
  IkeSa sa(cfg, Environment{rng, kex, creds, nullptr});
  const Path mine{kToGateway.remote, kToGateway.local};
  EXPECT_TRUE(sa.initiate(mine, {}));
  for (auto& o : sa.take_outputs()) {
    if (auto* d = std::get_if<SendDatagram>(&o)) {
      return std::move(d->bytes);
    }
  }
  ADD_FAILURE() << "no IKE_SA_INIT request";
  return {};
}

// The real request with its message edited and re-encoded.
std::vector<std::uint8_t> edited(const std::function<void(wire::Message&)>& edit) {
  auto decoded = wire::decode_message(real_request());
  EXPECT_TRUE(decoded);
  wire::Message m = decoded->message;
  edit(m);
  auto bytes = wire::encode_message(m);
  EXPECT_TRUE(bytes);
  return bytes ? *bytes : std::vector<std::uint8_t>{};
}

void drop_notify(wire::Message& m, wire::NotifyType type) {
  std::erase_if(m.payloads, [type](const wire::Payload& p) {
    const auto* n = p.get<wire::NotifyPayload>();
    return n != nullptr && n->type == type;
  });
}

void add(wire::Message& m, wire::NotifyPayload n, bool first = false) {
  auto p = wire::make_payload(std::move(n));
  m.payloads.insert(first ? m.payloads.begin() : m.payloads.end(), std::move(p));
}

wire::Payload unknown(std::uint8_t type, bool critical) {
  return wire::Payload{static_cast<wire::PayloadType>(type), critical,
                       wire::PayloadBody(wire::UnknownPayload{{1, 2, 3, 4}})};
}

struct Crafted {
  std::string name;
  std::vector<std::uint8_t> bytes;
  bool fast = false;  // the view must vouch for it (well-formed and usual)
};

std::vector<Crafted> crafted_requests() {
  using NT = wire::NotifyType;
  std::vector<Crafted> c;
  c.push_back({"real", real_request(), true});
  c.push_back({"no-support", edited([](auto& m) { drop_notify(m, NT::RedirectSupported); }), true});
  c.push_back({"redirected-from-v6", edited([](auto& m) {
                 drop_notify(m, NT::RedirectSupported);
                 add(m, *wire::make_redirected_from(wire::GwIdentity::ipv6(addr("2001:db8::9"))));
               }),
               true});
  c.push_back({"redirected-from-v4", edited([](auto& m) {
                 add(m, *wire::make_redirected_from(wire::GwIdentity::ipv4({192, 0, 2, 1})));
               }),
               true});
  c.push_back({"redirected-from-fqdn", edited([](auto& m) {  // not allowed: ignored
                 drop_notify(m, NT::RedirectSupported);
                 const std::vector<std::uint8_t> data{3, 3, 'g', 'w', '1'};
                 add(m, wire::make_notify(NT::RedirectedFrom, data));
               }),
               true});
  c.push_back({"redirected-from-with-spi", edited([](auto& m) {
                 drop_notify(m, NT::RedirectSupported);
                 auto n = *wire::make_redirected_from(wire::GwIdentity::ipv4({192, 0, 2, 1}));
                 n.protocol = wire::ProtocolId::Ike;
                 n.spi = {1, 2, 3, 4, 5, 6, 7, 8};
                 add(m, std::move(n));
               }),
               true});
  c.push_back({"redirected-from-bad-then-good", edited([](auto& m) {
                 drop_notify(m, NT::RedirectSupported);
                 const std::vector<std::uint8_t> truncated{2, 16, 0x20};
                 add(m, wire::make_notify(NT::RedirectedFrom, truncated));
                 add(m, *wire::make_redirected_from(wire::GwIdentity::ipv6(addr("2001:db8::9"))));
               }),
               true});
  c.push_back({"cookie", edited([](auto& m) {
                 const std::vector<std::uint8_t> cookie(8, 0x42);
                 add(m, wire::make_cookie(cookie), true);
               }),
               true});
  c.push_back({"cookie-empty", edited([](auto& m) { add(m, wire::make_cookie({}), true); }), true});
  c.push_back({"cookie-65", edited([](auto& m) {
                 const std::vector<std::uint8_t> cookie(65, 1);
                 add(m, wire::make_notify(NT::Cookie, cookie), true);
               }),
               true});
  c.push_back({"vendor-ids", edited([](auto& m) {
                 for (int i = 0; i < 20; ++i) {
                   m.payloads.push_back(wire::make_payload(wire::VendorIdPayload{{1, 2}}));
                 }
               }),
               true});
  c.push_back({"unknown-non-critical", edited([](auto& m) {
                 m.payloads.insert(m.payloads.begin() + 1, unknown(200, false));
               }),
               true});
  c.push_back({"sa-tlv-attribute-two-proposals", edited([](auto& m) {
                 for (auto& p : m.payloads) {
                   if (auto* sa = std::get_if<wire::SaPayload>(&p.body)) {
                     wire::Proposal extra = sa->proposals.front();
                     extra.number = 2;
                     wire::TransformAttribute tlv;
                     tlv.type = 99;
                     tlv.tv = false;
                     tlv.tlv_data = {7, 7, 7};
                     extra.transforms.front().attributes.push_back(tlv);
                     sa->proposals.push_back(extra);
                   }
                 }
               }),
               true});
  // What the view leaves to the full path.
  c.push_back({"unknown-critical", edited([](auto& m) {
                 m.payloads.insert(m.payloads.begin() + 1, unknown(200, true));
               })});
  c.push_back({"skf-last", edited([](auto& m) { m.payloads.push_back(unknown(53, false)); })});
  c.push_back({"vendor-ids-21", edited([](auto& m) {
                 for (int i = 0; i < 21; ++i) {
                   m.payloads.push_back(wire::make_payload(wire::VendorIdPayload{{1}}));
                 }
               })});
  c.push_back({"notify-21", edited([](auto& m) {
                 while (std::count_if(m.payloads.begin(), m.payloads.end(), [](const auto& p) {
                          return p.type == wire::PayloadType::Notify;
                        }) < 21) {
                   add(m, wire::make_notify(NT::InitialContact));
                 }
               })});
  c.push_back({"id-payload", edited([](auto& m) {
                 m.payloads.push_back(
                     wire::make_id_payload(true, wire::IdPayload::make_fqdn("mn.example")));
               })});
  c.push_back({"no-ke", edited([](auto& m) {
                 std::erase_if(m.payloads, [](const auto& p) {
                   return p.type == wire::PayloadType::KeyExchange;
                 });
               })});
  c.push_back({"two-nonces", edited([](auto& m) {
                 m.payloads.push_back(
                     wire::make_payload(wire::NoncePayload{std::vector<std::uint8_t>(32, 9)}));
               })});
  c.push_back({"nonce-15", edited([](auto& m) {
                 for (auto& p : m.payloads) {
                   if (auto* n = std::get_if<wire::NoncePayload>(&p.body)) {
                     n->data.resize(15);
                   }
                 }
               })});
  c.push_back({"message-id-1", edited([](auto& m) { m.header.message_id = wire::MessageId(1); })});
  c.push_back({"major-3", edited([](auto& m) { m.header.major_version = 3; })});
  c.push_back({"spi-i-zero", edited([](auto& m) { m.header.spi_i = wire::Spi(); })});
  auto trailing = real_request();
  trailing.push_back(0);
  c.push_back({"trailing-octet", trailing});
  return c;
}

struct Scenario {
  std::string name;
  test::InitScript script;
};

std::vector<Scenario> scenarios() {
  return {
      {"redirect-v6", [](const InitRequest&) { return InitAnswer{Redirect{kTarget}}; }},
      {"redirect-fqdn",
       [](const InitRequest&) {
         return InitAnswer{Redirect{wire::GwIdentity::fqdn("ha2.example.org")}};
       }},
      {"redirect-unencodable",
       [](const InitRequest&) {
         return InitAnswer{Redirect{wire::GwIdentity::fqdn(std::string(256, 'a'))}};
       }},
      {"serve", [](const InitRequest&) { return InitAnswer{Serve{3}}; }},
      {"refuse", [](const InitRequest&) { return InitAnswer{Refuse{}}; }},
      {"refuse-silently", [](const InitRequest&) { return InitAnswer{Refuse{std::nullopt}}; }},
  };
}

// The view vouches only for what the full path accepts, with the same fields.
void expect_view_sound(std::span<const std::uint8_t> bytes, const std::string& what) {
  const auto view = view_init_request(bytes);
  if (!view) {
    return;
  }
  auto decoded = wire::decode_message(bytes);
  ASSERT_TRUE(decoded) << what;
  ASSERT_TRUE(wire::validate(decoded->message, {})) << what;
  const InitRequestView full = view_decoded_init_request(decoded->message);
  EXPECT_EQ(view->header, full.header) << what;
  EXPECT_TRUE(std::ranges::equal(view->nonce_i, full.nonce_i)) << what;
  EXPECT_EQ(view->ke_group, full.ke_group) << what;
  EXPECT_EQ(view->redirect_supported, full.redirect_supported) << what;
  ASSERT_EQ(view->cookie.has_value(), full.cookie.has_value()) << what;
  if (view->cookie) {
    EXPECT_TRUE(std::ranges::equal(*view->cookie, *full.cookie)) << what;
  }
  ASSERT_EQ(view->redirected_from.has_value(), full.redirected_from.has_value()) << what;
  if (view->redirected_from) {
    EXPECT_EQ(to_notify(wire::NotifyType::RedirectedFrom, *view->redirected_from),
              to_notify(wire::NotifyType::RedirectedFrom, *full.redirected_from))
        << what;
  }
}

TEST(InitFastPath, ViewVouchesForWellFormedRequestsOnly) {
  for (const auto& c : crafted_requests()) {
    ASSERT_FALSE(c.bytes.empty()) << c.name;
    EXPECT_EQ(view_init_request(c.bytes).has_value(), c.fast) << c.name;
    expect_view_sound(c.bytes, c.name);
  }
}

// R5685-04/35/36: HDR(SPIi, 0) N(REDIRECT, GW, Ni) octet for octet as the generic encoder.
TEST(InitFastPath, RedirectAnswerOctetsAsGenericEncoder_R5685_04_R5685_35_R5685_36) {
  wire::Header request;
  request.spi_i = wire::Spi(0x0102030405060708);
  request.initiator = true;
  request.minor_version = 3;  // not echoed
  const std::vector<wire::GwIdentity> gateways = {wire::GwIdentity::ipv4({192, 0, 2, 7}), kTarget,
                                                  wire::GwIdentity::fqdn("ha2.example.org"),
                                                  wire::GwIdentity::fqdn(std::string(255, 'x'))};
  std::vector<std::uint8_t> out(3, 0xee);  // a recycled buffer with old contents
  for (const auto& gw : gateways) {
    for (const std::size_t nonce_size : {16, 32, 256}) {
      const std::vector<std::uint8_t> nonce(nonce_size, 0x5a);
      const auto expected =
          encode_stateless_init_answer(request, *wire::make_redirect({gw, nonce}));
      ASSERT_TRUE(expected);
      ASSERT_TRUE(encode_redirect_answer(request, gw, nonce, out));
      EXPECT_EQ(out, *expected) << static_cast<int>(gw.type) << " " << nonce_size;
    }
  }
  const auto too_long = wire::GwIdentity::fqdn(std::string(256, 'x'));
  EXPECT_FALSE(wire::make_redirect({too_long, std::vector<std::uint8_t>(32, 1)}));
  EXPECT_FALSE(encode_redirect_answer(request, too_long, std::vector<std::uint8_t>(32, 1), out));
  EXPECT_TRUE(out.empty());
}

// Every crafted request, every kind of verdict, with and without cookies demanded: the same
// answers (R5685-03 forbidden redirects, R5685-04 redirects, R7296-08 critical payloads,
// R7296-21 cookies) from both paths.
TEST(InitFastPath, BothPathsAnswerCraftedRequestsAlike_R5685_03_R5685_04_R7296_08_R7296_21) {
  const auto requests = crafted_requests();
  for (const auto& s : scenarios()) {
    for (const std::optional<std::uint32_t> threshold :
         {std::optional<std::uint32_t>{}, std::optional<std::uint32_t>{0}}) {
      IkeResponderConfig cfg;
      cfg.cookie_threshold = threshold;
      test::InitFrontTwin twin(cfg, s.script);
      for (const auto& c : requests) {
        const std::string diff = twin.feed(kToGateway, c.bytes, {});
        EXPECT_EQ(diff, "") << s.name << " / " << c.name << " / cookies "
                            << (threshold ? "on" : "off");
      }
      using C = ResponderCounter;
      // Not vacuous: the decisions were reached and answered.
      EXPECT_GT(twin.fast().counters().get(threshold ? C::CookiesSent : C::Decisions), 0U)
          << s.name;
    }
  }
}

// R7296-21..23: N(COOKIE) answered, a valid cookie let through to the decision (and its
// REDIRECT), a wrong or malformed one answered with a fresh cookie: same on both paths.
TEST(InitFastPath, CookieRoundTripAlike_R7296_21_R7296_22_R7296_23) {
  IkeResponderConfig cfg;
  cfg.cookie_threshold = 0;
  test::InitFrontTwin twin(cfg, [](const InitRequest&) { return InitAnswer{Redirect{kTarget}}; });
  const auto request = real_request();
  ASSERT_EQ(twin.feed(kToGateway, request, {}), "");
  ASSERT_EQ(twin.last_sent().size(), 1U);
  auto answer = wire::decode_message(twin.last_sent().front());
  ASSERT_TRUE(answer);
  const auto* cookie_notify = wire::find_notify(answer->message.payloads, wire::NotifyType::Cookie);
  ASSERT_NE(cookie_notify, nullptr);
  const std::vector<std::uint8_t> cookie = cookie_notify->data;

  auto with_cookie = [&](std::vector<std::uint8_t> data) {
    auto m = wire::decode_message(request)->message;
    add(m, wire::make_notify(wire::NotifyType::Cookie, data), true);
    return *wire::encode_message(m);
  };
  std::vector<std::uint8_t> wrong = cookie;
  wrong.back() ^= 1;
  const std::vector<std::vector<std::uint8_t>> retries = {
      with_cookie(cookie), with_cookie(wrong), with_cookie({}),
      with_cookie(std::vector<std::uint8_t>(65, 1))};
  for (const auto& retry : retries) {
    ASSERT_TRUE(view_init_request(retry));  // the fast path judges the cookie itself
    EXPECT_EQ(twin.feed(kToGateway, retry, {}), "");
  }
  using C = ResponderCounter;
  EXPECT_EQ(twin.fast().counters().get(C::CookiesAccepted), 1U);
  EXPECT_EQ(twin.fast().counters().get(C::CookiesInvalid), 3U);
  EXPECT_EQ(twin.fast().counters().get(C::Redirected), 1U);
}

// Every single-octet change (four values per offset) and every truncation of a real request:
// both paths agree, and the view never vouches for what the full decode refuses.
TEST(InitFastPath, BothPathsAgreeOnEveryOctetMutation_R5685_04_R7296_08) {
  const auto base = edited([](wire::Message& m) {
    add(m, *wire::make_redirected_from(wire::GwIdentity::ipv6(addr("2001:db8::9"))));
    add(m, wire::make_cookie(std::vector<std::uint8_t>(8, 0x42)), true);
    m.payloads.push_back(wire::make_payload(wire::VendorIdPayload{{1, 2, 3}}));
  });
  std::vector<std::vector<std::uint8_t>> inputs;
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (const int change : {0, 1, 2, 3}) {
      auto m = base;
      switch (change) {
        case 0: m[i] = 0; break;
        case 1: m[i] = 0xff; break;
        case 2: m[i] = static_cast<std::uint8_t>(m[i] + 1); break;
        default: m[i] ^= 0x80; break;
      }
      if (m != base) {
        inputs.push_back(std::move(m));
      }
    }
    inputs.emplace_back(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::size_t vouched = 0;
  for (const auto& s : scenarios()) {
    if (s.name != "redirect-v6" && s.name != "serve") {
      continue;
    }
    IkeResponderConfig cfg;
    cfg.cookie_threshold.reset();
    test::InitFrontTwin twin(cfg, s.script);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      EXPECT_EQ(twin.feed(kToGateway, inputs[k], {}), "") << s.name << " input " << k;
    }
  }
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    expect_view_sound(inputs[k], "input " + std::to_string(k));
    vouched += view_init_request(inputs[k]) ? 1 : 0;
  }
  // Both kinds occur: octets in SPIi, nonce and KE data keep a request well-formed.
  EXPECT_GT(vouched, 100U);
  EXPECT_GT(inputs.size() - vouched, 100U);
}

// The answer buffers go round: take_outputs(vector&) swaps, recycle() feeds the next REDIRECT.
TEST(InitFastPath, RedirectReusesRecycledBuffer_R5685_04) {
  test::DeterministicRandom rng(1);
  test::DeterministicKeyExchangeFactory kex(2);
  InMemoryCredentials creds;
  class RedirectAll final : public InitDecision {
    InitAnswer decide(const InitRequest&, base::TimePoint) override { return Redirect{kTarget}; }
  } decision;
  IkeResponder front(IkeResponderConfig{}, Environment{rng, kex, creds, nullptr}, decision);
  const auto request = real_request();
  std::vector<ResponderOutput> outputs;
  const std::uint8_t* previous = nullptr;
  for (int round = 0; round < 3; ++round) {
    front.on_datagram(kToGateway, request, {});
    front.take_outputs(outputs);
    ASSERT_EQ(outputs.size(), 2U);
    auto* d = std::get_if<SendDatagram>(&outputs[0]);
    ASSERT_NE(d, nullptr);
    const auto answer = wire::decode_message(d->bytes);
    ASSERT_TRUE(answer);
    const auto* n = wire::find_notify(answer->message.payloads, wire::NotifyType::Redirect);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(wire::decode_redirect(*n)->gateway, kTarget);
    if (previous != nullptr) {
      EXPECT_EQ(d->bytes.data(), previous);  // the recycled buffer, no new allocation
    }
    previous = d->bytes.data();
    front.recycle(std::move(d->bytes));
  }
  EXPECT_EQ(front.counters().get(ResponderCounter::Redirected), 3U);
}

}  // namespace
}  // namespace ike::engine
