#pragma once
// HaCore behind a real IkeResponder front, with in-process initiators (deterministic RNG/DH,
// fake clock): the fixture of the HaCore and control protocol tests. The fixture plays the
// shell: it delivers the front's outputs to the core, keeps the core's events, and carries
// out its RedirectSa commands (recorded; on the front's SA when `redirect_on_front_`).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ha/daemon/ha_core.h"
#include "tests/ike/engine/front_harness.h"

namespace ha::daemon::core_test {

namespace engine = ::ike::engine;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::addr;

inline const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
inline const base::Ip6Addr kHa2 = addr("2001:db8:1::2");
inline const base::Ip6Addr kHa3 = addr("2001:db8:1::3");
inline const base::Ip6Addr kAnycast = addr("2001:db8:1::a");

inline base::Ip6Addr mn_address(int i) {
  base::Ip6Addr a = addr("2001:db8:1::100");
  a.bytes()[15] = static_cast<std::uint8_t>(i);
  return a;
}

inline HaDaemonConfig pool_config(std::uint32_t capacity) {
  HaDaemonConfig c;
  c.name = "ha1";
  c.addresses = {kHa1};
  c.identity = "ha.example.org";
  c.psks = {{"*", std::string(test::kPsk)}};
  c.capacity = capacity;
  c.reservation_ttl = seconds(10);
  c.home_prefix = addr("2001:db8:3::");
  c.home_prefix_len = 64;
  // One Home Agents List for the pool: HA2 is the best target, then HA3.
  c.home_agents = {{kHa1, 100}, {kHa2, 300}, {kHa3, 200}};
  c.drain_interval = seconds(1);
  c.drain_jitter = milliseconds(0);
  c.drain_grace = seconds(20);
  return c;
}

// HA1: HaCore + IkeResponder front; N initiators on their own addresses.
class HaCoreTest : public ::testing::Test {
 protected:
  // A RedirectSa the core asked for, and when the shell carried it out.
  struct RedirectCall {
    RedirectSa command;
    base::TimePoint at;
  };

  void build(HaDaemonConfig config, int mobiles) {
    config_ = std::move(config);
    auto core =
        HaCore::create(config_, clock_.now(), [n = std::uint64_t{0}]() mutable { return ++n; });
    ASSERT_TRUE(core) << core.error();
    core_ = std::move(*core);
    engine::Environment env{rng_, kex_, creds_, &core_->address_pool()};
    env.auth_decision = &core_->auth_decision();
    engine::IkeResponderConfig rc;
    rc.sa.local_id = test::kHaId;
    front_ = std::make_unique<engine::IkeResponder>(rc, env, core_->init_decision());
    for (int i = 0; i < mobiles; ++i) {
      // Identities mn1.example.org, mn2..., each with the pool's PSK.
      engine::IkeSaConfig mn = test::mn_config();
      mn.local_id =
          ::ike::wire::IdPayload::make_fqdn("mn" + std::to_string(i + 1) + ".example.org");
      mn.request_address = true;  // the home address by CP (RFC 5026)
      creds_.add(mn.local_id, test::secret(test::kPsk));
      mobiles_.push_back(std::make_unique<test::Mobile>(1000 + 10 * i, mn));
    }
  }

  engine::Path path_of(int i) const { return {{mn_address(i), 500}, {kHa1, 500}}; }

  // Every initiator sends its IKE_SA_INIT before the gateway answers any: concurrent
  // bootstraps as the front sees them.
  void start_all() {
    for (std::size_t i = 0; i < mobiles_.size(); ++i) {
      ASSERT_TRUE(mobiles_[i]->sa->initiate(path_of(static_cast<int>(i)), clock_.now()));
    }
    pump();
  }

  // The shell's part after every core input: keep the events, carry out the commands (RFC
  // 5685 5 on the front's SA, or just recorded as sent) and report them back.
  void shell() {
    for (;;) {
      for (auto& e : core_->take_events()) {
        events_.push_back(std::move(e));
      }
      const auto commands = core_->take_commands();
      if (commands.empty()) {
        return;
      }
      for (const auto& c : commands) {
        const auto& r = std::get<RedirectSa>(c);
        redirects_.push_back({r, clock_.now()});
        base::Result<void, std::string> done;
        if (redirect_on_front_) {
          auto on_sa = front_->with_sa(
              r.spi_r,
              [&](engine::IkeSa& sa, base::TimePoint at) {
                return sa.redirect(r.gateway, r.grace, at);
              },
              clock_.now());
          deliver_front_outputs();
          if (!on_sa) {
            done = base::fail(std::string(on_sa.error().code));
          }
        }
        core_->on_redirect_done(r.id, done, clock_.now());
      }
    }
  }

  void core_timer() {
    core_->on_timer(clock_.now());
    shell();
  }

  void deliver_front_outputs() {
    for (auto& o : front_->take_outputs()) {
      if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
        front_sent_.push_back(*s);
        for (std::size_t i = 0; i < mobiles_.size(); ++i) {
          if (s->path.remote.address == mn_address(static_cast<int>(i))) {
            mobiles_[i]->sa->on_datagram({s->path.remote, s->path.local}, s->bytes, clock_.now());
          }
        }
        continue;
      }
      const engine::IkeSa* sa = nullptr;
      if (const auto* e = std::get_if<engine::ResponderSaEvent>(&o)) {
        sa = front_->find(e->spi_r);
      }
      core_->on_responder_output(o, sa, clock_.now());
      shell();
    }
  }

  void pump() {
    for (int round = 0; round < 32; ++round) {
      bool moved = false;
      for (auto& m : mobiles_) {
        for (auto& o : m->sa->take_outputs()) {
          if (auto* s = std::get_if<engine::SendDatagram>(&o)) {
            moved = true;
            front_->on_datagram({s->path.remote, s->path.local}, s->bytes, clock_.now());
          } else {
            m->events.push_back(std::move(o));
          }
        }
      }
      deliver_front_outputs();
      if (!moved) {
        return;
      }
    }
  }

  // Runs the core's timer until `until`, at each deadline.
  void run_core_until(base::TimePoint until) {
    while (core_->next_deadline() <= until) {
      clock_.advance_to(core_->next_deadline());
      core_timer();
    }
    clock_.advance_to(until);
  }

  // Runs every timer (core, front, initiators) up to `until`, delivering what they send.
  void run_all_until(base::TimePoint until) {
    for (int i = 0; i < 1000; ++i) {
      base::TimePoint next = std::min(core_->next_deadline(), front_->next_deadline());
      for (const auto& m : mobiles_) {
        next = std::min(next, m->sa->next_deadline());
      }
      if (next > until) {
        break;
      }
      clock_.advance_to(std::max(next, clock_.now()));
      core_timer();
      front_->on_timer(clock_.now());
      for (auto& m : mobiles_) {
        m->sa->on_timer(clock_.now());
      }
      pump();
    }
    clock_.advance_to(until);
  }

  template <class T>
  std::vector<const T*> mobile_events(std::size_t i) const {
    std::vector<const T*> v;
    for (const auto& o : mobiles_[i]->events) {
      if (const auto* p = std::get_if<T>(&o)) {
        v.push_back(p);
      }
    }
    return v;
  }
  // The core's events of one type so far, in order.
  template <class T>
  std::vector<T> events_of() {
    shell();
    std::vector<T> v;
    for (const auto& e : events_) {
      if (const auto* t = std::get_if<T>(&e)) {
        v.push_back(*t);
      }
    }
    return v;
  }
  std::vector<ha::policy::AdmissionEvent> decisions_at(engine::DecisionPoint point) {
    std::vector<ha::policy::AdmissionEvent> v;
    for (const auto& d : events_of<ha::policy::AdmissionEvent>()) {
      if (d.point == point) {
        v.push_back(d);
      }
    }
    return v;
  }

  test::FakeClock clock_;
  HaDaemonConfig config_;
  std::unique_ptr<HaCore> core_;
  test::DeterministicRandom rng_{77};
  test::DeterministicKeyExchangeFactory kex_{78};
  engine::InMemoryCredentials creds_;
  std::unique_ptr<engine::IkeResponder> front_;
  std::vector<std::unique_ptr<test::Mobile>> mobiles_;
  std::vector<CoreEvent> events_;
  std::vector<engine::SendDatagram> front_sent_;
  std::vector<RedirectCall> redirects_;
  bool redirect_on_front_ = false;  // false: the shell reports every redirect as sent
};

}  // namespace ha::daemon::core_test
