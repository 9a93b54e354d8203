#pragma once
// Security Association payload (RFC 7296 3.3): proposals, transforms and attributes.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/crypto/transform_ids.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

// The IANA transform numbers have one definition, shared with the crypto layer (header-only:
// the codec does not link crypto). The aliases keep the codec's vocabulary.
using TransformType = crypto::TransformType;
using EncrId = crypto::EncrAlgorithm;
using PrfId = crypto::PrfAlgorithm;
using IntegId = crypto::IntegAlgorithm;
using DhGroup = crypto::DhGroup;
using EsnId = crypto::EsnMode;
using crypto::to_string;  // so wire::to_string(DhGroup) and friends name them too

// Name of a transform ID in the namespace of its type ("AES_CBC", "MODP_2048", ...).
std::string_view transform_id_name(TransformType type, std::uint16_t id);

constexpr std::uint16_t kAttrKeyLength = 14;  // the only IKEv2 attribute, always TV (3.3.5)

struct TransformAttribute {
  std::uint16_t type = 0;  // 15 bits; the AF bit lives in `tv`
  bool tv = true;          // AF = 1: Type/Value, the value is the 16-bit field
  std::uint16_t value = 0;             // TV value
  std::vector<std::uint8_t> tlv_data;  // TLV value (tv == false)
  friend bool operator==(const TransformAttribute&, const TransformAttribute&) = default;
};

struct Transform {
  TransformType type = TransformType::Encr;
  std::uint16_t id = 0;
  std::vector<TransformAttribute> attributes;

  // Key Length attribute (bits), when present as TV.
  [[nodiscard]] std::optional<std::uint16_t> key_length() const;
  static Transform make(TransformType type, std::uint16_t id);
  static Transform make_with_key_length(TransformType type, std::uint16_t id,
                                        std::uint16_t key_bits);
  friend bool operator==(const Transform&, const Transform&) = default;
};

struct Proposal {
  std::uint8_t number = 1;  // 1 for the first, the reply echoes the chosen one (3.3.1)
  ProtocolId protocol = ProtocolId::Ike;
  std::vector<std::uint8_t> spi;  // 0 octets (initial IKE SA), 8 (IKE rekey), 4 (ESP/AH)
  std::vector<Transform> transforms;

  // The first transform of a type, if any.
  [[nodiscard]] const Transform* find(TransformType type) const;
  // The SPI as a 32-bit ESP/AH value; nullopt unless it is exactly 4 octets.
  [[nodiscard]] std::optional<std::uint32_t> spi32() const;
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct SaPayload {
  static constexpr PayloadType kType = PayloadType::SecurityAssociation;
  std::vector<Proposal> proposals;

  // Validate-then-interpret over the payload body (after the 4-octet generic header). Offsets
  // in errors are relative to the body.
  [[nodiscard]] static ParseResult<SaPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const SaPayload&, const SaPayload&) = default;
};

}  // namespace ike::wire
