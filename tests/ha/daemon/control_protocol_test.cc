// The control protocol mip6ctl speaks, without a socket: JSON requests against an HaCore behind
// a real responder front (the HaCore fixture), answered with the keys mip6ctl and the netns
// tests read.
#include "ha/daemon/control_protocol.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/ha/daemon/ha_core_fixture.h"

namespace ha::daemon {
namespace {

using namespace core_test;  // NOLINT: the fixture's names
using nlohmann::json;

class ControlProtocolTest : public HaCoreTest {
 protected:
  void build_protocol() {
    protocol_ = std::make_unique<ControlProtocol>(*core_, [this] {
      ShellStatus s;
      s.front = front_.get();
      s.data_plane_drops = 3;
      s.events = &metrics_;
      return s;
    });
  }
  json ask(const json& request) {
    json answer = protocol_->answer(request, clock_.now());
    shell();
    return answer;
  }

  EventMetrics metrics_;
  std::unique_ptr<ControlProtocol> protocol_;
};

TEST_F(ControlProtocolTest, ControlAnswersStatusAndPeersAndRefusesNonsense) {
  build(pool_config(5), 2);
  build_protocol();
  start_all();
  for (const auto& e : events_of<ha::policy::AdmissionEvent>()) {
    metrics_.count(e);
  }
  const json s = ask({{"cmd", "status"}});
  EXPECT_EQ(s["ok"], true);
  EXPECT_EQ(s["name"], "ha1");
  EXPECT_EQ(s["admin_state"], "serving");
  EXPECT_EQ(s["capacity"], 5);
  EXPECT_EQ(s["reservations"], 2);
  EXPECT_EQ(s["established_sas"], 2);
  EXPECT_EQ(s["counters"]["admission"]["init_served"], 2);
  EXPECT_EQ(s["counters"]["reasons"]["room"], 2);
  // The core's reservation counts come from the ledger, under the names they always had.
  EXPECT_EQ(s["counters"]["core"]["reservations_kept"], 2);
  EXPECT_EQ(s["counters"]["core"]["reservations_released"], 0);
  EXPECT_EQ(s["counters"]["core"]["data_plane_drops"], 3);
  EXPECT_EQ(s["counters"]["reservation_ledger"]["kept"], 2);
  EXPECT_EQ(s["half_open"], 0);
  EXPECT_EQ(s["ike_sas"], 2);
  EXPECT_EQ(s["counters"]["ike_front"]["served"], 2);
  // Every existing key of the status answer is there.
  for (const char* key : {"ok", "name", "admin_state", "capacity", "bindings", "reservations",
                          "load", "established_sas", "drain_pending", "switches_pending"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  for (const char* key : {"admission", "reasons", "core", "binding_engine", "binding_cache"}) {
    EXPECT_TRUE(s["counters"].contains(key)) << key;
  }
  for (const char* key :
       {"sas_established", "sas_removed", "reservations_kept", "reservations_refreshed",
        "reservations_released", "sas_rekeyed", "gateway_redirects_sent",
        "gateway_redirects_failed", "ha_switches_started", "ha_switches_failed", "drains_started",
        "resumes", "control_requests", "control_errors"}) {
    EXPECT_TRUE(s["counters"]["core"].contains(key)) << key;
  }
  // The event counts, by label.
  ASSERT_EQ(s["event_counts"].size(), 2U);  // served at IKE_SA_INIT, continued at IKE_AUTH
  EXPECT_EQ(s["event_counts"][0], (json{{"event", "decision"},
                                        {"point", "ike_auth"},
                                        {"outcome", "continued"},
                                        {"reason", "not_assigned_elsewhere"},
                                        {"count", 2}}));

  const json p = ask({{"cmd", "peers"}});
  EXPECT_EQ(p["ok"], true);
  ASSERT_EQ(p["peers"].size(), 2U);
  std::set<std::string> identities;
  std::set<std::string> home_addresses;
  for (const auto& peer : p["peers"]) {
    identities.insert(peer["identity"].get<std::string>());
    home_addresses.insert(peer.value("home_address", ""));
    EXPECT_EQ(peer["reservation"], true);
    EXPECT_EQ(peer["bound"], false);
    EXPECT_EQ(peer["rekeys"], 0);
    EXPECT_FALSE(peer.contains("moved_to"));
  }
  EXPECT_EQ(identities, (std::set<std::string>{"mn1.example.org", "mn2.example.org"}));
  EXPECT_EQ(home_addresses, (std::set<std::string>{"2001:db8:3::1", "2001:db8:3::2"}));
  for (const json& bad : {json{{"cmd", "explode"}}, json{{"x", 1}}, json::array(),
                          json{{"cmd", "drain"}, {"grace_s", "soon"}}}) {
    const json a = ask(bad);
    EXPECT_EQ(a["ok"], false) << bad.dump();
    EXPECT_TRUE(a.contains("error")) << bad.dump();
  }
  EXPECT_EQ(protocol_->counters().get(ControlCounter::ControlErrors), 4U);
  // Polling status does not count as a request; the rest do.
  EXPECT_EQ(protocol_->counters().get(ControlCounter::ControlRequests), 5U);
  EXPECT_EQ(ask({{"cmd", "status"}})["admin_state"], "serving");
  EXPECT_EQ(protocol_->counters().get(ControlCounter::ControlRequests), 5U);
}

TEST_F(ControlProtocolTest, DrainAndResumeAnswerWithTheQueueAndTheGracePeriod) {
  build(pool_config(5), 3);
  build_protocol();
  start_all();
  const json drain = ask({{"cmd", "drain"}, {"grace_s", 7}});
  EXPECT_EQ(drain,
            (json{{"ok", true}, {"admin_state", "draining"}, {"queued", 3}, {"grace_s", 7.0}}));
  EXPECT_EQ(drain.dump(), R"({"admin_state":"draining","grace_s":7.0,"ok":true,"queued":3})");
  core_timer();  // the first move
  const json peers = ask({{"cmd", "peers"}});
  int moved = 0;
  for (const auto& peer : peers["peers"]) {
    if (peer.contains("moved_to")) {
      ++moved;
      EXPECT_EQ(peer["moved_to"], kHa2.to_string());
      EXPECT_EQ(peer["move"], "gateway_redirect");
      EXPECT_EQ(peer["reservation"], false);  // given back when it was moved
    }
  }
  EXPECT_EQ(moved, 1);
  EXPECT_EQ(ask({{"cmd", "status"}})["drain_pending"], 2);
  EXPECT_EQ(ask({{"cmd", "resume"}}).dump(), R"({"admin_state":"serving","ok":true})");
  EXPECT_EQ(ask({{"cmd", "status"}})["drain_pending"], 0);
  // No grace given: the configured one.
  EXPECT_EQ(ask({{"cmd", "drain"}})["grace_s"], 20.0);
}

TEST(ControlCounterNames, EveryCounterHasAName) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(ControlCounter::kCount); ++i) {
    EXPECT_NE(to_string(static_cast<ControlCounter>(i)), "unknown");
  }
}

}  // namespace
}  // namespace ha::daemon
