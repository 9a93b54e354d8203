#include "ike/wire/notify_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {
namespace {

constexpr auto kNotify = static_cast<std::uint8_t>(PayloadType::Notify);

// The checks every typed helper starts with: right type, then (optionally) no SPI.
ParseResult<std::span<const std::uint8_t>> typed_data(const NotifyPayload& n, NotifyType want,
                                                      bool ike_scoped) {
  if (n.type != want) {
    return parse_fail(ParseErrc::WrongNotifyType, 2, kNotify);
  }
  if (ike_scoped && (n.protocol != ProtocolId::None || !n.spi.empty())) {
    return parse_fail(ParseErrc::NotifyUnexpectedSpi, 0, kNotify);
  }
  return std::span<const std::uint8_t>(n.data);
}

// GW Ident Type | GW Ident Len | identity, at the start of `data`. `at` is data's body offset.
ParseResult<GwIdentity> read_gw_identity(base::ByteReader& r, std::size_t at) {
  std::uint8_t type = 0;
  std::uint8_t len = 0;
  if (!r.read_u8(type) || !r.read_u8(len)) {
    return parse_fail(ParseErrc::Truncated, at, kNotify);
  }
  GwIdentity gw;
  gw.type = static_cast<GwIdentType>(type);
  switch (gw.type) {
    case GwIdentType::Ipv4:
      if (len != 4) {
        return parse_fail(ParseErrc::GwIdentBadLength, at + 1, kNotify);
      }
      break;
    case GwIdentType::Ipv6:
      if (len != 16) {
        return parse_fail(ParseErrc::GwIdentBadLength, at + 1, kNotify);
      }
      break;
    case GwIdentType::Fqdn:
      if (len == 0) {
        return parse_fail(ParseErrc::GwIdentBadLength, at + 1, kNotify);
      }
      break;
    default:
      return parse_fail(ParseErrc::GwIdentTypeUnknown, at, kNotify);
  }
  std::span<const std::uint8_t> value;
  if (!r.read_span(len, value)) {
    return parse_fail(ParseErrc::GwIdentBadLength, at + 1, kNotify);
  }
  gw.value.assign(value.begin(), value.end());
  return gw;
}

EncodeStatus write_gw_identity(const GwIdentity& gw, base::ByteWriter& w) {
  if (gw.value.size() > 0xff) {
    return encode_fail(EncodeErrc::FieldTooLong, kNotify);
  }
  w.write_u8(static_cast<std::uint8_t>(gw.type));
  w.write_u8(static_cast<std::uint8_t>(gw.value.size()));
  w.write_bytes(gw.value);
  return {};
}

}  // namespace

ParseResult<NotifyPayload> NotifyPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t protocol = 0;
  std::uint8_t spi_size = 0;
  std::uint16_t type = 0;
  if (!r.read_u8(protocol) || !r.read_u8(spi_size) || !r.read_u16(type)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  std::span<const std::uint8_t> spi;
  if (!r.read_span(spi_size, spi)) {
    return parse_fail(ParseErrc::Truncated, 4);
  }
  NotifyPayload n;
  n.protocol = static_cast<ProtocolId>(protocol);
  n.spi.assign(spi.begin(), spi.end());
  n.type = static_cast<NotifyType>(type);
  n.data.assign(r.rest().begin(), r.rest().end());
  return n;
}

EncodeStatus NotifyPayload::encode(base::ByteWriter& w) const {
  if (spi.size() > 0xff) {
    return encode_fail(EncodeErrc::FieldTooLong, kNotify);
  }
  w.write_u8(static_cast<std::uint8_t>(protocol));
  w.write_u8(static_cast<std::uint8_t>(spi.size()));
  w.write_u16(static_cast<std::uint16_t>(type));
  w.write_bytes(spi);
  w.write_bytes(data);
  return {};
}

NotifyPayload make_notify(NotifyType type, std::span<const std::uint8_t> data) {
  NotifyPayload n;
  n.type = type;
  n.data.assign(data.begin(), data.end());
  return n;
}

GwIdentity GwIdentity::ipv4(const std::array<std::uint8_t, 4>& addr) {
  GwIdentity g;
  g.type = GwIdentType::Ipv4;
  g.value.assign(addr.begin(), addr.end());
  return g;
}

GwIdentity GwIdentity::ipv6(const base::Ip6Addr& addr) {
  GwIdentity g;
  g.type = GwIdentType::Ipv6;
  g.value.assign(addr.bytes().begin(), addr.bytes().end());
  return g;
}

GwIdentity GwIdentity::fqdn(std::string_view name) {
  GwIdentity g;
  g.type = GwIdentType::Fqdn;
  g.value.assign(name.begin(), name.end());
  return g;
}

GwIdentity GwIdentity::from_address(const base::Ip6Addr& addr) {
  return addr.is_v4_mapped() ? ipv4(addr.v4()) : ipv6(addr);
}

std::optional<base::Ip6Addr> GwIdentity::address() const {
  if (type == GwIdentType::Ipv4 && value.size() == 4) {
    return base::Ip6Addr::from_v4({value[0], value[1], value[2], value[3]});
  }
  return ipv6_addr();
}

std::optional<base::Ip6Addr> GwIdentity::ipv6_addr() const {
  if (type != GwIdentType::Ipv6 || value.size() != 16) {
    return std::nullopt;
  }
  return base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(value.data(), 16));
}

std::string_view GwIdentity::fqdn_text() const {
  if (type != GwIdentType::Fqdn) {
    return {};
  }
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}

ParseResult<RedirectInfo> decode_redirect(const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::Redirect, true);
  if (!data) {
    return tl::unexpected(data.error());
  }
  const std::size_t at = n.data_offset();
  base::ByteReader r(*data);
  auto gw = read_gw_identity(r, at);
  if (!gw) {
    return tl::unexpected(gw.error());
  }
  RedirectInfo info;
  info.gateway = std::move(*gw);
  // No nonce length field: whatever follows the identity is the nonce (RFC 5685 9.2).
  const std::size_t nlen = r.remaining();
  if (nlen != 0 && (nlen < 16 || nlen > 256)) {
    return parse_fail(ParseErrc::RedirectNonceBadLength, at + r.offset(), kNotify);
  }
  info.nonce.assign(r.rest().begin(), r.rest().end());
  return info;
}

EncodeResult<NotifyPayload> make_redirect(const RedirectInfo& info) {
  NotifyPayload n = make_notify(NotifyType::Redirect);
  base::ByteWriter w(n.data);
  if (auto s = write_gw_identity(info.gateway, w); !s) {
    return tl::unexpected(s.error());
  }
  w.write_bytes(info.nonce);
  return n;
}

ParseResult<GwIdentity> decode_redirected_from(const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::RedirectedFrom, true);
  if (!data) {
    return tl::unexpected(data.error());
  }
  const std::size_t at = n.data_offset();
  base::ByteReader r(*data);
  auto gw = read_gw_identity(r, at);
  if (!gw) {
    return tl::unexpected(gw.error());
  }
  if (gw->type == GwIdentType::Fqdn) {
    return parse_fail(ParseErrc::GwIdentTypeNotAllowed, at, kNotify);
  }
  if (!r.empty()) {
    return parse_fail(ParseErrc::GwIdentBadLength, at + 1, kNotify);
  }
  return gw;
}

EncodeResult<NotifyPayload> make_redirected_from(const GwIdentity& gw) {
  if (gw.type == GwIdentType::Fqdn) {
    return encode_fail(EncodeErrc::TypeMismatch, kNotify);
  }
  NotifyPayload n = make_notify(NotifyType::RedirectedFrom);
  base::ByteWriter w(n.data);
  if (auto s = write_gw_identity(gw, w); !s) {
    return tl::unexpected(s.error());
  }
  return n;
}

NotifyPayload make_redirect_supported() { return make_notify(NotifyType::RedirectSupported); }

NotifyPayload make_invalid_ke_payload(std::uint16_t dh_group) {
  NotifyPayload n = make_notify(NotifyType::InvalidKePayload);
  base::ByteWriter(n.data).write_u16(dh_group);
  return n;
}

ParseResult<std::uint16_t> decode_invalid_ke_payload(const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::InvalidKePayload, false);
  if (!data) {
    return tl::unexpected(data.error());
  }
  base::ByteReader r(*data);
  std::uint16_t group = 0;
  if (data->size() != 2 || !r.read_u16(group)) {
    return parse_fail(ParseErrc::NotifyDataBadLength, n.data_offset(), kNotify);
  }
  return group;
}

NotifyPayload make_cookie(std::span<const std::uint8_t> cookie) {
  return make_notify(NotifyType::Cookie, cookie);
}

ParseResult<std::span<const std::uint8_t>> decode_cookie(const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::Cookie, false);
  if (!data) {
    return data;
  }
  if (data->empty() || data->size() > kMaxCookieSize) {
    return parse_fail(ParseErrc::NotifyDataBadLength, n.data_offset(), kNotify);
  }
  return data;
}

NotifyPayload make_nat_detection(NotifyType type,
                                 std::span<const std::uint8_t, kNatDetectionHashSize> hash) {
  return make_notify(type, hash);
}

ParseResult<std::span<const std::uint8_t>> decode_nat_detection(const NotifyPayload& n) {
  const NotifyType want = n.type == NotifyType::NatDetectionDestinationIp
                              ? NotifyType::NatDetectionDestinationIp
                              : NotifyType::NatDetectionSourceIp;
  auto data = typed_data(n, want, false);
  if (!data) {
    return data;
  }
  if (data->size() != kNatDetectionHashSize) {
    return parse_fail(ParseErrc::NotifyDataBadLength, n.data_offset(), kNotify);
  }
  return data;
}

NotifyPayload make_unsupported_critical_payload(std::uint8_t payload_type) {
  const std::uint8_t data[1] = {payload_type};
  return make_notify(NotifyType::UnsupportedCriticalPayload, data);
}

ParseResult<std::uint8_t> decode_unsupported_critical_payload(const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::UnsupportedCriticalPayload, false);
  if (!data) {
    return tl::unexpected(data.error());
  }
  if (data->size() != 1) {
    return parse_fail(ParseErrc::NotifyDataBadLength, n.data_offset(), kNotify);
  }
  return (*data)[0];
}

NotifyPayload make_set_window_size(std::uint32_t window) {
  NotifyPayload n = make_notify(NotifyType::SetWindowSize);
  base::ByteWriter(n.data).write_u32(window);
  return n;
}

ParseResult<std::uint32_t> decode_set_window_size(const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::SetWindowSize, false);
  if (!data) {
    return tl::unexpected(data.error());
  }
  base::ByteReader r(*data);
  std::uint32_t window = 0;
  if (data->size() != 4 || !r.read_u32(window)) {
    return parse_fail(ParseErrc::NotifyDataBadLength, n.data_offset(), kNotify);
  }
  return window;
}

NotifyPayload make_signature_hash_algorithms(std::span<const std::uint16_t> ids) {
  NotifyPayload n = make_notify(NotifyType::SignatureHashAlgorithms);
  base::ByteWriter w(n.data);
  for (std::uint16_t id : ids) {
    w.write_u16(id);
  }
  return n;
}

ParseResult<std::vector<std::uint16_t>> decode_signature_hash_algorithms(
    const NotifyPayload& n) {
  auto data = typed_data(n, NotifyType::SignatureHashAlgorithms, false);
  if (!data) {
    return tl::unexpected(data.error());
  }
  if (data->size() % 2 != 0) {
    return parse_fail(ParseErrc::NotifyDataBadLength, n.data_offset(), kNotify);
  }
  std::vector<std::uint16_t> ids;
  base::ByteReader r(*data);
  std::uint16_t id = 0;
  while (r.read_u16(id)) {
    ids.push_back(id);
  }
  return ids;
}

NotifyPayload make_rekey_sa(ProtocolId protocol, std::uint32_t spi) {
  NotifyPayload n = make_notify(NotifyType::RekeySa);
  n.protocol = protocol;
  base::ByteWriter(n.spi).write_u32(spi);
  return n;
}

}  // namespace ike::wire
