#pragma once
// An in-process pool of home agents for the ha/ike tests (STYLE B5): each HA is an
// IkeResponder front with its own Binding Cache, ReservationLedger, Home Agents List,
// AdmissionPolicy and IkeAdmission (answering at IKE_SA_INIT, and at IKE_AUTH when asked), MNs
// are IkeInitiatorSessions, all with deterministic RNG/DH and a fake clock. Shared by the
// IKE_SA_INIT and IKE_AUTH tests.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ha/ike/ike_admission.h"
#include "ike/engine/ike_initiator_session.h"
#include "ike/engine/ike_responder.h"
#include "ike/wire/message.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace ha::ike_admission::harness {

using namespace std::chrono_literals;
namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using ha::policy::LedgerCounter;
using ha::policy::ReservationLedger;
using mip6::binding::BindingCache;
using mip6::binding::HomeAgentsList;

inline base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

inline base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// Deterministic "random" source: a Weyl sequence, so equal-preference shuffles still vary.
inline mip6::binding::RandomSource weyl_rng() {
  return [n = std::uint64_t{0}]() mutable {
    n += 0x9e3779b97f4a7c15ULL;
    return n ^ (n >> 29);
  };
}

// One PAD entry for the whole pool (R5685-10/11): every HA proves the same identity.
inline const wire::IdPayload kHaId = wire::IdPayload::make_fqdn("ha.example.org");
constexpr std::string_view kPsk = "correct horse battery staple";
constexpr int kMaxMns = 8;  // identities every HA knows

inline const base::Ip6Addr kHa1 = addr("2001:db8:1::1");
inline const base::Ip6Addr kHa2 = addr("2001:db8:2::1");
inline const base::Ip6Addr kHa3 = addr("2001:db8:3::1");

inline wire::IdPayload mn_id(int i) {
  return wire::IdPayload::make_fqdn("mn" + std::to_string(i) + ".example.org");
}
inline base::Ip6Addr mn_addr(int i) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0xff};
  b[15] = static_cast<std::uint8_t>(0x10 + i);
  return base::Ip6Addr(b);
}

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

struct PoolMember {
  base::Ip6Addr ll;
  base::Ip6Addr address;
  std::uint16_t preference;
};

using Assignments =
    std::unordered_map<std::string, base::Ip6Addr, ha::policy::IdentityHash, std::equal_to<>>;

struct HomeAgentOptions {
  std::uint32_t capacity = 8;
  std::vector<PoolMember> others;  // the rest of its Home Agents List
  std::uint32_t max_half_open = 1024;
  // Non-null: IKE_AUTH is decided too (decision point B) with these assignments.
  std::optional<Assignments> assignments = std::nullopt;
};

struct HomeAgent {
  HomeAgent(const base::Ip6Addr& self, HomeAgentOptions options, std::uint64_t seed,
            base::TimePoint now)
      : address(self),
        rng(seed),
        kex(seed + 1),
        pool(addr("2001:db8:100::"), 64, 8),
        cache(BindingCache::Config{options.capacity, 30s, 10s}, now),
        ledger(cache, ReservationLedger::Config{15s}),
        hal(mip6::binding::HomeAgentsListConfig{}, weyl_rng()) {
    for (int i = 0; i < kMaxMns; ++i) {
      creds.add(mn_id(i), secret(kPsk));
    }
    hal.set_configured(addr("fe80::ffff"), {self}, 100, /*self=*/true);
    for (const auto& o : options.others) {
      hal.set_configured(o.ll, {o.address}, o.preference, false);
    }
    ha::policy::AdmissionPolicyConfig pc;
    pc.unicast_addresses = {self};
    if (options.assignments) {
      pc.assignments = *options.assignments;
    }
    auto p = ha::policy::AdmissionPolicy::create(pc, ledger, hal, weyl_rng());
    EXPECT_TRUE(p.has_value());
    policy = std::make_unique<ha::policy::AdmissionPolicy>(std::move(*p));
    admission = std::make_unique<IkeAdmission>(*policy, ledger);
    engine::IkeResponderConfig cfg;
    cfg.sa.local_id = kHaId;
    cfg.sa.child.transport_mode = true;
    cfg.max_half_open = options.max_half_open;
    engine::Environment env{rng, kex, creds, &pool};
    if (options.assignments) {
      env.auth_decision = admission.get();
    }
    front = std::make_unique<engine::IkeResponder>(cfg, env, *admission);
  }

  base::Ip6Addr address;
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  engine::InMemoryAddressPool pool;
  BindingCache cache;
  ReservationLedger ledger;
  HomeAgentsList hal;
  std::unique_ptr<ha::policy::AdmissionPolicy> policy;
  std::unique_ptr<IkeAdmission> admission;
  std::unique_ptr<engine::IkeResponder> front;
  std::vector<engine::ResponderOutput> events;  // everything but datagrams
};

struct Mn {
  Mn(int i, std::string_view psk = kPsk, bool announce = true)
      : rng(1000 + static_cast<std::uint64_t>(i)),
        kex(2000 + static_cast<std::uint64_t>(i)),
        address(mn_addr(i)) {
    creds.add(kHaId, secret(psk));
    cfg.sa.local_id = mn_id(i);
    cfg.sa.remote_id = kHaId;
    cfg.sa.child.transport_mode = true;
    const auto any = addr("::");
    const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    cfg.sa.child.ts_i = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.child.ts_r = {wire::TrafficSelector::ipv6_range(any, all)};
    cfg.sa.retransmit.max_retransmits = 2;
    cfg.sa.announce_redirect_support = announce;
    cfg.gateway_permitted = [](const wire::GwIdentity&) { return true; };
    session = std::make_unique<engine::IkeInitiatorSession>(
        cfg, engine::Environment{rng, kex, creds, nullptr});
  }
  test::DeterministicRandom rng;
  test::DeterministicKeyExchangeFactory kex;
  engine::InMemoryCredentials creds;
  engine::InitiatorSessionConfig cfg;
  base::Ip6Addr address;
  std::unique_ptr<engine::IkeInitiatorSession> session;
  std::vector<engine::SessionOutput> events;
  std::vector<engine::SendDatagram> sent;
};

// The network between the MNs and the HAs: datagrams go to the HA or MN whose address they
// name; the HAs' other outputs go through their IkeAdmission (the ledger) into `events`.
struct PoolNet {
  HomeAgent& ha(const base::Ip6Addr& a) { return *has.at(a); }

  Mn& add_mn(int i, std::string_view psk = kPsk, bool announce = true) {
    mns.push_back(std::make_unique<Mn>(i, psk, announce));
    return *mns.back();
  }

  void start(Mn& mn, const base::Ip6Addr& first = kHa1) {
    ASSERT_TRUE(mn.session->start(engine::Path{{mn.address, 500}, {first, 500}}, clock.now()));
  }

  void pump() {
    for (int round = 0; round < 512; ++round) {
      bool moved = false;
      for (auto& mn : mns) {
        for (auto& o : mn->session->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            mn->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          mn->sent.push_back(*s);
          auto it = has.find(s->path.remote.address);
          if (it != has.end()) {
            it->second->front->on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes,
                                           clock.now());
          }
        }
      }
      for (auto& [a, h] : has) {
        for (auto& o : h->front->take_outputs()) {
          auto* s = std::get_if<engine::SendDatagram>(&o);
          if (s == nullptr) {
            h->admission->on_responder_output(o, clock.now());
            h->events.push_back(std::move(o));
            continue;
          }
          moved = true;
          for (auto& mn : mns) {
            if (mn->address == s->path.remote.address) {
              mn->session->on_datagram(engine::Path{s->path.remote, s->path.local}, s->bytes,
                                       clock.now());
            }
          }
        }
      }
      if (!moved) {
        return;
      }
    }
    ADD_FAILURE() << "pump did not settle";
  }

  test::FakeClock clock;
  std::map<base::Ip6Addr, std::unique_ptr<HomeAgent>> has;
  std::vector<std::unique_ptr<Mn>> mns;
};

}  // namespace ha::ike_admission::harness
