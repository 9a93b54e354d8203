#pragma once
// Wireshark's IKEv2 decryption table (the UAT file `ikev2_decryption_table` in a Wireshark
// profile, "Protocols > ISAKMP > IKEv2 Decryption Table"): one line per IKE SA,
//   SPIi,SPIr,SK_ei,SK_er,"<encryption name>",SK_ai,SK_ar,"<integrity name>"
// SPIs and keys are unquoted hex (how Wireshark itself saves hex-byte UAT fields), the
// algorithm names are quoted strings that must equal Wireshark's own labels exactly (checked
// against tshark 4.0 by tests/oracle/tshark_ike_decrypt_check.py). SK_e* carry the 4-octet
// salt with AES-GCM, as RFC 5282 7.1 derives them; SK_a* are empty with an AEAD.
//
// Formatting and parsing only (no I/O): ike::io::IkeKeylog writes lines, mip6-dissect reads
// them. The text is key material: callers wipe their copies (see wipe()).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ike/base/enum_names.h"
#include "ike/base/result.h"
#include "ike/base/secret_bytes.h"
#include "ike/crypto/key_derivation.h"
#include "ike/crypto/transform_ids.h"

namespace ike::crypto {

// Wireshark 4.0's label for an IKE encryption transform with its key length, or nullopt
// when Wireshark has none (or we do not map it).
[[nodiscard]] std::optional<std::string_view> wireshark_encr_name(EncrAlgorithm encr,
                                                                  std::uint16_t key_bits);
// Integrity label; IntegAlgorithm::None (an AEAD suite) is "NONE [RFC4306]".
[[nodiscard]] std::optional<std::string_view> wireshark_integ_name(IntegAlgorithm integ);

// One row: what decrypting one IKE SA's SK payloads needs.
struct Ikev2DecryptionEntry {
  std::uint64_t spi_i = 0;
  std::uint64_t spi_r = 0;
  EncrAlgorithm encr = EncrAlgorithm::AesGcm16;
  std::uint16_t encr_key_bits = 256;
  IntegAlgorithm integ = IntegAlgorithm::None;
  base::SecretBytes sk_ei;  // protects messages from the original initiator
  base::SecretBytes sk_er;
  base::SecretBytes sk_ai;
  base::SecretBytes sk_ar;
};

// The line (without '\n') for one IKE SA's keys. Fails with kErrUnsupportedAlgorithm when
// Wireshark has no name for the suite, kErrInvalidKeyLength when a key does not fit it.
[[nodiscard]] base::Result<std::string> format_ikev2_decryption_line(
    std::uint64_t spi_i, std::uint64_t spi_r, const IkeSaTransforms& transforms,
    const IkeSaKeys& keys);

enum class TableParseErrc : std::uint8_t {
  FieldCount,         // not 8 comma-separated fields
  BadQuoting,         // an unterminated or misplaced '"'
  BadSpi,             // not 16 hex digits (0x prefix allowed)
  BadKey,             // not hex
  UnknownEncryption,  // a label we do not support
  UnknownIntegrity,
  KeyLengthMismatch,  // SK_e*/SK_a* sizes do not fit the algorithms
};
MIP6_ENUM_NAMES(TableParseErrc, FieldCount, BadQuoting, BadSpi, BadKey, UnknownEncryption,
                UnknownIntegrity, KeyLengthMismatch);

struct TableParseError {
  TableParseErrc code = TableParseErrc::FieldCount;
  std::size_t field = 0;  // 1-based field number, 0 for the whole line
};

// Parses one line. Blank lines and '#' comments are not entries: nullopt.
[[nodiscard]] base::Result<std::optional<Ikev2DecryptionEntry>, TableParseError>
parse_ikev2_decryption_line(std::string_view line);

// Overwrites a string that held key material.
void wipe(std::string& text);

}  // namespace ike::crypto
