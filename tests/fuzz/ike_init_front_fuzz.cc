// The IKE_SA_INIT paths that read untrusted bytes before any authentication: the responder
// front (with cookies demanded: N(COOKIE) decoding and verification, stateless answers through
// the R7296-43 bucket; and without: decision, served SA, NAT-D check) and an initiator SA
// waiting for its IKE_SA_INIT answer (N(COOKIE) retry, INVALID_KE, REDIRECT, NAT-D and the
// NAT-T float). Any input must be dropped or answered, never crash.
// The front's fast path (view_init_request, issue 4) runs against the full decode on every
// input (tests/support/init_front_twin.h): a redirecting and a serving decision, cookies
// demanded or not; any difference in octets, events, counters or decision inputs aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "ike/engine/ike_responder.h"
#include "ike/engine/ike_sa.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/init_front_twin.h"

namespace {

using namespace ike::engine;

class ServeAll final : public InitDecision {
 public:
  InitAnswer decide(const InitRequest&, base::TimePoint) override { return Serve{1}; }
};

const Path kPath{{*base::Ip6Addr::parse("2001:db8:1::1"), 500},
                 {*base::Ip6Addr::parse("2001:db8:ff::10"), 500}};

void through_front(std::span<const std::uint8_t> input, std::uint32_t cookie_threshold) {
  test::DeterministicRandom rng(1);
  test::DeterministicKeyExchangeFactory kex(2);
  InMemoryCredentials creds;
  ServeAll decision;
  IkeResponderConfig cfg;
  cfg.cookie_threshold = cookie_threshold;
  IkeResponder front(cfg, Environment{rng, kex, creds, nullptr}, decision);
  front.on_datagram(kPath, input, {});
  (void)front.take_outputs();
}

// Differences between the fast and the full path are bugs: abort so libFuzzer keeps the input.
void fast_against_full(std::span<const std::uint8_t> input, std::optional<std::uint32_t> cookies,
                       bool serve) {
  IkeResponderConfig cfg;
  cfg.cookie_threshold = cookies;
  test::InitFrontTwin twin(cfg, [serve](const InitRequest&) -> InitAnswer {
    if (serve) {
      return Serve{1};
    }
    return Redirect{ike::wire::GwIdentity::ipv6(*base::Ip6Addr::parse("2001:db8:2::1"))};
  });
  const std::string diff = twin.feed(kPath, input, {});
  if (!diff.empty()) {
    std::fprintf(stderr, "fast and full IKE_SA_INIT paths differ:\n%s\n", diff.c_str());
    std::abort();
  }
}

void as_init_response(std::span<const std::uint8_t> input) {
  test::DeterministicRandom rng(3);
  test::DeterministicKeyExchangeFactory kex(4);
  InMemoryCredentials creds;
  IkeSaConfig cfg;
  cfg.remote_id = ike::wire::IdPayload::make_fqdn("ha.example.org");
  creds.add(cfg.remote_id, base::SecretBytes(std::vector<std::uint8_t>(16, 1)));
  IkeSa sa(cfg, Environment{rng, kex, creds, nullptr});
  const Path mine{kPath.remote, kPath.local};
  if (!sa.initiate(mine, {})) {
    return;
  }
  (void)sa.take_outputs();
  // Our SPIi in front, so the bytes reach handle_init_response and not just the SPI check.
  std::vector<std::uint8_t> bytes(input.begin(), input.end());
  if (bytes.size() >= 8) {
    const std::uint64_t spi = sa.spi_i().value();
    for (int i = 0; i < 8; ++i) {
      bytes[i] = static_cast<std::uint8_t>(spi >> (8 * (7 - i)));
    }
  }
  sa.on_datagram(mine, bytes, {});
  (void)sa.take_outputs();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  through_front(input, 0);
  through_front(input, 1024);
  fast_against_full(input, std::nullopt, false);
  fast_against_full(input, 0, false);
  fast_against_full(input, std::nullopt, true);
  as_init_response(input);
  return 0;
}
