// The shell's formatting of HaCore's events: every event type's JSON line, byte for byte as
// the netns tests and tools/main-job.sh read it, its log line and level, and the labels the
// event counters use.
#include "ha/daemon/event_format.h"

#include <gtest/gtest.h>

#include "ha/daemon/event_metrics.h"
#include "tests/support/fake_clock.h"

namespace ha::daemon {
namespace {

namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using ha::policy::AdmissionEvent;
using ha::policy::AdmissionReason;
using ha::policy::DecisionOutcome;
using std::chrono::seconds;

// Addresses and SPIs as the lines print them.
const wire::Spi kSpiI(0x0102030405060708ULL);
const wire::Spi kSpiR(0x1112131415161718ULL);
const base::Ip6Addr kPeer = *base::Ip6Addr::parse("2001:db8::100");
const base::Ip6Addr kHa1 = *base::Ip6Addr::parse("2001:db8:1::1");
const base::Ip6Addr kHa2 = *base::Ip6Addr::parse("2001:db8:1::2");
const base::Ip6Addr kHa3 = *base::Ip6Addr::parse("2001:db8:1::3");
const base::Ip6Addr kHoa = *base::Ip6Addr::parse("2001:db8:3::1");

std::string line(const CoreEvent& e) {
  return event_json(e, "ha1").dump();
}

TEST(EventFormat, DecisionLines) {
  const test::FakeClock clock;
  AdmissionEvent served{engine::DecisionPoint::IkeSaInit,
                        DecisionOutcome::Served,
                        AdmissionReason::Room,
                        kPeer,
                        std::nullopt,
                        clock.now()};
  EXPECT_EQ(line(served),
            R"({"event":"decision","ha":"ha1","outcome":"served","peer":"2001:db8::100",)"
            R"("point":"ike_sa_init","reason":"room"})");
  AdmissionEvent redirected{engine::DecisionPoint::IkeSaInit,
                            DecisionOutcome::Redirected,
                            AdmissionReason::Overload,
                            kPeer,
                            kHa2,
                            clock.now(),
                            "ha2.mip6.example"};
  EXPECT_EQ(line(redirected),
            R"({"event":"decision","ha":"ha1","outcome":"redirected","peer":"2001:db8::100",)"
            R"("point":"ike_sa_init","reason":"overload","target":"2001:db8:1::2",)"
            R"("target_fqdn":"ha2.mip6.example"})");
  AdmissionEvent by_name{engine::DecisionPoint::IkeAuth,
                         DecisionOutcome::Redirected,
                         AdmissionReason::AssignedElsewhere,
                         kPeer,
                         std::nullopt,
                         clock.now(),
                         "ha9.mip6.example"};
  EXPECT_EQ(
      line(by_name),
      R"({"event":"decision","ha":"ha1","outcome":"redirected","peer":"2001:db8::100",)"
      R"("point":"ike_auth","reason":"assigned_elsewhere","target_fqdn":"ha9.mip6.example"})");
  EXPECT_EQ(event_log_level(served), base::LogLevel::Debug);
  EXPECT_EQ(event_log_line(redirected),
            "ike_sa_init 2001:db8::100: redirected (overload) to 2001:db8:1::2 named "
            "ha2.mip6.example");
}

TEST(EventFormat, FrontOverrideLine) {
  const FrontOverride e{engine::InitOutcome::HalfOpenLimit, kPeer};
  EXPECT_EQ(
      line(e),
      R"({"event":"ike_init","ha":"ha1","outcome":"half_open_limit","peer":"2001:db8::100"})");
  EXPECT_EQ(event_log_level(e), base::LogLevel::Debug);
}

TEST(EventFormat, SaLifeLines) {
  PeerEstablished est{kPeer, "mn1.example.org", kSpiI, kSpiR, true, kHoa, kHa1};
  EXPECT_EQ(line(est),
            R"({"event":"sa_established","ha":"ha1","home_address":"2001:db8:3::1",)"
            R"("identity":"mn1.example.org","peer":"2001:db8::100","redirect_supported":true,)"
            R"("redirected_from":"2001:db8:1::1","spi_i":"0102030405060708",)"
            R"("spi_r":"1112131415161718"})");
  est.home_address.reset();
  est.redirected_from.reset();
  est.redirect_supported = false;
  EXPECT_EQ(line(est),
            R"({"event":"sa_established","ha":"ha1","identity":"mn1.example.org",)"
            R"("peer":"2001:db8::100","redirect_supported":false,"spi_i":"0102030405060708",)"
            R"("spi_r":"1112131415161718"})");
  EXPECT_EQ(event_log_level(est), base::LogLevel::Info);

  const PeerRekeyed rekeyed{kPeer,
                            "mn1.example.org",
                            true,
                            {kSpiI, kSpiR, engine::Role::Responder},
                            {wire::Spi(0xaa), wire::Spi(0xbb), engine::Role::Responder}};
  EXPECT_EQ(line(rekeyed),
            R"({"by_peer":true,"event":"sa_rekeyed","ha":"ha1","identity":"mn1.example.org",)"
            R"("old_spi_i":"0102030405060708","old_spi_r":"1112131415161718",)"
            R"("peer":"2001:db8::100","spi_i":"00000000000000aa","spi_r":"00000000000000bb"})");

  PeerRemoved removed{kPeer, "mn1.example.org", kSpiR, SaEnd::Removed, {}};
  const std::string head = R"({"event":"sa_removed","ha":"ha1","how":")";
  const std::string tail =
      R"(","identity":"mn1.example.org","peer":"2001:db8::100","spi_r":"1112131415161718"})";
  EXPECT_EQ(line(removed), head + "removed" + tail);
  removed.how = SaEnd::DeletedByPeer;
  EXPECT_EQ(line(removed), head + "deleted by the peer" + tail);
  removed.how = SaEnd::DeletedByUs;
  removed.detail = "redirect grace period over";
  EXPECT_EQ(line(removed), head + "deleted by us (redirect grace period over)" + tail);
  removed.how = SaEnd::Failed;
  removed.detail = engine::to_string(engine::FailureReason::AuthenticationFailed);
  EXPECT_EQ(line(removed), head + "failed (authentication_failed)" + tail);
  EXPECT_EQ(event_log_line(removed),
            "IKE SA of 2001:db8::100 (mn1.example.org) SPIr 1112131415161718 gone: failed "
            "(authentication_failed)");
}

TEST(EventFormat, MoveLines) {
  PeerMoved redirect;
  redirect.kind = MoveKind::GatewayRedirect;
  redirect.result = MoveResult::Sent;
  redirect.peer = kPeer;
  redirect.targets = {kHa2};
  redirect.target_fqdn = "ha2.mip6.example";
  redirect.grace = seconds(20);
  redirect.identity = "mn1.example.org";
  EXPECT_EQ(line(redirect),
            R"({"event":"move","grace_s":20.0,"ha":"ha1","identity":"mn1.example.org",)"
            R"("kind":"gateway_redirect","peer":"2001:db8::100","result":"sent",)"
            R"("target":"2001:db8:1::2","target_fqdn":"ha2.mip6.example"})");
  EXPECT_EQ(event_log_level(redirect), base::LogLevel::Info);
  redirect.result = MoveResult::Failed;
  redirect.identity.reset();
  redirect.target_fqdn.clear();
  redirect.grace = std::chrono::milliseconds(1500);
  redirect.why = "no established SA any more";
  EXPECT_EQ(line(redirect), R"({"event":"move","grace_s":1.5,"ha":"ha1","kind":"gateway_redirect",)"
                            R"("peer":"2001:db8::100","result":"failed","target":"2001:db8:1::2",)"
                            R"("why":"no established SA any more"})");
  EXPECT_EQ(event_log_level(redirect), base::LogLevel::Warning);

  PeerMoved sw;
  sw.kind = MoveKind::HaSwitch;
  sw.result = MoveResult::Sent;
  sw.peer = kPeer;
  sw.targets = {kHa2, kHa3};
  EXPECT_EQ(line(sw), R"({"event":"move","ha":"ha1","kind":"ha_switch","peer":"2001:db8::100",)"
                      R"("result":"sent","targets":["2001:db8:1::2","2001:db8:1::3"]})");
  sw.result = MoveResult::Failed;
  sw.why = "no home address";
  EXPECT_EQ(line(sw), R"({"event":"move","ha":"ha1","kind":"ha_switch","peer":"2001:db8::100",)"
                      R"("result":"failed","targets":["2001:db8:1::2","2001:db8:1::3"],)"
                      R"("why":"no home address"})");

  PeerMoved none;
  none.peer = kPeer;
  none.reason = AdmissionReason::MoveNoRedirectSupport;
  EXPECT_EQ(line(none), R"({"event":"move","ha":"ha1","kind":"none","peer":"2001:db8::100",)"
                        R"("reason":"move_no_redirect_support","result":"not_moved"})");
}

TEST(EventFormat, AdminAndBindingLines) {
  const AdminChanged draining{mip6::engine::HaAdminState::Draining, 2, seconds(15)};
  EXPECT_EQ(line(draining),
            R"({"event":"admin","grace_s":15.0,"ha":"ha1","peers":2,"state":"draining"})");
  const AdminChanged serving{mip6::engine::HaAdminState::Serving, 0, {}};
  EXPECT_EQ(line(serving), R"({"event":"admin","ha":"ha1","state":"serving"})");
  const mip6::engine::HaEvent bound{mip6::engine::HaEventKind::BindingCreated, kHoa, "accepted"};
  EXPECT_EQ(line(bound), R"({"event":"binding","ha":"ha1","home_address":"2001:db8:3::1",)"
                         R"("kind":"binding_created","reason":"accepted"})");
  EXPECT_EQ(event_log_line(bound), "binding 2001:db8:3::1: binding_created (accepted)");
}

TEST(EventFormat, ShellLines) {
  EXPECT_EQ(started_json("ha1", 4).dump(), R"({"capacity":4,"event":"started","ha":"ha1"})");
  EXPECT_EQ(stopped_json("ha1", {{"ok", true}}).dump(),
            R"({"event":"stopped","ha":"ha1","status":{"ok":true}})");
}

TEST(EventMetrics, CountsEventsByTheirLabels) {
  const test::FakeClock clock;
  EventMetrics metrics;
  const AdmissionEvent served{engine::DecisionPoint::IkeSaInit,
                              DecisionOutcome::Served,
                              AdmissionReason::Room,
                              kPeer,
                              std::nullopt,
                              clock.now()};
  metrics.count(served);
  metrics.count(served);
  PeerMoved none;
  none.reason = AdmissionReason::MoveNoTarget;
  metrics.count(none);
  EXPECT_EQ(metrics.get(event_labels(served)), 2U);
  EXPECT_EQ(
      metrics.get(EventLabels{
          "decision", {{{"point", "ike_sa_init"}, {"outcome", "served"}, {"reason", "room"}}}}),
      2U);
  EXPECT_EQ(
      metrics.get(EventLabels{
          "move", {{{"kind", "none"}, {"result", "not_moved"}, {"reason", "move_no_target"}}}}),
      1U);
  EXPECT_EQ(metrics.counts().size(), 2U);
  EXPECT_EQ(metrics.get(event_labels(FrontOverride{})), 0U);
}

}  // namespace
}  // namespace ha::daemon
