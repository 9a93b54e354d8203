#include "tools/mip6-dissect/dissect_ike_keys.h"

#include <fstream>
#include <istream>

namespace mip6::dissect {

namespace ic = ike::crypto;

base::Result<IkeKeyTable, std::string> IkeKeyTable::parse(std::istream& in, std::string_view name) {
  IkeKeyTable table;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto entry = ic::parse_ikev2_decryption_line(line);
    ic::wipe(line);
    if (!entry) {
      std::string why = std::string(name) + ":" + std::to_string(line_no) + ": " +
                        std::string(ic::to_string(entry.error().code));
      if (entry.error().field != 0) {
        why += " (field " + std::to_string(entry.error().field) + ")";
      }
      return base::fail(std::move(why));
    }
    if (*entry) {
      table.add(std::move(**entry));
    }
  }
  return table;
}

base::Result<IkeKeyTable, std::string> IkeKeyTable::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return base::fail("cannot open " + path);
  }
  return parse(in, path);
}

void IkeKeyTable::add(ic::Ikev2DecryptionEntry entry) {
  const std::pair<std::uint64_t, std::uint64_t> key{entry.spi_i, entry.spi_r};
  entries_.insert_or_assign(key, std::move(entry));
}

const ic::Ikev2DecryptionEntry* IkeKeyTable::find(std::uint64_t spi_i, std::uint64_t spi_r) const {
  const auto it = entries_.find({spi_i, spi_r});
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace mip6::dissect
