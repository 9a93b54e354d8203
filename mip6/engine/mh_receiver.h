#pragma once
// MhReceiver: the validation every received Mobility Header goes through before an engine
// sees it (RFC 6275 9.2, the same on the HA and the MN: 10.2, 11.2). Sans-IO: an IPv6 packet
// and the time come in; a decoded message comes out, or a counted drop with its reason, plus
// the error replies the RFC asks for (Binding Error status 2, ICMPv6 Parameter Problem),
// rate-limited as ICMPv6 errors are (R6275-73, RFC 4443 2.4).
//
// The IPsec verdict (was the packet ESP-protected, which IKE identity) is not judged here:
// the engines check it, because which messages must be protected depends on the role.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/log.h"
#include "mip6/wire/ipv6_ext.h"
#include "mip6/wire/mobility_header.h"

namespace mip6::engine {

enum class MhDrop : std::uint8_t {
  MalformedIpv6,        // the IPv6 header chain did not decode
  NotMobilityHeader,    // upper layer is not 135 (the shell's filter let it through)
  BadChecksum,          // R6275-06: silently
  PayloadProtoNotNone,  // R6275-08: Parameter Problem sent
  HeaderLenTooShort,    // R6275-09: Parameter Problem sent
  UnknownMhType,        // R6275-07: Binding Error status 2 sent
  MalformedMessage,     // lengths, options, alignment: the decoder's ParseErrc says which
  HaoOnNonBu,           // R6275-05: only a BU may carry a Home Address option
  Rh2OnNonBa,           // R6275-05: only a BA may carry a type 2 routing header
  kCount,
};
MIP6_COUNTER_NAMES(MhDrop, MalformedIpv6, NotMobilityHeader, BadChecksum, PayloadProtoNotNone,
                   HeaderLenTooShort, UnknownMhType, MalformedMessage, HaoOnNonBu, Rh2OnNonBa);

enum class MhReceiverCounter : std::uint8_t {
  Received,
  Accepted,
  DropMalformedIpv6,
  DropNotMobilityHeader,
  DropBadChecksum,
  DropPayloadProtoNotNone,
  DropHeaderLenTooShort,
  DropUnknownMhType,
  DropMalformedMessage,
  DropHaoOnNonBu,
  DropRh2OnNonBa,
  BindingErrorSent,
  ParameterProblemSent,
  ErrorReplyRateLimited,  // a reply the RFC asks for, suppressed by the rate limit
  ErrorReplyNotUnicast,   // no reply: the offending source was not unicast (R6275-73)
  kCount,
};
MIP6_COUNTER_NAMES(MhReceiverCounter, Received, Accepted, DropMalformedIpv6, DropNotMobilityHeader,
                   DropBadChecksum, DropPayloadProtoNotNone, DropHeaderLenTooShort,
                   DropUnknownMhType, DropMalformedMessage, DropHaoOnNonBu, DropRh2OnNonBa,
                   BindingErrorSent, ParameterProblemSent, ErrorReplyRateLimited,
                   ErrorReplyNotUnicast);
using MhReceiverCounters =
    base::CounterSet<MhReceiverCounter, static_cast<std::size_t>(MhReceiverCounter::kCount)>;

// A validated Mobility Header and the IPv6 context the engines need.
struct ReceivedMh {
  wire::Ipv6Header ip;
  std::optional<base::Ip6Addr> home_address_option;  // HAO (BU only)
  std::optional<base::Ip6Addr> type2_home_address;   // RH2 (BA only): our home address
  wire::MobilityHeader mh;
};

// Replies for the shell to send as they are (already encoded IPv6 packets).
struct SendIpv6Packet {
  base::Ip6Addr destination;
  std::vector<std::uint8_t> packet;
  std::string_view what;  // "binding_error" or "parameter_problem", for logs
};

struct MhReceiverConfig {
  // Binding Errors and Parameter Problems per second, with this burst (RFC 4443 2.4(f)).
  double error_replies_per_second = 10.0;
  double error_reply_burst = 10.0;
};

class MhReceiver {
 public:
  explicit MhReceiver(const MhReceiverConfig& config = {})
      : limiter_(config.error_replies_per_second, config.error_reply_burst) {}

  // Validates one received IPv6 packet. `local` is the address to send error replies from
  // (the address the packet was received on). nullopt: dropped (see last_drop()).
  [[nodiscard]] std::optional<ReceivedMh> on_packet(std::span<const std::uint8_t> packet,
                                                    const base::Ip6Addr& local,
                                                    base::TimePoint now);

  [[nodiscard]] std::vector<SendIpv6Packet> take_replies();
  [[nodiscard]] const MhReceiverCounters& counters() const { return counters_; }
  // Why the last packet was dropped, and the decoder's error when there was one: the shell
  // logs these (rate-limited) with the source address.
  [[nodiscard]] std::optional<MhDrop> last_drop() const { return last_drop_; }
  [[nodiscard]] std::optional<wire::ParseError> last_parse_error() const { return last_error_; }

 private:
  std::nullopt_t drop(MhDrop reason, MhReceiverCounter counter);
  void send_binding_error(const wire::Ipv6Packet& packet, const base::Ip6Addr& local,
                          base::TimePoint now);
  void send_parameter_problem(std::span<const std::uint8_t> invoking,
                              const wire::Ipv6Packet& packet, std::uint32_t pointer,
                              const base::Ip6Addr& local, base::TimePoint now);
  bool may_reply(const base::Ip6Addr& to, base::TimePoint now);

  base::RateLimiter limiter_;
  MhReceiverCounters counters_;
  std::vector<SendIpv6Packet> replies_;
  std::optional<MhDrop> last_drop_;
  std::optional<wire::ParseError> last_error_;
};

}  // namespace mip6::engine
