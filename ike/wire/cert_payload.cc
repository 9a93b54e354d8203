#include "ike/wire/cert_payload.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

std::string_view to_string(CertEncoding e) {
  switch (e) {
    case CertEncoding::Pkcs7WrappedX509: return "PKCS7_WRAPPED_X509";
    case CertEncoding::X509Signature: return "X509_CERTIFICATE_SIGNATURE";
    case CertEncoding::CrlX509: return "CERTIFICATE_REVOCATION_LIST";
    case CertEncoding::RawRsaKey: return "RAW_RSA_KEY";
    case CertEncoding::HashUrlX509Cert: return "HASH_AND_URL_X509_CERTIFICATE";
    case CertEncoding::HashUrlX509Bundle: return "HASH_AND_URL_X509_BUNDLE";
  }
  return "UNKNOWN_CERT_ENCODING";
}

ParseResult<CertPayload> CertPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t enc = 0;
  if (!r.read_u8(enc)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  CertPayload c;
  c.encoding = static_cast<CertEncoding>(enc);
  c.data.assign(r.rest().begin(), r.rest().end());
  return c;
}

EncodeStatus CertPayload::encode(base::ByteWriter& w) const {
  w.write_u8(static_cast<std::uint8_t>(encoding));
  w.write_bytes(data);
  return {};
}

}  // namespace ike::wire
