#include "ike/io/ike_keylog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ike/crypto/ikev2_decryption_table.h"

namespace ike::io {

base::Result<std::unique_ptr<IkeKeylog>, std::string> IkeKeylog::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return base::fail("cannot open IKE keylog " + path + ": " + std::strerror(errno));
  }
  // O_CREAT's mode only applies to a new file (and passes through the umask); keys must not
  // stay readable by others in a file that already existed.
  if (::fchmod(fd, 0600) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return base::fail("cannot chmod 0600 IKE keylog " + path + ": " + why);
  }
  return std::unique_ptr<IkeKeylog>(new IkeKeylog(fd, path));
}

IkeKeylog::~IkeKeylog() {
  ::close(fd_);
}

base::Result<bool, std::string> IkeKeylog::record(wire::Spi spi_i, wire::Spi spi_r,
                                                  const crypto::IkeSaTransforms& transforms,
                                                  const crypto::IkeSaKeys& keys) {
  if (!seen_.insert({spi_i.value(), spi_r.value()}).second) {
    return false;
  }
  auto line = crypto::format_ikev2_decryption_line(spi_i.value(), spi_r.value(), transforms, keys);
  if (!line) {
    return base::fail(std::string(line.error().code) + ": " + std::string(line.error().detail));
  }
  *line += '\n';
  const ssize_t n = ::write(fd_, line->data(), line->size());
  const bool complete = n == static_cast<ssize_t>(line->size());
  const std::string why = n < 0 ? std::strerror(errno) : "short write";
  crypto::wipe(*line);
  if (!complete) {
    return base::fail("cannot write IKE keylog " + path_ + ": " + why);
  }
  ++lines_written_;
  return true;
}

base::Result<bool, std::string> record_sa_keys(IkeKeylog& keylog, const engine::IkeSa& sa) {
  if (sa.keys() == nullptr || !sa.suite() || keylog.seen(sa.spi_i(), sa.spi_r())) {
    return false;
  }
  return keylog.record(sa.spi_i(), sa.spi_r(), sa.suite()->transforms, *sa.keys());
}

}  // namespace ike::io
