// The certificate-authentication decoders on untrusted IKE_AUTH content; the first octet
// selects which:
//   0: method 14 AUTH data (RFC 7427 3): framing, then the DER AlgorithmIdentifier;
//   1: a DER AlgorithmIdentifier alone;
//   2: a CERT payload's DER X.509 certificate, with the identity checks and the CERTREQ hash.
// Whatever decodes must re-encode consistently (traps otherwise); nothing may crash or leak.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/crypto/signature.h"
#include "ike/crypto/x509.h"
#include "ike/wire/auth_payload.h"

namespace {

using namespace ike;

void algorithm_identifier(std::span<const std::uint8_t> der) {
  auto scheme = crypto::decode_algorithm_identifier(der);
  if (!scheme) {
    return;
  }
  // Decoding accepts BER-ish spellings (e.g. an explicit DEFAULT); our DER must decode to the
  // same scheme.
  auto encoded = crypto::encode_algorithm_identifier(*scheme);
  if (!encoded) {
    __builtin_trap();
  }
  auto again = crypto::decode_algorithm_identifier(*encoded);
  if (!again || !(*again == *scheme)) {
    __builtin_trap();
  }
}

void digital_signature(std::span<const std::uint8_t> in) {
  auto framed = wire::decode_digital_signature(in);
  if (!framed) {
    return;
  }
  auto encoded = wire::encode_digital_signature(framed->algorithm_identifier, framed->signature);
  if (!encoded || !std::equal(encoded->begin(), encoded->end(), in.begin(), in.end())) {
    __builtin_trap();
  }
  algorithm_identifier(framed->algorithm_identifier);
}

void certificate(std::span<const std::uint8_t> in) {
  auto cert = crypto::Certificate::from_der(in);
  if (!cert) {
    return;
  }
  if (!std::equal(cert->der().begin(), cert->der().end(), in.begin(), in.end())) {
    __builtin_trap();
  }
  (void)cert->subject();
  (void)cert->public_key_info_sha1();
  (void)cert->has_dns_name("ha.example.org");
  (void)cert->has_email("mn1@example.org");
  const std::uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8};
  (void)cert->has_ip_address(ip);
  (void)cert->subject_is(cert->subject_der());
  (void)cert->public_key();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: digital_signature(in); break;
    case 1: algorithm_identifier(in); break;
    default: certificate(in); break;
  }
  return 0;
}
