// The Asio shell with NAT traversal and SPI keying, over real UDP sockets on the loopback
// (kernel-chosen ports, no fixed port): a small user-space NAT relay between two IkeDrivers
// makes the initiator detect the NAT and float to its NAT-T socket (non-ESP marker), the
// responder follow the new mapping, and the keepalives flow (R7296-56, RFC 3948); two
// initiators that picked the same SPIi are both served (R7296-06).
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/ike_driver.h"
#include "ike/io/udp_transport.h"
#include "tests/support/deterministic_random.h"

namespace ike::io {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;

base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

const wire::IdPayload kMnId = wire::IdPayload::make_rfc822("mn1@example.org");
const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");

base::Logger quiet_logger() {
  return base::Logger([](base::LogLevel, std::string_view, std::string_view) {});
}

engine::IkeSaConfig initiator_config() {
  engine::IkeSaConfig cfg;
  cfg.local_id = kMnId;
  cfg.remote_id = kHaId;
  const auto any = *base::Ip6Addr::parse("::");
  const auto all = *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
  cfg.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
  return cfg;
}

// One NAT mapping: what the inside sends to `front` leaves from `back` towards `target`, and
// what comes back to `back` goes to the last inside sender. Counts what passes inbound-out.
class RelayPort {
 public:
  RelayPort(boost::asio::io_context& io, const ip::udp::endpoint& target)
      : front_(io, ip::udp::endpoint(ip::make_address("::1"), 0)),
        back_(io, ip::udp::endpoint(ip::make_address("::1"), 0)),
        target_(target) {
    receive(front_, true);
    receive(back_, false);
  }
  [[nodiscard]] std::uint16_t front_port() const { return front_.local_endpoint().port(); }
  [[nodiscard]] std::uint16_t back_port() const { return back_.local_endpoint().port(); }
  std::vector<std::vector<std::uint8_t>> outbound;  // datagrams from the inside, as sent

 private:
  void receive(ip::udp::socket& s, bool from_inside) {
    s.async_receive_from(
        boost::asio::buffer(buffer(from_inside)), sender(from_inside),
        [this, &s, from_inside](const boost::system::error_code& ec, std::size_t n) {
          if (ec) {
            return;
          }
          const auto* b = buffer(from_inside).data();
          if (from_inside) {
            inside_ = sender(true);
            outbound.emplace_back(b, b + n);
            back_.send_to(boost::asio::buffer(b, n), target_);
          } else if (inside_) {
            front_.send_to(boost::asio::buffer(b, n), *inside_);
          }
          receive(s, from_inside);
        });
  }
  std::array<std::uint8_t, 65536>& buffer(bool from_inside) {
    return from_inside ? in_buf_ : out_buf_;
  }
  ip::udp::endpoint& sender(bool from_inside) { return from_inside ? in_from_ : out_from_; }

  ip::udp::socket front_;
  ip::udp::socket back_;
  ip::udp::endpoint target_;
  std::optional<ip::udp::endpoint> inside_;
  std::array<std::uint8_t, 65536> in_buf_{};
  std::array<std::uint8_t, 65536> out_buf_{};
  ip::udp::endpoint in_from_;
  ip::udp::endpoint out_from_;
};

struct Side {
  explicit Side(boost::asio::io_context& io, engine::InMemoryAddressPool* pool = nullptr,
                crypto::RandomSource* random = nullptr)
      : driver(io, engine::Environment{random != nullptr ? *random : own_random, kex, creds, pool},
               log) {}
  crypto::OpenSslRandom own_random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  base::Logger log = quiet_logger();
  IkeDriver driver;
  std::vector<engine::Output> events;
  const engine::IkeSa* last_sa = nullptr;
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

void run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.run_for(10ms);
  }
}

// R7296-56 over real sockets: IKE_SA_INIT through the NAT's "500" mapping, then IKE_AUTH from
// the initiator's NAT-T socket (with the non-ESP marker) through a second mapping; the
// responder answers there and the Child SAs are UDP-encapsulated; keepalives follow.
TEST(IkeDriverNat, R7296_56_FloatsToTheNatTSocketThroughAUserSpaceNat) {
  boost::asio::io_context io;
  engine::InMemoryAddressPool pool(*base::Ip6Addr::parse("2001:db8:7::"), 64, 4);
  Side mn(io);
  Side ha(io, &pool);
  mn.creds.add(kHaId, secret("loopback psk"));
  ha.creds.add(kMnId, secret("loopback psk"));
  const auto lo = *parse_address("::1");
  auto ha_ike = ha.driver.listen({lo, 0});
  auto ha_natt = ha.driver.listen({lo, 0}, Framing::NonEspMarker);
  auto mn_ike = mn.driver.listen({lo, 0});
  auto mn_natt = mn.driver.listen({lo, 0}, Framing::NonEspMarker);
  ASSERT_TRUE(ha_ike && ha_natt && mn_ike && mn_natt);
  RelayPort nat_ike(io, to_asio(*ha_ike));
  RelayPort nat_natt(io, to_asio(*ha_natt));

  engine::IkeSaConfig rcfg;
  rcfg.local_id = kHaId;
  rcfg.nat.local_port = ha_natt->port;
  ha.driver.accept_responders(rcfg);
  for (Side* s : {&mn, &ha}) {
    s->driver.set_event_sink([s](const engine::IkeSa& sa, const engine::Output& o) {
      s->events.push_back(o);
      s->last_sa = &sa;
    });
  }
  engine::IkeSaConfig icfg = initiator_config();
  icfg.nat.local_port = mn_natt->port;
  icfg.nat.remote_port = nat_natt.front_port();  // the gateway's 4500 as seen through the NAT
  icfg.nat.keepalive_interval = 50ms;
  auto sa = mn.driver.initiate(icfg, engine::Path{*mn_ike, {lo, nat_ike.front_port()}});
  ASSERT_TRUE(sa.has_value()) << sa.error();
  const engine::IkeSa* mn_sa = *sa;
  // Wait until the NAT has relayed two keepalives, not just until the MN counted them: the
  // relay's receive handler may run after the send (that race made this test flaky).
  const auto relayed_keepalives = [&] {
    std::size_t n = 0;
    for (const auto& d : nat_natt.outbound) {
      n += d == std::vector<std::uint8_t>{0xFF} ? 1 : 0;
    }
    return n;
  };
  run_until(io, [&] {
    return of_type<engine::SaEstablished>(ha.events).size() == 1 &&
           mn_sa->counters().get(engine::IkeCounter::NatKeepalivesSent) >= 2 &&
           relayed_keepalives() >= 2;
  });

  ASSERT_EQ(mn_sa->state(), engine::IkeSaState::Established);
  EXPECT_TRUE(mn_sa->nat_status().local_behind_nat);  // the gateway saw the NAT's port
  EXPECT_EQ(mn_sa->path().local, *mn_natt);
  EXPECT_EQ(mn_sa->path().remote.port, nat_natt.front_port());
  ASSERT_NE(ha.last_sa, nullptr);
  const engine::IkeSa* ha_sa = ha.last_sa;
  EXPECT_TRUE(ha_sa->nat_status().peer_behind_nat);
  EXPECT_EQ(ha_sa->path().local, *ha_natt);
  EXPECT_EQ(ha_sa->path().remote.port, nat_natt.back_port());  // the followed mapping

  const auto mn_child = of_type<engine::InstallChildSa>(mn.events);
  const auto ha_child = of_type<engine::InstallChildSa>(ha.events);
  ASSERT_EQ(mn_child.size(), 1u);
  ASSERT_EQ(ha_child.size(), 1u);
  EXPECT_TRUE(mn_child[0].udp_encap);
  EXPECT_TRUE(ha_child[0].udp_encap);
  EXPECT_EQ(ha_child[0].path.remote.port, nat_natt.back_port());

  // What crossed the NAT-T mapping: IKE behind the non-ESP marker, then bare 0xFF keepalives.
  ASSERT_FALSE(nat_natt.outbound.empty());
  const auto& auth = nat_natt.outbound.front();
  ASSERT_GT(auth.size(), 4u + 28u);
  EXPECT_EQ(std::vector<std::uint8_t>(auth.begin(), auth.begin() + 4),
            (std::vector<std::uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(auth[4 + 18], static_cast<std::uint8_t>(wire::ExchangeType::IkeAuth));
  std::size_t keepalives = 0;
  for (const auto& d : nat_natt.outbound) {
    keepalives += d == std::vector<std::uint8_t>{0xFF} ? 1 : 0;
  }
  EXPECT_GE(keepalives, 2u);
  EXPECT_GE(mn.driver.stats().keepalives_sent, 2u);
  // IKE_SA_INIT only on the plain mapping.
  EXPECT_EQ(nat_ike.outbound.size(), 1u);
  EXPECT_EQ(ha.driver.stats().dropped_no_sa, 0u);
}

// R7296-06: SAs are filed by (SPIi, SPIr). Two initiators whose random streams are identical
// choose the same SPIi; the responder serves both, through the plain driver and the front.
void two_initiators_same_spi(bool through_front) {
  boost::asio::io_context io;
  engine::InMemoryAddressPool pool(*base::Ip6Addr::parse("2001:db8:7::"), 64, 4);
  Side ha(io, &pool);
  ha.creds.add(kMnId, secret("loopback psk"));
  test::DeterministicRandom rng_a(42);
  test::DeterministicRandom rng_b(42);
  Side a(io, nullptr, &rng_a);
  Side b(io, nullptr, &rng_b);
  const auto lo = *parse_address("::1");
  auto r = ha.driver.listen({lo, 0});
  ASSERT_TRUE(r.has_value());
  class ServeAll final : public engine::InitDecision {
   public:
    engine::InitAnswer decide(const engine::InitRequest&, base::TimePoint) override {
      return engine::Serve{1};
    }
  } serve_all;
  engine::IkeSaConfig rcfg;
  rcfg.local_id = kHaId;
  if (through_front) {
    engine::IkeResponderConfig fc;
    fc.sa = rcfg;
    ha.driver.accept_responders(fc, serve_all);
  } else {
    ha.driver.accept_responders(rcfg);
  }
  int established = 0;
  ha.driver.set_event_sink([&](const engine::IkeSa&, const engine::Output& o) {
    established += std::holds_alternative<engine::SaEstablished>(o) ? 1 : 0;
  });
  std::vector<const engine::IkeSa*> sas;
  for (Side* s : {&a, &b}) {
    s->creds.add(kHaId, secret("loopback psk"));
    auto l = s->driver.listen({lo, 0});
    ASSERT_TRUE(l.has_value());
    auto sa = s->driver.initiate(initiator_config(), engine::Path{*l, *r});
    ASSERT_TRUE(sa.has_value());
    sas.push_back(*sa);
  }
  ASSERT_EQ(sas[0]->spi_i(), sas[1]->spi_i());  // the collision under test
  // The responder reports SaEstablished when it sends its IKE_AUTH response; the initiators
  // reach Established only when that response arrives, so wait for both sides.
  run_until(io, [&] {
    return established == 2 && sas[0]->state() == engine::IkeSaState::Established &&
           sas[1]->state() == engine::IkeSaState::Established;
  });
  EXPECT_EQ(established, 2);
  EXPECT_EQ(sas[0]->state(), engine::IkeSaState::Established);
  EXPECT_EQ(sas[1]->state(), engine::IkeSaState::Established);
  EXPECT_NE(sas[0]->spi_r(), sas[1]->spi_r());
  EXPECT_EQ(ha.driver.sa_count(), 2u);
  EXPECT_EQ(ha.driver.stats().dropped_no_sa, 0u);
}

TEST(IkeDriverNat, R7296_06_TwoInitiatorsWithTheSameSpiiBothEstablish) {
  two_initiators_same_spi(false);
}

TEST(IkeDriverNat, R7296_06_TwoInitiatorsWithTheSameSpiiBothEstablishThroughTheFront) {
  two_initiators_same_spi(true);
}

// The routing table can be updated when SPIs change (IKE SA rekey); it refuses to overwrite.
TEST(IkeDriverNat, RekeyRefilesAnSaAndRefusesCollisions) {
  boost::asio::io_context io;
  Side a(io);
  a.creds.add(kHaId, secret("loopback psk"));
  const auto lo = *parse_address("::1");
  auto l = a.driver.listen({lo, 0});
  ASSERT_TRUE(l.has_value());
  auto first = a.driver.initiate(initiator_config(), engine::Path{*l, {lo, 9}});
  auto second = a.driver.initiate(initiator_config(), engine::Path{*l, {lo, 9}});
  ASSERT_TRUE(first && second);
  const auto k1 = IkeDriver::key_of(**first);
  const auto k2 = IkeDriver::key_of(**second);
  IkeDriver::SaKey moved = k1;
  moved.spi_r = 0x1234;
  EXPECT_FALSE(a.driver.rekey(k1, k2));     // taken
  EXPECT_FALSE(a.driver.rekey(moved, k1));  // nothing filed there
  EXPECT_TRUE(a.driver.rekey(k1, moved));
  EXPECT_TRUE(a.driver.rekey(moved, k1));
  EXPECT_EQ(a.driver.sa_count(), 2u);
  a.driver.stop();
}

}  // namespace
}  // namespace ike::io
