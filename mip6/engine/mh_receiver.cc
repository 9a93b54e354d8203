#include "mip6/engine/mh_receiver.h"

#include <algorithm>

namespace mip6::engine {

namespace {

constexpr std::uint8_t kIcmpv6ParameterProblem = 4;  // RFC 4443 3.4, code 0: erroneous field
constexpr std::size_t kMinimumMtu = 1280;

}  // namespace

std::optional<ReceivedMh> MhReceiver::on_packet(std::span<const std::uint8_t> packet,
                                                const base::Ip6Addr& local, base::TimePoint now) {
  counters_.inc(MhReceiverCounter::Received);
  last_drop_.reset();
  last_error_.reset();
  auto ip = wire::decode_ipv6_packet(packet);
  if (!ip) {
    last_error_ = ip.error();
    return drop(MhDrop::MalformedIpv6, MhReceiverCounter::DropMalformedIpv6);
  }
  if (ip->upper_protocol != wire::kIpProtoMobility) {
    return drop(MhDrop::NotMobilityHeader, MhReceiverCounter::DropNotMobilityHeader);
  }
  // R6275-06: a bad checksum is dropped before anything else is believed, and silently.
  if (!wire::verify_mh_checksum(ip->checksum_source(), ip->checksum_destination(), ip->upper)) {
    return drop(MhDrop::BadChecksum, MhReceiverCounter::DropBadChecksum);
  }
  auto mh = wire::decode_mobility_header(ip->upper);
  if (!mh) {
    last_error_ = mh.error();
    const auto upper_offset = static_cast<std::uint32_t>(ip->upper_offset);
    switch (mh.error().code) {
      case wire::ParseErrc::UnknownMhType:  // R6275-07
        send_binding_error(*ip, local, now);
        return drop(MhDrop::UnknownMhType, MhReceiverCounter::DropUnknownMhType);
      case wire::ParseErrc::PayloadProtoNotNone:  // R6275-08: pointer at Payload Proto
        send_parameter_problem(packet, *ip, upper_offset + 0, local, now);
        return drop(MhDrop::PayloadProtoNotNone, MhReceiverCounter::DropPayloadProtoNotNone);
      case wire::ParseErrc::HeaderLenTooShort:  // R6275-09: pointer at Header Len
        send_parameter_problem(packet, *ip, upper_offset + 1, local, now);
        return drop(MhDrop::HeaderLenTooShort, MhReceiverCounter::DropHeaderLenTooShort);
      default: return drop(MhDrop::MalformedMessage, MhReceiverCounter::DropMalformedMessage);
    }
  }
  const auto type = wire::type_of(mh->message);
  // R6275-05: only a BU carries a HAO and only a BA a type 2 RH. A HAO elsewhere would make us
  // believe an unverified source address.
  if (ip->home_address_option && type != wire::MhType::BindingUpdate) {
    return drop(MhDrop::HaoOnNonBu, MhReceiverCounter::DropHaoOnNonBu);
  }
  if (ip->type2_routing_header && type != wire::MhType::BindingAck) {
    return drop(MhDrop::Rh2OnNonBa, MhReceiverCounter::DropRh2OnNonBa);
  }
  counters_.inc(MhReceiverCounter::Accepted);
  ReceivedMh out;
  out.ip = ip->header;
  if (ip->home_address_option) {
    out.home_address_option = ip->home_address_option->home_address;
  }
  if (ip->type2_routing_header) {
    out.type2_home_address = ip->type2_routing_header->home_address;
  }
  out.mh = std::move(*mh);
  return out;
}

std::vector<SendIpv6Packet> MhReceiver::take_replies() {
  std::vector<SendIpv6Packet> out;
  out.swap(replies_);
  return out;
}

std::nullopt_t MhReceiver::drop(MhDrop reason, MhReceiverCounter counter) {
  last_drop_ = reason;
  counters_.inc(counter);
  return std::nullopt;
}

bool MhReceiver::may_reply(const base::Ip6Addr& to, base::TimePoint now) {
  // R6275-73: never to a non-unicast source (nor to ::, which cannot be answered).
  if (to.is_multicast() || to.is_unspecified()) {
    counters_.inc(MhReceiverCounter::ErrorReplyNotUnicast);
    return false;
  }
  if (!limiter_.allow(now)) {
    counters_.inc(MhReceiverCounter::ErrorReplyRateLimited);
    return false;
  }
  return true;
}

void MhReceiver::send_binding_error(const wire::Ipv6Packet& packet, const base::Ip6Addr& local,
                                    base::TimePoint now) {
  const base::Ip6Addr& to = packet.header.source;
  if (!may_reply(to, now)) {
    return;
  }
  wire::BindingError be;
  be.status = wire::BeStatus::UnrecognizedMhType;
  // R6275-73: the Home Address from the offending HAO, or :: when there was none.
  if (packet.home_address_option) {
    be.home_address = packet.home_address_option->home_address;
  }
  wire::MobilityHeader mh;
  mh.message = std::move(be);
  const auto mh_bytes = wire::encode_mobility_header(mh, local, to);
  wire::Ipv6Build build;
  build.source = local;
  build.destination = to;
  replies_.push_back(
      {to, wire::encode_ipv6_packet(build, wire::kIpProtoMobility, mh_bytes), "binding_error"});
  counters_.inc(MhReceiverCounter::BindingErrorSent);
}

void MhReceiver::send_parameter_problem(std::span<const std::uint8_t> invoking,
                                        const wire::Ipv6Packet& packet, std::uint32_t pointer,
                                        const base::Ip6Addr& local, base::TimePoint now) {
  const base::Ip6Addr& to = packet.header.source;
  if (!may_reply(to, now)) {
    return;
  }
  // RFC 4443 3.4: type 4, code 0, pointer, then as much of the invoking packet as fits in
  // the minimum MTU.
  constexpr std::size_t kHeaders = 40 + 8;
  const std::size_t quoted = std::min(invoking.size(), kMinimumMtu - kHeaders);
  std::vector<std::uint8_t> icmp = {kIcmpv6ParameterProblem,
                                    0,
                                    0,
                                    0,
                                    static_cast<std::uint8_t>(pointer >> 24),
                                    static_cast<std::uint8_t>(pointer >> 16),
                                    static_cast<std::uint8_t>(pointer >> 8),
                                    static_cast<std::uint8_t>(pointer)};
  icmp.insert(icmp.end(), invoking.begin(), invoking.begin() + static_cast<long>(quoted));
  const std::uint16_t sum = wire::pseudo_header_checksum(local, to, wire::kIpProtoIcmpv6, icmp);
  icmp[2] = static_cast<std::uint8_t>(sum >> 8);
  icmp[3] = static_cast<std::uint8_t>(sum);
  wire::Ipv6Build build;
  build.source = local;
  build.destination = to;
  build.hop_limit = 255;
  replies_.push_back(
      {to, wire::encode_ipv6_packet(build, wire::kIpProtoIcmpv6, icmp), "parameter_problem"});
  counters_.inc(MhReceiverCounter::ParameterProblemSent);
}

}  // namespace mip6::engine
