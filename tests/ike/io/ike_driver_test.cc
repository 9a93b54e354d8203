// The Asio shell (STYLE B1 layer 4) over real UDP sockets on the loopback: two IkeDrivers
// complete IKE_SA_INIT + IKE_AUTH, the single steady_timer drives retransmissions, and
// datagrams for no SA are dropped and counted. The engines themselves are tested sans-IO in
// tests/ike/engine; here only the plumbing is under test, so the loops run on the real clock
// with short, bounded run_for() limits instead of sleeps.
#include "ike/io/ike_driver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <variant>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/udp_transport.h"

namespace ike::io {
namespace {

using namespace std::chrono_literals;

base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

const wire::IdPayload kMnId = wire::IdPayload::make_rfc822("mn1@example.org");
const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");

base::Logger quiet_logger() {
  return base::Logger([](base::LogLevel, std::string_view, std::string_view) {});
}

struct Peers {
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds_i;
  engine::InMemoryCredentials creds_r;
  engine::InMemoryAddressPool pool{*base::Ip6Addr::parse("2001:db8:7::"), 64, 4};
  base::Logger log = quiet_logger();
  IkeDriver initiator{io, engine::Environment{random, kex, creds_i, nullptr}, log};
  IkeDriver responder{io, engine::Environment{random, kex, creds_r, &pool}, log};
  std::vector<engine::Output> init_events;
  std::vector<engine::Output> resp_events;

  Peers() {
    creds_i.add(kHaId, secret("loopback psk"));
    creds_r.add(kMnId, secret("loopback psk"));
    initiator.set_event_sink([this](const engine::IkeSa&, const engine::Output& o) {
      init_events.push_back(o);
      if (std::holds_alternative<engine::SaEstablished>(o) ||
          std::holds_alternative<engine::SaFailed>(o)) {
        io.stop();
      }
    });
    responder.set_event_sink(
        [this](const engine::IkeSa&, const engine::Output& o) { resp_events.push_back(o); });
  }

  engine::IkeSaConfig initiator_config() const {
    engine::IkeSaConfig cfg;
    cfg.local_id = kMnId;
    cfg.remote_id = kHaId;
    cfg.request_address = true;
    const auto any = *base::Ip6Addr::parse("::");
    const auto all = *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    return cfg;
  }
};

template <class T>
std::vector<T> of_type(const std::vector<engine::Output>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const auto* t = std::get_if<T>(&e)) {
      out.push_back(*t);
    }
  }
  return out;
}

void establish_over(const char* address) {
  Peers p;
  const auto addr = parse_address(address);
  ASSERT_TRUE(addr.has_value());
  auto r = p.responder.listen({*addr, 0});
  ASSERT_TRUE(r.has_value()) << r.error();
  auto i = p.initiator.listen({*addr, 0});
  ASSERT_TRUE(i.has_value()) << i.error();
  ASSERT_NE(r->port, 0);
  p.responder.accept_responders([] {
    engine::IkeSaConfig cfg;
    cfg.local_id = kHaId;
    return cfg;
  }());
  auto sa = p.initiator.initiate(p.initiator_config(), engine::Path{*i, *r});
  ASSERT_TRUE(sa.has_value()) << sa.error();
  EXPECT_NE(p.initiator.armed_deadline(), base::kNever);  // the IKE_SA_INIT retransmit timer
  p.io.run_for(10s);

  const auto est = of_type<engine::SaEstablished>(p.init_events);
  ASSERT_EQ(est.size(), 1u);
  EXPECT_EQ(est[0].peer_id, kHaId);
  ASSERT_TRUE(est[0].assigned_address.has_value());
  EXPECT_EQ(est[0].assigned_address->address, *base::Ip6Addr::parse("2001:db8:7::1"));
  EXPECT_EQ(of_type<engine::SaEstablished>(p.resp_events).size(), 1u);
  const auto ci = of_type<engine::InstallChildSa>(p.init_events);
  const auto cr = of_type<engine::InstallChildSa>(p.resp_events);
  ASSERT_EQ(ci.size(), 1u);
  ASSERT_EQ(cr.size(), 1u);
  EXPECT_EQ(ci[0].spi_in, cr[0].spi_out);
  EXPECT_EQ(ci[0].path.remote, *r);
  EXPECT_EQ((*sa)->state(), engine::IkeSaState::Established);
  EXPECT_EQ(p.initiator.sa_count(), 1u);
  EXPECT_EQ(p.responder.sa_count(), 1u);
  // accept_responders(IkeSaConfig) is a front that serves everyone.
  ASSERT_NE(p.responder.responder(), nullptr);
  EXPECT_EQ(p.responder.responder()->counters().get(engine::ResponderCounter::Served), 1u);
  // Established and nothing outstanding: the single timer is disarmed.
  EXPECT_EQ(p.initiator.armed_deadline(), base::kNever);
}

TEST(IkeDriver, TwoDriversEstablishOverIpv6LoopbackUdp) {
  establish_over("::1");
}

// IPv4 sockets carry IPv4-mapped addresses to and from the engine.
TEST(IkeDriver, TwoDriversEstablishOverIpv4LoopbackUdp) {
  establish_over("127.0.0.1");
}

// R7296-36: unanswered requests are resent from the one steady_timer, then the SA fails and
// the driver destroys it.
TEST(IkeDriver, R7296_36_RetransmitsFromTheSingleTimerThenFails) {
  Peers p;
  const auto lo = *parse_address("::1");
  // A socket that receives and never answers: counts what the initiator sends.
  int received = 0;
  auto silent = UdpTransport::open(
      p.io, {lo, 0}, [&](const engine::Path&, std::span<const std::uint8_t>) { ++received; },
      p.log);
  ASSERT_TRUE(silent.has_value()) << silent.error();
  auto i = p.initiator.listen({lo, 0});
  ASSERT_TRUE(i.has_value());
  auto cfg = p.initiator_config();
  cfg.retransmit.initial = 20ms;
  cfg.retransmit.max_retransmits = 2;
  ASSERT_TRUE(p.initiator.initiate(cfg, engine::Path{*i, (*silent)->local()}).has_value());
  p.io.run_for(10s);
  p.io.restart();
  p.io.poll();  // receive completions already queued when the failure stopped the loop

  const auto failed = of_type<engine::SaFailed>(p.init_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, engine::FailureReason::RetransmitLimit);
  EXPECT_EQ(received, 3);  // the request and two retransmissions
  EXPECT_EQ(p.initiator.sa_count(), 0u);
  EXPECT_EQ(p.initiator.stats().sas_removed, 1u);
  EXPECT_EQ(p.initiator.armed_deadline(), base::kNever);
}

// R7296-06: a datagram whose SPIs match no SA is dropped (and counted) unless it is a new
// IKE_SA_INIT request and responding is enabled; bytes that are not an IKE header likewise.
TEST(IkeDriver, R7296_06_DropsDatagramsForNoSaAndUndecodableBytes) {
  Peers p;
  const auto lo = *parse_address("::1");
  auto r = p.responder.listen({lo, 0});  // accept_responders() not called
  auto i = p.initiator.listen({lo, 0});
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(i.has_value());
  auto cfg = p.initiator_config();
  cfg.retransmit.initial = 20ms;
  cfg.retransmit.max_retransmits = 1;
  ASSERT_TRUE(p.initiator.initiate(cfg, engine::Path{*i, *r}).has_value());
  p.io.run_for(10s);
  p.io.restart();
  p.io.poll();
  EXPECT_EQ(p.responder.stats().dropped_no_sa, 2u);
  EXPECT_EQ(p.responder.sa_count(), 0u);
  EXPECT_TRUE(p.resp_events.empty());

  const std::vector<std::uint8_t> junk{1, 2, 3};
  p.responder.on_datagram(engine::Path{*r, *i}, junk);
  EXPECT_EQ(p.responder.stats().dropped_undecodable, 1u);
}

// A throwing event sink must neither take the event loop down nor cost the outputs after it:
// the driver logs the exception and performs the rest (no retransmission needed).
TEST(IkeDriver, ExceptionInAHandlerIsContained) {
  Peers p;
  const auto lo = *parse_address("::1");
  auto r = p.responder.listen({lo, 0});
  auto i = p.initiator.listen({lo, 0});
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(i.has_value());
  engine::IkeSaConfig rcfg;
  rcfg.local_id = kHaId;
  p.responder.accept_responders(rcfg);
  int thrown = 0;
  p.responder.set_event_sink([&](const engine::IkeSa&, const engine::Output&) {
    ++thrown;
    throw std::runtime_error("sink failure");
  });
  auto sa = p.initiator.initiate(p.initiator_config(), engine::Path{*i, *r});
  ASSERT_TRUE(sa.has_value());
  p.io.run_for(10s);
  EXPECT_GE(thrown, 4);  // sends, state changes, child SA, established: every one threw
  EXPECT_EQ(of_type<engine::SaEstablished>(p.init_events).size(), 1u);
  EXPECT_EQ((*sa)->counters().get(engine::IkeCounter::RetransmitsSent), 0u);
}

// A fixed verdict, remembering what it was asked.
class FixedDecision final : public engine::InitDecision {
 public:
  // A factory, not a stored variant: g++ 12 -O2 with ASan warns (maybe-uninitialized) about
  // moving a variant holding a vector.
  explicit FixedDecision(std::function<engine::InitAnswer()> verdict)
      : verdict_(std::move(verdict)) {}
  [[nodiscard]] engine::InitAnswer decide(const engine::InitRequest& context,
                                          base::TimePoint /*now*/) override {
    ++calls;
    last_supported = context.redirect_supported;
    return verdict_();
  }
  int calls = 0;
  bool last_supported = false;

 private:
  std::function<engine::InitAnswer()> verdict_;
};

struct FrontRun {
  std::vector<engine::InitDecided> decisions;
  int sa_events_with_sa = 0;
};

// The responder driver routes IKE_SA_INIT through an IkeResponder asking `decision`.
void run_through_front(Peers& p, FixedDecision& decision, FrontRun& run,
                       std::optional<engine::IkeSa*>& sa_out) {
  const auto addr = parse_address("::1");
  ASSERT_TRUE(addr.has_value());
  auto r = p.responder.listen({*addr, 0});
  ASSERT_TRUE(r.has_value()) << r.error();
  auto i = p.initiator.listen({*addr, 0});
  ASSERT_TRUE(i.has_value()) << i.error();
  engine::IkeResponderConfig rc;
  rc.sa.local_id = kHaId;
  p.responder.accept_responders(std::move(rc), decision);
  p.responder.set_responder_sink([&run](const engine::ResponderOutput& o, const engine::IkeSa* sa) {
    if (const auto* d = std::get_if<engine::InitDecided>(&o)) {
      run.decisions.push_back(*d);
    }
    if (std::holds_alternative<engine::ResponderSaEvent>(o) && sa != nullptr) {
      ++run.sa_events_with_sa;
    }
  });
  auto sa = p.initiator.initiate(p.initiator_config(), engine::Path{*i, *r});
  ASSERT_TRUE(sa.has_value()) << sa.error();
  sa_out = *sa;
  p.io.run_for(10s);
}

TEST(IkeDriver, ServeVerdictThroughTheResponderFrontEstablishes) {
  Peers p;
  FixedDecision decision([] { return engine::InitAnswer(engine::Serve{7}); });
  FrontRun run;
  std::optional<engine::IkeSa*> sa;
  run_through_front(p, decision, run, sa);
  ASSERT_TRUE(sa.has_value());
  EXPECT_EQ(decision.calls, 1);
  EXPECT_TRUE(decision.last_supported);  // R5685-01: our initiator announces support
  ASSERT_EQ(run.decisions.size(), 1u);
  EXPECT_EQ(run.decisions[0].outcome, engine::InitOutcome::Served);
  EXPECT_EQ(run.decisions[0].tag, std::optional<std::uint64_t>(7));
  EXPECT_EQ((*sa)->state(), engine::IkeSaState::Established);
  // The served SA's outputs still reach the plain sink, with the SA.
  EXPECT_EQ(of_type<engine::SaEstablished>(p.resp_events).size(), 1u);
  EXPECT_GT(run.sa_events_with_sa, 0);
  EXPECT_EQ(p.responder.sa_count(), 1u);
  EXPECT_EQ(p.responder.responder()->counters().get(engine::ResponderCounter::Served), 1u);
}

// covers: R5685-04 (stateless N(REDIRECT) from the front, over real UDP)
TEST(IkeDriver, R5685_04_RedirectVerdictEndsTheInitiatorSaAndKeepsNoState) {
  Peers p;
  const auto target = *base::Ip6Addr::parse("2001:db8:9::2");
  FixedDecision decision(
      [target] { return engine::InitAnswer(engine::Redirect{wire::GwIdentity::ipv6(target)}); });
  FrontRun run;
  std::optional<engine::IkeSa*> sa;
  run_through_front(p, decision, run, sa);
  ASSERT_EQ(run.decisions.size(), 1u);
  EXPECT_EQ(run.decisions[0].outcome, engine::InitOutcome::Redirected);
  ASSERT_TRUE(run.decisions[0].target.has_value());
  EXPECT_EQ(run.decisions[0].target->ipv6_addr(), std::optional<base::Ip6Addr>(target));
  const auto redirects = of_type<engine::RedirectReceived>(p.init_events);
  ASSERT_EQ(redirects.size(), 1u);
  EXPECT_EQ(redirects[0].gateway.ipv6_addr(), std::optional<base::Ip6Addr>(target));
  const auto failed = of_type<engine::SaFailed>(p.init_events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].reason, engine::FailureReason::Redirected);
  EXPECT_EQ(p.responder.sa_count(), 0u);
  ASSERT_NE(p.responder.responder(), nullptr);
  EXPECT_EQ(p.responder.responder()->half_open(), 0u);
  EXPECT_EQ(p.responder.armed_deadline(), base::kNever);
}

// Issue 4: the front's output vector and its REDIRECT buffers go round between the driver and
// the front (recycled after each send); every initiator still gets its own Ni back and follows
// (R5685-04, checked by the initiator as R5685-05).
TEST(IkeDriver, ConsecutiveRedirectsReuseBuffersAndCarryEachNonce_R5685_04) {
  Peers p;
  const auto target = *base::Ip6Addr::parse("2001:db8:9::2");
  FixedDecision decision(
      [target] { return engine::InitAnswer(engine::Redirect{wire::GwIdentity::ipv6(target)}); });
  const auto addr = parse_address("::1");
  ASSERT_TRUE(addr.has_value());
  auto r = p.responder.listen({*addr, 0});
  ASSERT_TRUE(r.has_value()) << r.error();
  auto i = p.initiator.listen({*addr, 0});
  ASSERT_TRUE(i.has_value()) << i.error();
  engine::IkeResponderConfig rc;
  rc.sa.local_id = kHaId;
  p.responder.accept_responders(std::move(rc), decision);
  constexpr int kRounds = 4;
  for (int k = 0; k < kRounds; ++k) {
    auto sa = p.initiator.initiate(p.initiator_config(), engine::Path{*i, *r});
    ASSERT_TRUE(sa.has_value()) << sa.error();
    p.io.restart();
    p.io.run_for(10s);
  }
  const auto redirects = of_type<engine::RedirectReceived>(p.init_events);
  ASSERT_EQ(redirects.size(), static_cast<std::size_t>(kRounds));
  for (const auto& redirect : redirects) {
    EXPECT_EQ(redirect.gateway.ipv6_addr(), std::optional<base::Ip6Addr>(target));
  }
  EXPECT_EQ(p.responder.responder()->counters().get(engine::ResponderCounter::Redirected),
            static_cast<std::uint64_t>(kRounds));
  EXPECT_EQ(p.responder.sa_count(), 0u);
}

TEST(UdpTransport, AddressesRoundTripIncludingIpv4Mapped) {
  const auto v4 = parse_address("192.0.2.7");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->to_string(), "::ffff:192.0.2.7");
  EXPECT_EQ(address_to_string(*v4), "192.0.2.7");
  EXPECT_TRUE(to_asio({*v4, 500}).address().is_v4());
  EXPECT_EQ(from_asio(to_asio({*v4, 500})), (engine::Endpoint{*v4, 500}));
  const auto v6 = parse_address("2001:db8::1");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(to_asio({*v6, 4500}).address().is_v6());
  EXPECT_EQ(from_asio(to_asio({*v6, 4500})), (engine::Endpoint{*v6, 4500}));
  EXPECT_FALSE(parse_address("not an address").has_value());
  EXPECT_FALSE(parse_address("300.1.1.1").has_value());
}

}  // namespace
}  // namespace ike::io
