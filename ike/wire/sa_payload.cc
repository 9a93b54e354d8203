#include "ike/wire/sa_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {
namespace {

constexpr std::uint8_t kLastProposal = 0;
constexpr std::uint8_t kMoreProposals = 2;
constexpr std::uint8_t kLastTransform = 0;
constexpr std::uint8_t kMoreTransforms = 3;
constexpr std::size_t kProposalFixed = 8;
constexpr std::size_t kTransformFixed = 8;
constexpr std::uint16_t kAttrFormatTv = 0x8000;

// Attributes fill [8, length) of a transform. `base` is the transform's offset in the body.
ParseResult<std::vector<TransformAttribute>> decode_attributes(
    std::span<const std::uint8_t> bytes, std::size_t base) {
  std::vector<TransformAttribute> attrs;
  base::ByteReader r(bytes);
  while (!r.empty()) {
    const std::size_t at = base + r.offset();
    std::uint16_t af_type = 0;
    std::uint16_t v = 0;
    if (!r.read_u16(af_type) || !r.read_u16(v)) {
      return parse_fail(ParseErrc::AttributeTruncated, at);
    }
    TransformAttribute a;
    a.type = static_cast<std::uint16_t>(af_type & 0x7fff);
    a.tv = (af_type & kAttrFormatTv) != 0;
    if (a.tv) {
      a.value = v;
    } else {
      std::span<const std::uint8_t> data;
      if (!r.read_span(v, data)) {
        return parse_fail(ParseErrc::AttributeTruncated, at);
      }
      a.tlv_data.assign(data.begin(), data.end());
    }
    attrs.push_back(std::move(a));
  }
  return attrs;
}

// Transforms fill the rest of a proposal. `base` is their offset in the SA body.
ParseResult<std::vector<Transform>> decode_transforms(std::span<const std::uint8_t> bytes,
                                                      std::size_t base) {
  std::vector<Transform> out;
  base::ByteReader r(bytes);
  while (!r.empty()) {
    const std::size_t start = r.offset();
    const std::size_t at = base + start;
    std::uint8_t last = 0;
    std::uint8_t reserved = 0;
    std::uint16_t length = 0;
    if (!r.read_u8(last) || !r.read_u8(reserved) || !r.read_u16(length)) {
      return parse_fail(ParseErrc::Truncated, at);
    }
    if (length > bytes.size() - start) {
      return parse_fail(ParseErrc::TransformLengthOverrun, at);
    }
    if (length < kTransformFixed) {
      return parse_fail(ParseErrc::TransformLengthTooShort, at);
    }
    const bool more = bytes.size() - start > length;
    if ((last != kLastTransform && last != kMoreTransforms) ||
        (last == kMoreTransforms) != more) {
      return parse_fail(ParseErrc::TransformLastSubstrucMismatch, at);
    }
    base::ByteReader t(bytes.subspan(start + 4, length - 4));
    std::uint8_t type = 0;
    std::uint8_t reserved2 = 0;
    std::uint16_t id = 0;
    if (!t.read_u8(type) || !t.read_u8(reserved2) || !t.read_u16(id)) {
      return parse_fail(ParseErrc::Truncated, at);  // unreachable: length >= 8
    }
    auto attrs = decode_attributes(t.rest(), at + kTransformFixed);
    if (!attrs) {
      return tl::unexpected(attrs.error());
    }
    Transform tr;
    tr.type = static_cast<TransformType>(type);
    tr.id = id;
    tr.attributes = std::move(*attrs);
    out.push_back(std::move(tr));
    if (!r.skip(length - 4)) {
      return parse_fail(ParseErrc::Truncated, at);  // unreachable: length checked above
    }
  }
  return out;
}

}  // namespace

std::string_view transform_id_name(TransformType type, std::uint16_t id) {
  switch (type) {
    case TransformType::Encr: return to_string(static_cast<EncrId>(id));
    case TransformType::Prf: return to_string(static_cast<PrfId>(id));
    case TransformType::Integ: return to_string(static_cast<IntegId>(id));
    case TransformType::Dh: return to_string(static_cast<DhGroup>(id));
    case TransformType::Esn: return to_string(static_cast<EsnId>(id));
  }
  return "unknown";
}

std::optional<std::uint16_t> Transform::key_length() const {
  for (const auto& a : attributes) {
    if (a.type == kAttrKeyLength && a.tv) {
      return a.value;
    }
  }
  return std::nullopt;
}

Transform Transform::make(TransformType type, std::uint16_t id) {
  Transform t;
  t.type = type;
  t.id = id;
  return t;
}

Transform Transform::make_with_key_length(TransformType type, std::uint16_t id,
                                          std::uint16_t key_bits) {
  Transform t = make(type, id);
  TransformAttribute a;
  a.type = kAttrKeyLength;
  a.tv = true;
  a.value = key_bits;
  t.attributes.push_back(std::move(a));
  return t;
}

const Transform* Proposal::find(TransformType type) const {
  for (const auto& t : transforms) {
    if (t.type == type) {
      return &t;
    }
  }
  return nullptr;
}

std::optional<std::uint32_t> Proposal::spi32() const {
  if (spi.size() != 4) {
    return std::nullopt;
  }
  return (std::uint32_t{spi[0]} << 24) | (std::uint32_t{spi[1]} << 16) |
         (std::uint32_t{spi[2]} << 8) | std::uint32_t{spi[3]};
}

ParseResult<SaPayload> SaPayload::decode(std::span<const std::uint8_t> body) {
  SaPayload sa;
  if (body.empty()) {
    return parse_fail(ParseErrc::NoProposals, 0);
  }
  base::ByteReader r(body);
  while (!r.empty()) {
    const std::size_t at = r.offset();
    std::uint8_t last = 0;
    std::uint8_t reserved = 0;
    std::uint16_t length = 0;
    if (!r.read_u8(last) || !r.read_u8(reserved) || !r.read_u16(length)) {
      return parse_fail(ParseErrc::Truncated, at);
    }
    if (length > body.size() - at) {
      return parse_fail(ParseErrc::ProposalLengthOverrun, at);
    }
    if (length < kProposalFixed) {
      return parse_fail(ParseErrc::ProposalLengthTooShort, at);
    }
    const bool more = body.size() - at > length;
    if ((last != kLastProposal && last != kMoreProposals) || (last == kMoreProposals) != more) {
      return parse_fail(ParseErrc::ProposalLastSubstrucMismatch, at);
    }
    base::ByteReader p(body.subspan(at + 4, length - 4));
    Proposal prop;
    std::uint8_t protocol = 0;
    std::uint8_t spi_size = 0;
    std::uint8_t num_transforms = 0;
    std::span<const std::uint8_t> spi;
    if (!p.read_u8(prop.number) || !p.read_u8(protocol) || !p.read_u8(spi_size) ||
        !p.read_u8(num_transforms)) {
      return parse_fail(ParseErrc::Truncated, at);  // unreachable: length >= 8
    }
    if (!p.read_span(spi_size, spi)) {
      return parse_fail(ParseErrc::ProposalLengthTooShort, at);
    }
    prop.protocol = static_cast<ProtocolId>(protocol);
    prop.spi.assign(spi.begin(), spi.end());
    auto transforms = decode_transforms(p.rest(), at + kProposalFixed + spi_size);
    if (!transforms) {
      return tl::unexpected(transforms.error());
    }
    if (transforms->size() != num_transforms) {
      return parse_fail(ParseErrc::TransformCountMismatch, at);
    }
    prop.transforms = std::move(*transforms);
    sa.proposals.push_back(std::move(prop));
    if (!r.skip(length - 4)) {
      return parse_fail(ParseErrc::Truncated, at);  // unreachable: length checked above
    }
  }
  return sa;
}

EncodeStatus SaPayload::encode(base::ByteWriter& w) const {
  const auto kSelf = static_cast<std::uint8_t>(kType);
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    const Proposal& p = proposals[i];
    if (p.spi.size() > 0xff) {
      return encode_fail(EncodeErrc::FieldTooLong, kSelf);
    }
    if (p.transforms.size() > 0xff) {
      return encode_fail(EncodeErrc::CountTooLarge, kSelf);
    }
    const std::size_t start = w.size();
    w.write_u8(i + 1 == proposals.size() ? kLastProposal : kMoreProposals);
    w.write_u8(0);
    w.write_u16(0);  // patched below
    w.write_u8(p.number);
    w.write_u8(static_cast<std::uint8_t>(p.protocol));
    w.write_u8(static_cast<std::uint8_t>(p.spi.size()));
    w.write_u8(static_cast<std::uint8_t>(p.transforms.size()));
    w.write_bytes(p.spi);
    for (std::size_t j = 0; j < p.transforms.size(); ++j) {
      const Transform& t = p.transforms[j];
      const std::size_t tstart = w.size();
      w.write_u8(j + 1 == p.transforms.size() ? kLastTransform : kMoreTransforms);
      w.write_u8(0);
      w.write_u16(0);  // patched below
      w.write_u8(static_cast<std::uint8_t>(t.type));
      w.write_u8(0);
      w.write_u16(t.id);
      for (const auto& a : t.attributes) {
        const auto type = static_cast<std::uint16_t>(a.type & 0x7fff);
        if (a.tv) {
          w.write_u16(static_cast<std::uint16_t>(kAttrFormatTv | type));
          w.write_u16(a.value);
        } else {
          if (a.tlv_data.size() > 0xffff) {
            return encode_fail(EncodeErrc::FieldTooLong, kSelf);
          }
          w.write_u16(type);
          w.write_u16(static_cast<std::uint16_t>(a.tlv_data.size()));
          w.write_bytes(a.tlv_data);
        }
      }
      const std::size_t tlen = w.size() - tstart;
      if (tlen > 0xffff) {
        return encode_fail(EncodeErrc::PayloadTooLong, kSelf);
      }
      w.patch_u16(tstart + 2, static_cast<std::uint16_t>(tlen));
    }
    const std::size_t plen = w.size() - start;
    if (plen > 0xffff) {
      return encode_fail(EncodeErrc::PayloadTooLong, kSelf);
    }
    w.patch_u16(start + 2, static_cast<std::uint16_t>(plen));
  }
  return {};
}

}  // namespace ike::wire
