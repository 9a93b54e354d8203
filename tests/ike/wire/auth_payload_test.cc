#include "ike/wire/auth_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(AuthPayload, DecodesEachMethod) {
  const std::pair<std::string_view, AuthMethod> cases[] = {
      {"01000000 2a348052", AuthMethod::RsaSignature},  // iked auth_pld prefix
      {"02000000 909192939495969798999a9b9c9d9e9f", AuthMethod::SharedKeyMic},
      {"09000000 3045022100", AuthMethod::EcdsaSha256P256},
      // RFC 7427: ASN.1 length, AlgorithmIdentifier (ecdsa-with-SHA256), signature.
      {"0e000000 0c300a06082a8648ce3d040302 3044", AuthMethod::DigitalSignature},
  };
  for (const auto& [text, method] : cases) {
    SCOPED_TRACE(to_string(method));
    const auto body = hex(text);
    auto a = AuthPayload::decode(body);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->method, method);
    EXPECT_EQ(a->data.size(), body.size() - 4);
    test::expect_body_round_trip<AuthPayload>(body);
  }
}

TEST(AuthPayload, EveryPrefixFailsWithExactError) {
  test::expect_every_prefix(hex("02000000"), {{4, ParseErrc::Truncated, 0}},
                            [](std::span<const std::uint8_t> s) { return AuthPayload::decode(s); });
}

TEST(AuthPayload, Names) {
  EXPECT_EQ(to_string(AuthMethod::SharedKeyMic), "shared_key_mic");
  EXPECT_EQ(to_string(AuthMethod::RsaSignature), "rsa_signature");
  EXPECT_EQ(to_string(AuthMethod::EcdsaSha256P256), "ecdsa_sha256_p256");
  EXPECT_EQ(to_string(AuthMethod::DigitalSignature), "digital_signature");
  EXPECT_EQ(to_string(static_cast<AuthMethod>(0)), "unknown");
}

}  // namespace
}  // namespace ike::wire
