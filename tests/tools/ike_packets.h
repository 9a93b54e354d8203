#pragma once
// IKEv2 test packets for mip6-dissect's tests and the tshark oracle
// (tests/oracle/ike_vectors): messages built with the ike::wire encoders,
// wrapped in UDP over IPv6 or IPv4 with correct checksums. Header-only so both
// the test binary and the vector generator share it.
#include <array>
#include <cstdint>
#include <vector>

#include "ike/base/ip6_addr.h"
#include "ike/wire/message.h"
#include "ike/wire/non_esp_marker.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"

namespace mip6::test_ike {

namespace iw = ike::wire;
using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint16_t kPortIke = 500;
inline constexpr std::uint16_t kPortNatT = 4500;
inline constexpr std::uint64_t kSpiI = 0x0102030405060708ULL;
inline constexpr std::uint64_t kSpiR = 0x1112131415161718ULL;

inline base::Ip6Addr addr6(const char* text) {
  return *base::Ip6Addr::parse(text);
}
inline const base::Ip6Addr kMn = addr6("2001:db8:2::100");
inline const base::Ip6Addr kGw1 = addr6("2001:db8:1::1");
inline const base::Ip6Addr kGw2 = addr6("2001:db8:1::2");
inline const base::Ip6Addr kHoa = addr6("2001:db8:1::100");
inline constexpr std::array<std::uint8_t, 4> kMn4{192, 0, 2, 10};
inline constexpr std::array<std::uint8_t, 4> kGw4{198, 51, 100, 1};

inline Bytes udp_header(std::uint16_t sport, std::uint16_t dport, std::size_t payload_size) {
  const auto len = static_cast<std::uint16_t>(8 + payload_size);
  return Bytes{static_cast<std::uint8_t>(sport >> 8),
               static_cast<std::uint8_t>(sport),
               static_cast<std::uint8_t>(dport >> 8),
               static_cast<std::uint8_t>(dport),
               static_cast<std::uint8_t>(len >> 8),
               static_cast<std::uint8_t>(len),
               0,
               0};
}

// UDP over IPv6; the checksum covers the RFC 8200 8.1 pseudo-header (next
// header 17).
inline Bytes udp6(const base::Ip6Addr& src, const base::Ip6Addr& dst, std::uint16_t sport,
                  std::uint16_t dport, const Bytes& payload) {
  Bytes udp = udp_header(sport, dport, payload.size());
  udp.insert(udp.end(), payload.begin(), payload.end());
  std::uint16_t sum = mip6::wire::pseudo_header_checksum(src, dst, kIpProtoUdp, udp);
  if (sum == 0) {
    sum = 0xffff;  // RFC 768: a computed 0 is sent as all ones
  }
  udp[6] = static_cast<std::uint8_t>(sum >> 8);
  udp[7] = static_cast<std::uint8_t>(sum);
  return mip6::wire::encode_ipv6_packet({src, dst, 64, {}, {}}, kIpProtoUdp, udp);
}

inline std::uint16_t ones_sum(const Bytes& b, std::uint32_t acc) {
  for (std::size_t i = 0; i < b.size(); i += 2) {
    acc += (std::uint32_t{b[i]} << 8) | (i + 1 < b.size() ? b[i + 1] : 0u);
  }
  while ((acc >> 16) != 0) {
    acc = (acc & 0xffff) + (acc >> 16);
  }
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

// UDP over IPv4 (RFC 791 header without options, RFC 768 checksum).
inline Bytes udp4(const std::array<std::uint8_t, 4>& src, const std::array<std::uint8_t, 4>& dst,
                  std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes udp = udp_header(sport, dport, payload.size());
  udp.insert(udp.end(), payload.begin(), payload.end());
  Bytes pseudo(src.begin(), src.end());
  pseudo.insert(pseudo.end(), dst.begin(), dst.end());
  pseudo.insert(pseudo.end(), {0, kIpProtoUdp, udp[4], udp[5]});
  pseudo.insert(pseudo.end(), udp.begin(), udp.end());
  std::uint16_t sum = ones_sum(pseudo, 0);
  if (sum == 0) {
    sum = 0xffff;
  }
  udp[6] = static_cast<std::uint8_t>(sum >> 8);
  udp[7] = static_cast<std::uint8_t>(sum);
  const auto total = static_cast<std::uint16_t>(20 + udp.size());
  Bytes ip{0x45,
           0,
           static_cast<std::uint8_t>(total >> 8),
           static_cast<std::uint8_t>(total),
           0x12,
           0x34,
           0x40,
           0,
           64,
           kIpProtoUdp,
           0,
           0};  // DF set, no fragments
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), dst.begin(), dst.end());
  const std::uint16_t hsum = ones_sum(ip, 0);
  ip[10] = static_cast<std::uint8_t>(hsum >> 8);
  ip[11] = static_cast<std::uint8_t>(hsum);
  ip.insert(ip.end(), udp.begin(), udp.end());
  return ip;
}

inline Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) {
    b[i] = static_cast<std::uint8_t>(seed + i * 7);
  }
  return b;
}

inline Bytes ni_data() {
  return pattern(32, 0x40);
}

inline Bytes encode(const iw::Message& m) {
  return *iw::encode_message(m);
}

// IKE_SA_INIT request: SA (AES-CBC-256, HMAC-SHA2-256, SHA2-256-128, P-256),
// KE, Ni, NAT-D x2 and N(REDIRECT_SUPPORTED) (RFC 5685 4).
inline iw::Message sa_init_request() {
  iw::Message m;
  m.header.spi_i = iw::Spi(kSpiI);
  m.header.exchange = iw::ExchangeType::IkeSaInit;
  m.header.initiator = true;
  iw::Proposal p;
  p.number = 1;
  p.protocol = iw::ProtocolId::Ike;
  p.transforms = {
      iw::Transform::make_with_key_length(iw::TransformType::Encr,
                                          static_cast<std::uint16_t>(iw::EncrId::AesCbc), 256),
      iw::Transform::make(iw::TransformType::Prf,
                          static_cast<std::uint16_t>(iw::PrfId::HmacSha2_256)),
      iw::Transform::make(iw::TransformType::Integ,
                          static_cast<std::uint16_t>(iw::IntegId::HmacSha2_256_128)),
      iw::Transform::make(iw::TransformType::Dh, static_cast<std::uint16_t>(iw::DhGroup::Ecp256)),
  };
  m.payloads.push_back(iw::make_payload(iw::SaPayload{{p}}));
  m.payloads.push_back(iw::make_payload(
      iw::KePayload{static_cast<std::uint16_t>(iw::DhGroup::Ecp256), pattern(64, 1)}));
  m.payloads.push_back(iw::make_payload(iw::NoncePayload{ni_data()}));
  std::array<std::uint8_t, iw::kNatDetectionHashSize> h1{};
  std::array<std::uint8_t, iw::kNatDetectionHashSize> h2{};
  h1.fill(0xa1);
  h2.fill(0xb2);
  m.payloads.push_back(
      iw::make_payload(iw::make_nat_detection(iw::NotifyType::NatDetectionSourceIp, h1)));
  m.payloads.push_back(
      iw::make_payload(iw::make_nat_detection(iw::NotifyType::NatDetectionDestinationIp, h2)));
  m.payloads.push_back(iw::make_payload(iw::make_redirect_supported()));
  return m;
}

// IKE_SA_INIT response holding only N(REDIRECT): IPv6 GW identity + the
// initiator's Ni (RFC 5685 5, R5685-36).
inline iw::Message redirect_response(const base::Ip6Addr& new_gw) {
  iw::Message m;
  m.header.spi_i = iw::Spi(kSpiI);
  m.header.exchange = iw::ExchangeType::IkeSaInit;
  m.header.response = true;
  m.payloads.push_back(iw::make_payload(
      *iw::make_redirect(iw::RedirectInfo{iw::GwIdentity::ipv6(new_gw), ni_data()})));
  return m;
}

// The new IKE_SA_INIT towards gw2: N(REDIRECTED_FROM) with gw1 instead of
// REDIRECT_SUPPORTED.
inline iw::Message redirected_from_request(const base::Ip6Addr& old_gw) {
  iw::Message m = sa_init_request();
  m.header.spi_i = iw::Spi(kSpiI + 1);
  m.payloads.back() = iw::make_payload(*iw::make_redirected_from(iw::GwIdentity::ipv6(old_gw)));
  return m;
}

// IKE_SA_INIT response with a COOKIE only (2.6).
inline iw::Message cookie_response() {
  iw::Message m;
  m.header.spi_i = iw::Spi(kSpiI);
  m.header.exchange = iw::ExchangeType::IkeSaInit;
  m.header.response = true;
  m.payloads.push_back(iw::make_payload(iw::make_cookie(pattern(16, 0x70))));
  return m;
}

// Not a real exchange (IDi, AUTH, CP, TS, Delete and Vendor ID belong inside
// SK): a message that puts every remaining payload type in the clear, then an
// SK payload, so the dissector's view of each can be checked. The decoder
// frames payloads; the rule tables are the engine's.
inline iw::Message clear_payload_zoo() {
  iw::Message m;
  m.header.spi_i = iw::Spi(kSpiI);
  m.header.spi_r = iw::Spi(kSpiR);
  m.header.exchange = iw::ExchangeType::IkeAuth;
  m.header.initiator = true;
  m.header.message_id = iw::MessageId(1);
  m.payloads.push_back(iw::make_id_payload(true, iw::IdPayload::make_ipv6(kHoa)));
  m.payloads.push_back(iw::make_id_payload(false, iw::IdPayload::make_fqdn("gw1.example")));
  m.payloads.push_back(
      iw::make_payload(iw::AuthPayload{iw::AuthMethod::SharedKeyMic, pattern(32, 9)}));
  iw::CpPayload cp;
  cp.cfg_type = iw::CfgType::Reply;
  cp.attributes.push_back(iw::make_internal_ip6_address({kHoa, 64}));
  cp.attributes.push_back(iw::make_mip6_home_prefix({3600, addr6("2001:db8:1::"), 64}));
  m.payloads.push_back(iw::make_payload(cp));
  iw::TsPayload ts;
  ts.selectors.push_back(iw::TrafficSelector::mh_types(kHoa, 5, 5));
  m.payloads.push_back(iw::make_ts_payload(true, ts));
  const std::array<std::uint32_t, 1> spis{0xc0ffee01};
  m.payloads.push_back(iw::make_payload(iw::DeletePayload::make_child(iw::ProtocolId::Esp, spis)));
  m.payloads.push_back(iw::make_payload(iw::VendorIdPayload{pattern(16, 0x33)}));
  m.payloads.push_back(
      iw::make_payload(iw::SkPayload{iw::PayloadType::IdInitiator, pattern(48, 0x55)}));
  return m;
}

// ESP in UDP (RFC 3948 2.1): SPI, sequence number, then ciphertext.
inline Bytes esp_in_udp_payload() {
  Bytes b{0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x07};
  const Bytes tail = pattern(24, 0x90);
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

}  // namespace mip6::test_ike
