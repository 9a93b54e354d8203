#include "mip6/wire/icmpv6_mobility.h"

#include <algorithm>

#include "ike/base/byte_reader.h"
#include "ike/base/byte_writer.h"
#include "ike/base/check.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"

namespace mip6::wire {

namespace {

constexpr std::size_t kChecksumOffset = 2;
constexpr std::size_t kRaFixedLength = 16;
constexpr std::size_t kShortFixedLength = 8;  // DHAAD, MPS, MPA
constexpr std::size_t kMaxNdOptionLength = std::size_t{255} * 8;

std::uint16_t be16(std::span<const std::uint8_t> d, std::size_t at) {
  return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}
std::uint32_t be32(std::span<const std::uint8_t> d, std::size_t at) {
  return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) |
         (std::uint32_t{d[at + 2]} << 8) | std::uint32_t{d[at + 3]};
}

// Writes type, the Length octet covering 2 + data.size() rounded up to 8, the data, then zero
// padding. Oversized data (a caller bug) is cut so the option stays well-formed.
void write_padded_nd(base::ByteWriter& w, std::uint8_t type, std::span<const std::uint8_t> data) {
  MIP_ASSERT(data.size() + 2 <= kMaxNdOptionLength);
  const std::size_t n = std::min(data.size(), kMaxNdOptionLength - 2);
  const std::size_t units = (n + 2 + 7) / 8;
  w.write_u8(type);
  w.write_u8(static_cast<std::uint8_t>(units));
  w.write_bytes(data.first(n));
  w.write_zeros(units * 8 - 2 - n);
}

struct NdEncoder {
  base::ByteWriter& w;

  void operator()(const SourceLinkLayerAddressOption& o) const {
    write_padded_nd(w, static_cast<std::uint8_t>(NdOptionType::SourceLinkLayerAddress),
                    o.address);
  }
  void operator()(const PrefixInformationOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(NdOptionType::PrefixInformation));
    w.write_u8(4);
    w.write_u8(o.prefix_length);
    w.write_u8(static_cast<std::uint8_t>((o.on_link ? 0x80 : 0) | (o.autonomous ? 0x40 : 0) |
                                         (o.router_address ? 0x20 : 0) |
                                         (o.other_flags & 0x1f)));
    w.write_u32(o.valid_lifetime);
    w.write_u32(o.preferred_lifetime);
    w.write_u32(o.reserved2);
    w.write_bytes(o.prefix.bytes());
  }
  void operator()(const MtuOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(NdOptionType::Mtu));
    w.write_u8(1);
    w.write_u16(o.reserved);
    w.write_u32(o.mtu);
  }
  void operator()(const AdvertisementIntervalOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(NdOptionType::AdvertisementInterval));
    w.write_u8(1);
    w.write_u16(o.reserved);
    w.write_u32(o.interval_ms);
  }
  void operator()(const HomeAgentInformationOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(NdOptionType::HomeAgentInformation));
    w.write_u8(1);
    w.write_u16(o.reserved);
    w.write_u16(o.preference);
    w.write_u16(o.lifetime);
  }
  void operator()(const UnknownNdOption& o) const { write_padded_nd(w, o.type, o.data); }
};

struct BodyEncoder {
  base::ByteWriter& w;

  void operator()(const RouterAdvertisement& m) const {
    w.write_u8(m.cur_hop_limit);
    w.write_u8(static_cast<std::uint8_t>((m.managed ? 0x80 : 0) | (m.other ? 0x40 : 0) |
                                         (m.home_agent ? 0x20 : 0) | (m.other_flags & 0x1f)));
    w.write_u16(m.router_lifetime);
    w.write_u32(m.reachable_time);
    w.write_u32(m.retrans_timer);
    encode_nd_options(m.options, w.buffer());
  }
  void operator()(const DhaadRequest& m) const {
    w.write_u16(m.identifier);
    w.write_u16(m.reserved);
  }
  void operator()(const DhaadReply& m) const {
    w.write_u16(m.identifier);
    w.write_u16(m.reserved);
    for (const auto& a : m.home_agents) {
      w.write_bytes(a.bytes());
    }
  }
  void operator()(const MobilePrefixSolicitation& m) const {
    w.write_u16(m.identifier);
    w.write_u16(m.reserved);
  }
  void operator()(const MobilePrefixAdvertisement& m) const {
    w.write_u16(m.identifier);
    w.write_u8(static_cast<std::uint8_t>((m.managed ? 0x80 : 0) | (m.other ? 0x40 : 0) |
                                         (m.reserved_flags & 0x3f)));
    w.write_u8(m.reserved);
    encode_nd_options(m.options, w.buffer());
  }
};

std::size_t fixed_length(Icmpv6Type t) {
  return t == Icmpv6Type::RouterAdvertisement ? kRaFixedLength : kShortFixedLength;
}

}  // namespace

Icmpv6Type type_of(const Icmpv6Message& m) {
  struct V {
    Icmpv6Type operator()(const RouterAdvertisement&) const {
      return Icmpv6Type::RouterAdvertisement;
    }
    Icmpv6Type operator()(const DhaadRequest&) const { return Icmpv6Type::DhaadRequest; }
    Icmpv6Type operator()(const DhaadReply&) const { return Icmpv6Type::DhaadReply; }
    Icmpv6Type operator()(const MobilePrefixSolicitation&) const {
      return Icmpv6Type::MobilePrefixSolicitation;
    }
    Icmpv6Type operator()(const MobilePrefixAdvertisement&) const {
      return Icmpv6Type::MobilePrefixAdvertisement;
    }
  };
  return std::visit(V{}, m);
}

bool is_mobility_icmpv6_type(std::uint8_t type) {
  switch (static_cast<Icmpv6Type>(type)) {
    case Icmpv6Type::RouterAdvertisement:
    case Icmpv6Type::DhaadRequest:
    case Icmpv6Type::DhaadReply:
    case Icmpv6Type::MobilePrefixSolicitation:
    case Icmpv6Type::MobilePrefixAdvertisement: return true;
  }
  return false;
}

ParseResult<NdOptions> decode_nd_options(std::span<const std::uint8_t> bytes,
                                         std::size_t base_offset) {
  NdOptions options;
  if (!bytes.empty()) {
    options.reserve(4);
  }
  base::ByteReader r(bytes);
  while (!r.empty()) {
    const std::size_t at = base_offset + r.offset();
    std::uint8_t type = 0;
    std::uint8_t units = 0;
    if (!r.read_u8(type) || !r.read_u8(units)) {
      return parse_fail(ParseErrc::NdOptionTruncated, at);
    }
    if (units == 0) {  // RFC 4861 4.6: the whole packet must be discarded
      return parse_fail(ParseErrc::NdOptionZeroLength, at);
    }
    std::span<const std::uint8_t> d;  // the option's octets after Type and Length
    if (!r.read_span(std::size_t{units} * 8 - 2, d)) {
      return parse_fail(ParseErrc::NdOptionTruncated, at);
    }
    switch (static_cast<NdOptionType>(type)) {
      case NdOptionType::SourceLinkLayerAddress:
        options.emplace_back(
            SourceLinkLayerAddressOption{std::vector<std::uint8_t>(d.begin(), d.end())});
        continue;
      case NdOptionType::PrefixInformation: {
        if (units != 4) {
          return parse_fail(ParseErrc::NdOptionBadLength, at);
        }
        PrefixInformationOption o;
        o.prefix_length = d[0];
        o.on_link = (d[1] & 0x80) != 0;
        o.autonomous = (d[1] & 0x40) != 0;
        o.router_address = (d[1] & 0x20) != 0;  // RFC 6275 7.2
        o.other_flags = static_cast<std::uint8_t>(d[1] & 0x1f);
        o.valid_lifetime = be32(d, 2);
        o.preferred_lifetime = be32(d, 6);
        o.reserved2 = be32(d, 10);
        o.prefix = base::Ip6Addr::from_span(d.subspan(14).first<16>());
        options.emplace_back(o);
        continue;
      }
      case NdOptionType::Mtu:
        if (units != 1) {
          return parse_fail(ParseErrc::NdOptionBadLength, at);
        }
        options.emplace_back(MtuOption{be16(d, 0), be32(d, 2)});
        continue;
      case NdOptionType::AdvertisementInterval:  // RFC 6275 7.3
        if (units != 1) {
          return parse_fail(ParseErrc::NdOptionBadLength, at);
        }
        options.emplace_back(AdvertisementIntervalOption{be16(d, 0), be32(d, 2)});
        continue;
      case NdOptionType::HomeAgentInformation:  // RFC 6275 7.4
        if (units != 1) {
          return parse_fail(ParseErrc::NdOptionBadLength, at);
        }
        options.emplace_back(HomeAgentInformationOption{be16(d, 0), be16(d, 2), be16(d, 4)});
        continue;
    }
    // RFC 4861 4.6: unknown options are skipped; kept for dissection.
    options.emplace_back(UnknownNdOption{type, std::vector<std::uint8_t>(d.begin(), d.end())});
  }
  return options;
}

void encode_nd_options(const NdOptions& options, std::vector<std::uint8_t>& out) {
  base::ByteWriter w(out);
  const NdEncoder e{w};
  for (const auto& o : options) {
    std::visit(e, o);
  }
}

ParseResult<Icmpv6Packet> decode_icmpv6(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  if (!is_mobility_icmpv6_type(bytes[0])) {
    return parse_fail(ParseErrc::WrongIcmpType, 0);
  }
  const auto type = static_cast<Icmpv6Type>(bytes[0]);
  const std::size_t fixed = fixed_length(type);
  if (bytes.size() < fixed) {
    return parse_fail(ParseErrc::Truncated, bytes.size());
  }
  if (bytes[1] != 0) {
    return parse_fail(ParseErrc::BadIcmpCode, 1);
  }
  Icmpv6Packet p;
  p.code = bytes[1];
  p.checksum = be16(bytes, kChecksumOffset);
  const std::span<const std::uint8_t> rest = bytes.subspan(fixed);
  switch (type) {
    case Icmpv6Type::RouterAdvertisement: {
      RouterAdvertisement m;
      m.cur_hop_limit = bytes[4];
      m.managed = (bytes[5] & 0x80) != 0;
      m.other = (bytes[5] & 0x40) != 0;
      m.home_agent = (bytes[5] & 0x20) != 0;  // RFC 6275 7.1
      m.other_flags = static_cast<std::uint8_t>(bytes[5] & 0x1f);
      m.router_lifetime = be16(bytes, 6);
      m.reachable_time = be32(bytes, 8);
      m.retrans_timer = be32(bytes, 12);
      auto options = decode_nd_options(rest, fixed);
      if (!options) {
        return tl::unexpected(options.error());
      }
      m.options = std::move(*options);
      p.message = std::move(m);
      break;
    }
    case Icmpv6Type::DhaadRequest:
    case Icmpv6Type::MobilePrefixSolicitation: {
      // No options are defined; trailing octets would not survive a re-encode, so refuse them.
      if (!rest.empty()) {
        return parse_fail(ParseErrc::LengthMismatch, fixed);
      }
      if (type == Icmpv6Type::DhaadRequest) {
        p.message = DhaadRequest{be16(bytes, 4), be16(bytes, 6)};
      } else {
        p.message = MobilePrefixSolicitation{be16(bytes, 4), be16(bytes, 6)};
      }
      break;
    }
    case Icmpv6Type::DhaadReply: {
      if (rest.size() % 16 != 0) {  // RFC 6275 6.6: whole addresses only
        return parse_fail(ParseErrc::BadDhaadReplyLength, fixed);
      }
      DhaadReply m;
      m.identifier = be16(bytes, 4);
      m.reserved = be16(bytes, 6);
      m.home_agents.reserve(rest.size() / 16);
      for (std::size_t i = 0; i < rest.size(); i += 16) {
        m.home_agents.push_back(base::Ip6Addr::from_span(rest.subspan(i).first<16>()));
      }
      p.message = std::move(m);
      break;
    }
    case Icmpv6Type::MobilePrefixAdvertisement: {
      MobilePrefixAdvertisement m;
      m.identifier = be16(bytes, 4);
      m.managed = (bytes[6] & 0x80) != 0;
      m.other = (bytes[6] & 0x40) != 0;
      m.reserved_flags = static_cast<std::uint8_t>(bytes[6] & 0x3f);
      m.reserved = bytes[7];
      auto options = decode_nd_options(rest, fixed);
      if (!options) {
        return tl::unexpected(options.error());
      }
      m.options = std::move(*options);
      p.message = std::move(m);
      break;
    }
  }
  return p;
}

std::vector<std::uint8_t> encode_icmpv6(const Icmpv6Packet& packet) {
  std::vector<std::uint8_t> out;
  out.reserve(64);
  base::ByteWriter w(out);
  w.write_u8(static_cast<std::uint8_t>(type_of(packet.message)));
  w.write_u8(packet.code);
  w.write_u16(packet.checksum);
  std::visit(BodyEncoder{w}, packet.message);
  return out;
}

std::vector<std::uint8_t> encode_icmpv6(const Icmpv6Packet& packet, const base::Ip6Addr& source,
                                        const base::Ip6Addr& destination) {
  std::vector<std::uint8_t> out = encode_icmpv6(packet);
  out[kChecksumOffset] = 0;
  out[kChecksumOffset + 1] = 0;
  const std::uint16_t sum = pseudo_header_checksum(source, destination, kIpProtoIcmpv6, out);
  base::ByteWriter(out).patch_u16(kChecksumOffset, sum);
  return out;
}

}  // namespace mip6::wire
