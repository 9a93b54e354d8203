// MnDaemon, the Asio shell around MnCore, over real UDP sockets on the loopback: the home
// agent is an ike::io::IkeDriver responder with an address pool. Only the plumbing is under
// test here (the core is tested sans-IO in tests/mn/core): name resolution from the static
// table, datagrams, the one timer, the keylog, the sink, and the Binding Update that has no
// data plane to leave through. Bounded run_for() limits, no sleeps.
#include "mn/daemon/mn_daemon.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/random.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/peer_credentials.h"
#include "ike/io/ike_driver.h"
#include "tests/ike/engine/front_harness.h"
#include "tests/support/scratch_dir.h"

namespace mn {
namespace {

using namespace std::chrono_literals;
namespace engine = ike::engine;

using test::kHaId;
using test::kMnId;
using test::of;

// IPv4 loopback: its mapped address passes the registration engine's global-unicast check
// (::1 would not), so a registration starts and its BU meets the missing data plane.
struct Lab {
  boost::asio::io_context io;
  ike::crypto::OpenSslRandom random;
  ike::crypto::OpenSslKeyExchangeFactory kex;
  engine::InMemoryCredentials creds_mn;
  engine::InMemoryCredentials creds_ha;
  engine::InMemoryAddressPool pool{*base::Ip6Addr::parse("2001:db8:7::"), 64, 4};
  base::Logger log{[](base::LogLevel, std::string_view, std::string_view) {}};
  ike::io::IkeDriver ha{io, engine::Environment{random, kex, creds_ha, &pool}, log};
  MnDaemon mn{io, engine::Environment{random, kex, creds_mn, nullptr}, log};
  base::Ip6Addr loopback = *ike::io::parse_address("127.0.0.1");
  std::vector<MnCoreOutput> events;
  MnCoreConfig cfg;

  Lab() {
    creds_mn.add(kHaId, test::secret(test::kPsk));
    creds_ha.add(kMnId, test::secret(test::kPsk));
    mn.set_sink([this](const MnCoreOutput& o) {
      events.push_back(o);
      if (std::holds_alternative<mip6::engine::SendBindingUpdate>(o)) {
        io.stop();
      }
    });
    const auto any = *base::Ip6Addr::parse("::");
    const auto all = *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.ike.sa.local_id = kMnId;
    cfg.ike.sa.remote_id = kHaId;
    cfg.ike.sa.request_address = true;
    cfg.ike.sa.child.ts_i = {ike::wire::TrafficSelector::ipv6_range(any, all)};
    cfg.ike.sa.child.ts_r = {ike::wire::TrafficSelector::ipv6_range(any, all)};
    cfg.home_agent = std::string("ha.test");
  }

  // Both sides listen on the loopback (ports picked by the kernel).
  void listen() {
    auto r = ha.listen({loopback, 0});
    ASSERT_TRUE(r.has_value()) << r.error();
    ha.accept_responders([] {
      engine::IkeSaConfig c;
      c.local_id = kHaId;
      return c;
    }());
    auto i = mn.listen({loopback, 0});
    ASSERT_TRUE(i.has_value()) << i.error();
    cfg.local = *i;
    cfg.home_agent_port = r->port;
  }
};

TEST(MnDaemon, BootstrapsByNameRegistersAndHoldsTheBindingUpdateBack) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.listen());
  test::ScratchDir dir("mn-daemon");
  ASSERT_TRUE(dir.ok());
  auto keylog = ike::io::IkeKeylog::open(dir.path("ike.keys"));
  ASSERT_TRUE(keylog.has_value()) << keylog.error();
  lab.mn.set_keylog(keylog->get());
  lab.mn.set_resolver(HostResolver({{"ha.test", lab.loopback}}, false));

  ASSERT_TRUE(lab.mn.start(lab.cfg).has_value());
  lab.io.run_for(10s);

  const auto asked = of<ike::engine::ResolveGateway>(lab.events);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].fqdn, "ha.test");
  EXPECT_EQ(of<engine::InstallChildSa>(lab.events).size(), 1u);
  const auto started = of<RegistrationStarted>(lab.events);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].home_agent, lab.loopback);
  EXPECT_EQ(started[0].home_address, *base::Ip6Addr::parse("2001:db8:7::1"));
  EXPECT_EQ(started[0].care_of_address, lab.loopback);
  // Never sent in the clear (RFC 4877 4): counted instead.
  ASSERT_EQ(of<mip6::engine::SendBindingUpdate>(lab.events).size(), 1u);
  EXPECT_EQ(lab.mn.stats().binding_updates_not_sent, 1u);
  EXPECT_GE(lab.mn.stats().datagrams_in, 2u);
  EXPECT_EQ(lab.ha.sa_count(), 1u);
  EXPECT_EQ((*keylog)->lines_written(), 1u);
  lab.mn.stop();
}

TEST(MnDaemon, UnresolvableHomeAgentNameFailsWithoutSending) {
  Lab lab;
  ASSERT_NO_FATAL_FAILURE(lab.listen());
  lab.mn.set_resolver(HostResolver({}, false));
  ASSERT_TRUE(lab.mn.start(lab.cfg).has_value());
  lab.io.run_for(100ms);
  bool failed = false;
  for (const auto& e : of<IkeEvent>(lab.events)) {
    if (const auto* f = std::get_if<engine::SessionFailed>(&e.event)) {
      failed = f->error == engine::SessionError::ResolveFailed;
    }
  }
  EXPECT_TRUE(failed);
  EXPECT_EQ(lab.mn.core()->session(), nullptr);
  EXPECT_EQ(lab.ha.stats().datagrams_in, 0u);
}

}  // namespace
}  // namespace mn
