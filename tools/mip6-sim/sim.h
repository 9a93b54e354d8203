#pragma once
// The home-registration scenario, end to end in one process and in virtual time: mobile node
// engines and a home agent engine exchange real IPv6 packets (BU with HAO, BA with type 2
// RH, checksums) through a simulated link with delay and loss. Each step is printed with the
// decision and its reason; every packet goes to a pcap that mip6-dissect and tshark read.
//
// What it does not have yet: IKEv2 (admission is the binding cache's reservation, which the
// IKE_SA_INIT responder will take) and ESP (packets are marked protected the way the IPsec
// layer will mark them). Those arrive with their issues; the engines are the real ones.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mip6::sim {

struct SimOptions {
  std::uint32_t capacity = 3;      // home agent binding cache capacity
  std::uint32_t mobile_nodes = 4;  // one more than capacity shows admission refusing
  bool lose_first_bu = true;       // the link drops MN1's first BU: shows retransmission
  std::string pcap_path;           // empty: no capture
};

// What happened, for --check and tests.
struct SimReport {
  std::uint32_t reservations_granted = 0;
  std::uint32_t reservations_refused = 0;
  std::uint32_t registered = 0;  // MNs that got BA 0
  std::uint32_t bu_retransmissions = 0;
  std::uint32_t ba_insufficient_resources = 0;  // 130
  std::uint32_t ba_admin_prohibited = 0;        // 129, while draining
  std::uint32_t spoofed_bu_dropped = 0;         // identity not authorised for the HoA
  std::uint32_t moves = 0;
  std::uint32_t refreshes = 0;
  std::uint32_t deregistered = 0;
  std::uint32_t expired = 0;
  std::uint32_t packets = 0;
  std::uint32_t packets_malformed = 0;  // packets our own dissector rejects (must be 0)
  std::vector<std::string> failures;    // expectations not met
};

// Runs the scenario, printing to `out`. Returns the report; report.failures is empty when
// every expectation held.
SimReport run_scenario(const SimOptions& options, std::ostream& out);

}  // namespace mip6::sim
