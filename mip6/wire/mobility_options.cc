#include "mip6/wire/mobility_options.h"

#include <algorithm>

#include "ike/base/byte_reader.h"
#include "ike/base/byte_writer.h"
#include "ike/base/check.h"

namespace mip6::wire {

namespace {

// One option's length octet counts at most 255 data octets.
constexpr std::size_t kMaxOptionData = 255;

// Alignment requirement xn+y (RFC 6275 6.2); x == 1 means none.
struct Alignment {
  std::size_t x = 1;
  std::size_t y = 0;
};

Alignment alignment_of(const MobilityOption& option) {
  if (std::holds_alternative<BindingRefreshAdviceOption>(option) ||
      std::holds_alternative<NonceIndicesOption>(option)) {
    return {2, 0};
  }
  if (std::holds_alternative<AlternateCareOfAddressOption>(option)) {
    return {8, 6};
  }
  if (std::holds_alternative<BindingAuthorizationDataOption>(option)) {
    return {8, 2};
  }
  return {};
}

bool aligned(std::size_t mh_pos, std::size_t x, std::size_t y) { return mh_pos % x == y; }

std::uint8_t clamp_len(std::size_t n) {
  MIP_ASSERT(n <= kMaxOptionData);
  return static_cast<std::uint8_t>(std::min(n, kMaxOptionData));
}

void write_tlv(base::ByteWriter& w, std::uint8_t type, std::span<const std::uint8_t> data) {
  // A caller that overfills an option is a bug; keep the wire self-consistent anyway.
  const std::uint8_t len = clamp_len(data.size());
  w.write_u8(type);
  w.write_u8(len);
  w.write_bytes(data.first(len));
}

struct EncodeVisitor {
  base::ByteWriter& w;

  void operator()(const Pad1Option&) const { w.write_u8(0); }
  void operator()(const PadNOption& o) const {
    write_tlv(w, static_cast<std::uint8_t>(MobilityOptionType::PadN), o.data);
  }
  void operator()(const BindingRefreshAdviceOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(MobilityOptionType::BindingRefreshAdvice));
    w.write_u8(2);
    w.write_u16(o.refresh_interval);
  }
  void operator()(const AlternateCareOfAddressOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(MobilityOptionType::AlternateCareOfAddress));
    w.write_u8(16);
    w.write_bytes(o.address.bytes());
  }
  void operator()(const NonceIndicesOption& o) const {
    w.write_u8(static_cast<std::uint8_t>(MobilityOptionType::NonceIndices));
    w.write_u8(4);
    w.write_u16(o.home_nonce_index);
    w.write_u16(o.care_of_nonce_index);
  }
  void operator()(const BindingAuthorizationDataOption& o) const {
    write_tlv(w, static_cast<std::uint8_t>(MobilityOptionType::BindingAuthorizationData),
              o.authenticator);
  }
  void operator()(const DnsUpdateOption& o) const {
    const std::size_t name_len = std::min(o.mn_identity.size(), kMaxOptionData - 2);
    MIP_ASSERT(name_len == o.mn_identity.size());
    w.write_u8(static_cast<std::uint8_t>(MobilityOptionType::DnsUpdate));
    w.write_u8(static_cast<std::uint8_t>(2 + name_len));
    w.write_u8(o.status);
    w.write_u8(static_cast<std::uint8_t>((o.remove ? 0x80 : 0x00) | (o.reserved & 0x7f)));
    const auto* p = reinterpret_cast<const std::uint8_t*>(o.mn_identity.data());
    w.write_bytes(std::span<const std::uint8_t>(p, name_len));
  }
  void operator()(const UnknownMobilityOption& o) const { write_tlv(w, o.type, o.data); }
};

std::uint16_t be16(std::span<const std::uint8_t> d, std::size_t at) {
  return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]);
}

}  // namespace

ParseResult<MobilityOptions> decode_mobility_options(std::span<const std::uint8_t> bytes,
                                                     std::size_t mh_offset) {
  MobilityOptions options;
  if (!bytes.empty()) {
    options.reserve(4);  // a BU or BA carries a handful; one allocation covers the usual case
  }
  base::ByteReader r(bytes);
  while (!r.empty()) {
    const std::size_t pos = r.offset();
    const std::size_t mh_pos = mh_offset + pos;
    std::uint8_t type = 0;
    (void)r.read_u8(type);  // cannot fail: not empty
    if (type == static_cast<std::uint8_t>(MobilityOptionType::Pad1)) {
      options.emplace_back(Pad1Option{});
      continue;
    }
    std::uint8_t len = 0;
    std::span<const std::uint8_t> data;
    if (!r.read_u8(len) || !r.read_span(len, data)) {
      return parse_fail(ParseErrc::OptionTruncated, mh_pos);
    }
    switch (static_cast<MobilityOptionType>(type)) {
      case MobilityOptionType::Pad1:
        break;  // handled above
      case MobilityOptionType::PadN:
        // R6275-11: the content is kept for dissection but means nothing.
        options.emplace_back(PadNOption{std::vector<std::uint8_t>(data.begin(), data.end())});
        continue;
      case MobilityOptionType::BindingRefreshAdvice:
        if (len != 2) {
          return parse_fail(ParseErrc::OptionBadLength, mh_pos);
        }
        if (!aligned(mh_pos, 2, 0)) {
          return parse_fail(ParseErrc::OptionMisaligned, mh_pos);
        }
        options.emplace_back(BindingRefreshAdviceOption{be16(data, 0)});
        continue;
      case MobilityOptionType::AlternateCareOfAddress:
        if (len != 16) {
          return parse_fail(ParseErrc::OptionBadLength, mh_pos);
        }
        if (!aligned(mh_pos, 8, 6)) {
          return parse_fail(ParseErrc::OptionMisaligned, mh_pos);
        }
        options.emplace_back(
            AlternateCareOfAddressOption{base::Ip6Addr::from_span(data.first<16>())});
        continue;
      case MobilityOptionType::NonceIndices:
        if (len != 4) {
          return parse_fail(ParseErrc::OptionBadLength, mh_pos);
        }
        if (!aligned(mh_pos, 2, 0)) {
          return parse_fail(ParseErrc::OptionMisaligned, mh_pos);
        }
        options.emplace_back(NonceIndicesOption{be16(data, 0), be16(data, 2)});
        continue;
      case MobilityOptionType::BindingAuthorizationData:
        if (!aligned(mh_pos, 8, 2)) {
          return parse_fail(ParseErrc::OptionMisaligned, mh_pos);
        }
        // 6.2.7: last option, no padding after it.
        if (!r.empty()) {
          return parse_fail(ParseErrc::OptionNotLast, mh_offset + r.offset());
        }
        options.emplace_back(
            BindingAuthorizationDataOption{std::vector<std::uint8_t>(data.begin(), data.end())});
        continue;
      case MobilityOptionType::DnsUpdate: {
        if (len < 2) {  // RFC 5026 8.1: status and flags precede the identity
          return parse_fail(ParseErrc::OptionBadLength, mh_pos);
        }
        DnsUpdateOption o;
        o.status = data[0];
        o.remove = (data[1] & 0x80) != 0;
        o.reserved = static_cast<std::uint8_t>(data[1] & 0x7f);
        o.mn_identity.assign(reinterpret_cast<const char*>(data.data()) + 2, len - 2U);
        options.emplace_back(std::move(o));
        continue;
      }
    }
    // R6275-10: unknown options are skipped; kept here so dissectors can show them.
    options.emplace_back(
        UnknownMobilityOption{type, std::vector<std::uint8_t>(data.begin(), data.end())});
  }
  return options;
}

void encode_mobility_options(const MobilityOptions& options, std::vector<std::uint8_t>& out) {
  base::ByteWriter w(out);
  const EncodeVisitor v{w};
  for (const auto& o : options) {
    std::visit(v, o);
  }
}

std::size_t encoded_size(const MobilityOption& option) {
  struct SizeVisitor {
    std::size_t operator()(const Pad1Option&) const { return 1; }
    std::size_t operator()(const PadNOption& o) const {
      return 2 + std::min(o.data.size(), kMaxOptionData);
    }
    std::size_t operator()(const BindingRefreshAdviceOption&) const { return 4; }
    std::size_t operator()(const AlternateCareOfAddressOption&) const { return 18; }
    std::size_t operator()(const NonceIndicesOption&) const { return 6; }
    std::size_t operator()(const BindingAuthorizationDataOption& o) const {
      return 2 + std::min(o.authenticator.size(), kMaxOptionData);
    }
    std::size_t operator()(const DnsUpdateOption& o) const {
      return 4 + std::min(o.mn_identity.size(), kMaxOptionData - 2);
    }
    std::size_t operator()(const UnknownMobilityOption& o) const {
      return 2 + std::min(o.data.size(), kMaxOptionData);
    }
  };
  return std::visit(SizeVisitor{}, option);
}

void append_aligned(MobilityOptions& options, std::size_t options_start, MobilityOption option) {
  std::size_t end = options_start;
  for (const auto& o : options) {
    end += encoded_size(o);
  }
  const Alignment a = alignment_of(option);
  const std::size_t pad = (a.y + a.x - end % a.x) % a.x;
  if (pad == 1) {
    options.emplace_back(Pad1Option{});
  } else if (pad >= 2) {
    options.emplace_back(PadNOption{std::vector<std::uint8_t>(pad - 2, 0)});
  }
  options.push_back(std::move(option));
}

}  // namespace mip6::wire
