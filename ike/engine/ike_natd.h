#pragma once
// NAT traversal for IKE_SA_INIT and after (RFC 7296 2.23, RFC 3948; R7296-56): the two
// NAT_DETECTION notifies we send, the check of the peer's, and the settings of the float to
// the NAT-T port and of the NAT keepalives. IkeSa acts on the result: the initiator moves to
// the NAT-T port from IKE_AUTH on, the side behind the NAT sends keepalives, Child SAs get
// UDP encapsulation (InstallChildSa::udp_encap).
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/clock.h"
#include "ike/engine/engine_types.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct NatTraversalConfig {
  // Initiator: move IKE (and later ESP) to the NAT-T ports once a NAT is detected (2.23).
  bool float_on_nat = true;
  // Our NAT-T socket (the one with the non-ESP marker) and the peer's. 4500 on the wire;
  // tests on the loopback use kernel-chosen ports instead.
  std::uint16_t local_port = 4500;
  std::uint16_t remote_port = 4500;
  // RFC 3948 4: the side behind the NAT sends a one-octet 0xFF datagram this often on the
  // NAT-T port to keep the mapping alive (20 s is the RFC's default). Zero: none.
  base::Duration keepalive_interval = std::chrono::seconds(20);
};

// What the peer's NAT_DETECTION notifies say about the path.
struct NatStatus {
  bool local_behind_nat = false;  // the peer's DESTINATION hash is not our address: keepalives
  bool peer_behind_nat = false;   // the peer's SOURCE hash is not its address: follow it
  [[nodiscard]] bool any() const { return local_behind_nat || peer_behind_nat; }
};

// The address as it goes into a NAT-D hash: IPv4-mapped addresses (::ffff:a.b.c.d, how the
// IPv4 sockets report them) in their 4-octet IPv4 form, all others as 16 octets (2.23).
[[nodiscard]] std::span<const std::uint8_t> nat_detection_address(const base::Ip6Addr& address);

// N(NAT_DETECTION_SOURCE_IP) for path.local and N(NAT_DETECTION_DESTINATION_IP) for
// path.remote, hashed with the SPIs as they appear in the header (SPIr 0 in the request).
[[nodiscard]] std::vector<wire::Payload> build_nat_detection(wire::Spi spi_i, wire::Spi spi_r,
                                                             const Path& path);

// Compares the peer's hashes (over the SPIs of `msg`'s header) with the addresses of `path`
// as we see them. Nothing is detected when the peer sent no hashes.
[[nodiscard]] NatStatus detect_nat(const Path& path, const wire::Message& msg);

// detect_nat(...).any(): a NAT sits between us.
[[nodiscard]] bool nat_detected(const Path& path, const wire::Message& msg);

}  // namespace ike::engine
