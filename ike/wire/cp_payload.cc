#include "ike/wire/cp_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {
namespace {

constexpr auto kCp = static_cast<std::uint8_t>(PayloadType::Configuration);
constexpr std::size_t kAttrHeader = 4;

CpAttribute make_attr(CpAttrType t) {
  CpAttribute a;
  a.type = static_cast<std::uint16_t>(t);
  return a;
}

base::Ip6Addr read_ip6(base::ByteReader& r) {
  base::Ip6Addr::Bytes b{};
  if (!r.read_bytes(b)) {
    return {};  // callers check the length first
  }
  return base::Ip6Addr(b);
}

}  // namespace

const CpAttribute* CpPayload::find(CpAttrType t) const {
  for (const auto& a : attributes) {
    if (a.is(t)) {
      return &a;
    }
  }
  return nullptr;
}

ParseResult<CpPayload> CpPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t cfg = 0;
  if (!r.read_u8(cfg) || !r.skip(3)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  CpPayload p;
  p.cfg_type = static_cast<CfgType>(cfg);
  while (!r.empty()) {
    const std::size_t at = r.offset();
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    std::span<const std::uint8_t> value;
    if (!r.read_u16(type) || !r.read_u16(length) || !r.read_span(length, value)) {
      return parse_fail(ParseErrc::CpAttributeTruncated, at);
    }
    CpAttribute a;
    a.type = static_cast<std::uint16_t>(type & 0x7fff);
    a.value.assign(value.begin(), value.end());
    p.attributes.push_back(std::move(a));
  }
  return p;
}

EncodeStatus CpPayload::encode(base::ByteWriter& w) const {
  w.write_u8(static_cast<std::uint8_t>(cfg_type));
  w.write_zeros(3);
  for (const auto& a : attributes) {
    if (a.value.size() > 0xffff) {
      return encode_fail(EncodeErrc::FieldTooLong, kCp);
    }
    w.write_u16(static_cast<std::uint16_t>(a.type & 0x7fff));
    w.write_u16(static_cast<std::uint16_t>(a.value.size()));
    w.write_bytes(a.value);
  }
  return {};
}

CpAttribute make_internal_ip6_address_request() {
  return make_attr(CpAttrType::InternalIp6Address);
}

CpAttribute make_internal_ip6_address(const InternalIp6Address& a) {
  CpAttribute attr = make_attr(CpAttrType::InternalIp6Address);
  base::ByteWriter w(attr.value);
  w.write_bytes(a.address.bytes());
  w.write_u8(a.prefix_len);
  return attr;
}

ParseResult<std::optional<InternalIp6Address>> decode_internal_ip6_address(
    const CpAttribute& attr) {
  if (!attr.is(CpAttrType::InternalIp6Address)) {
    return parse_fail(ParseErrc::WrongCpAttributeType, 0, kCp);
  }
  if (attr.value.empty()) {
    return std::optional<InternalIp6Address>{};
  }
  if (attr.value.size() != 17) {
    return parse_fail(ParseErrc::CpAttributeBadLength, 2, kCp);
  }
  base::ByteReader r(attr.value);
  InternalIp6Address out;
  out.address = read_ip6(r);
  if (!r.read_u8(out.prefix_len) || out.prefix_len > 128) {
    return parse_fail(ParseErrc::CpAttributeBadValue, kAttrHeader + 16, kCp);
  }
  return std::optional<InternalIp6Address>(out);
}

CpAttribute make_internal_ip6_dns_request() { return make_attr(CpAttrType::InternalIp6Dns); }

CpAttribute make_internal_ip6_dns(const base::Ip6Addr& server) {
  CpAttribute attr = make_attr(CpAttrType::InternalIp6Dns);
  attr.value.assign(server.bytes().begin(), server.bytes().end());
  return attr;
}

ParseResult<std::optional<base::Ip6Addr>> decode_internal_ip6_dns(const CpAttribute& attr) {
  if (!attr.is(CpAttrType::InternalIp6Dns)) {
    return parse_fail(ParseErrc::WrongCpAttributeType, 0, kCp);
  }
  if (attr.value.empty()) {
    return std::optional<base::Ip6Addr>{};
  }
  if (attr.value.size() != 16) {
    return parse_fail(ParseErrc::CpAttributeBadLength, 2, kCp);
  }
  base::ByteReader r(attr.value);
  return std::optional<base::Ip6Addr>(read_ip6(r));
}

CpAttribute make_mip6_home_prefix_request() { return make_attr(CpAttrType::Mip6HomePrefix); }

CpAttribute make_mip6_home_prefix(const Mip6HomePrefix& hp) {
  CpAttribute attr = make_attr(CpAttrType::Mip6HomePrefix);
  base::ByteWriter w(attr.value);
  w.write_u32(hp.lifetime);
  w.write_bytes(hp.prefix.bytes());
  w.write_u8(hp.prefix_len);
  return attr;
}

ParseResult<std::optional<Mip6HomePrefix>> decode_mip6_home_prefix(const CpAttribute& attr) {
  if (!attr.is(CpAttrType::Mip6HomePrefix)) {
    return parse_fail(ParseErrc::WrongCpAttributeType, 0, kCp);
  }
  if (attr.value.empty()) {
    return std::optional<Mip6HomePrefix>{};
  }
  if (attr.value.size() != 21) {
    return parse_fail(ParseErrc::CpAttributeBadLength, 2, kCp);
  }
  base::ByteReader r(attr.value);
  Mip6HomePrefix hp;
  if (!r.read_u32(hp.lifetime)) {
    return parse_fail(ParseErrc::CpAttributeBadLength, 2, kCp);  // unreachable: size checked
  }
  hp.prefix = read_ip6(r);
  if (!r.read_u8(hp.prefix_len) || hp.prefix_len > 128) {
    return parse_fail(ParseErrc::CpAttributeBadValue, kAttrHeader + 20, kCp);
  }
  return std::optional<Mip6HomePrefix>(hp);
}

}  // namespace ike::wire
