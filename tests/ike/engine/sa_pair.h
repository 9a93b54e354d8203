#pragma once
// A ready-made initiator (MN) + responder (HA) pair over a Loopback with deterministic RNG and
// DH and a fake clock (STYLE B5), shared by the IkeSa engine tests. Tweak cfg_i / cfg_r, then
// build() or run() (IKE_SA_INIT + IKE_AUTH).
#include <gtest/gtest.h>

#include <memory>
#include <string_view>
#include <vector>

#include "ike/engine/address_provider.h"
#include "ike/engine/ike_sa.h"
#include "tests/ike/engine/loopback.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace ike::engine {

inline base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

inline base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

inline std::vector<std::uint8_t> bytes_of(const base::SecretBytes& s) {
  return {s.view().begin(), s.view().end()};
}

inline const wire::IdPayload kMnId = wire::IdPayload::make_fqdn("mn1.example.org");
inline const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");

// One exchange set-up: initiator (MN) and responder (HA), each with its own environment.
struct Fixture {
  test::DeterministicRandom rng_i{11};
  test::DeterministicRandom rng_r{22};
  test::DeterministicKeyExchangeFactory kex_i{33};
  test::DeterministicKeyExchangeFactory kex_r{44};
  InMemoryCredentials creds_i;
  InMemoryCredentials creds_r;
  InMemoryAddressPool pool{addr("2001:db8:1::"), 64, 4};
  IkeSaConfig cfg_i;
  IkeSaConfig cfg_r;
  std::unique_ptr<IkeSa> init;
  std::unique_ptr<IkeSa> resp;
  std::unique_ptr<test::Loopback> net;
  test::FakeClock clock;
  Path path{{addr("2001:db8:ff::10"), 500}, {addr("2001:db8:1::1"), 500}};

  Fixture() {
    cfg_i.role = Role::Initiator;
    cfg_i.local_id = kMnId;
    cfg_i.remote_id = kHaId;
    cfg_i.request_address = true;
    cfg_i.request_home_prefix = true;
    cfg_i.child.transport_mode = true;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg_i.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg_i.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg_r.role = Role::Responder;
    cfg_r.local_id = kHaId;
    cfg_r.child.transport_mode = true;
    creds_i.add(kHaId, secret("correct horse battery staple"));
    creds_r.add(kMnId, secret("correct horse battery staple"));
  }

  void build() {
    init = std::make_unique<IkeSa>(cfg_i, Environment{rng_i, kex_i, creds_i, nullptr});
    resp = std::make_unique<IkeSa>(cfg_r, Environment{rng_r, kex_r, creds_r, &pool});
    net = std::make_unique<test::Loopback>(*init, path, *resp);
  }

  void run() {
    build();
    ASSERT_TRUE(init->initiate(path, clock.now()));
    net->pump(clock.now());
  }

  // Runs both peers' timers up to `until` (at most `max_steps` of them), delivering what
  // they send; the clock ends at `until`.
  void run_until(base::TimePoint until, int max_steps = 400) {
    for (int i = 0; i < max_steps; ++i) {
      const auto next = std::min(init->next_deadline(), resp->next_deadline());
      if (next > until) {
        break;
      }
      clock.advance_to(next);
      init->on_timer(clock.now());
      resp->on_timer(clock.now());
      net->pump(clock.now());
    }
    clock.advance_to(until);
  }
};

}  // namespace ike::engine
