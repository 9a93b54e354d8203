#pragma once
// `mip6-load ike-init`: floods one IKEv2 responder with well-formed IKE_SA_INIT requests over
// UDP and counts its answers by kind. Closed loop (a window of requests in flight: measures
// what the responder sustains) or open loop (a send rate). One non-blocking socket,
// sendmmsg/recvmmsg batches; single-threaded.
#include <cstdint>
#include <optional>
#include <string>

#include "ike/base/ip6_addr.h"
#include "ike/base/result.h"
#include "tools/mip6-load/init_request.h"
#include "tools/mip6-load/load_stats.h"

namespace mip6load {

struct IkeInitOptions {
  base::Ip6Addr target;  // IPv4 targets are IPv4-mapped (::ffff:a.b.c.d)
  std::uint16_t port = 500;
  std::optional<base::Ip6Addr> source;
  double duration_s = 1.0;
  std::size_t window = 64;  // requests in flight (closed loop), when rate == 0
  double rate = 0;          // requests per second (open loop); 0: window mode
  double timeout_s = 1.0;   // an unanswered request counts as "none" after this
  std::size_t batch = 64;   // datagrams per sendmmsg / recvmmsg
  // UDP GSO for the requests (all of one size, to one target) and GRO for the answers; off:
  // one datagram per message (as most IKE initiators send).
  bool gso = true;
  RequestOptions request;
  std::optional<int> target_pid;  // report this process's CPU use during the run
};

struct IkeInitResult {
  RunInfo info;
  LoadCounters counters;
  LatencyHistogram latency;
};

// Runs the load; fails only when the socket cannot be set up.
[[nodiscard]] base::Result<IkeInitResult, std::string> run_ike_init(const IkeInitOptions& options);

}  // namespace mip6load
