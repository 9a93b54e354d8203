#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace base {

// An IPv6 address as 16 network-order octets.
class Ip6Addr {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  constexpr Ip6Addr() = default;
  constexpr explicit Ip6Addr(const Bytes& bytes) : bytes_(bytes) {}
  static Ip6Addr from_span(std::span<const std::uint8_t, 16> bytes) {
    Ip6Addr a;
    std::memcpy(a.bytes_.data(), bytes.data(), 16);
    return a;
  }
  // Parses textual form ("2001:db8::1"); nullopt when it is not an IPv6 address.
  static std::optional<Ip6Addr> parse(std::string_view text);
  // IPv4 peers live in the same tables as IPv6 ones, at their IPv4-mapped address
  // (::ffff:a.b.c.d, RFC 4291 2.5.5.2), which a dual-stack socket understands.
  static Ip6Addr from_v4(const std::array<std::uint8_t, 4>& v4);
  // IPv6 text, or IPv4 dotted text as its mapped address.
  static std::optional<Ip6Addr> parse_v6_or_v4(std::string_view text);

  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] const Bytes& bytes() const { return bytes_; }
  [[nodiscard]] Bytes& bytes() { return bytes_; }

  [[nodiscard]] bool is_v4_mapped() const;
  // The IPv4 address of a mapped address (the low 32 bits; meaningful when is_v4_mapped()).
  [[nodiscard]] std::array<std::uint8_t, 4> v4() const {
    return {bytes_[12], bytes_[13], bytes_[14], bytes_[15]};
  }

  [[nodiscard]] bool is_unspecified() const;
  [[nodiscard]] bool is_loopback() const;
  [[nodiscard]] bool is_multicast() const { return bytes_[0] == 0xff; }
  [[nodiscard]] bool is_link_local() const {
    return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
  }
  // Unicast and not unspecified, loopback or link-local: usable as a home address.
  [[nodiscard]] bool is_routable_unicast() const {
    return !is_unspecified() && !is_loopback() && !is_multicast() && !is_link_local();
  }
  // True when the first prefix_len bits equal those of prefix.
  [[nodiscard]] bool in_prefix(const Ip6Addr& prefix, unsigned prefix_len) const;
  // The interface identifier (low 64 bits) equals other's.
  [[nodiscard]] bool same_iid(const Ip6Addr& other) const {
    return std::memcmp(bytes_.data() + 8, other.bytes_.data() + 8, 8) == 0;
  }
  // Keeps the first prefix_len bits, zeroes the rest.
  [[nodiscard]] Ip6Addr masked(unsigned prefix_len) const;

  friend constexpr auto operator<=>(const Ip6Addr&, const Ip6Addr&) = default;

 private:
  Bytes bytes_{};
};

struct Ip6AddrHash {
  std::size_t operator()(const Ip6Addr& a) const noexcept {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::memcpy(&hi, a.bytes().data(), 8);
    std::memcpy(&lo, a.bytes().data() + 8, 8);
    // 64-bit mix (splitmix finaliser): home addresses often differ only in a few low bits.
    std::uint64_t x = hi ^ (lo * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<std::size_t>(x);
  }
};

}  // namespace base

template <>
struct std::hash<base::Ip6Addr> : base::Ip6AddrHash {};
