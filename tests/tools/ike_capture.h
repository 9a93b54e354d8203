#pragma once
// Encrypted IKEv2 captures for mip6-dissect's SK decryption tests and the tshark oracle
// (tests/oracle/ike_capture.cc): two of OUR IkeSa engines run IKE_SA_INIT + IKE_AUTH over the
// in-process Loopback with deterministic RNG and DH, every datagram is wrapped in UDP over
// IPv6, and the IKE SA keys come out as Wireshark decryption-table rows. Header-only so the
// gtest binary and the oracle's generator share it.
//
// Our proposals offer AES-GCM-16 only, so the AES-CBC + HMAC-SHA2-256-128 messages are made
// by re-protecting a real IKE_AUTH's decrypted inner payloads under fixed CBC keys and other
// SPIs (engine::build_protected, the code the engine sends with).
#include <memory>
#include <string>
#include <vector>

#include "ike/crypto/sk_cipher.h"
#include "ike/engine/address_provider.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/peer_credentials.h"
#include "ike/engine/sk_protection.h"
#include "tests/ike/engine/loopback.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"
#include "tests/tools/ike_packets.h"

namespace mip6::test_ike {

namespace ie = ike::engine;
namespace ic = ike::crypto;

inline const iw::IdPayload kCaptureMnId = iw::IdPayload::make_fqdn("mn1.example.org");
inline const iw::IdPayload kCaptureHaId = iw::IdPayload::make_fqdn("ha.example.org");

// One IKE SA's keys as the keylog writer takes them.
struct CapturedKeys {
  iw::Spi spi_i;
  iw::Spi spi_r;
  ic::IkeSaTransforms transforms;
  ic::IkeSaKeys keys;
};

// One IKE message as captured: the IP packet plus what the test expects of it.
struct CapturedPacket {
  std::string name;
  Bytes packet;         // IPv6 + UDP (+ non-ESP marker on 4500) + IKE
  Bytes ike;            // the IKE message alone
  std::string decrypt;  // "clear", "ok", "integrity" (tampered), "no_key"
  // The inner payload types of an SK message, in order (empty for clear messages).
  std::vector<int> inner_types;
};

struct CapturedExchange {
  std::vector<CapturedPacket> packets;
  CapturedKeys keys;
  std::vector<iw::Payload> auth_request_inner;  // for re-protection and expectations
  std::vector<iw::Payload> auth_response_inner;
};

inline std::vector<int> types_of(const std::vector<iw::Payload>& payloads) {
  std::vector<int> out;
  for (const auto& p : payloads) {
    out.push_back(static_cast<int>(p.type));
  }
  return out;
}

// Wraps one IKE message from the initiator (kMn) or the responder (kGw1).
inline Bytes wrap(const Bytes& ike, bool from_initiator, bool port4500) {
  const auto& src = from_initiator ? kMn : kGw1;
  const auto& dst = from_initiator ? kGw1 : kMn;
  if (port4500) {
    return udp6(src, dst, kPortNatT, kPortNatT, iw::add_non_esp_marker(ike));
  }
  return udp6(src, dst, kPortIke, kPortIke, ike);
}

// The decrypted inner payloads of a message the engine protected with `keys`.
inline std::vector<iw::Payload> open_inner(const Bytes& ike, const CapturedKeys& k) {
  auto decoded = iw::decode_message(ike);
  if (!decoded) {
    return {};
  }
  const bool from_i = decoded->message.header.initiator;
  auto cipher = ic::make_sk_cipher(
      k.transforms.encr, k.transforms.encr_key_bits, k.transforms.integ,
      (from_i ? k.keys.sk_ei : k.keys.sk_er).view(), (from_i ? k.keys.sk_ai : k.keys.sk_ar).view());
  if (!cipher) {
    return {};
  }
  auto opened = ie::open_protected(*decoded, ike, **cipher);
  if (!opened) {
    return {};
  }
  return opened->inner.payloads;
}

// IKE_SA_INIT + IKE_AUTH between two engines with AES-GCM-16 of `gcm_bits`. `seed` varies
// the SPIs, nonces and DH values between exchanges.
inline CapturedExchange capture_exchange(std::uint16_t gcm_bits, std::uint64_t seed, bool port4500,
                                         const std::string& label) {
  test::DeterministicRandom rng_i{seed * 100 + 11};
  test::DeterministicRandom rng_r{seed * 100 + 22};
  test::DeterministicKeyExchangeFactory kex_i{seed * 100 + 33};
  test::DeterministicKeyExchangeFactory kex_r{seed * 100 + 44};
  ie::InMemoryCredentials creds_i;
  ie::InMemoryCredentials creds_r;
  const std::string psk = "correct horse battery staple";
  const base::SecretBytes secret(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(psk.data()), psk.size()));
  creds_i.add(kCaptureHaId, secret);
  creds_r.add(kCaptureMnId, secret);
  ie::InMemoryAddressPool pool(addr6("2001:db8:1::"), 64, 4);

  ie::IkeSaConfig cfg_i;
  cfg_i.role = ie::Role::Initiator;
  cfg_i.local_id = kCaptureMnId;
  cfg_i.remote_id = kCaptureHaId;
  cfg_i.request_address = true;
  cfg_i.request_home_prefix = true;
  cfg_i.child.transport_mode = true;
  const auto any = addr6("::");
  const auto all = addr6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  cfg_i.child.ts_i = {iw::TrafficSelector::ipv6_range(any, all)};
  cfg_i.child.ts_r = {iw::TrafficSelector::ipv6_range(any, all)};
  cfg_i.ike.gcm16_key_bits = {gcm_bits};
  ie::IkeSaConfig cfg_r;
  cfg_r.role = ie::Role::Responder;
  cfg_r.local_id = kCaptureHaId;
  cfg_r.child.transport_mode = true;
  cfg_r.ike.gcm16_key_bits = {gcm_bits};

  ie::IkeSa init(cfg_i, ie::Environment{rng_i, kex_i, creds_i, nullptr});
  ie::IkeSa resp(cfg_r, ie::Environment{rng_r, kex_r, creds_r, &pool});
  const ie::Path path{{kMn, kPortIke}, {kGw1, kPortIke}};
  test::Loopback net(init, path, resp);
  test::FakeClock clock;
  CapturedExchange out;
  if (!init.initiate(path, clock.now())) {
    return out;
  }
  // Record the datagrams in flight order (the hook sees every one, in delivery order).
  std::vector<std::pair<bool, Bytes>> flight;
  net.set_hook([&flight](test::Loopback::Dir dir, std::vector<std::uint8_t>& bytes) {
    flight.emplace_back(dir == test::Loopback::Dir::AtoB, bytes);
    return true;
  });
  net.pump(clock.now());
  if (init.state() != ie::IkeSaState::Established || init.keys() == nullptr || !init.suite()) {
    return out;
  }
  out.keys.spi_i = init.spi_i();
  out.keys.spi_r = init.spi_r();
  out.keys.transforms = init.suite()->transforms;
  out.keys.keys = *init.keys();
  int n = 0;
  for (const auto& [from_i, ike] : flight) {
    auto decoded = iw::decode_message(ike);
    const bool sk = decoded && decoded->sk.has_value();
    CapturedPacket p;
    p.name = label + "_" + std::to_string(++n) + "_" +
             std::string(decoded ? iw::to_string(decoded->message.header.exchange) : "?") +
             (from_i ? "_request" : "_response");
    p.ike = ike;
    p.packet = wrap(ike, from_i, port4500);
    p.decrypt = sk ? "ok" : "clear";
    if (sk) {
      auto inner = open_inner(ike, out.keys);
      p.inner_types = types_of(inner);
      (from_i ? out.auth_request_inner : out.auth_response_inner) = std::move(inner);
    }
    out.packets.push_back(std::move(p));
  }
  return out;
}

inline ic::IkeSaKeys fixed_cbc_keys() {
  ic::IkeSaKeys k;
  k.sk_ei = base::SecretBytes(pattern(32, 0x10));
  k.sk_er = base::SecretBytes(pattern(32, 0x20));
  k.sk_ai = base::SecretBytes(pattern(32, 0x30));
  k.sk_ar = base::SecretBytes(pattern(32, 0x40));
  return k;
}

// The IKE_AUTH pair of `gcm` re-protected with AES-CBC-256 + HMAC-SHA2-256-128 under fixed
// keys and SPIs of its own. Returns the two packets and sets `keys`.
inline std::vector<CapturedPacket> cbc_auth_pair(const CapturedExchange& gcm, CapturedKeys& keys) {
  keys.spi_i = iw::Spi(0xc0c0c0c0c0c0c0c1ULL);
  keys.spi_r = iw::Spi(0xc0c0c0c0c0c0c0c2ULL);
  keys.transforms.encr = ic::EncrAlgorithm::AesCbc;
  keys.transforms.encr_key_bits = 256;
  keys.transforms.prf = ic::PrfAlgorithm::HmacSha2_256;
  keys.transforms.integ = ic::IntegAlgorithm::HmacSha2_256_128;
  keys.keys = fixed_cbc_keys();
  test::DeterministicRandom iv_source{99};  // outlives the ciphers made below
  std::vector<CapturedPacket> out;
  for (const bool from_i : {true, false}) {
    iw::Header h;
    h.spi_i = keys.spi_i;
    h.spi_r = keys.spi_r;
    h.exchange = iw::ExchangeType::IkeAuth;
    h.initiator = from_i;
    h.response = !from_i;
    h.message_id = iw::MessageId(1);
    auto cipher =
        ic::make_sk_cipher(keys.transforms.encr, 256, keys.transforms.integ,
                           (from_i ? keys.keys.sk_ei : keys.keys.sk_er).view(),
                           (from_i ? keys.keys.sk_ai : keys.keys.sk_ar).view(), iv_source);
    if (!cipher) {
      return {};
    }
    const auto& inner = from_i ? gcm.auth_request_inner : gcm.auth_response_inner;
    auto bytes = ie::build_protected(h, inner, **cipher);
    if (!bytes) {
      return {};
    }
    CapturedPacket p;
    p.name = std::string("cbc_IKE_AUTH_") + (from_i ? "request" : "response");
    p.ike = *bytes;
    p.packet = wrap(*bytes, from_i, false);
    p.decrypt = "ok";
    p.inner_types = types_of(open_inner(*bytes, keys));
    out.push_back(std::move(p));
  }
  return out;
}

// A copy of `p` with one ciphertext octet flipped (ICV now wrong; UDP checksum recomputed).
inline CapturedPacket tampered(const CapturedPacket& p, bool from_initiator) {
  CapturedPacket t = p;
  t.name = p.name + "_tampered";
  auto loc = iw::locate_sk(t.ike);
  if (loc && *loc) {
    t.ike[(*loc)->body_offset + (*loc)->body_length / 2] ^= 0x01;
  }
  t.packet = wrap(t.ike, from_initiator, false);
  t.decrypt = "integrity";
  t.inner_types.clear();
  return t;
}

// A copy of `p` under SPIs nobody has keys for.
inline CapturedPacket unknown_spis(const CapturedPacket& p, bool from_initiator) {
  CapturedPacket t = p;
  t.name = p.name + "_unknown_spis";
  for (std::size_t i = 0; i < 16; ++i) {
    t.ike[i] = static_cast<std::uint8_t>(0xe0 + i);
  }
  t.packet = wrap(t.ike, from_initiator, false);
  t.decrypt = "no_key";
  t.inner_types.clear();
  return t;
}

// The full capture: AES-GCM-256 on port 500, AES-GCM-128 on 4500 (non-ESP marker), the CBC
// pair, a tampered IKE_AUTH request and one under unknown SPIs. `keys` gets the three SAs.
inline std::vector<CapturedPacket> full_capture(std::vector<CapturedKeys>& keys) {
  std::vector<CapturedPacket> out;
  const CapturedExchange gcm256 = capture_exchange(256, 1, false, "gcm256");
  const CapturedExchange gcm128 = capture_exchange(128, 2, true, "gcm128_4500");
  if (gcm256.packets.size() != 4 || gcm128.packets.size() != 4) {
    return {};
  }
  out.insert(out.end(), gcm256.packets.begin(), gcm256.packets.end());
  out.insert(out.end(), gcm128.packets.begin(), gcm128.packets.end());
  CapturedKeys cbc;
  const auto cbc_packets = cbc_auth_pair(gcm256, cbc);
  out.insert(out.end(), cbc_packets.begin(), cbc_packets.end());
  out.push_back(tampered(gcm256.packets[2], true));
  out.push_back(unknown_spis(gcm256.packets[2], true));
  keys.push_back(gcm256.keys);
  keys.push_back(gcm128.keys);
  keys.push_back(std::move(cbc));
  return out;
}

}  // namespace mip6::test_ike
