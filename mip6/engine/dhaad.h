#pragma once
// Dynamic Home Agent Address Discovery (RFC 6275 10.5 / 11.4.1), sans-IO.
//  - DhaadResponder (HA): answers a DHAAD Request sent to the Home-Agents anycast address of
//    a served prefix with the Home Agents List in DHAAD order, straight to the requester
//    (R6275-52/53/54).
//  - DhaadClient (MN): sends the Request to the anycast address of its home prefix and
//    retransmits after INITIAL_DHAAD_TIMEOUT, doubling, at most DHAAD_RETRIES times
//    (R6275-55).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/base/ip6_addr.h"
#include "mip6/binding/home_agents_list.h"
#include "mip6/engine/mh_receiver.h"

namespace mip6::engine {

inline constexpr base::Duration kInitialDhaadTimeout = std::chrono::seconds(3);
inline constexpr unsigned kDhaadRetries = 4;

// The Home-Agents subnet anycast address of a prefix (RFC 2526, anycast ID 126): for a /64
// with modified EUI-64 identifiers prefix::fdff:ffff:ffff:fffe; otherwise the non-prefix
// bits are all ones except the low 7 bits, which hold 126.
[[nodiscard]] base::Ip6Addr home_agents_anycast(const base::Ip6Addr& prefix, unsigned length);

struct ServedPrefix {
  base::Ip6Addr prefix;
  std::uint8_t length = 64;
};

enum class DhaadCounter : std::uint8_t {
  RequestsReceived,
  RepliesSent,
  DropMalformed,  // IPv6 or ICMPv6 did not decode
  DropBadChecksum,
  DropNotRequest,       // another ICMPv6 type
  DropNotOurAnycast,    // not the anycast address of a served prefix
  DropSourceNotGlobal,  // R6275-52: replies only to a global unicast source
  RepliesReceived,
  RepliesIgnored,  // unknown identifier, bad checksum, or nothing outstanding
  RequestsSent,
  RequestsRetransmitted,
  DiscoveryFailed,
  kCount,
};
MIP6_COUNTER_NAMES(DhaadCounter, RequestsReceived, RepliesSent, DropMalformed, DropBadChecksum,
                   DropNotRequest, DropNotOurAnycast, DropSourceNotGlobal, RepliesReceived,
                   RepliesIgnored, RequestsSent, RequestsRetransmitted, DiscoveryFailed);
using DhaadCounters =
    base::CounterSet<DhaadCounter, static_cast<std::size_t>(DhaadCounter::kCount)>;

struct DhaadResponderConfig {
  base::Ip6Addr reply_source;  // one of the HA's global unicast addresses (RFC 6275 10.5)
  std::vector<ServedPrefix> prefixes;
};

class DhaadResponder {
 public:
  // `home_agents` must outlive the responder; it is asked for a fresh order on every reply.
  DhaadResponder(DhaadResponderConfig config, binding::HomeAgentsList& home_agents)
      : config_(std::move(config)), home_agents_(home_agents) {}

  // One received IPv6 packet carrying ICMPv6. Returns the reply to send, if any.
  [[nodiscard]] std::optional<SendIpv6Packet> on_packet(std::span<const std::uint8_t> packet,
                                                        base::TimePoint now);
  [[nodiscard]] const DhaadCounters& counters() const { return counters_; }

 private:
  DhaadResponderConfig config_;
  binding::HomeAgentsList& home_agents_;
  DhaadCounters counters_;
};

// What the client reports.
struct HomeAgentsDiscovered {
  std::vector<base::Ip6Addr> home_agents;  // in the order to try them (R6275-56)
};
struct DhaadFailed {
  unsigned requests_sent = 0;
};

class DhaadClient {
 public:
  using RandomSource = std::function<std::uint64_t()>;
  explicit DhaadClient(RandomSource rng, base::Duration initial_timeout = kInitialDhaadTimeout,
                       unsigned retries = kDhaadRetries)
      : rng_(std::move(rng)), initial_timeout_(initial_timeout), retries_(retries) {}

  // Starts discovery for `home_prefix` from `care_of_address`; returns the Request to send.
  [[nodiscard]] SendIpv6Packet start(const base::Ip6Addr& care_of_address,
                                     const base::Ip6Addr& home_prefix, unsigned prefix_length,
                                     base::TimePoint now);
  // A received IPv6 packet carrying ICMPv6: the Reply when it answers our Request.
  [[nodiscard]] std::optional<HomeAgentsDiscovered> on_packet(std::span<const std::uint8_t> packet,
                                                              base::TimePoint now);
  // Retransmission (R6275-55): a Request to send again, or DhaadFailed after the last one.
  struct TimerResult {
    std::optional<SendIpv6Packet> retransmit;
    std::optional<DhaadFailed> failed;
  };
  [[nodiscard]] TimerResult on_timer(base::TimePoint now);
  [[nodiscard]] base::TimePoint next_deadline() const { return deadline_; }
  [[nodiscard]] bool active() const { return active_; }
  [[nodiscard]] const DhaadCounters& counters() const { return counters_; }

 private:
  [[nodiscard]] SendIpv6Packet build_request() const;

  RandomSource rng_;
  base::Duration initial_timeout_;
  unsigned retries_;
  bool active_ = false;
  base::Ip6Addr source_;
  base::Ip6Addr anycast_;
  std::uint16_t identifier_ = 0;
  unsigned sent_ = 0;
  base::Duration timeout_{};
  base::TimePoint deadline_ = base::kNever;
  DhaadCounters counters_;
};

}  // namespace mip6::engine
