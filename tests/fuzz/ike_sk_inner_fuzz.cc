// The decrypted SK path (issue 3: "fuzz targets for the message parser and for the decrypted
// SK path"): the fuzz input becomes the PLAINTEXT of an SK payload, sealed under the real
// keys of an IKE SA between two of our engines (deterministic RNG/DH), so every input passes
// the ICV and reaches the inner-payload decoder, the per-exchange rules and the handlers:
//   input[0] % 4  0: IKE_AUTH request to a responder waiting for it (InitResponded)
//                 1: INFORMATIONAL request (Message ID 2) to an established responder
//                 2: CREATE_CHILD_SA request (Message ID 2) to an established responder
//                 3: IKE_AUTH response to an initiator waiting for it (AuthRequestSent)
//   input[1]      the first inner payload type (SK's Next Payload)
//   input[2..]    the inner payload chain (SK padding is added here)
// Any input must be dropped, answered or fail the SA, never crash.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/crypto/sk_cipher.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"
#include "ike/wire/message.h"
#include "tests/ike/engine/loopback.h"
#include "tests/support/deterministic_random.h"

namespace {

using namespace ike::engine;
namespace iw = ike::wire;
namespace ic = ike::crypto;

const iw::IdPayload kMnId = iw::IdPayload::make_fqdn("mn1.example.org");
const iw::IdPayload kHaId = iw::IdPayload::make_fqdn("ha.example.org");
const Path kPath{{*base::Ip6Addr::parse("2001:db8:ff::10"), 500},
                 {*base::Ip6Addr::parse("2001:db8:1::1"), 500}};

// `plaintext` sealed as the SK payload of a message from `sa`'s peer.
std::vector<std::uint8_t> seal(const IkeSa& sa, iw::ExchangeType exchange, std::uint32_t id,
                               bool from_initiator, std::uint8_t inner_first,
                               std::span<const std::uint8_t> plaintext) {
  const ic::IkeSaKeys* keys = sa.keys();
  if (keys == nullptr || !sa.suite()) {
    return {};
  }
  test::DeterministicRandom iv_source(5);  // outlives the cipher
  const auto suite = *sa.suite();  // suite() returns by value: keep the copy alive
  const auto& t = suite.transforms;
  auto cipher = ic::make_sk_cipher(t.encr, t.encr_key_bits, t.integ,
                                   (from_initiator ? keys->sk_ei : keys->sk_er).view(),
                                   (from_initiator ? keys->sk_ai : keys->sk_ar).view(), iv_source);
  if (!cipher) {
    return {};
  }
  const std::vector<std::uint8_t> padded = ic::add_sk_padding(plaintext, (*cipher)->block_size());
  iw::Message m;
  m.header.spi_i = sa.spi_i();
  m.header.spi_r = sa.spi_r();
  m.header.exchange = exchange;
  m.header.initiator = from_initiator;
  m.header.response = !from_initiator;
  m.header.message_id = iw::MessageId(id);
  iw::SkPayload sk;
  sk.inner_first = static_cast<iw::PayloadType>(inner_first);
  sk.data.assign((*cipher)->body_size(padded.size()), 0);
  m.payloads.push_back(iw::make_payload(std::move(sk)));
  auto bytes = iw::encode_message(m);
  if (!bytes) {
    return {};
  }
  auto loc = iw::locate_sk(*bytes);
  if (!loc || !*loc) {
    return {};
  }
  const std::vector<std::uint8_t> aad((*loc)->aad(*bytes).begin(), (*loc)->aad(*bytes).end());
  auto body = (*cipher)->seal_body(aad, padded);
  auto dst = (*loc)->body(std::span<std::uint8_t>(*bytes));
  if (!body || body->size() != dst.size()) {
    return {};
  }
  std::copy(body->begin(), body->end(), dst.begin());
  return std::move(*bytes);
}

void run(std::uint8_t variant, std::uint8_t inner_first, std::span<const std::uint8_t> plain) {
  test::DeterministicRandom rng_i(11);
  test::DeterministicRandom rng_r(22);
  test::DeterministicKeyExchangeFactory kex_i(33);
  test::DeterministicKeyExchangeFactory kex_r(44);
  InMemoryCredentials creds_i;
  InMemoryCredentials creds_r;
  const base::SecretBytes psk(std::vector<std::uint8_t>(16, 7));
  creds_i.add(kHaId, psk);
  creds_r.add(kMnId, psk);
  InMemoryAddressPool pool(*base::Ip6Addr::parse("2001:db8:1::"), 64, 4);
  IkeSaConfig cfg_i;
  cfg_i.local_id = kMnId;
  cfg_i.remote_id = kHaId;
  cfg_i.request_address = true;
  const auto any = *base::Ip6Addr::parse("::");
  const auto all = *base::Ip6Addr::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg_i.child.ts_i = {iw::TrafficSelector::ipv6_range(any, all)};
  cfg_i.child.ts_r = {iw::TrafficSelector::ipv6_range(any, all)};
  IkeSaConfig cfg_r;
  cfg_r.role = Role::Responder;
  cfg_r.local_id = kHaId;
  IkeSa init(cfg_i, Environment{rng_i, kex_i, creds_i, nullptr});
  IkeSa resp(cfg_r, Environment{rng_r, kex_r, creds_r, &pool});
  test::Loopback net(init, kPath, resp);
  const bool half = variant == 0 || variant == 3;
  int requests = 0;  // outlives the hook, which runs in every later pump
  if (half) {
    // Stop after IKE_SA_INIT: the IKE_AUTH request never arrives.
    net.set_hook([&requests](test::Loopback::Dir dir, std::vector<std::uint8_t>&) {
      return dir != test::Loopback::Dir::AtoB || ++requests < 2;
    });
  }
  if (!init.initiate(kPath, {})) {
    return;
  }
  net.pump({});
  const Path to_resp{kPath.remote, kPath.local};
  switch (variant) {
    case 0:
      resp.on_datagram(to_resp, seal(resp, iw::ExchangeType::IkeAuth, 1, true, inner_first, plain),
                       {});
      break;
    case 1:
      resp.on_datagram(
          to_resp, seal(resp, iw::ExchangeType::Informational, 2, true, inner_first, plain), {});
      break;
    case 2:
      resp.on_datagram(
          to_resp, seal(resp, iw::ExchangeType::CreateChildSa, 2, true, inner_first, plain), {});
      break;
    default:
      init.on_datagram(kPath, seal(init, iw::ExchangeType::IkeAuth, 1, false, inner_first, plain),
                       {});
      break;
  }
  (void)init.take_outputs();
  (void)resp.take_outputs();
  // The harness is only worth running if the sealed input got past the ICV.
  if (init.counters().get(IkeCounter::DroppedDecryptFailed) != 0 ||
      resp.counters().get(IkeCounter::DroppedDecryptFailed) != 0) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  run(static_cast<std::uint8_t>(data[0] % 4), data[1],
      std::span<const std::uint8_t>(data + 2, size - 2));
  return 0;
}
