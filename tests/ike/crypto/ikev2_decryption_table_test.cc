// Wireshark's IKEv2 decryption table lines: the exact text tshark 4.0 accepts (the oracle
// tests/oracle/tshark_ike_decrypt_check.py proves tshark decrypts with it), parsing back what
// we and Wireshark write, and refusing anything else with the failing field named.
#include "ike/crypto/ikev2_decryption_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

base::SecretBytes bytes(std::size_t n, std::uint8_t first) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(first + i);
  }
  return base::SecretBytes(v);
}

IkeSaKeys gcm_keys(std::size_t sk_e) {
  IkeSaKeys k;
  k.sk_d = bytes(32, 0x00);
  k.sk_ei = bytes(sk_e, 0x10);
  k.sk_er = bytes(sk_e, 0x40);
  k.sk_pi = bytes(32, 0x70);
  k.sk_pr = bytes(32, 0x90);
  return k;
}

IkeSaTransforms gcm(std::uint16_t bits) {
  return IkeSaTransforms{EncrAlgorithm::AesGcm16, bits, PrfAlgorithm::HmacSha2_256,
                         IntegAlgorithm::None};
}

IkeSaTransforms cbc256() {
  return IkeSaTransforms{EncrAlgorithm::AesCbc, 256, PrfAlgorithm::HmacSha2_256,
                         IntegAlgorithm::HmacSha2_256_128};
}

IkeSaKeys cbc_keys() {
  IkeSaKeys k;
  k.sk_ei = bytes(32, 0x10);
  k.sk_er = bytes(32, 0x30);
  k.sk_ai = bytes(32, 0x50);
  k.sk_ar = bytes(32, 0x70);
  return k;
}

TEST(WiresharkNames, AreWiresharkLabelsForOurSuites) {
  EXPECT_EQ(wireshark_encr_name(EncrAlgorithm::AesGcm16, 128),
            "AES-GCM-128 with 16 octet ICV [RFC5282]");
  EXPECT_EQ(wireshark_encr_name(EncrAlgorithm::AesGcm16, 256),
            "AES-GCM-256 with 16 octet ICV [RFC5282]");
  EXPECT_EQ(wireshark_encr_name(EncrAlgorithm::AesCbc, 256), "AES-CBC-256 [RFC3602]");
  EXPECT_EQ(wireshark_integ_name(IntegAlgorithm::HmacSha2_256_128), "HMAC_SHA2_256_128 [RFC4868]");
  EXPECT_EQ(wireshark_integ_name(IntegAlgorithm::None), "NONE [RFC4306]");
  EXPECT_FALSE(wireshark_encr_name(EncrAlgorithm::AesGcm8, 256).has_value());
  EXPECT_FALSE(wireshark_encr_name(EncrAlgorithm::AesCbc, 64).has_value());
  EXPECT_FALSE(wireshark_integ_name(IntegAlgorithm::HmacSha1_96).has_value());
}

// The exact line: SPIs and keys as bare lower-case hex, names quoted, empty SK_a* with GCM.
TEST(Ikev2DecryptionLine, GcmLineIsExact) {
  auto line = format_ikev2_decryption_line(0x0102030405060708ULL, 0xa1b2c3d4e5f60718ULL, gcm(128),
                                           gcm_keys(20));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line,
            "0102030405060708,a1b2c3d4e5f60718,"
            "101112131415161718191a1b1c1d1e1f20212223,"
            "404142434445464748494a4b4c4d4e4f50515253,"
            "\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"");
}

TEST(Ikev2DecryptionLine, CbcLineCarriesIntegrityKeys) {
  auto line = format_ikev2_decryption_line(1, 2, cbc256(), cbc_keys());
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->substr(0, 34), "0000000000000001,0000000000000002,");
  EXPECT_NE(line->find(",\"AES-CBC-256 [RFC3602]\"," + base::to_hex(cbc_keys().sk_ai.view()) + "," +
                       base::to_hex(cbc_keys().sk_ar.view()) + ",\"HMAC_SHA2_256_128 [RFC4868]\""),
            std::string::npos)
      << *line;
}

TEST(Ikev2DecryptionLine, RefusesSuitesWiresharkCannotNameAndWrongKeySizes) {
  IkeSaTransforms sha1 = cbc256();
  sha1.integ = IntegAlgorithm::HmacSha1_96;
  auto no_name = format_ikev2_decryption_line(1, 2, sha1, cbc_keys());
  ASSERT_FALSE(no_name.has_value());
  EXPECT_EQ(no_name.error().code, kErrUnsupportedAlgorithm);
  // GCM-256 wants 36-octet SK_e* (key | salt).
  auto short_key = format_ikev2_decryption_line(1, 2, gcm(256), gcm_keys(32));
  ASSERT_FALSE(short_key.has_value());
  EXPECT_EQ(short_key.error().code, kErrInvalidKeyLength);
}

TEST(Ikev2DecryptionLine, RoundTripsBothSuites) {
  for (const auto& [t, k] : {std::pair{gcm(256), gcm_keys(36)}, std::pair{cbc256(), cbc_keys()}}) {
    auto line = format_ikev2_decryption_line(0xfedcba9876543210ULL, 42, t, k);
    ASSERT_TRUE(line.has_value());
    auto e = parse_ikev2_decryption_line(*line);
    ASSERT_TRUE(e.has_value()) << *line;
    ASSERT_TRUE(e->has_value());
    const Ikev2DecryptionEntry& entry = **e;
    EXPECT_EQ(entry.spi_i, 0xfedcba9876543210ULL);
    EXPECT_EQ(entry.spi_r, 42u);
    EXPECT_EQ(entry.encr, t.encr);
    EXPECT_EQ(entry.encr_key_bits, t.encr_key_bits);
    EXPECT_EQ(entry.integ, t.integ);
    EXPECT_EQ(base::to_hex(entry.sk_ei.view()), base::to_hex(k.sk_ei.view()));
    EXPECT_EQ(base::to_hex(entry.sk_er.view()), base::to_hex(k.sk_er.view()));
    EXPECT_EQ(base::to_hex(entry.sk_ai.view()), base::to_hex(k.sk_ai.view()));
    EXPECT_EQ(base::to_hex(entry.sk_ar.view()), base::to_hex(k.sk_ar.view()));
  }
}

// What a user may have: Wireshark's own save (keys quoted as strings by hand-editing, 0x
// prefixes, spaces after commas, upper case, CRLF), comments and blank lines.
TEST(Ikev2DecryptionLine, AcceptsHandWrittenVariantsCommentsAndBlankLines) {
  const std::string key20(40, 'A');
  const std::string line = "0x0102030405060708, \"A1B2C3D4E5F60718\", 0x" + key20 + ",\"" + key20 +
                           "\", \"AES-GCM-128 with 16 octet ICV [RFC5282]\" ,\"\",," +
                           "\"NONE [RFC4306]\"\r";
  auto e = parse_ikev2_decryption_line(line);
  ASSERT_TRUE(e.has_value()) << to_string(e.error().code) << " field " << e.error().field;
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->spi_r, 0xa1b2c3d4e5f60718ULL);
  EXPECT_EQ((*e)->sk_ei.size(), 20u);
  for (const char* nothing : {"", "   ", "# a comment", "  # indented comment"}) {
    auto n = parse_ikev2_decryption_line(nothing);
    ASSERT_TRUE(n.has_value()) << nothing;
    EXPECT_FALSE(n->has_value()) << nothing;
  }
}

TEST(Ikev2DecryptionLine, NamesTheFieldThatIsWrong) {
  const std::string k20(40, '1');
  const std::string gcm_tail = ",\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"";
  struct Case {
    std::string line;
    TableParseErrc code;
    std::size_t field;
  };
  const std::vector<Case> cases{
      {"0102030405060708,1112131415161718," + k20 + "," + k20, TableParseErrc::FieldCount, 0},
      {"01020304050607,1112131415161718," + k20 + "," + k20 + gcm_tail, TableParseErrc::BadSpi, 1},
      {"0102030405060708,111213141516171g," + k20 + "," + k20 + gcm_tail, TableParseErrc::BadSpi,
       2},
      {"0102030405060708,1112131415161718,zz," + k20 + gcm_tail, TableParseErrc::BadKey, 3},
      {"0102030405060708,1112131415161718," + k20 + "," + k20 +
           ",\"AES-GCM-128 [RFC4106]\",,,\"NONE [RFC4306]\"",
       TableParseErrc::UnknownEncryption, 5},
      {"0102030405060708,1112131415161718," + k20 + "," + k20 +
           ",\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"HMAC_MD5_96 [RFC2403]\"",
       TableParseErrc::UnknownIntegrity, 8},
      {"0102030405060708,1112131415161718," + k20 + ",00" + gcm_tail,
       TableParseErrc::KeyLengthMismatch, 0},
      {"0102030405060708,1112131415161718," + k20 + "," + k20 +
           ",\"AES-GCM-128 with 16 octet ICV [RFC5282],,,\"NONE [RFC4306]\"",
       TableParseErrc::BadQuoting, 5},  // the quote runs on to NONE's opening quote
      {"0102030405060708,\"1112131415161718\"x," + k20, TableParseErrc::BadQuoting, 2},
  };
  for (const auto& c : cases) {
    auto e = parse_ikev2_decryption_line(c.line);
    ASSERT_FALSE(e.has_value()) << c.line;
    EXPECT_EQ(e.error().code, c.code) << c.line << ": " << to_string(e.error().code);
    EXPECT_EQ(e.error().field, c.field) << c.line;
  }
}

// Every prefix of a valid line parses or fails cleanly (never a crash, never an entry with
// a short key).
TEST(Ikev2DecryptionLine, EveryPrefixOfALineFailsCleanly) {
  auto line = format_ikev2_decryption_line(7, 8, cbc256(), cbc_keys());
  ASSERT_TRUE(line.has_value());
  for (std::size_t n = 0; n < line->size(); ++n) {
    auto e = parse_ikev2_decryption_line(std::string_view(*line).substr(0, n));
    if (e.has_value()) {
      EXPECT_FALSE(e->has_value()) << n;  // only the empty prefix is "no entry"
    }
  }
}

}  // namespace
}  // namespace ike::crypto
