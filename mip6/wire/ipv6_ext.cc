#include "mip6/wire/ipv6_ext.h"

#include <algorithm>

#include "ike/base/byte_reader.h"
#include "ike/base/byte_writer.h"
#include "ike/base/check.h"

namespace mip6::wire {

namespace {

constexpr std::size_t kIpv6HeaderLength = 40;
constexpr std::size_t kType2RhLength = 24;
constexpr std::size_t kHaoDestOptsLength = 24;
constexpr std::size_t kMaxExtensionHeaders = 8;
constexpr std::uint8_t kRoutingType2 = 2;
constexpr std::uint8_t kPad1 = 0;

bool is_walked_extension(std::uint8_t nh) {
  return nh == kIpProtoHopByHop || nh == kIpProtoDestOpts || nh == kIpProtoRouting ||
         nh == kIpProtoFragment;
}

// Scans the TLVs of a Destination Options header (`hdr` is the whole header, its first two
// octets being Next Header and Hdr Ext Len). `at` is the header's offset in the packet, for
// error offsets. Pad1/PadN/unknown options are skipped; a HAO is validated (RFC 6275 6.3).
ParseResult<std::optional<HomeAddressOption>> scan_dest_opts(std::span<const std::uint8_t> hdr,
                                                             std::size_t at) {
  std::optional<HomeAddressOption> hao;
  std::size_t pos = 2;
  while (pos < hdr.size()) {
    const std::uint8_t type = hdr[pos];
    if (type == kPad1) {
      ++pos;
      continue;
    }
    if (hdr.size() - pos < 2 || hdr.size() - pos - 2 < hdr[pos + 1]) {
      return parse_fail(ParseErrc::OptionTruncated, at + pos);
    }
    const std::uint8_t len = hdr[pos + 1];
    if (type == kHomeAddressOptionType) {
      if (len != 16) {
        return parse_fail(ParseErrc::HaoBadLength, at + pos);
      }
      if (pos % 8 != 6) {  // extension headers start 8-aligned, so this is 8n+6 in the packet
        return parse_fail(ParseErrc::HaoMisaligned, at + pos);
      }
      if (hao) {  // 6.3: at most one per IPv6 header
        return parse_fail(ParseErrc::DuplicateHeader, at + pos);
      }
      hao = HomeAddressOption{base::Ip6Addr::from_span(hdr.subspan(pos + 2).first<16>())};
    }
    pos += 2 + std::size_t{len};
  }
  return hao;
}

// Writers shared by the standalone encoders and encode_ipv6_packet (no temporary buffers on
// the BA send path).
void write_hao_dest_opts(base::ByteWriter& w, std::uint8_t next_header,
                         const HomeAddressOption& hao) {
  w.write_u8(next_header);
  w.write_u8(2);  // (2 + 1) * 8 = 24 octets
  w.write_u8(1);  // PadN with 2 octets of data puts the HAO at offset 6 (8n+6)
  w.write_u8(2);
  w.write_u16(0);
  w.write_u8(kHomeAddressOptionType);
  w.write_u8(16);
  w.write_bytes(hao.home_address.bytes());
}

void write_type2_rh(base::ByteWriter& w, const Type2RoutingHeader& rh) {
  w.write_u8(rh.next_header);
  w.write_u8(2);
  w.write_u8(kRoutingType2);
  w.write_u8(1);
  w.write_u32(rh.reserved);
  w.write_bytes(rh.home_address.bytes());
}

}  // namespace

std::vector<std::uint8_t> encode_home_address_dest_opts(std::uint8_t next_header,
                                                        const HomeAddressOption& hao) {
  std::vector<std::uint8_t> out;
  out.reserve(kHaoDestOptsLength);
  base::ByteWriter w(out);
  write_hao_dest_opts(w, next_header, hao);
  return out;
}

ParseResult<Type2RoutingHeader> decode_type2_routing_header(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4) {
    return parse_fail(ParseErrc::Truncated, bytes.size());
  }
  if (bytes[2] != kRoutingType2) {
    return parse_fail(ParseErrc::BadRoutingType, 2);
  }
  if (bytes[1] != 2) {
    return parse_fail(ParseErrc::BadHdrExtLen, 1);
  }
  if (bytes[3] != 1) {  // RFC 6275 6.4: exactly one segment, the home address
    return parse_fail(ParseErrc::BadSegmentsLeft, 3);
  }
  if (bytes.size() < kType2RhLength) {
    return parse_fail(ParseErrc::Truncated, bytes.size());
  }
  Type2RoutingHeader rh;
  rh.next_header = bytes[0];
  rh.reserved = (std::uint32_t{bytes[4]} << 24) | (std::uint32_t{bytes[5]} << 16) |
                (std::uint32_t{bytes[6]} << 8) | std::uint32_t{bytes[7]};
  rh.home_address = base::Ip6Addr::from_span(bytes.subspan(8).first<16>());
  return rh;
}

std::vector<std::uint8_t> encode_type2_routing_header(const Type2RoutingHeader& rh) {
  std::vector<std::uint8_t> out;
  out.reserve(kType2RhLength);
  base::ByteWriter w(out);
  write_type2_rh(w, rh);
  return out;
}

ParseResult<Ipv6Packet> decode_ipv6_packet(std::span<const std::uint8_t> bytes) {
  base::ByteReader r(bytes);
  std::uint32_t word0 = 0;
  Ipv6Packet p;
  std::span<const std::uint8_t> src;
  std::span<const std::uint8_t> dst;
  if (!r.read_u32(word0) || !r.read_u16(p.header.payload_length) ||
      !r.read_u8(p.header.next_header) || !r.read_u8(p.header.hop_limit) ||
      !r.read_span(16, src) || !r.read_span(16, dst)) {
    return parse_fail(ParseErrc::Truncated, bytes.size());
  }
  if ((word0 >> 28) != 6) {
    return parse_fail(ParseErrc::NotIpv6, 0);
  }
  p.header.traffic_class = static_cast<std::uint8_t>(word0 >> 20);
  p.header.flow_label = word0 & 0xfffff;
  p.header.source = base::Ip6Addr::from_span(src.first<16>());
  p.header.destination = base::Ip6Addr::from_span(dst.first<16>());
  const std::size_t end = kIpv6HeaderLength + p.header.payload_length;
  if (bytes.size() < end) {
    return parse_fail(ParseErrc::Truncated, bytes.size());
  }
  // Bytes past the payload length (e.g. Ethernet padding) are not part of the packet.
  const std::span<const std::uint8_t> packet = bytes.first(end);

  std::uint8_t nh = p.header.next_header;
  std::size_t pos = kIpv6HeaderLength;
  std::size_t walked = 0;
  while (is_walked_extension(nh)) {
    if (++walked > kMaxExtensionHeaders) {
      return parse_fail(ParseErrc::ExtensionChainTooLong, pos);
    }
    if (end - pos < 2) {
      return parse_fail(ParseErrc::Truncated, end);
    }
    const std::size_t hdr_len =
        nh == kIpProtoFragment ? 8 : (std::size_t{packet[pos + 1]} + 1) * 8;
    if (end - pos < hdr_len) {
      return parse_fail(nh == kIpProtoFragment ? ParseErrc::Truncated : ParseErrc::LengthMismatch,
                        nh == kIpProtoFragment ? end : pos + 1);
    }
    const std::span<const std::uint8_t> hdr = packet.subspan(pos, hdr_len);
    if (nh == kIpProtoDestOpts) {
      auto hao = scan_dest_opts(hdr, pos);
      if (!hao) {
        return tl::unexpected(hao.error());
      }
      if (*hao) {
        if (p.home_address_option) {
          return parse_fail(ParseErrc::DuplicateHeader, pos);
        }
        p.home_address_option = **hao;
      }
    } else if (nh == kIpProtoRouting && hdr[2] == kRoutingType2) {
      auto rh = decode_type2_routing_header(hdr);
      if (!rh) {
        return parse_fail(rh.error().code, pos + rh.error().offset);
      }
      if (p.type2_routing_header) {
        return parse_fail(ParseErrc::DuplicateHeader, pos);
      }
      p.type2_routing_header = *rh;
    } else if (nh == kIpProtoFragment) {
      const std::uint16_t frag_offset = static_cast<std::uint16_t>((hdr[2] << 8) | hdr[3]) >> 3;
      if (frag_offset != 0) {
        // A later fragment: what follows is not a header. Stop at the Fragment header so
        // callers see protocol 44 and never mistake the fragment data for an MH.
        break;
      }
    }
    nh = hdr[0];
    pos += hdr_len;
  }
  p.upper_protocol = nh;
  p.upper_offset = pos;
  p.upper = packet.subspan(pos);
  return p;
}

std::vector<std::uint8_t> encode_ipv6_packet(const Ipv6Build& build, std::uint8_t upper_protocol,
                                             std::span<const std::uint8_t> upper) {
  // RFC 6275 6.3: the HAO goes after the routing header, so the chain is RH2 -> DestOpts.
  const std::size_t ext_len = (build.type2_home_address ? kType2RhLength : 0) +
                              (build.home_address_option ? kHaoDestOptsLength : 0);
  const std::size_t payload_len = ext_len + upper.size();
  MIP_ASSERT(payload_len <= 0xffff);
  std::vector<std::uint8_t> out;
  out.reserve(kIpv6HeaderLength + payload_len);
  base::ByteWriter w(out);
  const std::uint8_t after_rh =
      build.home_address_option ? kIpProtoDestOpts : upper_protocol;
  const std::uint8_t first = build.type2_home_address ? kIpProtoRouting : after_rh;
  w.write_u32(0x60000000);  // version 6, traffic class 0, flow label 0
  w.write_u16(static_cast<std::uint16_t>(payload_len));
  w.write_u8(first);
  w.write_u8(build.hop_limit);
  w.write_bytes(build.source.bytes());
  w.write_bytes(build.destination.bytes());
  if (build.type2_home_address) {
    Type2RoutingHeader rh;
    rh.next_header = after_rh;
    rh.home_address = *build.type2_home_address;
    write_type2_rh(w, rh);
  }
  if (build.home_address_option) {
    write_hao_dest_opts(w, upper_protocol, *build.home_address_option);
  }
  w.write_bytes(upper);
  return out;
}

}  // namespace mip6::wire
