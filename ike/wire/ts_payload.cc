#include "ike/wire/ts_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {
namespace {

constexpr std::size_t kTsHeader = 4;
constexpr std::size_t kIpv4SelectorLength = 16;
constexpr std::size_t kIpv6SelectorLength = 40;

std::optional<base::Ip6Addr> as_ip6(const TrafficSelector& ts,
                                    const std::vector<std::uint8_t>& a) {
  if (ts.type != TsType::Ipv6AddrRange || a.size() != 16) {
    return std::nullopt;
  }
  return base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(a.data(), 16));
}

}  // namespace

TrafficSelector TrafficSelector::ipv6_range(const base::Ip6Addr& start, const base::Ip6Addr& end,
                                            std::uint8_t ip_protocol, std::uint16_t start_port,
                                            std::uint16_t end_port) {
  TrafficSelector ts;
  ts.type = TsType::Ipv6AddrRange;
  ts.ip_protocol = ip_protocol;
  ts.start_port = start_port;
  ts.end_port = end_port;
  ts.start_address.assign(start.bytes().begin(), start.bytes().end());
  ts.end_address.assign(end.bytes().begin(), end.bytes().end());
  return ts;
}

TrafficSelector TrafficSelector::ipv4_range(const std::array<std::uint8_t, 4>& start,
                                            const std::array<std::uint8_t, 4>& end,
                                            std::uint8_t ip_protocol, std::uint16_t start_port,
                                            std::uint16_t end_port) {
  TrafficSelector ts;
  ts.type = TsType::Ipv4AddrRange;
  ts.ip_protocol = ip_protocol;
  ts.start_port = start_port;
  ts.end_port = end_port;
  ts.start_address.assign(start.begin(), start.end());
  ts.end_address.assign(end.begin(), end.end());
  return ts;
}

TrafficSelector TrafficSelector::mh_types(const base::Ip6Addr& addr, std::uint8_t first_mh_type,
                                          std::uint8_t last_mh_type) {
  return ipv6_range(addr, addr, kIpProtoMh, static_cast<std::uint16_t>(first_mh_type << 8),
                    static_cast<std::uint16_t>(last_mh_type << 8));
}

TrafficSelector TrafficSelector::icmpv6_type(const base::Ip6Addr& addr, std::uint8_t icmp_type) {
  return ipv6_range(addr, addr, kIpProtoIcmpv6, static_cast<std::uint16_t>(icmp_type << 8),
                    static_cast<std::uint16_t>((icmp_type << 8) | 0xff));
}

std::optional<base::Ip6Addr> TrafficSelector::ipv6_start() const {
  return as_ip6(*this, start_address);
}

std::optional<base::Ip6Addr> TrafficSelector::ipv6_end() const {
  return as_ip6(*this, end_address);
}

std::optional<std::pair<std::uint8_t, std::uint8_t>> TrafficSelector::mh_type_range() const {
  if (ip_protocol != kIpProtoMh || (start_port & 0xff) != 0 || (end_port & 0xff) != 0) {
    return std::nullopt;
  }
  return std::make_pair(static_cast<std::uint8_t>(start_port >> 8),
                        static_cast<std::uint8_t>(end_port >> 8));
}

ParseResult<TsPayload> TsPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t count = 0;
  if (!r.read_u8(count) || !r.skip(3)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  TsPayload p;
  while (!r.empty()) {
    const std::size_t at = r.offset();
    std::uint8_t type = 0;
    std::uint8_t proto = 0;
    std::uint16_t length = 0;
    if (!r.read_u8(type) || !r.read_u8(proto) || !r.read_u16(length)) {
      return parse_fail(ParseErrc::Truncated, at);
    }
    if (length > body.size() - at) {
      return parse_fail(ParseErrc::TsLengthOverrun, at);
    }
    TrafficSelector ts;
    ts.type = static_cast<TsType>(type);
    ts.ip_protocol = proto;
    std::size_t addr_size = 0;
    if (ts.type == TsType::Ipv4AddrRange) {
      addr_size = 4;
    } else if (ts.type == TsType::Ipv6AddrRange) {
      addr_size = 16;
    }
    if (addr_size != 0) {
      const std::size_t want = addr_size == 4 ? kIpv4SelectorLength : kIpv6SelectorLength;
      if (length != want) {
        return parse_fail(ParseErrc::TsBadLength, at);
      }
      std::span<const std::uint8_t> start;
      std::span<const std::uint8_t> end;
      if (!r.read_u16(ts.start_port) || !r.read_u16(ts.end_port) ||
          !r.read_span(addr_size, start) || !r.read_span(addr_size, end)) {
        return parse_fail(ParseErrc::TsLengthOverrun, at);  // unreachable: length checked
      }
      ts.start_address.assign(start.begin(), start.end());
      ts.end_address.assign(end.begin(), end.end());
    } else {
      std::span<const std::uint8_t> rest;
      if (length < kTsHeader) {
        return parse_fail(ParseErrc::TsBadLength, at);
      }
      if (!r.read_span(length - kTsHeader, rest)) {
        return parse_fail(ParseErrc::TsLengthOverrun, at);  // unreachable: length checked
      }
      ts.opaque.assign(rest.begin(), rest.end());
    }
    p.selectors.push_back(std::move(ts));
  }
  if (p.selectors.size() != count) {
    return parse_fail(ParseErrc::TsCountMismatch, 0);
  }
  return p;
}

EncodeStatus TsPayload::encode(base::ByteWriter& w) const {
  constexpr auto kTsi = static_cast<std::uint8_t>(PayloadType::TsInitiator);
  if (selectors.size() > 0xff) {
    return encode_fail(EncodeErrc::CountTooLarge, kTsi);
  }
  w.write_u8(static_cast<std::uint8_t>(selectors.size()));
  w.write_zeros(3);
  for (const auto& ts : selectors) {
    w.write_u8(static_cast<std::uint8_t>(ts.type));
    w.write_u8(ts.ip_protocol);
    if (ts.is_known_type()) {
      const std::size_t addr_size = ts.type == TsType::Ipv4AddrRange ? 4 : 16;
      if (ts.start_address.size() != addr_size || ts.end_address.size() != addr_size) {
        return encode_fail(EncodeErrc::FieldTooLong, kTsi);
      }
      w.write_u16(static_cast<std::uint16_t>(kTsHeader + 4 + 2 * addr_size));
      w.write_u16(ts.start_port);
      w.write_u16(ts.end_port);
      w.write_bytes(ts.start_address);
      w.write_bytes(ts.end_address);
    } else {
      if (ts.opaque.size() > 0xffff - kTsHeader) {
        return encode_fail(EncodeErrc::FieldTooLong, kTsi);
      }
      w.write_u16(static_cast<std::uint16_t>(kTsHeader + ts.opaque.size()));
      w.write_bytes(ts.opaque);
    }
  }
  return {};
}

}  // namespace ike::wire
