#include "ike/crypto/ikev2_decryption_table.h"

#include <openssl/crypto.h>

#include <array>
#include <cstdio>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

struct EncrName {
  EncrAlgorithm encr;
  std::uint16_t key_bits;
  std::string_view name;
};

// Wireshark 4.0 epan/dissectors/packet-isakmp.c, vs_ikev2_encr_algs (the labels are what the
// UAT stores). Only the suites our crypto layer implements.
constexpr std::array<EncrName, 6> kEncrNames{{
    {EncrAlgorithm::AesCbc, 128, "AES-CBC-128 [RFC3602]"},
    {EncrAlgorithm::AesCbc, 192, "AES-CBC-192 [RFC3602]"},
    {EncrAlgorithm::AesCbc, 256, "AES-CBC-256 [RFC3602]"},
    {EncrAlgorithm::AesGcm16, 128, "AES-GCM-128 with 16 octet ICV [RFC5282]"},
    {EncrAlgorithm::AesGcm16, 192, "AES-GCM-192 with 16 octet ICV [RFC5282]"},
    {EncrAlgorithm::AesGcm16, 256, "AES-GCM-256 with 16 octet ICV [RFC5282]"},
}};

struct IntegName {
  IntegAlgorithm integ;
  std::string_view name;
};

// vs_ikev2_auth_algs.
constexpr std::array<IntegName, 4> kIntegNames{{
    {IntegAlgorithm::None, "NONE [RFC4306]"},
    {IntegAlgorithm::HmacSha2_256_128, "HMAC_SHA2_256_128 [RFC4868]"},
    {IntegAlgorithm::HmacSha2_384_192, "HMAC_SHA2_384_192 [RFC4868]"},
    {IntegAlgorithm::HmacSha2_512_256, "HMAC_SHA2_512_256 [RFC4868]"},
}};

std::string spi_hex(std::uint64_t spi) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(spi));
  return buf;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A field is "quoted" (Wireshark escapes '"' and '\' as \xNN, which our labels never need)
// or bare. Splits on commas outside quotes and strips the quotes.
base::Result<std::vector<std::string>, TableParseError> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::string current;
  bool in_quotes = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"') {
        in_quotes = false;
      } else {
        current += c;
      }
      continue;
    }
    if (c == '"') {
      if (was_quoted || !trim(current).empty()) {
        return base::fail(TableParseError{TableParseErrc::BadQuoting, fields.size() + 1});
      }
      current.clear();
      in_quotes = true;
      was_quoted = true;
    } else if (c == ',') {
      fields.push_back(was_quoted ? current : std::string(trim(current)));
      current.clear();
      was_quoted = false;
    } else if (was_quoted) {
      if (c != ' ' && c != '\t' && c != '\r') {
        return base::fail(TableParseError{TableParseErrc::BadQuoting, fields.size() + 1});
      }
    } else {
      current += c;
    }
  }
  if (in_quotes) {
    return base::fail(TableParseError{TableParseErrc::BadQuoting, fields.size() + 1});
  }
  fields.push_back(was_quoted ? current : std::string(trim(current)));
  return fields;
}

std::string_view without_0x(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
  }
  return s;
}

bool is_hex_digits(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<std::uint64_t> parse_spi(std::string_view s) {
  s = without_0x(s);
  if (s.size() != 16 || !is_hex_digits(s)) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (char c : s) {
    const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

std::optional<base::SecretBytes> parse_key(std::string_view s) {
  s = without_0x(s);
  if (!is_hex_digits(s)) {
    return std::nullopt;  // also rules out from_hex's comment and separator leniency
  }
  auto bytes = base::from_hex(s);
  if (!bytes) {
    return std::nullopt;
  }
  base::SecretBytes key(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

}  // namespace

std::optional<std::string_view> wireshark_encr_name(EncrAlgorithm encr, std::uint16_t key_bits) {
  for (const auto& e : kEncrNames) {
    if (e.encr == encr && e.key_bits == key_bits) {
      return e.name;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> wireshark_integ_name(IntegAlgorithm integ) {
  for (const auto& i : kIntegNames) {
    if (i.integ == integ) {
      return i.name;
    }
  }
  return std::nullopt;
}

base::Result<std::string> format_ikev2_decryption_line(std::uint64_t spi_i, std::uint64_t spi_r,
                                                       const IkeSaTransforms& transforms,
                                                       const IkeSaKeys& keys) {
  const auto encr = wireshark_encr_name(transforms.encr, transforms.encr_key_bits);
  const auto integ = wireshark_integ_name(transforms.integ);
  if (!encr || !integ) {
    return crypto_fail(kErrUnsupportedAlgorithm, "no Wireshark name for this IKE suite");
  }
  auto sizes = child_key_sizes(transforms.encr, transforms.encr_key_bits, transforms.integ);
  if (!sizes) {
    return base::fail(sizes.error());
  }
  if (keys.sk_ei.size() != sizes->encr || keys.sk_er.size() != sizes->encr ||
      keys.sk_ai.size() != sizes->integ || keys.sk_ar.size() != sizes->integ) {
    return crypto_fail(kErrInvalidKeyLength, "SK_e*/SK_a* do not fit the IKE suite");
  }
  std::string line;
  line.reserve(2 * (16 + 16 + 2 * sizes->encr + 2 * sizes->integ) + 80);
  line += spi_hex(spi_i);
  line += ',';
  line += spi_hex(spi_r);
  line += ',';
  line += base::to_hex(keys.sk_ei.view());
  line += ',';
  line += base::to_hex(keys.sk_er.view());
  line += ",\"";
  line += *encr;
  line += "\",";
  line += base::to_hex(keys.sk_ai.view());
  line += ',';
  line += base::to_hex(keys.sk_ar.view());
  line += ",\"";
  line += *integ;
  line += '"';
  return line;
}

base::Result<std::optional<Ikev2DecryptionEntry>, TableParseError> parse_ikev2_decryption_line(
    std::string_view line) {
  const std::string_view t = trim(line);
  if (t.empty() || t.front() == '#') {
    return std::optional<Ikev2DecryptionEntry>{};
  }
  auto fields = split_fields(t);
  if (!fields) {
    return base::fail(fields.error());
  }
  // Wipe the hex copies of the keys on every path out.
  struct Wiper {
    std::vector<std::string>& f;
    ~Wiper() {
      for (auto& s : f) {
        wipe(s);
      }
    }
  } wiper{*fields};
  const std::vector<std::string>& f = *fields;
  if (f.size() != 8) {
    return base::fail(TableParseError{TableParseErrc::FieldCount, 0});
  }
  Ikev2DecryptionEntry e;
  const auto spi_i = parse_spi(f[0]);
  if (!spi_i) {
    return base::fail(TableParseError{TableParseErrc::BadSpi, 1});
  }
  const auto spi_r = parse_spi(f[1]);
  if (!spi_r) {
    return base::fail(TableParseError{TableParseErrc::BadSpi, 2});
  }
  e.spi_i = *spi_i;
  e.spi_r = *spi_r;
  bool encr_known = false;
  for (const auto& n : kEncrNames) {
    if (n.name == f[4]) {
      e.encr = n.encr;
      e.encr_key_bits = n.key_bits;
      encr_known = true;
    }
  }
  if (!encr_known) {
    return base::fail(TableParseError{TableParseErrc::UnknownEncryption, 5});
  }
  bool integ_known = false;
  for (const auto& n : kIntegNames) {
    if (n.name == f[7]) {
      e.integ = n.integ;
      integ_known = true;
    }
  }
  if (!integ_known) {
    return base::fail(TableParseError{TableParseErrc::UnknownIntegrity, 8});
  }
  const std::array<std::pair<std::size_t, base::SecretBytes*>, 4> keys{
      {{2, &e.sk_ei}, {3, &e.sk_er}, {5, &e.sk_ai}, {6, &e.sk_ar}}};
  for (const auto& [index, out] : keys) {
    auto k = parse_key(f[index]);
    if (!k) {
      return base::fail(TableParseError{TableParseErrc::BadKey, index + 1});
    }
    *out = std::move(*k);
  }
  auto sizes = child_key_sizes(e.encr, e.encr_key_bits, e.integ);
  if (!sizes || e.sk_ei.size() != sizes->encr || e.sk_er.size() != sizes->encr ||
      e.sk_ai.size() != sizes->integ || e.sk_ar.size() != sizes->integ) {
    return base::fail(TableParseError{TableParseErrc::KeyLengthMismatch, 0});
  }
  return std::optional<Ikev2DecryptionEntry>(std::move(e));
}

void wipe(std::string& text) {
  if (!text.empty()) {
    OPENSSL_cleanse(text.data(), text.size());
  }
  text.clear();
}

}  // namespace ike::crypto
