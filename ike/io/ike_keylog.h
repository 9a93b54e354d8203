#pragma once
// Appends IKE SA keys to a file in Wireshark's IKEv2 decryption table format
// (crypto/ikev2_decryption_table.h), so captures of our IKE traffic can be read in Wireshark
// and by `mip6-dissect --ike-keys`. A debugging aid: whoever can read the file can decrypt
// the SAs' IKE messages, so it is created (and kept) mode 0600.
//
// Shell-side (STYLE B1 layer 4): the engine stays sans-IO; IkeDriver calls record() once an
// SA's keys exist. record() takes one SA's keys, not an IkeSa, so an IKE SA rekey (new SPIs,
// new keys) records its new SA with another call.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "ike/base/result.h"
#include "ike/crypto/key_derivation.h"
#include "ike/engine/ike_sa.h"
#include "ike/wire/header.h"

namespace ike::io {

class IkeKeylog {
 public:
  // Opens `path` for appending, creating it with mode 0600; an existing file is set to 0600.
  [[nodiscard]] static base::Result<std::unique_ptr<IkeKeylog>, std::string> open(
      const std::string& path);
  IkeKeylog(const IkeKeylog&) = delete;
  IkeKeylog& operator=(const IkeKeylog&) = delete;
  ~IkeKeylog();

  // Appends the line for this SA unless its SPI pair was seen already (true: written).
  // Each line goes out in one write() on an O_APPEND descriptor, so several processes can
  // share one file. Fails for a suite Wireshark cannot name, or a write error; the pair
  // counts as seen then too, so a caller retrying on every event does not repeat the error.
  [[nodiscard]] base::Result<bool, std::string> record(wire::Spi spi_i, wire::Spi spi_r,
                                                       const crypto::IkeSaTransforms& transforms,
                                                       const crypto::IkeSaKeys& keys);

  [[nodiscard]] bool seen(wire::Spi spi_i, wire::Spi spi_r) const {
    return seen_.count({spi_i.value(), spi_r.value()}) != 0;
  }
  [[nodiscard]] std::size_t lines_written() const { return lines_written_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  IkeKeylog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_;
  std::string path_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen_;
  std::size_t lines_written_ = 0;
};

// Records `sa`'s keys once they exist (after IKE_SA_INIT) unless its SPI pair was written
// already: what both Asio shells (IkeDriver, mn::MnDaemon) do after each engine step. True:
// a line was written; false: nothing to write yet or already written.
[[nodiscard]] base::Result<bool, std::string> record_sa_keys(IkeKeylog& keylog,
                                                             const engine::IkeSa& sa);

}  // namespace ike::io
