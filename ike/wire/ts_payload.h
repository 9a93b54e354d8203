#pragma once
// Traffic Selector payloads TSi/TSr (RFC 7296 3.13), with helpers for the Mobile IPv6
// selectors of RFC 4877 7.2: the MH type sits in the high octet of the port fields.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ike/base/byte_writer.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"

namespace ike::wire {

enum class TsType : std::uint8_t {
  Ipv4AddrRange = 7,
  Ipv6AddrRange = 8,
};
MIP6_ENUM_NAMES(TsType, Ipv4AddrRange, Ipv6AddrRange);

constexpr std::uint8_t kIpProtoAny = 0;
constexpr std::uint8_t kIpProtoIcmpv6 = 58;
constexpr std::uint8_t kIpProtoMh = 135;
constexpr std::uint16_t kPortAnyStart = 0;
constexpr std::uint16_t kPortAnyEnd = 0xffff;

struct TrafficSelector {
  TsType type = TsType::Ipv6AddrRange;
  std::uint8_t ip_protocol = kIpProtoAny;
  std::uint16_t start_port = kPortAnyStart;  // for MH/ICMPv6: type << 8 (| code)
  std::uint16_t end_port = kPortAnyEnd;
  std::vector<std::uint8_t> start_address;  // 4 or 16 octets
  std::vector<std::uint8_t> end_address;
  // A TS type we do not know (e.g. RFC 9478 TS_SECLABEL): everything after its 4-octet
  // header, kept so the engine can ignore or refuse it rather than the parser failing.
  std::vector<std::uint8_t> opaque;

  static TrafficSelector ipv6_range(const base::Ip6Addr& start, const base::Ip6Addr& end,
                                    std::uint8_t ip_protocol = kIpProtoAny,
                                    std::uint16_t start_port = kPortAnyStart,
                                    std::uint16_t end_port = kPortAnyEnd);
  static TrafficSelector ipv4_range(const std::array<std::uint8_t, 4>& start,
                                    const std::array<std::uint8_t, 4>& end,
                                    std::uint8_t ip_protocol = kIpProtoAny,
                                    std::uint16_t start_port = kPortAnyStart,
                                    std::uint16_t end_port = kPortAnyEnd);
  // One address, MH protocol (135), MH types first..last in the port high octets with the low
  // octets 0 (RFC 4877 7.2.1, R4877-35). BU only: mh_types(hoa, 5, 5).
  static TrafficSelector mh_types(const base::Ip6Addr& addr, std::uint8_t first_mh_type,
                                  std::uint8_t last_mh_type);
  // One address, ICMPv6, one type (code range 0..255), e.g. MPS 146 / MPA 147.
  static TrafficSelector icmpv6_type(const base::Ip6Addr& addr, std::uint8_t icmp_type);

  [[nodiscard]] bool is_known_type() const {
    return type == TsType::Ipv4AddrRange || type == TsType::Ipv6AddrRange;
  }
  [[nodiscard]] std::optional<base::Ip6Addr> ipv6_start() const;
  [[nodiscard]] std::optional<base::Ip6Addr> ipv6_end() const;
  // The MH type range, when the selector is MH with both low port octets 0.
  [[nodiscard]] std::optional<std::pair<std::uint8_t, std::uint8_t>> mh_type_range() const;

  friend bool operator==(const TrafficSelector&, const TrafficSelector&) = default;
};

struct TsPayload {
  std::vector<TrafficSelector> selectors;

  [[nodiscard]] static ParseResult<TsPayload> decode(std::span<const std::uint8_t> body);
  [[nodiscard]] EncodeStatus encode(base::ByteWriter& w) const;
  friend bool operator==(const TsPayload&, const TsPayload&) = default;
};

}  // namespace ike::wire
