#pragma once
// NAT traversal (RFC 7296 2.23, RFC 3948; R7296-56): the NAT_DETECTION notifies of
// IKE_SA_INIT and their check (IkeNatd), the initiator's float to the NAT-T ports, following
// the peer's authentic path, UDP encapsulation of the Child SAs and the keepalives of the side
// behind the NAT (KeepaliveTimer).
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/base/clock.h"
#include "ike/engine/engine_types.h"
#include "ike/engine/ike_sa_config.h"
#include "ike/engine/task.h"
#include "ike/wire/message.h"

namespace ike::engine {

struct SaContext;

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

// IKE_SA_INIT, both roles: our hashes and the check of the peer's; the initiator floats to
// the NAT-T ports for IKE_AUTH when either side is behind a NAT.
class IkeNatd final : public Task {
 public:
  explicit IkeNatd(SaContext& sa) : sa_(sa) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::IkeNatd; }
  TaskStatus build_request(std::vector<wire::Payload>& out, base::TimePoint now) override;
  TaskStatus process_response(const InMessage& response) override;
  void post_process(base::TimePoint now) override;
  TaskStatus process_request(const InMessage& request) override;
  TaskStatus build_response(std::vector<wire::Payload>& out, base::TimePoint now) override;

 private:
  void detect(const InMessage& message);

  SaContext& sa_;
};

// A message from the peer proved authentic on `path`: use that path from now on (2.23).
void follow_authentic_path(SaContext& sa, const Path& path);
// UDP encapsulation and the current path for a Child SA about to be installed.
void annotate_encapsulation(const SaContext& sa, InstallChildSa& install);
// At Established: keepalives from one interval after the last input on, when we are the side
// behind the NAT and on the NAT-T path (RFC 3948 4).
void start_nat_keepalives(SaContext& sa);

class KeepaliveTimer final : public Task {
 public:
  KeepaliveTimer(SaContext& sa, base::TimePoint first) : sa_(sa), next_(first) {}
  [[nodiscard]] TaskKind kind() const override { return TaskKind::KeepaliveTimer; }
  [[nodiscard]] base::TimePoint deadline() const override;
  void on_deadline(base::TimePoint now) override;

 private:
  SaContext& sa_;
  base::TimePoint next_;
};

}  // namespace ike::engine
