#include "ike/engine/ike_natd.h"

#include <algorithm>

#include "ike/crypto/nat_detection.h"

namespace ike::engine {

std::vector<wire::Payload> build_nat_detection(wire::Spi spi_i, wire::Spi spi_r, const Path& path) {
  std::vector<wire::Payload> out;
  const auto src = crypto::nat_detection_hash(spi_i.value(), spi_r.value(),
                                              path.local.address.bytes(), path.local.port);
  const auto dst = crypto::nat_detection_hash(spi_i.value(), spi_r.value(),
                                              path.remote.address.bytes(), path.remote.port);
  if (src && dst) {
    out.push_back(
        wire::make_payload(wire::make_nat_detection(wire::NotifyType::NatDetectionSourceIp, *src)));
    out.push_back(wire::make_payload(
        wire::make_nat_detection(wire::NotifyType::NatDetectionDestinationIp, *dst)));
  }
  return out;
}

bool nat_detected(const Path& path, const wire::Message& msg) {
  const wire::Header& h = msg.header;
  // The peer's SOURCE hash names its own address as it sent it, i.e. our remote.
  const auto expected_src = crypto::nat_detection_hash(
      h.spi_i.value(), h.spi_r.value(), path.remote.address.bytes(), path.remote.port);
  const auto expected_dst = crypto::nat_detection_hash(h.spi_i.value(), h.spi_r.value(),
                                                       path.local.address.bytes(), path.local.port);
  if (!expected_src || !expected_dst) {
    return false;
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
  return (src_seen && !src_match) || !dst_match;
}

}  // namespace ike::engine
