#include "mip6/wire/mobility_header.h"

#include <algorithm>
#include <array>

#include "ike/base/byte_reader.h"
#include "ike/base/byte_writer.h"
#include "ike/base/check.h"

namespace mip6::wire {

namespace {

constexpr std::size_t kMhMinLength = 8;       // Header Len 0
constexpr std::size_t kMhMaxLength = 2048;    // Header Len 255
constexpr std::size_t kChecksumOffset = 4;
constexpr std::size_t kMaxHaSwitchAddresses = (kMhMaxLength - 8) / 16;  // 127

// Offset where the options start for each known MH type: the type's fixed part (RFC 6275
// 6.1.2-6.1.9, RFC 5142 4). 0 for types this decoder does not know.
std::size_t fixed_part_end(std::uint8_t type) {
  switch (static_cast<MhType>(type)) {
    case MhType::BindingRefreshRequest: return 8;
    case MhType::HomeTestInit:
    case MhType::CareOfTestInit: return 16;
    case MhType::HomeTest:
    case MhType::CareOfTest: return 24;
    case MhType::BindingUpdate:
    case MhType::BindingAck: return 12;
    case MhType::BindingError: return 24;
    case MhType::HomeAgentSwitch: return 8;  // plus 16 * "# of Addresses"
  }
  return 0;
}

template <std::size_t N>
std::array<std::uint8_t, N> take(std::span<const std::uint8_t> d, std::size_t at) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(d.begin() + static_cast<std::ptrdiff_t>(at), N, out.begin());
  return out;
}

std::uint16_t be16(std::span<const std::uint8_t> d, std::size_t at) {
  return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

base::Ip6Addr addr_at(std::span<const std::uint8_t> d, std::size_t at) {
  return base::Ip6Addr::from_span(d.subspan(at).first<16>());
}

// Decodes the fixed part of each message; `b` is the whole MH, already length-checked so
// every fixed field is in range.
struct FixedPart {
  std::span<const std::uint8_t> b;

  MobilityMessage decode(MhType type) const {
    switch (type) {
      case MhType::BindingRefreshRequest: return BindingRefreshRequest{be16(b, 6), {}};
      case MhType::HomeTestInit: return HomeTestInit{be16(b, 6), take<8>(b, 8), {}};
      case MhType::CareOfTestInit: return CareOfTestInit{be16(b, 6), take<8>(b, 8), {}};
      case MhType::HomeTest: return HomeTest{be16(b, 6), take<8>(b, 8), take<8>(b, 16), {}};
      case MhType::CareOfTest: return CareOfTest{be16(b, 6), take<8>(b, 8), take<8>(b, 16), {}};
      case MhType::BindingUpdate: {
        BindingUpdate m;
        m.sequence = be16(b, 6);
        const std::uint8_t flags = b[8];
        m.ack = (flags & 0x80) != 0;
        m.home_registration = (flags & 0x40) != 0;
        m.link_local_compat = (flags & 0x20) != 0;
        m.key_mgmt_mobility = (flags & 0x10) != 0;
        m.other_flags = static_cast<std::uint8_t>(flags & 0x0f);
        m.reserved = b[9];
        m.lifetime = be16(b, 10);
        return m;
      }
      case MhType::BindingAck: {
        BindingAck m;
        m.status = static_cast<BaStatus>(b[6]);
        m.key_mgmt_mobility = (b[7] & 0x80) != 0;
        m.other_flags = static_cast<std::uint8_t>(b[7] & 0x7f);
        m.sequence = be16(b, 8);
        m.lifetime = be16(b, 10);
        return m;
      }
      case MhType::BindingError: {
        BindingError m;
        m.status = static_cast<BeStatus>(b[6]);
        m.reserved = b[7];
        m.home_address = addr_at(b, 8);
        return m;
      }
      case MhType::HomeAgentSwitch: {
        HomeAgentSwitch m;
        const std::size_t n = b[6];
        m.reserved = b[7];
        m.home_agents.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          m.home_agents.push_back(addr_at(b, 8 + 16 * i));
        }
        return m;
      }
    }
    return BindingRefreshRequest{};  // unreachable: type was checked by the caller
  }
};

MobilityOptions& options_of(MobilityMessage& m) {
  return std::visit([](auto& msg) -> MobilityOptions& { return msg.options; }, m);
}

struct EncodeFixed {
  base::ByteWriter& w;

  void operator()(const BindingRefreshRequest& m) const { w.write_u16(m.reserved); }
  void operator()(const HomeTestInit& m) const {
    w.write_u16(m.reserved);
    w.write_bytes(m.init_cookie);
  }
  void operator()(const CareOfTestInit& m) const {
    w.write_u16(m.reserved);
    w.write_bytes(m.init_cookie);
  }
  void operator()(const HomeTest& m) const {
    w.write_u16(m.nonce_index);
    w.write_bytes(m.init_cookie);
    w.write_bytes(m.keygen_token);
  }
  void operator()(const CareOfTest& m) const {
    w.write_u16(m.nonce_index);
    w.write_bytes(m.init_cookie);
    w.write_bytes(m.keygen_token);
  }
  void operator()(const BindingUpdate& m) const {
    w.write_u16(m.sequence);
    w.write_u8(static_cast<std::uint8_t>((m.ack ? 0x80 : 0) | (m.home_registration ? 0x40 : 0) |
                                         (m.link_local_compat ? 0x20 : 0) |
                                         (m.key_mgmt_mobility ? 0x10 : 0) |
                                         (m.other_flags & 0x0f)));
    w.write_u8(m.reserved);
    w.write_u16(m.lifetime);
  }
  void operator()(const BindingAck& m) const {
    w.write_u8(static_cast<std::uint8_t>(m.status));
    w.write_u8(static_cast<std::uint8_t>((m.key_mgmt_mobility ? 0x80 : 0) |
                                         (m.other_flags & 0x7f)));
    w.write_u16(m.sequence);
    w.write_u16(m.lifetime);
  }
  void operator()(const BindingError& m) const {
    w.write_u8(static_cast<std::uint8_t>(m.status));
    w.write_u8(m.reserved);
    w.write_bytes(m.home_address.bytes());
  }
  void operator()(const HomeAgentSwitch& m) const {
    // R5142-08: "# of Addresses" is the number listed. More than fit in 2048 octets is a
    // caller bug; write only what fits so the message stays well-formed.
    MIP_ASSERT(m.home_agents.size() <= kMaxHaSwitchAddresses);
    const std::size_t n = std::min(m.home_agents.size(), kMaxHaSwitchAddresses);
    w.write_u8(static_cast<std::uint8_t>(n));
    w.write_u8(m.reserved);
    for (std::size_t i = 0; i < n; ++i) {
      w.write_bytes(m.home_agents[i].bytes());
    }
  }
};

}  // namespace

MhType type_of(const MobilityMessage& m) {
  struct V {
    MhType operator()(const BindingRefreshRequest&) const {
      return MhType::BindingRefreshRequest;
    }
    MhType operator()(const HomeTestInit&) const { return MhType::HomeTestInit; }
    MhType operator()(const CareOfTestInit&) const { return MhType::CareOfTestInit; }
    MhType operator()(const HomeTest&) const { return MhType::HomeTest; }
    MhType operator()(const CareOfTest&) const { return MhType::CareOfTest; }
    MhType operator()(const BindingUpdate&) const { return MhType::BindingUpdate; }
    MhType operator()(const BindingAck&) const { return MhType::BindingAck; }
    MhType operator()(const BindingError&) const { return MhType::BindingError; }
    MhType operator()(const HomeAgentSwitch&) const { return MhType::HomeAgentSwitch; }
  };
  return std::visit(V{}, m);
}

ParseResult<MobilityHeader> decode_mobility_header(std::span<const std::uint8_t> bytes) {
  // RFC 6275 9.2 order: length, Payload Proto, MH Type, Header Len vs the type, options.
  if (bytes.size() < kMhMinLength) {
    return parse_fail(ParseErrc::Truncated, bytes.size());
  }
  const std::uint8_t header_len = bytes[1];
  if (bytes.size() != (std::size_t{header_len} + 1) * 8) {  // R6275-02
    return parse_fail(ParseErrc::LengthMismatch, 1);
  }
  if (bytes[0] != kIpProtoNone) {  // R6275-08: Parameter Problem points at offset 0
    return parse_fail(ParseErrc::PayloadProtoNotNone, 0);
  }
  const std::uint8_t type = bytes[2];
  std::size_t fixed_end = fixed_part_end(type);
  if (fixed_end == 0) {  // R6275-07: Binding Error status 2
    return parse_fail(ParseErrc::UnknownMhType, 2);
  }
  if (bytes.size() < fixed_end) {  // R6275-09: Parameter Problem points at Header Len
    return parse_fail(ParseErrc::HeaderLenTooShort, 1);
  }
  if (static_cast<MhType>(type) == MhType::HomeAgentSwitch) {
    fixed_end += std::size_t{16} * bytes[6];
    if (bytes.size() < fixed_end) {  // R5142-01: the address list must fit the message
      return parse_fail(ParseErrc::BadAddressCount, 6);
    }
  }

  MobilityHeader mh;
  mh.payload_proto = bytes[0];
  mh.reserved = bytes[3];
  mh.checksum = be16(bytes, kChecksumOffset);
  mh.message = FixedPart{bytes}.decode(static_cast<MhType>(type));
  auto options = decode_mobility_options(bytes.subspan(fixed_end), fixed_end);
  if (!options) {
    return tl::unexpected(options.error());
  }
  options_of(mh.message) = std::move(*options);
  return mh;
}

std::vector<std::uint8_t> encode_mobility_header(const MobilityHeader& mh) {
  std::vector<std::uint8_t> out;
  const MobilityOptions& options =
      std::visit([](const auto& m) -> const MobilityOptions& { return m.options; }, mh.message);
  std::size_t options_size = 0;
  for (const auto& o : options) {
    options_size += encoded_size(o);
  }
  out.reserve(32 + options_size);
  base::ByteWriter w(out);
  w.write_u8(mh.payload_proto);
  w.write_u8(0);  // Header Len, patched below
  w.write_u8(static_cast<std::uint8_t>(type_of(mh.message)));
  w.write_u8(mh.reserved);
  w.write_u16(mh.checksum);
  std::visit(EncodeFixed{w}, mh.message);
  encode_mobility_options(options, out);
  // R6275-02: pad the message to a multiple of 8 octets.
  const std::size_t pad = (8 - out.size() % 8) % 8;
  if (pad == 1) {
    w.write_u8(0);
  } else if (pad >= 2) {
    w.write_u8(static_cast<std::uint8_t>(MobilityOptionType::PadN));
    w.write_u8(static_cast<std::uint8_t>(pad - 2));
    w.write_zeros(pad - 2);
  }
  MIP_ASSERT(out.size() <= kMhMaxLength);
  w.patch_u8(1, static_cast<std::uint8_t>(out.size() / 8 - 1));
  return out;
}

std::vector<std::uint8_t> encode_mobility_header(const MobilityHeader& mh,
                                                 const base::Ip6Addr& source,
                                                 const base::Ip6Addr& destination) {
  std::vector<std::uint8_t> out = encode_mobility_header(mh);
  out[kChecksumOffset] = 0;
  out[kChecksumOffset + 1] = 0;
  // R6275-04: pseudo-header with the home address as source when a HAO is carried.
  const std::uint16_t sum = pseudo_header_checksum(source, destination, kIpProtoMobility, out);
  base::ByteWriter(out).patch_u16(kChecksumOffset, sum);
  return out;
}

}  // namespace mip6::wire
