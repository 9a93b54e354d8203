#include "ike/wire/cert_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(CertPayload, DecodesEncodingAndData) {
  const auto body = hex("04 3082010a0282");  // X.509 signature, start of a DER certificate
  auto c = CertPayload::decode(body);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->encoding, CertEncoding::X509Signature);
  EXPECT_EQ(base::to_hex(c->data), "3082010a0282");
  test::expect_body_round_trip<CertPayload>(body);
}

TEST(CertPayload, EveryPrefixFailsWithExactError) {
  test::expect_every_prefix(hex("04"), {{1, ParseErrc::Truncated, 0}},
                            [](std::span<const std::uint8_t> s) { return CertPayload::decode(s); });
}

TEST(CertPayload, Names) {
  EXPECT_EQ(to_string(CertEncoding::X509Signature), "x509_signature");
  EXPECT_EQ(to_string(CertEncoding::HashUrlX509Cert), "hash_url_x509_cert");
  EXPECT_EQ(to_string(static_cast<CertEncoding>(200)), "unknown");
}

}  // namespace
}  // namespace ike::wire
