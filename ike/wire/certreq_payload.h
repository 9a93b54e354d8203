#pragma once
// Certificate Request payload (RFC 7296 3.7): encoding octet + Certification Authority data
// (for X.509: concatenated 20-octet SHA-1 hashes of trusted CA public keys).
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/wire/cert_payload.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

struct CertReqPayload {
  static constexpr PayloadType kType = PayloadType::CertificateRequest;
  CertEncoding encoding = CertEncoding::X509Signature;
  std::vector<std::uint8_t> authorities;

  [[nodiscard]] static ParseResult<CertReqPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const CertReqPayload&, const CertReqPayload&) = default;
};

}  // namespace ike::wire
