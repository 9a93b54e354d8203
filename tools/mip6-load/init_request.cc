#include "tools/mip6-load/init_request.h"

#include <openssl/rand.h>

#include <cstring>

#include "ike/crypto/key_exchange.h"
#include "ike/engine/proposals.h"
#include "ike/wire/message.h"

namespace mip6load {

namespace wire = ike::wire;

base::Result<RequestTemplate, std::string> RequestTemplate::build(const RequestOptions& options) {
  if (options.nonce_size < 16 || options.nonce_size > 256) {
    return base::fail(std::string("nonce size must be 16..256"));
  }
  auto kex = ike::crypto::generate_key_exchange(ike::crypto::DhGroup::Curve25519);
  if (!kex) {
    return base::fail(std::string("X25519 key generation failed"));
  }
  wire::Message m;
  m.header.exchange = wire::ExchangeType::IkeSaInit;
  m.header.initiator = true;
  m.header.spi_i = wire::Spi(1);  // stamped per request
  // Our own offer: AES-GCM-16, HMAC-SHA2, X25519 first, as the MN sends it.
  m.payloads.push_back(wire::make_payload(ike::engine::make_ike_sa_offer({})));
  wire::KePayload ke;
  ke.dh_group = static_cast<std::uint16_t>(ike::crypto::DhGroup::Curve25519);
  ke.data.assign((*kex)->public_value().begin(), (*kex)->public_value().end());
  m.payloads.push_back(wire::make_payload(std::move(ke)));
  wire::NoncePayload nonce;
  nonce.data.assign(options.nonce_size, 0);
  m.payloads.push_back(wire::make_payload(std::move(nonce)));
  if (options.redirected_from) {
    auto from = wire::make_redirected_from(wire::GwIdentity::ipv6(*options.redirected_from));
    if (!from) {
      return base::fail(std::string("cannot encode REDIRECTED_FROM"));
    }
    m.payloads.push_back(wire::make_payload(std::move(*from)));
  } else if (options.redirect_supported) {
    m.payloads.push_back(wire::make_payload(wire::make_redirect_supported()));
  }
  auto bytes = wire::encode_message(m);
  if (!bytes) {
    return base::fail(std::string("cannot encode the IKE_SA_INIT request"));
  }
  RequestTemplate t;
  t.bytes_ = std::move(*bytes);
  t.nonce_size_ = options.nonce_size;
  // The header's Next Payload (octet 16) starts the chain; encode_message computed it.
  auto chain = wire::walk_payloads(static_cast<wire::PayloadType>(t.bytes_[16]),
                                   std::span<const std::uint8_t>(t.bytes_).subspan(28), 28, false);
  if (!chain) {
    return base::fail(std::string("cannot walk our own request"));
  }
  for (const auto& raw : *chain) {
    if (raw.type == wire::PayloadType::Nonce) {
      t.nonce_offset_ = raw.offset + 4;
    }
  }
  if (t.nonce_offset_ == 0 || t.nonce_offset_ + t.nonce_size_ > t.bytes_.size()) {
    return base::fail(std::string("no Ni in our own request"));
  }
  return t;
}

void RequestTemplate::stamp(std::span<std::uint8_t> out, std::uint64_t spi_i,
                            std::span<const std::uint8_t> nonce) const {
  std::memcpy(out.data(), bytes_.data(), bytes_.size());
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(spi_i >> (56 - 8 * i));
  }
  std::memcpy(out.data() + nonce_offset_, nonce.data(), nonce_size_);
}

namespace {
std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

FastRandom::FastRandom() {
  std::uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1) {
    seed = 0x6d697036;  // still distinct per request; only unpredictability is lost
  }
  *this = FastRandom(seed);
}

FastRandom::FastRandom(std::uint64_t seed) {
  for (auto& s : s_) {
    s = splitmix(seed);
  }
}

std::uint64_t FastRandom::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void FastRandom::fill(std::span<std::uint8_t> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    const std::uint64_t w = next();
    const std::size_t n = std::min<std::size_t>(8, out.size() - i);
    std::memcpy(out.data() + i, &w, n);
    i += n;
  }
}

}  // namespace mip6load
