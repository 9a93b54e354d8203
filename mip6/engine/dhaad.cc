#include "mip6/engine/dhaad.h"

#include "mip6/wire/icmpv6_mobility.h"
#include "mip6/wire/ipv6_ext.h"

namespace mip6::engine {

namespace {

constexpr std::uint8_t kHomeAgentsAnycastId = 126;  // RFC 2526 3

SendIpv6Packet encode(const base::Ip6Addr& source, const base::Ip6Addr& destination,
                      wire::Icmpv6Message message, std::string_view what) {
  wire::Icmpv6Packet icmp;
  icmp.message = std::move(message);
  const auto body = wire::encode_icmpv6(icmp, source, destination);
  wire::Ipv6Build build;
  build.source = source;
  build.destination = destination;
  return {destination, wire::encode_ipv6_packet(build, wire::kIpProtoIcmpv6, body), what};
}

// Decodes an ICMPv6 mobility message with a valid checksum, or nothing.
std::optional<std::pair<wire::Ipv6Packet, wire::Icmpv6Packet>> decode(
    std::span<const std::uint8_t> packet, DhaadCounters& counters, DhaadCounter malformed,
    DhaadCounter bad_checksum) {
  auto ip = wire::decode_ipv6_packet(packet);
  if (!ip || ip->upper_protocol != wire::kIpProtoIcmpv6) {
    counters.inc(malformed);
    return std::nullopt;
  }
  if (!wire::verify_icmpv6_checksum(ip->header.source, ip->header.destination, ip->upper)) {
    counters.inc(bad_checksum);
    return std::nullopt;
  }
  auto icmp = wire::decode_icmpv6(ip->upper);
  if (!icmp) {
    counters.inc(malformed);
    return std::nullopt;
  }
  return std::make_pair(*ip, std::move(*icmp));
}

}  // namespace

base::Ip6Addr home_agents_anycast(const base::Ip6Addr& prefix, unsigned length) {
  base::Ip6Addr a = prefix.masked(length);
  auto& b = a.bytes();
  for (unsigned bit = length; bit < 128; ++bit) {
    b[bit / 8] |= static_cast<std::uint8_t>(0x80U >> (bit % 8));
  }
  if (length == 64) {
    b[8] &= 0xfd;  // EUI-64 format: the universal/local bit is 0 (RFC 2526 2)
  }
  b[15] = static_cast<std::uint8_t>((b[15] & 0x80) | kHomeAgentsAnycastId);
  return a;
}

std::optional<SendIpv6Packet> DhaadResponder::on_packet(std::span<const std::uint8_t> packet,
                                                        base::TimePoint now) {
  auto decoded =
      decode(packet, counters_, DhaadCounter::DropMalformed, DhaadCounter::DropBadChecksum);
  if (!decoded) {
    return std::nullopt;
  }
  const auto& [ip, icmp] = *decoded;
  const auto* request = std::get_if<wire::DhaadRequest>(&icmp.message);
  if (request == nullptr) {
    counters_.inc(DhaadCounter::DropNotRequest);
    return std::nullopt;
  }
  counters_.inc(DhaadCounter::RequestsReceived);
  bool ours = false;
  for (const auto& p : config_.prefixes) {
    ours = ours || ip.header.destination == home_agents_anycast(p.prefix, p.length);
  }
  if (!ours) {
    counters_.inc(DhaadCounter::DropNotOurAnycast);
    return std::nullopt;
  }
  // R6275-52: SHOULD reply only to a global unicast source (the MN's care-of address).
  if (!ip.header.source.is_routable_unicast()) {
    counters_.inc(DhaadCounter::DropSourceNotGlobal);
    return std::nullopt;
  }
  counters_.inc(DhaadCounter::RepliesSent);
  // R6275-53: decreasing preference, equals shuffled on every reply, trimmed to 1280 octets.
  // R6275-54: straight to the request's source, from a unicast address of ours.
  return encode(config_.reply_source, ip.header.source,
                home_agents_.build_dhaad_reply(request->identifier, now), "dhaad_reply");
}

SendIpv6Packet DhaadClient::start(const base::Ip6Addr& care_of_address,
                                  const base::Ip6Addr& home_prefix, unsigned prefix_length,
                                  base::TimePoint now) {
  active_ = true;
  source_ = care_of_address;
  anycast_ = home_agents_anycast(home_prefix, prefix_length);
  identifier_ = static_cast<std::uint16_t>(rng_());
  sent_ = 1;
  timeout_ = initial_timeout_;
  deadline_ = now + timeout_;
  counters_.inc(DhaadCounter::RequestsSent);
  return build_request();
}

SendIpv6Packet DhaadClient::build_request() const {
  return encode(source_, anycast_, wire::DhaadRequest{identifier_, 0}, "dhaad_request");
}

std::optional<HomeAgentsDiscovered> DhaadClient::on_packet(std::span<const std::uint8_t> packet,
                                                           base::TimePoint /*now*/) {
  auto decoded =
      decode(packet, counters_, DhaadCounter::RepliesIgnored, DhaadCounter::RepliesIgnored);
  if (!decoded) {
    return std::nullopt;
  }
  const auto* reply = std::get_if<wire::DhaadReply>(&decoded->second.message);
  if (!active_ || reply == nullptr || reply->identifier != identifier_ ||
      decoded->first.header.destination != source_) {
    counters_.inc(DhaadCounter::RepliesIgnored);
    return std::nullopt;
  }
  counters_.inc(DhaadCounter::RepliesReceived);
  active_ = false;
  deadline_ = base::kNever;
  return HomeAgentsDiscovered{reply->home_agents};
}

DhaadClient::TimerResult DhaadClient::on_timer(base::TimePoint now) {
  TimerResult result;
  if (!active_ || now < deadline_) {
    return result;
  }
  if (sent_ > retries_) {  // the first request plus `retries_` retransmissions went unanswered
    active_ = false;
    deadline_ = base::kNever;
    counters_.inc(DhaadCounter::DiscoveryFailed);
    result.failed = DhaadFailed{sent_};
    return result;
  }
  ++sent_;
  timeout_ *= 2;  // R6275-55: each retransmission doubles the interval
  deadline_ = now + timeout_;
  counters_.inc(DhaadCounter::RequestsRetransmitted);
  result.retransmit = build_request();
  return result;
}

}  // namespace mip6::engine
