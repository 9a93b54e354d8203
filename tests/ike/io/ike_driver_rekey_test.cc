// IkeDriver routing across an in-place IKE SA rekey (RFC 7296 2.18, ike/engine/tasks/ike_rekey.h):
// the rekeyed SA is re-filed under its new SPIs, and the old SPIs stay routed to it (aliases)
// until its Delete is done, on both drivers, over real UDP sockets on the loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <variant>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/ike_driver.h"
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

template <class T>
bool has(const std::vector<engine::Output>& events) {
  for (const auto& e : events) {
    if (std::holds_alternative<T>(e)) {
      return true;
    }
  }
  return false;
}

TEST(IkeDriverRekey, OldSpisStayRoutedUntilTheOldSaIsDeleted) {
  boost::asio::io_context io;
  crypto::OpenSslRandom random;
  crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds_i;
  engine::InMemoryCredentials creds_r;
  creds_i.add(kHaId, secret("loopback psk"));
  creds_r.add(kMnId, secret("loopback psk"));
  engine::InMemoryAddressPool pool{*base::Ip6Addr::parse("2001:db8:7::"), 64, 4};
  const base::Logger log([](base::LogLevel, std::string_view, std::string_view) {});
  IkeDriver initiator{io, engine::Environment{random, kex, creds_i, nullptr}, log};
  IkeDriver responder{io, engine::Environment{random, kex, creds_r, &pool}, log};
  std::vector<engine::Output> init_events;
  std::vector<engine::Output> resp_events;
  initiator.set_event_sink([&](const engine::IkeSa&, const engine::Output& o) {
    init_events.push_back(o);
    if (std::holds_alternative<engine::SaEstablished>(o) ||
        std::holds_alternative<engine::IkeSpisRetired>(o)) {
      io.stop();
    }
  });
  responder.set_event_sink([&](const engine::IkeSa&, const engine::Output& o) {
    resp_events.push_back(o);
    if (std::holds_alternative<engine::IkeSpisRetired>(o)) {
      io.stop();
    }
  });
  const auto loopback = *parse_address("::1");
  auto r = responder.listen({loopback, 0});
  auto i = initiator.listen({loopback, 0});
  ASSERT_TRUE(r.has_value() && i.has_value());
  engine::IkeSaConfig resp_cfg;
  resp_cfg.local_id = kHaId;
  resp_cfg.retransmit.initial = 100ms;  // the old SA lingers 4 x this after the peer's Delete
  responder.accept_responders(resp_cfg);
  engine::IkeSaConfig cfg;
  cfg.local_id = kMnId;
  cfg.remote_id = kHaId;
  const auto any = *base::Ip6Addr::parse("::");
  const auto all = *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
  cfg.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
  auto sa = initiator.initiate(cfg, engine::Path{*i, *r});
  ASSERT_TRUE(sa.has_value()) << sa.error();
  io.run_for(10s);
  ASSERT_EQ((*sa)->state(), engine::IkeSaState::Established);
  const auto old_key = IkeDriver::key_of(**sa);

  // Rekey: the initiator's Delete of the old SA travels under the old SPIs both ways.
  io.restart();
  auto started = initiator.with_sa(
      old_key, [](engine::IkeSa& s, base::TimePoint now) { return s.rekey_ike(now); });
  ASSERT_TRUE(started.has_value()) << started.error();
  io.run_for(10s);
  ASSERT_TRUE(has<engine::IkeSaRekeyed>(init_events));
  ASSERT_TRUE(has<engine::IkeSaRekeyed>(resp_events));
  ASSERT_TRUE(has<engine::IkeSpisRetired>(init_events));  // its Delete was answered
  EXPECT_NE(IkeDriver::key_of(**sa), old_key);
  EXPECT_EQ(initiator.alias_count(), 0u);
  EXPECT_EQ(responder.alias_count(), 1u);  // lingering for a retransmitted Delete
  EXPECT_EQ(initiator.stats().dropped_no_sa, 0u);
  EXPECT_EQ(responder.stats().dropped_no_sa, 0u);
  EXPECT_EQ(initiator.sa_count(), 1u);
  EXPECT_EQ(responder.sa_count(), 1u);

  // The responder's old SA retires; the new SA answers a liveness check.
  io.restart();
  io.run_for(5s);
  EXPECT_TRUE(has<engine::IkeSpisRetired>(resp_events));
  EXPECT_EQ(responder.alias_count(), 0u);
  io.restart();
  auto live = initiator.with_sa(IkeDriver::key_of(**sa), [](engine::IkeSa& s, base::TimePoint now) {
    return s.check_liveness(now);
  });
  ASSERT_TRUE(live.has_value());
  io.run_for(500ms);
  EXPECT_EQ((*sa)->next_deadline(), base::kNever);  // answered
  EXPECT_EQ((*sa)->state(), engine::IkeSaState::Established);
}

}  // namespace
}  // namespace ike::io
