#pragma once
// Certificate (RFC 7296 3.6) and Certificate Request (3.7) payloads: one encoding octet, then
// opaque data (a DER certificate, or concatenated SHA-1 hashes of trusted CA keys).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

enum class CertEncoding : std::uint8_t {
  Pkcs7WrappedX509 = 1,
  X509Signature = 4,
  CrlX509 = 7,
  RawRsaKey = 11,
  HashUrlX509Cert = 12,
  HashUrlX509Bundle = 13,
};
MIP6_ENUM_NAMES(CertEncoding, Pkcs7WrappedX509, X509Signature, CrlX509, RawRsaKey, HashUrlX509Cert,
                HashUrlX509Bundle);

struct CertPayload {
  static constexpr PayloadType kType = PayloadType::Certificate;
  CertEncoding encoding = CertEncoding::X509Signature;
  std::vector<std::uint8_t> data;

  [[nodiscard]] static ParseResult<CertPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const CertPayload&, const CertPayload&) = default;
};

}  // namespace ike::wire
