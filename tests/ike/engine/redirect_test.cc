// RFC 5685 redirect at IKE_SA_INIT: the IkeResponder front (gateway) and the
// IkeInitiatorSession (client), over an in-process network of several gateways, with
// deterministic RNG and DH and a fake clock (STYLE B5).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ike/engine/ike_initiator_session.h"
#include "ike/engine/ike_responder.h"
#include "ike/wire/message.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;

base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

const wire::IdPayload kMnId = wire::IdPayload::make_fqdn("mn1.example.org");
const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");
constexpr std::string_view kPsk = "correct horse battery staple";

const base::Ip6Addr kMn = addr("2001:db8:ff::10");
const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
const base::Ip6Addr kHa2 = addr("2001:db8:2::1");
const base::Ip6Addr kHa3 = addr("2001:db8:3::1");  // nobody answers there

// What a decision saw (InitRequest without the borrowed nonce span).
struct Seen {
  bool redirect_supported = false;
  std::optional<wire::GwIdentity> redirected_from;
  std::vector<std::uint8_t> nonce;
  std::uint32_t half_open = 0;
};

class ScriptedDecision final : public InitDecision {
 public:
  std::function<InitAnswer(const InitRequest&)> script = [](const InitRequest&) {
    return InitAnswer{Serve{7}};
  };
  std::vector<Seen> seen;

  InitAnswer decide(const InitRequest& c, base::TimePoint) override {
    seen.push_back(Seen{c.redirect_supported,
                        c.redirected_from,
                        {c.nonce_i.begin(), c.nonce_i.end()},
                        c.half_open});
    return script(c);
  }
};

struct Gateway {
  explicit Gateway(std::uint64_t seed)
      : rng(seed), kex(seed + 1), pool(addr("2001:db8:100::"), 64, 8) {
    creds.add(kMnId, secret(kPsk));
    IkeResponderConfig cfg;
    cfg.sa.local_id = kHaId;
    cfg.sa.child.transport_mode = true;
    front = std::make_unique<IkeResponder>(cfg, Environment{rng, kex, creds, &pool}, decision);
  }
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  InMemoryCredentials creds;
  InMemoryAddressPool pool;
  ScriptedDecision decision;
  std::unique_ptr<IkeResponder> front;
  std::vector<ResponderOutput> events;  // everything but datagrams
  std::vector<std::vector<std::uint8_t>> sent;
  std::vector<base::Ip6Addr> sent_from;
};

template <typename T, typename V>
std::vector<T> of(const std::vector<V>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const T* t = std::get_if<T>(&e)) {
      out.push_back(*t);
    }
  }
  return out;
}

// The MN's session and the gateways, addressed by IP address.
struct Net {
  test::DeterministicRandom rng{11};
  test::DeterministicKeyExchangeFactory kex{33};
  InMemoryCredentials creds;
  InitiatorSessionConfig cfg;
  std::unique_ptr<IkeInitiatorSession> mn;
  std::map<base::Ip6Addr, std::unique_ptr<Gateway>> gateways;
  test::FakeClock clock;
  std::vector<SessionOutput> mn_events;
  std::vector<SendDatagram> mn_sent;
  // Gateway -> MN datagrams pass through this; it returns what is actually delivered.
  std::function<std::vector<std::vector<std::uint8_t>>(std::vector<std::uint8_t>)> to_mn_hook;

  Net() {
    creds.add(kHaId, secret(kPsk));
    cfg.sa.local_id = kMnId;
    cfg.sa.remote_id = kHaId;
    cfg.sa.child.transport_mode = true;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.sa.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.retransmit.max_retransmits = 2;  // gives up 7 s after the first send
    cfg.gateway_permitted = [](const wire::GwIdentity&) { return true; };
    add_gateway(kHa1, 100);
    add_gateway(kHa2, 200);
  }

  Gateway& add_gateway(const base::Ip6Addr& a, std::uint64_t seed) {
    auto& g = gateways[a];
    g = std::make_unique<Gateway>(seed);
    return *g;
  }
  Gateway& gw(const base::Ip6Addr& a) { return *gateways.at(a); }

  void start(const base::Ip6Addr& first = kHa1) {
    mn = std::make_unique<IkeInitiatorSession>(cfg, Environment{rng, kex, creds, nullptr});
    ASSERT_TRUE(mn->start(Path{{kMn, 500}, {first, 500}}, clock.now()));
    pump();
  }

  void pump() {
    for (int round = 0; round < 256; ++round) {
      bool moved = false;
      for (auto& o : mn->take_outputs()) {
        auto* s = std::get_if<SendDatagram>(&o);
        if (s == nullptr) {
          mn_events.push_back(std::move(o));
          continue;
        }
        moved = true;
        mn_sent.push_back(*s);
        auto it = gateways.find(s->path.remote.address);
        if (it != gateways.end()) {
          it->second->front->on_datagram(Path{s->path.remote, s->path.local}, s->bytes,
                                         clock.now());
        }
      }
      for (auto& [name, g] : gateways) {
        for (auto& o : g->front->take_outputs()) {
          auto* s = std::get_if<SendDatagram>(&o);
          if (s == nullptr) {
            g->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          g->sent.push_back(s->bytes);
          g->sent_from.push_back(s->path.local.address);
          auto deliver =
              to_mn_hook ? to_mn_hook(s->bytes) : std::vector<std::vector<std::uint8_t>>{s->bytes};
          for (const auto& d : deliver) {
            mn->on_datagram(Path{s->path.remote, s->path.local}, d, clock.now());
          }
        }
      }
      if (!moved) {
        return;
      }
    }
  }

  // Runs timers until the session has nothing left to wait for.
  void run_timers() {
    for (int i = 0; i < 64 && mn->next_deadline() != base::kNever; ++i) {
      clock.advance_to(mn->next_deadline());
      mn->on_timer(clock.now());
      pump();
    }
  }

  [[nodiscard]] bool established() const { return !of<SaEstablished>(mn_events).empty(); }
};

wire::Message decode(const std::vector<std::uint8_t>& bytes) {
  auto d = wire::decode_message(bytes);
  EXPECT_TRUE(d.has_value());
  return d ? d->message : wire::Message{};
}

std::vector<std::uint8_t> nonce_of(const std::vector<std::uint8_t>& request) {
  const auto m = decode(request);
  const auto* n = wire::find_first<wire::NoncePayload>(m.payloads);
  return n != nullptr ? n->data : std::vector<std::uint8_t>{};
}

// R5685-01 (announce), R5685-04 (stateless REDIRECT with Ni copy, SPIr 0), R5685-34/35/36
// (encoding), R5685-07/R5685-38 (REDIRECTED_FROM with HA1's address), R5685-02 (HA2 records
// support), R5685-09 (no REDIRECT_SUPPORTED needed on HA2, REDIRECTED_FROM suffices),
// R5685-10/11 (same PAD entry for HA2).
TEST(IkeRedirect, R5685_04_07_RedirectedFromHa1CompletesOnHa2) {
  Net net;
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.start();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::Established);

  // The MN's first request announced support (R5685-01).
  ASSERT_GE(net.mn_sent.size(), 2u);
  const auto first = decode(net.mn_sent[0].bytes);
  EXPECT_NE(wire::find_notify(first.payloads, wire::NotifyType::RedirectSupported), nullptr);
  ASSERT_EQ(net.gw(kHa1).decision.seen.size(), 1u);
  EXPECT_TRUE(net.gw(kHa1).decision.seen[0].redirect_supported);
  EXPECT_FALSE(net.gw(kHa1).decision.seen[0].redirected_from.has_value());

  // HA1's answer: HDR(SPIi, 0), N(REDIRECT, HA2, Ni) and nothing else (R5685-04).
  ASSERT_EQ(net.gw(kHa1).sent.size(), 1u);
  const auto answer = decode(net.gw(kHa1).sent[0]);
  EXPECT_TRUE(answer.header.spi_r.is_zero());
  EXPECT_EQ(answer.header.spi_i, first.header.spi_i);
  EXPECT_TRUE(answer.header.response);
  ASSERT_EQ(answer.payloads.size(), 1u);
  const auto* n = wire::find_notify(answer.payloads, wire::NotifyType::Redirect);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->protocol, wire::ProtocolId::None);  // R5685-34
  EXPECT_TRUE(n->spi.empty());
  auto info = wire::decode_redirect(*n);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->gateway, wire::GwIdentity::ipv6(kHa2));  // R5685-35
  EXPECT_EQ(info->nonce, nonce_of(net.mn_sent[0].bytes));  // R5685-36

  // Stateless: HA1 holds no SA, not even a half-open one.
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);
  EXPECT_EQ(net.gw(kHa1).front->half_open(), 0u);
  EXPECT_EQ(net.gw(kHa1).front->counters().get(ResponderCounter::Redirected), 1u);
  const auto decided = of<InitDecided>(net.gw(kHa1).events);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].outcome, InitOutcome::Redirected);

  // The request to HA2: fresh SPIi and Ni, Message ID 0, REDIRECTED_FROM = HA1 (R5685-07).
  const auto second = decode(net.mn_sent[1].bytes);
  EXPECT_NE(second.header.spi_i, first.header.spi_i);
  EXPECT_NE(nonce_of(net.mn_sent[1].bytes), nonce_of(net.mn_sent[0].bytes));
  EXPECT_EQ(second.header.message_id.value(), 0u);
  const auto* from = wire::find_notify(second.payloads, wire::NotifyType::RedirectedFrom);
  ASSERT_NE(from, nullptr);
  EXPECT_EQ(*wire::decode_redirected_from(*from), wire::GwIdentity::ipv6(kHa1));
  ASSERT_EQ(net.gw(kHa2).decision.seen.size(), 1u);
  EXPECT_EQ(net.gw(kHa2).decision.seen[0].redirected_from, wire::GwIdentity::ipv6(kHa1));
  EXPECT_TRUE(net.gw(kHa2).decision.seen[0].redirect_supported);

  // HA2 recorded support for the SA (R5685-02) and holds exactly that SA.
  const auto created = of<ResponderSaCreated>(net.gw(kHa2).events);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_TRUE(created[0].redirect_supported);
  EXPECT_EQ(created[0].tag, 7u);
  const IkeSa* on_ha2 = net.gw(kHa2).front->find(created[0].spi_r);
  ASSERT_NE(on_ha2, nullptr);
  EXPECT_TRUE(on_ha2->peer_redirect_supported());
  EXPECT_EQ(on_ha2->peer_redirected_from(), wire::GwIdentity::ipv6(kHa1));
  EXPECT_EQ(on_ha2->state(), IkeSaState::Established);
  EXPECT_EQ(net.gw(kHa2).front->half_open(), 0u);

  const auto redirected = of<Redirected>(net.mn_events);
  ASSERT_EQ(redirected.size(), 1u);
  EXPECT_EQ(redirected[0].to, wire::GwIdentity::ipv6(kHa2));
  EXPECT_EQ(redirected[0].from, wire::GwIdentity::ipv6(kHa1));
  EXPECT_TRUE(of<SessionFailed>(net.mn_events).empty());
  // R5685-10/11: HA2 had to prove the same identity (same PAD entry) as HA1 would have.
  const auto est = of<SaEstablished>(net.mn_events);
  ASSERT_EQ(est.size(), 1u);
  EXPECT_EQ(est[0].peer_id, kHaId);
}

// R5685-11 / R5685-40: a redirect changes the gateway to contact and nothing else. The PAD
// entry (the identity the new gateway must prove, ours and our PSK), the proposals and the
// SPD side (traffic selectors, mode, address request) are what a direct run to HA2 gives,
// and nothing is installed because of HA1.
TEST(IkeRedirect, R5685_11_40_RedirectChangesNothingButTheGateway) {
  Net redirected;
  redirected.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  redirected.start();
  ASSERT_TRUE(redirected.established());
  Net direct;
  direct.start(kHa2);
  ASSERT_TRUE(direct.established());

  // The same SA and KE offers went to HA1 and then to HA2.
  ASSERT_GE(redirected.mn_sent.size(), 2u);
  const auto to_ha1 = decode(redirected.mn_sent[0].bytes);
  const auto to_ha2 = decode(redirected.mn_sent[1].bytes);
  const auto* sa1 = wire::find_first<wire::SaPayload>(to_ha1.payloads);
  const auto* sa2 = wire::find_first<wire::SaPayload>(to_ha2.payloads);
  ASSERT_NE(sa1, nullptr);
  ASSERT_NE(sa2, nullptr);
  EXPECT_EQ(*sa1, *sa2);
  EXPECT_EQ(wire::find_first<wire::KePayload>(to_ha1.payloads)->dh_group,
            wire::find_first<wire::KePayload>(to_ha2.payloads)->dh_group);

  // One Child SA, installed after HA2 authenticated, with the selectors and mode of a direct
  // run; the peer proved the configured identity.
  const auto installed = of<InstallChildSa>(redirected.mn_events);
  const auto installed_direct = of<InstallChildSa>(direct.mn_events);
  ASSERT_EQ(installed.size(), 1u);
  ASSERT_EQ(installed_direct.size(), 1u);
  EXPECT_EQ(installed[0].path.remote.address, kHa2);
  EXPECT_EQ(installed[0].ts_local, installed_direct[0].ts_local);
  EXPECT_EQ(installed[0].ts_remote, installed_direct[0].ts_remote);
  EXPECT_EQ(installed[0].mode, installed_direct[0].mode);
  EXPECT_EQ(installed[0].encr, installed_direct[0].encr);
  const auto est = of<SaEstablished>(redirected.mn_events);
  const auto est_direct = of<SaEstablished>(direct.mn_events);
  ASSERT_EQ(est.size(), 1u);
  ASSERT_EQ(est_direct.size(), 1u);
  EXPECT_EQ(est[0].peer_id, kHaId);
  EXPECT_EQ(est[0].assigned_address, est_direct[0].assigned_address);
  // HA2 authenticated the MN under its configured identity.
  std::vector<wire::IdPayload> mn_ids_at_ha2;
  for (const auto& e : of<ResponderSaEvent>(redirected.gw(kHa2).events)) {
    if (const auto* up = std::get_if<SaEstablished>(&e.output)) {
      mn_ids_at_ha2.push_back(up->peer_id);
    }
  }
  EXPECT_EQ(mn_ids_at_ha2, std::vector<wire::IdPayload>{kMnId});
  EXPECT_TRUE(of<ResponderSaEvent>(redirected.gw(kHa1).events).empty());
}

// R5685-12/14/38: a request to an anycast address is redirected to a unicast gateway, the
// answer leaves from the anycast address, and REDIRECTED_FROM names the anycast address.
TEST(IkeRedirect, R5685_12_14_38_AnycastRequestRedirectedToUnicast) {
  Net net;
  const base::Ip6Addr anycast = addr("2001:db8:aa::1");
  auto& any = net.add_gateway(anycast, 400);
  any.decision.script = [&](const InitRequest& c) {
    return c.local == anycast ? InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}}
                              : InitAnswer{Serve{1}};
  };
  net.start(anycast);
  ASSERT_TRUE(net.established());
  ASSERT_EQ(any.sent_from.size(), 1u);
  EXPECT_EQ(any.sent_from[0], anycast);
  EXPECT_EQ(any.front->sa_count(), 0u);
  ASSERT_EQ(net.gw(kHa2).decision.seen.size(), 1u);
  EXPECT_EQ(net.gw(kHa2).decision.seen[0].redirected_from, wire::GwIdentity::ipv6(anycast));
}

// Rewrites the nonce copy inside an N(REDIRECT) answer (an off-path forgery).
std::vector<std::uint8_t> with_wrong_nonce(const std::vector<std::uint8_t>& bytes,
                                           const wire::GwIdentity& target) {
  auto m = decode(bytes);
  wire::RedirectInfo info;
  info.gateway = target;
  info.nonce.assign(32, 0x5a);
  m.payloads.clear();
  m.payloads.push_back(wire::make_payload(*wire::make_redirect(info)));
  return *wire::encode_message(m);
}

// R5685-05/06: a REDIRECT whose nonce copy differs is dropped silently and the SA keeps
// waiting; the real (served) response is then accepted.
TEST(IkeRedirect, R5685_05_06_WrongNonceIgnoredThenRealResponseAccepted) {
  Net net;
  bool forged = false;
  net.to_mn_hook = [&](std::vector<std::uint8_t> real) {
    std::vector<std::vector<std::uint8_t>> out;
    if (!forged) {
      forged = true;
      out.push_back(with_wrong_nonce(real, wire::GwIdentity::ipv6(kHa3)));
    }
    out.push_back(std::move(real));
    return out;
  };
  net.start();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa1);
  EXPECT_EQ(net.mn->sa()->counters().get(IkeCounter::RedirectNonceMismatch), 1u);
  EXPECT_EQ(net.mn->sa()->counters().get(IkeCounter::RedirectsAccepted), 0u);
  EXPECT_TRUE(of<Redirected>(net.mn_events).empty());
  EXPECT_EQ(net.mn->attempts(), 1u);
}

// R5685-05/06: the forged REDIRECT (to HA3) is ignored, the genuine one (to HA2) followed.
TEST(IkeRedirect, R5685_06_ForgedRedirectIgnoredGenuineRedirectFollowed) {
  Net net;
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  bool forged = false;
  net.to_mn_hook = [&](std::vector<std::uint8_t> real) {
    std::vector<std::vector<std::uint8_t>> out;
    if (!forged) {
      forged = true;
      out.push_back(with_wrong_nonce(real, wire::GwIdentity::ipv6(kHa3)));
    }
    out.push_back(std::move(real));
    return out;
  };
  net.start();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
  const auto redirected = of<Redirected>(net.mn_events);
  ASSERT_EQ(redirected.size(), 1u);
  EXPECT_EQ(redirected[0].to, wire::GwIdentity::ipv6(kHa2));
  for (const auto& s : net.mn_sent) {
    EXPECT_NE(s.path.remote.address, kHa3);
  }
}

// R5685-03: a peer that announced nothing is never redirected, even when the decision says
// so; the front answers NO_PROPOSAL_CHOSEN and counts the override.
TEST(IkeRedirect, R5685_03_NoAnnouncedSupportNeverRedirectedRefusedInstead) {
  Net net;
  net.cfg.sa.announce_redirect_support = false;
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.start();
  const auto first = decode(net.mn_sent[0].bytes);
  EXPECT_EQ(wire::find_notify(first.payloads, wire::NotifyType::RedirectSupported), nullptr);
  ASSERT_EQ(net.gw(kHa1).decision.seen.size(), 1u);
  EXPECT_FALSE(net.gw(kHa1).decision.seen[0].redirect_supported);
  EXPECT_EQ(net.gw(kHa1).front->counters().get(ResponderCounter::RedirectForbidden), 1u);
  EXPECT_EQ(net.gw(kHa1).front->counters().get(ResponderCounter::Redirected), 0u);
  for (const auto& bytes : net.gw(kHa1).sent) {
    EXPECT_EQ(wire::find_notify(decode(bytes).payloads, wire::NotifyType::Redirect), nullptr);
  }
  const auto decided = of<InitDecided>(net.gw(kHa1).events);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].outcome, InitOutcome::RedirectForbidden);
  EXPECT_EQ(decided[0].notify, wire::NotifyType::NoProposalChosen);
  const auto failed = of<SessionFailed>(net.mn_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, SessionError::SaFailed);
  EXPECT_EQ(failed[0].sa_reason, FailureReason::NoProposalChosen);
  EXPECT_TRUE(net.gw(kHa2).decision.seen.empty());
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);
}

// R5685-03 with a front configured to stay silent towards unredirectable peers.
TEST(IkeRedirect, R5685_03_UnredirectablePeerDroppedWhenConfigured) {
  Net net;
  net.cfg.sa.announce_redirect_support = false;
  auto& g = net.gw(kHa1);
  IkeResponderConfig quiet;
  quiet.sa.local_id = kHaId;
  quiet.unredirectable_answer = std::nullopt;
  g.front = std::make_unique<IkeResponder>(quiet, Environment{g.rng, g.kex, g.creds, &g.pool},
                                           g.decision);
  g.decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.start();
  EXPECT_TRUE(g.sent.empty());
  EXPECT_EQ(g.front->counters().get(ResponderCounter::RedirectForbidden), 1u);
  const auto decided = of<InitDecided>(g.events);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].outcome, InitOutcome::RedirectForbidden);
  EXPECT_FALSE(decided[0].notify.has_value());
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::InitRequestSent);
}

// R5685-02/03: a policy that serves unannouncing peers; the SA records "no support".
TEST(IkeRedirect, R5685_02_NoAnnouncedSupportServedAndRecorded) {
  Net net;
  net.cfg.sa.announce_redirect_support = false;
  net.gw(kHa1).decision.script = [](const InitRequest& c) {
    return c.redirect_supported ? InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}}
                                : InitAnswer{Serve{9}};
  };
  net.start();
  ASSERT_TRUE(net.established());
  const auto created = of<ResponderSaCreated>(net.gw(kHa1).events);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_FALSE(created[0].redirect_supported);
  EXPECT_EQ(created[0].tag, 9u);
  EXPECT_FALSE(net.gw(kHa1).front->find(created[0].spi_r)->peer_redirect_supported());
}

// R5685-01/03 on the client: a REDIRECT (even with the right nonce) to an initiator that
// never announced support is ignored and counted; the SA keeps waiting.
TEST(IkeRedirect, R5685_03_InitiatorWithoutSupportIgnoresRedirect) {
  Net net;
  net.cfg.sa.announce_redirect_support = false;
  net.to_mn_hook = [&](std::vector<std::uint8_t> real) {
    auto m = decode(real);
    wire::RedirectInfo info{wire::GwIdentity::ipv6(kHa3), nonce_of(net.mn_sent[0].bytes)};
    m.payloads.clear();
    m.payloads.push_back(wire::make_payload(*wire::make_redirect(info)));
    return std::vector<std::vector<std::uint8_t>>{*wire::encode_message(m)};
  };
  net.start();
  ASSERT_NE(net.mn->sa(), nullptr);
  EXPECT_EQ(net.mn->sa()->state(), IkeSaState::InitRequestSent);
  EXPECT_EQ(net.mn->sa()->counters().get(IkeCounter::RedirectIgnoredUnannounced), 1u);
  EXPECT_TRUE(of<Redirected>(net.mn_events).empty());
}

// R5685-29: two gateways redirecting to each other: five redirects are followed, the sixth
// within 300 s is refused with a redirect-loop error.
TEST(IkeRedirect, R5685_29_RedirectLoopStopsAtLimit) {
  Net net;
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.gw(kHa2).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa1)}};
  };
  net.start();
  EXPECT_FALSE(net.established());
  EXPECT_EQ(of<Redirected>(net.mn_events).size(), 5u);
  const auto failed = of<SessionFailed>(net.mn_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, SessionError::RedirectLoop);
  EXPECT_TRUE(net.mn->finished());
  EXPECT_EQ(net.mn->attempts(), 6u);
  EXPECT_EQ(net.mn->next_deadline(), base::kNever);
  // The redirecting gateways hold no state at all.
  EXPECT_EQ(net.gw(kHa1).front->sa_count(), 0u);
  EXPECT_EQ(net.gw(kHa2).front->sa_count(), 0u);
}

// R5685-29: the limit counts redirects inside the window only (configurable values).
TEST(IkeRedirect, R5685_29_OldRedirectsLeaveTheWindow) {
  Net net;
  net.cfg.max_redirects = 1;
  net.cfg.redirect_loop_period = 10s;
  int calls = 0;
  net.gw(kHa1).decision.script = [&](const InitRequest&) {
    ++calls;
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa3)}};  // unreachable
  };
  net.start();
  // Redirect 1 at t=0 to HA3; HA3 never answers; back to HA1 at t=7 s, which redirects
  // again: still inside 10 s, so the second redirect is refused.
  net.run_timers();
  auto failed = of<SessionFailed>(net.mn_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, SessionError::RedirectLoop);
  EXPECT_EQ(calls, 2);

  Net slow;
  slow.cfg.max_redirects = 1;
  slow.cfg.redirect_loop_period = 5s;
  slow.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa3)}};
  };
  slow.start();
  slow.run_timers();
  // Window 5 s < 7 s: the second redirect is allowed; HA3 fails again and the way back is
  // used up, so the session ends with the retransmit failure instead.
  EXPECT_EQ(of<Redirected>(slow.mn_events).size(), 2u);
  failed = of<SessionFailed>(slow.mn_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, SessionError::SaFailed);
  EXPECT_EQ(failed[0].sa_reason, FailureReason::RetransmitLimit);
}

// R5685-08: a target the PAD does not allow is not contacted.
TEST(IkeRedirect, R5685_08_TargetNotPermittedIsNotContacted) {
  Net net;
  net.cfg.gateway_permitted = [](const wire::GwIdentity& gw) {
    return gw != wire::GwIdentity::ipv6(kHa2);
  };
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.start();
  const auto failed = of<SessionFailed>(net.mn_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, SessionError::RedirectNotPermitted);
  EXPECT_TRUE(net.gw(kHa2).decision.seen.empty());
  EXPECT_EQ(net.mn_sent.size(), 1u);
}

// Unreachable target: back to the original gateway once, which then serves.
TEST(IkeRedirect, UnreachableTargetReturnsToOriginalOnce) {
  Net net;
  int calls = 0;
  net.gw(kHa1).decision.script = [&](const InitRequest&) {
    return ++calls == 1 ? InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa3)}} : InitAnswer{Serve{3}};
  };
  net.start();
  EXPECT_FALSE(net.established());
  net.run_timers();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa1);
  const auto back = of<ReturnedToOriginal>(net.mn_events);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].original, kHa1);
  EXPECT_EQ(back[0].why, FailureReason::RetransmitLimit);
  // The return announces support again and claims no redirect (it is the original).
  ASSERT_EQ(net.gw(kHa1).decision.seen.size(), 2u);
  EXPECT_TRUE(net.gw(kHa1).decision.seen[1].redirect_supported);
  EXPECT_FALSE(net.gw(kHa1).decision.seen[1].redirected_from.has_value());
}

// The way back is used once: a second failing target ends the session.
TEST(IkeRedirect, RefusingTargetReturnsToOriginalOnlyOnce) {
  Net net;
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv6(kHa2)}};
  };
  net.gw(kHa2).decision.script = [](const InitRequest&) {
    return InitAnswer{Refuse{wire::NotifyType::NoProposalChosen}};
  };
  net.start();
  EXPECT_EQ(of<ReturnedToOriginal>(net.mn_events).size(), 1u);
  EXPECT_EQ(of<Redirected>(net.mn_events).size(), 2u);
  const auto failed = of<SessionFailed>(net.mn_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, SessionError::SaFailed);
  EXPECT_EQ(failed[0].sa_reason, FailureReason::NoProposalChosen);
  EXPECT_EQ(net.gw(kHa2).front->counters().get(ResponderCounter::Refused), 2u);
  EXPECT_EQ(net.gw(kHa2).front->sa_count(), 0u);
}

// FQDN target: ResolveGateway out, the address in, then on to HA2 (R5685-35 type 3).
TEST(IkeRedirect, R5685_35_FqdnTargetResolvedByOwner) {
  Net net;
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::fqdn("ha2.example.org")}};
  };
  net.start();
  const auto resolve = of<ResolveGateway>(net.mn_events);
  ASSERT_EQ(resolve.size(), 1u);
  EXPECT_EQ(resolve[0].fqdn, "ha2.example.org");
  EXPECT_EQ(net.mn->sa(), nullptr);
  EXPECT_FALSE(net.mn->on_gateway_resolved("other.example.org", kHa2, net.clock.now()));
  ASSERT_TRUE(net.mn->on_gateway_resolved("ha2.example.org", kHa2, net.clock.now()));
  net.pump();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa2);
  ASSERT_EQ(net.gw(kHa2).decision.seen.size(), 1u);
  EXPECT_EQ(net.gw(kHa2).decision.seen[0].redirected_from, wire::GwIdentity::ipv6(kHa1));
}

// An IPv4 target (GW Ident Type 1, R5685-35) is contacted at its IPv4-mapped address.
TEST(IkeRedirect, R5685_35_Ipv4TargetContactedAtMappedAddress) {
  Net net;
  const base::Ip6Addr mapped = addr("::ffff:192.0.2.2");
  net.add_gateway(mapped, 300);
  net.gw(kHa1).decision.script = [](const InitRequest&) {
    return InitAnswer{Redirect{wire::GwIdentity::ipv4({192, 0, 2, 2})}};
  };
  net.start();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, mapped);
  EXPECT_EQ(net.mn->current_path().remote.port, 500);
  ASSERT_EQ(net.gw(mapped).decision.seen.size(), 1u);
  EXPECT_EQ(net.gw(mapped).decision.seen[0].redirected_from, wire::GwIdentity::ipv6(kHa1));
}

// A name that does not resolve counts as an unreachable target: back to the original.
TEST(IkeRedirect, FqdnResolveFailureReturnsToOriginal) {
  Net net;
  int calls = 0;
  net.gw(kHa1).decision.script = [&](const InitRequest&) {
    return ++calls == 1 ? InitAnswer{Redirect{wire::GwIdentity::fqdn("gone.example.org")}}
                        : InitAnswer{Serve{1}};
  };
  net.start();
  net.mn->on_resolve_failed("gone.example.org", net.clock.now());
  net.pump();
  ASSERT_TRUE(net.established());
  EXPECT_EQ(net.mn->current_path().remote.address, kHa1);
  const auto back = of<ReturnedToOriginal>(net.mn_events);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(back[0].why.has_value());
}

// The front bounds half-open SAs: the decision sees the count, Serve beyond the bound drops.
TEST(IkeResponderFront, HalfOpenSasAreCountedAndBounded) {
  Gateway ha(100);
  IkeResponderConfig cfg;
  cfg.sa.local_id = kHaId;
  cfg.max_half_open = 1;
  ha.front = std::make_unique<IkeResponder>(cfg, Environment{ha.rng, ha.kex, ha.creds, &ha.pool},
                                            ha.decision);
  test::DeterministicRandom rng{5};
  test::DeterministicKeyExchangeFactory kex{6};
  InMemoryCredentials creds;
  creds.add(kHaId, secret(kPsk));
  IkeSaConfig icfg;
  icfg.local_id = kMnId;
  icfg.remote_id = kHaId;
  IkeSa a(icfg, Environment{rng, kex, creds, nullptr});
  IkeSa b(icfg, Environment{rng, kex, creds, nullptr});
  const Path pa{{kMn, 500}, {kHa1, 500}};
  const Path pb{{addr("2001:db8:ff::11"), 500}, {kHa1, 500}};
  ASSERT_TRUE(a.initiate(pa, {}));
  ASSERT_TRUE(b.initiate(pb, {}));
  auto request_of = [](IkeSa& sa) {
    for (auto& o : sa.take_outputs()) {
      if (auto* s = std::get_if<SendDatagram>(&o)) {
        return s->bytes;
      }
    }
    return std::vector<std::uint8_t>{};
  };
  const auto ra = request_of(a);
  const auto rb = request_of(b);
  ha.front->on_datagram(Path{pa.remote, pa.local}, ra, {});
  EXPECT_EQ(ha.front->half_open(), 1u);
  // The retransmitted request finds the half-open SA; no second decision.
  ha.front->on_datagram(Path{pa.remote, pa.local}, ra, {});
  EXPECT_EQ(ha.decision.seen.size(), 1u);
  ha.front->on_datagram(Path{pb.remote, pb.local}, rb, {});
  ASSERT_EQ(ha.decision.seen.size(), 2u);
  EXPECT_EQ(ha.decision.seen[1].half_open, 1u);
  EXPECT_EQ(ha.front->counters().get(ResponderCounter::HalfOpenLimitDrops), 1u);
  EXPECT_EQ(ha.front->sa_count(), 1u);
  const auto out = ha.front->take_outputs();
  const auto decided = of<InitDecided>(out);
  ASSERT_EQ(decided.size(), 2u);
  EXPECT_EQ(decided[1].outcome, InitOutcome::HalfOpenLimit);
  EXPECT_EQ(decided[1].tag, 7u);                // so the owner can release the reservation
  EXPECT_EQ(of<SendDatagram>(out).size(), 2u);  // answer + its resend, nothing for b

  // The half-open SA times out: removed, reservation released through the event.
  ha.front->on_timer(ha.front->next_deadline());
  EXPECT_EQ(ha.front->sa_count(), 0u);
  EXPECT_EQ(ha.front->half_open(), 0u);
  const auto removed = of<ResponderSaRemoved>(ha.front->take_outputs());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_FALSE(removed[0].established);
}

// R5685-39: only the responder redirects; N(REDIRECT) inside an IKE_SA_INIT request means
// nothing to the front and the request is served as usual.
TEST(IkeResponderFront, R5685_39_RedirectInRequestIsIgnored) {
  Gateway ha(100);
  test::DeterministicRandom rng{5};
  test::DeterministicKeyExchangeFactory kex{6};
  InMemoryCredentials creds;
  creds.add(kHaId, secret(kPsk));
  IkeSaConfig icfg;
  icfg.local_id = kMnId;
  icfg.remote_id = kHaId;
  icfg.announce_redirect_support = false;
  IkeSa mn(icfg, Environment{rng, kex, creds, nullptr});
  const Path p{{kMn, 500}, {kHa1, 500}};
  ASSERT_TRUE(mn.initiate(p, {}));
  std::vector<std::uint8_t> request;
  for (auto& o : mn.take_outputs()) {
    if (auto* s = std::get_if<SendDatagram>(&o)) {
      request = s->bytes;
    }
  }
  auto m = decode(request);
  const wire::RedirectInfo info{wire::GwIdentity::ipv6(kHa3), nonce_of(request)};
  m.payloads.push_back(wire::make_payload(*wire::make_redirect(info)));
  const auto altered = *wire::encode_message(m);
  ha.front->on_datagram(Path{p.remote, p.local}, altered, {});
  ASSERT_EQ(ha.decision.seen.size(), 1u);
  EXPECT_FALSE(ha.decision.seen[0].redirect_supported);
  EXPECT_EQ(ha.front->counters().get(ResponderCounter::Served), 1u);
  EXPECT_EQ(ha.front->half_open(), 1u);
}

// Garbage and stray datagrams never reach the decision and never create state.
TEST(IkeResponderFront, MalformedAndStrayDatagramsCreateNoState) {
  Gateway ha(100);
  const Path p{{kHa1, 500}, {kMn, 500}};
  const std::vector<std::uint8_t> junk = {1, 2, 3};
  ha.front->on_datagram(p, junk, {});
  std::vector<std::uint8_t> header(28, 0);
  header[0] = 1;                         // SPIi != 0
  header[17] = 0x20;                     // version 2.0
  header[18] = 34;                       // IKE_SA_INIT
  header[27] = 28;                       // length
  ha.front->on_datagram(p, header, {});  // no payloads: INVALID_SYNTAX, statelessly
  header[8] = 1;                         // SPIr unknown
  ha.front->on_datagram(p, header, {});
  EXPECT_TRUE(ha.decision.seen.empty());
  EXPECT_EQ(ha.front->sa_count(), 0u);
  EXPECT_EQ(ha.front->counters().get(ResponderCounter::DroppedUndecodable), 1u);
  EXPECT_EQ(ha.front->counters().get(ResponderCounter::InitRejectedMalformed), 1u);
  EXPECT_EQ(ha.front->counters().get(ResponderCounter::DroppedNoSa), 1u);
}

}  // namespace
}  // namespace ike::engine
