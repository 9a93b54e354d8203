#pragma once
// Two IkeResponder fronts fed the same datagrams, one reading new IKE_SA_INIT requests with
// the fast path (view_init_request + the direct REDIRECT encoder) and one with the full
// decode only, with identical deterministic environments and decisions. After each datagram
// the outputs (every octet sent, every event), the counters and what the decisions were shown
// are compared; feed() returns the first difference in words, empty when there is none.
// Used by tests/ike/engine/init_fast_path_test.cc and the ike_init_front fuzz target.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ike/base/hex.h"
#include "ike/engine/ike_responder.h"
#include "tests/support/deterministic_random.h"

namespace test {

using InitScript = std::function<ike::engine::InitAnswer(const ike::engine::InitRequest&)>;

class InitFrontTwin {
 public:
  InitFrontTwin(ike::engine::IkeResponderConfig config, InitScript script)
      : fast_(config, script, true), full_(config, script, false) {}

  // "" when both fronts did the same.
  std::string feed(const ike::engine::Path& path, std::span<const std::uint8_t> bytes,
                   base::TimePoint now) {
    const std::string fast = fast_.feed(path, bytes, now);
    const std::string full = full_.feed(path, bytes, now);
    if (fast == full) {
      return {};
    }
    return "fast path:\n" + fast + "\nfull path:\n" + full;
  }

  [[nodiscard]] const ike::engine::IkeResponder& fast() const { return *fast_.front; }
  [[nodiscard]] const ike::engine::IkeResponder& full() const { return *full_.front; }
  // The datagrams the fast front sent for the last feed().
  [[nodiscard]] const std::vector<std::vector<std::uint8_t>>& last_sent() const {
    return fast_.sent;
  }

 private:
  class Recording final : public ike::engine::InitDecision {
   public:
    explicit Recording(InitScript s) : script(std::move(s)) {}
    ike::engine::InitAnswer decide(const ike::engine::InitRequest& c, base::TimePoint) override {
      seen += "decide(supported=" + std::to_string(c.redirect_supported) + " from=" +
              (c.redirected_from ? std::to_string(static_cast<int>(c.redirected_from->type)) + ":" +
                                       base::to_hex(c.redirected_from->value)
                                 : std::string("-")) +
              " ni=" + base::to_hex(c.nonce_i) + " half_open=" + std::to_string(c.half_open) +
              ")\n";
      return script(c);
    }
    InitScript script;
    std::string seen;
  };

  struct Side {
    Side(ike::engine::IkeResponderConfig config, InitScript script, bool fast_path)
        : rng(17), kex(18), decision(std::move(script)) {
      config.init_fast_path = fast_path;
      front = std::make_unique<ike::engine::IkeResponder>(
          config, ike::engine::Environment{rng, kex, creds, nullptr}, decision);
    }

    std::string feed(const ike::engine::Path& path, std::span<const std::uint8_t> bytes,
                     base::TimePoint now) {
      decision.seen.clear();
      sent.clear();
      front->on_datagram(path, bytes, now);
      std::string out = decision.seen;
      for (const auto& o : front->take_outputs()) {
        out += describe(o) + "\n";
        if (const auto* d = std::get_if<ike::engine::SendDatagram>(&o)) {
          sent.push_back(d->bytes);
        }
      }
      for (std::size_t i = 0; i < static_cast<std::size_t>(ike::engine::ResponderCounter::kCount);
           ++i) {
        const auto c = static_cast<ike::engine::ResponderCounter>(i);
        out += std::string(ike::engine::to_string(c)) + "=" +
               std::to_string(front->counters().get(c)) + " ";
      }
      return out;
    }

    DeterministicRandom rng;
    DeterministicKeyExchangeFactory kex;
    ike::engine::InMemoryCredentials creds;
    Recording decision;
    std::vector<std::vector<std::uint8_t>> sent;
    std::unique_ptr<ike::engine::IkeResponder> front;
  };

  static std::string endpoint(const ike::engine::Endpoint& e) {
    return e.address.to_string() + "." + std::to_string(e.port);
  }

  static std::string describe(const ike::engine::ResponderOutput& o) {
    using namespace ike::engine;
    if (const auto* d = std::get_if<SendDatagram>(&o)) {
      return "send " + endpoint(d->path.local) + ">" + endpoint(d->path.remote) +
             (d->nat_keepalive ? " keepalive " : " ") + base::to_hex(d->bytes);
    }
    if (const auto* d = std::get_if<InitDecided>(&o)) {
      return "decided " + endpoint(d->path.remote) + " spi_i=" + ike::wire::to_string(d->spi_i) +
             " " + std::string(to_string(d->outcome)) +
             " tag=" + (d->tag ? std::to_string(*d->tag) : "-") + " target=" +
             (d->target ? std::to_string(static_cast<int>(d->target->type)) + ":" +
                              base::to_hex(d->target->value)
                        : std::string("-")) +
             " notify=" + (d->notify ? std::to_string(static_cast<int>(*d->notify)) : "-") +
             " supported=" + std::to_string(d->redirect_supported);
    }
    if (const auto* c = std::get_if<ResponderSaCreated>(&o)) {
      return "created " + ike::wire::to_string(c->spi_i) + "/" + ike::wire::to_string(c->spi_r) +
             " tag=" + std::to_string(c->tag) +
             " supported=" + std::to_string(c->redirect_supported);
    }
    if (const auto* r = std::get_if<ResponderSaRemoved>(&o)) {
      return "removed " + ike::wire::to_string(r->spi_r) + " tag=" + std::to_string(r->tag) +
             " established=" + std::to_string(r->established);
    }
    const auto& e = std::get<ResponderSaEvent>(o);
    return "sa-event " + ike::wire::to_string(e.spi_r) + " #" + std::to_string(e.output.index());
  }

  Side fast_;
  Side full_;
};

}  // namespace test
