#include "ike/wire/id_payload.h"

#include <string>

#include "ike/base/hex.h"

#include "ike/base/byte_reader.h"

namespace ike::wire {

IdPayload IdPayload::make_fqdn(std::string_view fqdn) {
  IdPayload id;
  id.type = IdType::Fqdn;
  id.data.assign(fqdn.begin(), fqdn.end());
  return id;
}

IdPayload IdPayload::make_rfc822(std::string_view addr) {
  IdPayload id = make_fqdn(addr);
  id.type = IdType::Rfc822Addr;
  return id;
}

IdPayload IdPayload::make_ipv6(const base::Ip6Addr& addr) {
  IdPayload id;
  id.type = IdType::Ipv6Addr;
  id.data.assign(addr.bytes().begin(), addr.bytes().end());
  return id;
}

IdPayload IdPayload::make_ipv4(const std::array<std::uint8_t, 4>& addr) {
  IdPayload id;
  id.type = IdType::Ipv4Addr;
  id.data.assign(addr.begin(), addr.end());
  return id;
}

IdPayload IdPayload::make_key_id(std::span<const std::uint8_t> key_id) {
  IdPayload id;
  id.type = IdType::KeyId;
  id.data.assign(key_id.begin(), key_id.end());
  return id;
}

IdPayload IdPayload::from_text(std::string_view text) {
  // ID_KEY_ID (R7296-31): "keyid:HEX", or "@#HEX" as strongSwan writes it.
  for (const std::string_view prefix : {std::string_view("keyid:"), std::string_view("@#")}) {
    if (text.substr(0, prefix.size()) == prefix) {
      if (auto key_id = base::from_hex(text.substr(prefix.size()))) {
        return make_key_id(*key_id);
      }
    }
  }
  if (auto a = base::Ip6Addr::parse(text)) {
    return make_ipv6(*a);
  }
  if (text.find('@') != std::string_view::npos) {
    return make_rfc822(text);
  }
  return make_fqdn(text);
}

std::string IdPayload::to_text() const {
  if (auto a = ipv6()) {
    return a->to_string();
  }
  if (type == IdType::Fqdn || type == IdType::Rfc822Addr) {
    return std::string(text());
  }
  if (type == IdType::KeyId) {
    return "keyid:" + base::to_hex(data);
  }
  if (type == IdType::Ipv4Addr && data.size() == 4) {
    return std::to_string(data[0]) + "." + std::to_string(data[1]) + "." +
           std::to_string(data[2]) + "." + std::to_string(data[3]);
  }
  return std::string(to_string(type)) + ":" + base::to_hex(data);
}

std::optional<base::Ip6Addr> IdPayload::ipv6() const {
  if (type != IdType::Ipv6Addr || data.size() != 16) {
    return std::nullopt;
  }
  return base::Ip6Addr::from_span(std::span<const std::uint8_t, 16>(data.data(), 16));
}

std::string_view IdPayload::text() const {
  if (type != IdType::Fqdn && type != IdType::Rfc822Addr) {
    return {};
  }
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

ParseResult<IdPayload> IdPayload::decode(std::span<const std::uint8_t> body) {
  base::ByteReader r(body);
  std::uint8_t type = 0;
  if (!r.read_u8(type) || !r.skip(3)) {
    return parse_fail(ParseErrc::Truncated, 0);
  }
  IdPayload id;
  id.type = static_cast<IdType>(type);
  id.data.assign(r.rest().begin(), r.rest().end());
  if ((id.type == IdType::Ipv4Addr && id.data.size() != 4) ||
      (id.type == IdType::Ipv6Addr && id.data.size() != 16)) {
    return parse_fail(ParseErrc::IdBadLength, 4);
  }
  return id;
}

EncodeStatus IdPayload::encode(base::ByteWriter& w) const {
  w.write_u8(static_cast<std::uint8_t>(type));
  w.write_zeros(3);
  w.write_bytes(data);
  return {};
}

}  // namespace ike::wire
