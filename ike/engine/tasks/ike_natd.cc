#include "ike/engine/tasks/ike_natd.h"

#include <algorithm>
#include <array>
#include <memory>

#include "ike/crypto/nat_detection.h"
#include "ike/engine/sa_context.h"

namespace ike::engine {

std::span<const std::uint8_t> nat_detection_address(const base::Ip6Addr& address) {
  const auto& b = address.bytes();
  if (address.is_v4_mapped()) {
    return std::span<const std::uint8_t>(b).subspan(12);
  }
  return b;
}

std::vector<wire::Payload> build_nat_detection(wire::Spi spi_i, wire::Spi spi_r, const Path& path) {
  std::vector<wire::Payload> out;
  const auto src = crypto::nat_detection_hash(
      spi_i.value(), spi_r.value(), nat_detection_address(path.local.address), path.local.port);
  const auto dst = crypto::nat_detection_hash(
      spi_i.value(), spi_r.value(), nat_detection_address(path.remote.address), path.remote.port);
  if (src && dst) {
    out.push_back(
        wire::make_payload(wire::make_nat_detection(wire::NotifyType::NatDetectionSourceIp, *src)));
    out.push_back(wire::make_payload(
        wire::make_nat_detection(wire::NotifyType::NatDetectionDestinationIp, *dst)));
  }
  return out;
}

NatStatus detect_nat(const Path& path, const wire::Message& msg) {
  const wire::Header& h = msg.header;
  // The peer's SOURCE hash names its own address as it sent it, i.e. our remote.
  const auto expected_src =
      crypto::nat_detection_hash(h.spi_i.value(), h.spi_r.value(),
                                 nat_detection_address(path.remote.address), path.remote.port);
  const auto expected_dst = crypto::nat_detection_hash(
      h.spi_i.value(), h.spi_r.value(), nat_detection_address(path.local.address), path.local.port);
  if (!expected_src || !expected_dst) {
    return {};
  }
  bool src_seen = false;
  bool src_match = false;  // several SOURCE notifies are allowed: any match will do (2.23)
  bool dst_match = true;
  for (const auto& p : msg.payloads) {
    const auto* n = p.get<wire::NotifyPayload>();
    if (n == nullptr) {
      continue;
    }
    const auto data = wire::decode_nat_detection(*n);
    if (!data) {
      continue;
    }
    if (n->type == wire::NotifyType::NatDetectionSourceIp) {
      src_seen = true;
      src_match = src_match || std::equal(data->begin(), data->end(), expected_src->begin(),
                                          expected_src->end());
    } else if (n->type == wire::NotifyType::NatDetectionDestinationIp) {
      dst_match =
          std::equal(data->begin(), data->end(), expected_dst->begin(), expected_dst->end());
    }
  }
  return NatStatus{!dst_match, src_seen && !src_match};
}

bool nat_detected(const Path& path, const wire::Message& msg) {
  return detect_nat(path, msg).any();
}

// ---- IKE_SA_INIT -----------------------------------------------------------------------------

TaskStatus IkeNatd::build_request(std::vector<wire::Payload>& out, base::TimePoint) {
  for (auto& p : build_nat_detection(sa_.spi_i, sa_.spi_r, sa_.path)) {
    out.push_back(std::move(p));
  }
  return TaskStatus::Done;
}

void IkeNatd::detect(const InMessage& message) {
  // R7296-56; the responder answers on the request's path whatever it says.
  sa_.nat_status = detect_nat(message.path, message.outer);
  if (sa_.nat_status.any()) {
    sa_.counters.inc(IkeCounter::NatDetected);
  }
}

TaskStatus IkeNatd::process_response(const InMessage& response) {
  detect(response);
  return TaskStatus::Done;
}

void IkeNatd::post_process(base::TimePoint) {
  // 2.23: "the initiator MUST move to UDP port 4500" once either side is found behind a NAT;
  // IKE_AUTH and everything after it go there.
  if (!sa_.initiator() || !sa_.nat_status.any() || !sa_.config.nat.float_on_nat) {
    return;
  }
  const Path& path = sa_.path;
  const Path floated{{path.local.address, sa_.config.nat.local_port},
                     {path.remote.address, sa_.config.nat.remote_port}};
  if (floated != path) {
    sa_.path = floated;
    sa_.counters.inc(IkeCounter::NatTFloats);
  }
}

TaskStatus IkeNatd::process_request(const InMessage& request) {
  detect(request);
  return TaskStatus::Done;
}

TaskStatus IkeNatd::build_response(std::vector<wire::Payload>& out, base::TimePoint now) {
  return build_request(out, now);
}

// ---- after IKE_SA_INIT -----------------------------------------------------------------------

void follow_authentic_path(SaContext& sa, const Path& path) {
  // 2.23: a peer behind a NAT may show up with another address or port (the float to the
  // NAT-T port, a new NAT mapping); only authentic messages may move us, never a bare
  // unprotected one (R7296-43). Without a NAT only the peer's own float is followed.
  const bool peer_floated = path.local.port == sa.config.nat.local_port;
  if (path == sa.path || (!sa.nat_status.any() && !peer_floated)) {
    return;
  }
  sa.path = path;
  sa.counters.inc(IkeCounter::PeerPathUpdates);
}

void annotate_encapsulation(const SaContext& sa, InstallChildSa& install) {
  install.path = sa.path;
  // RFC 3948: ESP in UDP on the NAT-T ports when a NAT was detected and IKE runs there.
  install.udp_encap = sa.nat_status.any() && sa.path.local.port == sa.config.nat.local_port;
}

void start_nat_keepalives(SaContext& sa) {
  // RFC 3948 4: only the side behind the NAT keeps the mapping open, and only on 4500.
  if (sa.nat_status.local_behind_nat && sa.config.nat.keepalive_interval > base::Duration::zero() &&
      sa.path.local.port == sa.config.nat.local_port) {
    sa.tasks.set_timer(
        std::make_unique<KeepaliveTimer>(sa, sa.last_input + sa.config.nat.keepalive_interval));
  }
}

base::TimePoint KeepaliveTimer::deadline() const {
  return sa_.state == IkeSaState::Established ? next_ : base::kNever;
}

void KeepaliveTimer::on_deadline(base::TimePoint now) {
  sa_.counters.inc(IkeCounter::NatKeepalivesSent);
  sa_.outputs.emplace_back(SendDatagram{sa_.path, {0xFF}, true});
  next_ = now + sa_.config.nat.keepalive_interval;
}

}  // namespace ike::engine
