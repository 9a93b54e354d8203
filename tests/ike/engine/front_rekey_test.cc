// IKE SA rekeys (RFC 7296 1.3.2, 2.18) of SAs served by the IkeResponder front: the front
// files the rekeyed SA under its new SPIr, keeps routing the old SPIr to it until the old SA's
// Delete is done (IkeSpisRetired), and still finds an SA whose rekey made the HA the original
// initiator (R7296-04). The in-place design is explained in ike/engine/tasks/ike_rekey.h.
#include <gtest/gtest.h>

#include "tests/ike/engine/front_harness.h"

namespace ike::engine {
namespace {

using namespace std::chrono_literals;
using test::addr;

const Path kMnPath{{addr("2001:db8:10::2"), 500}, {addr("2001:db8:1::1"), 500}};

struct FrontRekey : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(mn.sa->initiate(kMnPath, net.clock.now()));
    net.pump();
    ASSERT_EQ(mn.sa->state(), IkeSaState::Established);
    ASSERT_EQ(gw.front->sa_count(), 1u);
  }
  // Runs the front's and the mobile's timers up to `until`.
  void run_until(base::TimePoint until) {
    for (int i = 0; i < 100; ++i) {
      const auto next = std::min(gw.front->next_deadline(), mn.sa->next_deadline());
      if (next > until) {
        break;
      }
      net.clock.advance_to(next);
      gw.front->on_timer(net.clock.now());
      mn.sa->on_timer(net.clock.now());
      net.pump();
    }
    net.clock.advance_to(until);
  }
  test::Gateway gw{IkeResponderConfig{}};
  test::Mobile mn{5};
  test::Network net{gw, mn};
};

TEST_F(FrontRekey, MobileRekeyRefilesTheSaAndRoutesTheOldSpiUntilRetired) {
  const wire::Spi old_r = mn.sa->spi_r();
  ASSERT_TRUE(mn.sa->rekey_ike(net.clock.now()));
  net.pump();
  const wire::Spi new_r = mn.sa->spi_r();
  ASSERT_NE(new_r, old_r);
  ASSERT_NE(gw.front->find(new_r), nullptr);
  EXPECT_EQ(gw.front->find(old_r), nullptr);
  EXPECT_EQ(gw.front->find(new_r)->spi_i(), mn.sa->spi_i());
  // The MN's Delete of the old SA reached it through the old SPIr (answered, not dropped).
  EXPECT_EQ(mn.sa->retiring_sas(), 0u);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::DroppedNoSa), 0u);
  EXPECT_TRUE(gw.front->routes(old_r));  // lingers for a retransmitted Delete
  const auto rekeyed = test::sa_events<IkeSaRekeyed>(gw.events);
  ASSERT_EQ(rekeyed.size(), 1u);
  EXPECT_EQ(rekeyed[0].now_spis.spi_r, new_r);
  run_until(net.clock.now() + 30s);
  EXPECT_FALSE(gw.front->routes(old_r));
  EXPECT_EQ(test::sa_events<IkeSpisRetired>(gw.events).size(), 1u);
  // The new SA answers from its new SPIr.
  ASSERT_TRUE(mn.sa->check_liveness(net.clock.now()));
  net.pump();
  EXPECT_EQ(mn.sa->next_deadline() > net.clock.now() + 1h, true);
  EXPECT_EQ(gw.front->sa_count(), 1u);
}

// R7296-04: the HA rekeys; it becomes the original initiator and the MN's SPI is the new
// SPIr. The front still routes the MN's messages (I flag clear now) to it.
TEST_F(FrontRekey, R7296_04_GatewayRekeyFlipsRolesAndTheFrontStillRoutes) {
  const wire::Spi old_r = mn.sa->spi_r();
  ASSERT_TRUE(gw.front->with_sa(
      old_r, [](IkeSa& sa, base::TimePoint now) { return sa.rekey_ike(now); }, net.clock.now()));
  net.pump();
  EXPECT_EQ(mn.sa->role(), Role::Responder);
  const IkeSa* ha = gw.front->find(mn.sa->spi_r());
  ASSERT_NE(ha, nullptr);
  EXPECT_EQ(ha->role(), Role::Initiator);
  EXPECT_TRUE(gw.front->routes(mn.sa->spi_r()));
  // A request of the MN (now the original responder) reaches the HA's SA and is answered.
  ASSERT_TRUE(mn.sa->check_liveness(net.clock.now()));
  net.pump();
  EXPECT_EQ(ha->counters().get(IkeCounter::EstablishedRequestsAnswered), 1u);
  // Answered: once the MN's old SA stopped lingering, nothing is due on the MN any more.
  run_until(net.clock.now() + 10s);
  EXPECT_EQ(mn.sa->retiring_sas(), 0u);
  EXPECT_EQ(mn.sa->next_deadline(), base::kNever);
  EXPECT_EQ(mn.sa->state(), IkeSaState::Established);
  EXPECT_EQ(gw.front->counters().get(ResponderCounter::DroppedNoSa), 0u);
}

}  // namespace
}  // namespace ike::engine
