#include "ike/engine/ike_natd.h"

#include <algorithm>
#include <array>

#include "ike/crypto/nat_detection.h"
#include "ike/engine/ike_sa.h"

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

// ---- IkeSa's NAT traversal -----------------------------------------------------------------

void IkeSa::float_to_nat_t() {
  // 2.23: "the initiator MUST move to UDP port 4500" once either side is found behind a NAT.
  if (config_.role != Role::Initiator || !nat_status_.any() || !config_.nat.float_on_nat) {
    return;
  }
  const Path floated{{path_.local.address, config_.nat.local_port},
                     {path_.remote.address, config_.nat.remote_port}};
  if (floated != path_) {
    path_ = floated;
    counters_.inc(IkeCounter::NatTFloats);
  }
}

void IkeSa::follow_authentic_path(const Path& path) {
  // 2.23: a peer behind a NAT may show up with another address or port (the float to the
  // NAT-T port, a new NAT mapping); only authentic messages may move us, never a bare
  // unprotected one (R7296-43). Without a NAT only the peer's own float is followed.
  const bool peer_floated = path.local.port == config_.nat.local_port;
  if (path == path_ || (!nat_status_.any() && !peer_floated)) {
    return;
  }
  path_ = path;
  counters_.inc(IkeCounter::PeerPathUpdates);
}

void IkeSa::annotate_encapsulation(InstallChildSa& install) const {
  install.path = path_;
  // RFC 3948: ESP in UDP on the NAT-T ports when a NAT was detected and IKE runs there.
  install.udp_encap = nat_status_.any() && path_.local.port == config_.nat.local_port;
}

base::TimePoint IkeSa::keepalive_deadline() const {
  return state_ == IkeSaState::Established ? next_keepalive_ : base::kNever;
}

void IkeSa::start_keepalives() {
  // RFC 3948 4: only the side behind the NAT keeps the mapping open, and only on 4500.
  if (nat_status_.local_behind_nat && config_.nat.keepalive_interval > base::Duration::zero() &&
      path_.local.port == config_.nat.local_port) {
    next_keepalive_ = last_input_ + config_.nat.keepalive_interval;
  }
}

void IkeSa::send_keepalive(base::TimePoint now) {
  counters_.inc(IkeCounter::NatKeepalivesSent);
  outputs_.emplace_back(SendDatagram{path_, {0xFF}, true});
  next_keepalive_ = now + config_.nat.keepalive_interval;
}

}  // namespace ike::engine
