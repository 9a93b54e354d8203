#include "ike/base/ip6_addr.h"

#include <arpa/inet.h>

#include <algorithm>

namespace base {

std::optional<Ip6Addr> Ip6Addr::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 chars.
  char buf[INET6_ADDRSTRLEN + 1] = {};
  if (text.size() >= sizeof(buf)) {
    return std::nullopt;
  }
  std::copy(text.begin(), text.end(), buf);
  Ip6Addr a;
  if (inet_pton(AF_INET6, buf, a.bytes_.data()) != 1) {
    return std::nullopt;
  }
  return a;
}

Ip6Addr Ip6Addr::from_v4(const std::array<std::uint8_t, 4>& v4) {
  Ip6Addr a;
  a.bytes_[10] = 0xff;
  a.bytes_[11] = 0xff;
  std::copy(v4.begin(), v4.end(), a.bytes_.begin() + 12);
  return a;
}

std::optional<Ip6Addr> Ip6Addr::parse_v6_or_v4(std::string_view text) {
  if (auto a = parse(text)) {
    return a;
  }
  char buf[INET_ADDRSTRLEN + 1] = {};
  if (text.size() >= sizeof(buf)) {
    return std::nullopt;
  }
  std::copy(text.begin(), text.end(), buf);
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, buf, v4.data()) != 1) {
    return std::nullopt;
  }
  return from_v4(v4);
}

bool Ip6Addr::is_v4_mapped() const {
  return std::all_of(bytes_.begin(), bytes_.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
         bytes_[10] == 0xff && bytes_[11] == 0xff;
}

std::string Ip6Addr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

bool Ip6Addr::is_unspecified() const {
  return std::all_of(bytes_.begin(), bytes_.end(), [](std::uint8_t b) { return b == 0; });
}

bool Ip6Addr::is_loopback() const {
  return std::all_of(bytes_.begin(), bytes_.end() - 1, [](std::uint8_t b) { return b == 0; }) &&
         bytes_[15] == 1;
}

Ip6Addr Ip6Addr::masked(unsigned prefix_len) const {
  Ip6Addr out = *this;
  prefix_len = std::min(prefix_len, 128U);
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned bits_here = prefix_len > i * 8 ? std::min(8U, prefix_len - i * 8) : 0;
    const auto mask = static_cast<std::uint8_t>(bits_here == 0 ? 0 : 0xff << (8 - bits_here));
    out.bytes_[i] &= mask;
  }
  return out;
}

bool Ip6Addr::in_prefix(const Ip6Addr& prefix, unsigned prefix_len) const {
  return masked(prefix_len) == prefix.masked(prefix_len);
}

}  // namespace base
