#pragma once
// A responder front (IkeResponder) and initiator IkeSas on an in-process network with a fake
// clock, deterministic RNG/DH and an optional NAT box in between (STYLE B5). Shared by the
// COOKIE, NAT traversal and R7296-43 tests.
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/message.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"

namespace test {

inline base::Ip6Addr addr(const char* text) {
  return *base::Ip6Addr::parse(text);
}

inline base::SecretBytes secret(std::string_view s) {
  return base::SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

inline const ike::wire::IdPayload kMnId = ike::wire::IdPayload::make_fqdn("mn1.example.org");
inline const ike::wire::IdPayload kHaId = ike::wire::IdPayload::make_fqdn("ha.example.org");
constexpr std::string_view kPsk = "correct horse battery staple";

// Counts key pairs made: "before any DH" is observable.
class CountingKeyExchangeFactory final : public ike::crypto::KeyExchangeFactory {
 public:
  explicit CountingKeyExchangeFactory(std::uint64_t seed) : inner_(seed) {}
  [[nodiscard]] base::Result<std::unique_ptr<ike::crypto::KeyExchange>> create(
      ike::crypto::DhGroup group) override {
    ++created;
    return inner_.create(group);
  }
  int created = 0;

 private:
  DeterministicKeyExchangeFactory inner_;
};

class ScriptedDecision final : public ike::engine::InitDecision {
 public:
  std::function<ike::engine::InitAnswer(const ike::engine::InitRequest&)> script =
      [](const ike::engine::InitRequest&) {
        return ike::engine::InitAnswer{ike::engine::Serve{7}};
      };
  int asked = 0;
  ike::engine::InitAnswer decide(const ike::engine::InitRequest& c, base::TimePoint) override {
    ++asked;
    return script(c);
  }
};

inline ike::engine::IkeSaConfig mn_config() {
  ike::engine::IkeSaConfig cfg;
  cfg.local_id = kMnId;
  cfg.remote_id = kHaId;
  const auto any = addr("::");
  const auto all = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg.child.ts_i = {ike::wire::TrafficSelector::ipv6_range(any, all)};
  cfg.child.ts_r = {ike::wire::TrafficSelector::ipv6_range(any, all)};
  return cfg;
}

struct Gateway {
  explicit Gateway(ike::engine::IkeResponderConfig cfg, std::uint64_t seed = 100)
      : rng(seed), kex(seed + 1), pool(addr("2001:db8:100::"), 64, 64) {
    creds.add(kMnId, secret(kPsk));
    cfg.sa.local_id = kHaId;
    front = std::make_unique<ike::engine::IkeResponder>(
        cfg, ike::engine::Environment{rng, kex, creds, &pool}, decision);
  }
  DeterministicRandom rng;
  CountingKeyExchangeFactory kex;
  ike::engine::InMemoryCredentials creds;
  ike::engine::InMemoryAddressPool pool;
  ScriptedDecision decision;
  std::unique_ptr<ike::engine::IkeResponder> front;
  std::vector<ike::engine::ResponderOutput> events;  // all but datagrams
  std::vector<ike::engine::SendDatagram> sent;
};

struct Mobile {
  explicit Mobile(std::uint64_t seed, ike::engine::IkeSaConfig cfg = mn_config())
      : rng(seed), kex(seed + 1) {
    creds.add(kHaId, secret(kPsk));
    sa = std::make_unique<ike::engine::IkeSa>(cfg,
                                              ike::engine::Environment{rng, kex, creds, nullptr});
  }
  DeterministicRandom rng;
  DeterministicKeyExchangeFactory kex;
  ike::engine::InMemoryCredentials creds;
  std::unique_ptr<ike::engine::IkeSa> sa;
  std::vector<ike::engine::Output> events;  // all but datagrams
  std::vector<ike::engine::SendDatagram> sent;
};

// A NAT in front of the mobile: its private endpoints appear as `public_address` with a port
// per private endpoint (a new mapping gets the next port). Endpoint-independent, so replies
// to a public endpoint go back to the private one.
class NatBox {
 public:
  explicit NatBox(base::Ip6Addr public_address, std::uint16_t first_port = 40000)
      : public_(public_address), next_port_(first_port) {}
  ike::engine::Endpoint outbound(const ike::engine::Endpoint& inside) {
    auto it = out_.find(key(inside));
    if (it == out_.end()) {
      const ike::engine::Endpoint mapped{public_, next_port_++};
      it = out_.emplace(key(inside), mapped).first;
      in_[mapped.port] = inside;
    }
    return it->second;
  }
  // nullptr: no mapping, the NAT drops it.
  const ike::engine::Endpoint* inbound(const ike::engine::Endpoint& outside) const {
    auto it = in_.find(outside.port);
    return outside.address == public_ && it != in_.end() ? &it->second : nullptr;
  }
  // The mapping times out: the next outbound datagram gets a new public port.
  void forget_all() {
    out_.clear();
    in_.clear();
  }

 private:
  static std::pair<base::Ip6Addr, std::uint16_t> key(const ike::engine::Endpoint& e) {
    return {e.address, e.port};
  }
  base::Ip6Addr public_;
  std::uint16_t next_port_;
  std::map<std::pair<base::Ip6Addr, std::uint16_t>, ike::engine::Endpoint> out_;
  std::map<std::uint16_t, ike::engine::Endpoint> in_;
};

// Carries datagrams between one mobile's SA and the gateway's front, through `nat` if set.
// `to_gateway` may drop (false) or rewrite a datagram on its way to the gateway.
struct Network {
  Network(Gateway& g, Mobile& m, NatBox* n = nullptr) : gw(g), mn(m), nat(n) {}
  Gateway& gw;
  Mobile& mn;
  NatBox* nat = nullptr;
  FakeClock clock;
  std::function<bool(std::vector<std::uint8_t>&)> to_gateway;

  void pump() {
    for (int round = 0; round < 64; ++round) {
      bool moved = false;
      for (auto& o : mn.sa->take_outputs()) {
        auto* s = std::get_if<ike::engine::SendDatagram>(&o);
        if (s == nullptr) {
          mn.events.push_back(std::move(o));
          continue;
        }
        moved = true;
        mn.sent.push_back(*s);
        if (s->nat_keepalive) {
          continue;  // consumed by the NAT-T socket; nothing for the engine
        }
        std::vector<std::uint8_t> bytes = s->bytes;
        if (to_gateway && !to_gateway(bytes)) {
          continue;
        }
        const ike::engine::Endpoint from =
            nat != nullptr ? nat->outbound(s->path.local) : s->path.local;
        gw.front->on_datagram(ike::engine::Path{s->path.remote, from}, bytes, clock.now());
      }
      for (auto& o : gw.front->take_outputs()) {
        auto* s = std::get_if<ike::engine::SendDatagram>(&o);
        if (s == nullptr) {
          gw.events.push_back(std::move(o));
          continue;
        }
        moved = true;
        gw.sent.push_back(*s);
        if (s->nat_keepalive) {
          continue;
        }
        const ike::engine::Endpoint* to = &s->path.remote;
        if (nat != nullptr) {
          to = nat->inbound(s->path.remote);
          if (to == nullptr) {
            continue;
          }
        }
        mn.sa->on_datagram(ike::engine::Path{*to, s->path.local}, s->bytes, clock.now());
      }
      if (!moved) {
        return;
      }
    }
  }
};

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

// Served-SA outputs of the front (ResponderSaEvent) of type T.
template <typename T>
std::vector<T> sa_events(const std::vector<ike::engine::ResponderOutput>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (const auto* se = std::get_if<ike::engine::ResponderSaEvent>(&e)) {
      if (const T* t = std::get_if<T>(&se->output)) {
        out.push_back(*t);
      }
    }
  }
  return out;
}

inline ike::wire::Message decode(const std::vector<std::uint8_t>& bytes) {
  auto m = ike::wire::decode_message(bytes);
  return m ? m->message : ike::wire::Message{};
}

}  // namespace test
