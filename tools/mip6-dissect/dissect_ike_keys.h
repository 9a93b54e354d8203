#pragma once
// The IKE SA keys mip6-dissect decrypts SK payloads with: a Wireshark IKEv2 decryption table
// (ike/crypto/ikev2_decryption_table.h), as `mip6-ike --ike-keylog` writes it or Wireshark
// saves it, indexed by the SPI pair of the IKE header.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "ike/base/result.h"
#include "ike/crypto/ikev2_decryption_table.h"

namespace mip6::dissect {

class IkeKeyTable {
 public:
  // Every line must parse; the error names the line: "<name>:<line>: <reason> (field N)".
  [[nodiscard]] static base::Result<IkeKeyTable, std::string> parse(std::istream& in,
                                                                    std::string_view name);
  [[nodiscard]] static base::Result<IkeKeyTable, std::string> load(const std::string& path);

  // A later entry for the same SPI pair replaces the earlier one.
  void add(ike::crypto::Ikev2DecryptionEntry entry);
  [[nodiscard]] const ike::crypto::Ikev2DecryptionEntry* find(std::uint64_t spi_i,
                                                              std::uint64_t spi_r) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<std::uint64_t, std::uint64_t>, ike::crypto::Ikev2DecryptionEntry> entries_;
};

}  // namespace mip6::dissect
