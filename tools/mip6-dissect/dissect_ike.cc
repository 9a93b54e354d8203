// IKEv2 for mip6-dissect: the header and every payload, with the names of the
// ike::wire to_string functions. SK contents are opened (ike::crypto, ICV
// verified) when the IKE SA's keys are in the IkeKeyTable.
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ike/base/hex.h"
#include "ike/crypto/crypto_error.h"
#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/wire/message.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/dissect_ike_keys.h"
#include "ike/base/overloaded.h"

namespace mip6::dissect {
namespace {

using nlohmann::json;
namespace iw = ike::wire;

using base::Overloaded;

constexpr std::size_t kIpv4Size = 4;
constexpr std::size_t kIpv6Size = 16;

std::string hex(std::span<const std::uint8_t> s) {
  return base::to_hex(s);
}
std::string name(std::string_view s) {
  return std::string(s);
}

bool printable(std::span<const std::uint8_t> s) {
  for (std::uint8_t c : s) {
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

// Text of an address or name, or null when the octets are not one (the "data"
// hex stays).
json address_text(std::span<const std::uint8_t> b) {
  if (b.size() == kIpv4Size) {
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
           std::to_string(b[3]);
  }
  if (b.size() == kIpv6Size) {
    std::array<std::uint8_t, kIpv6Size> a{};
    std::copy(b.begin(), b.end(), a.begin());
    return base::Ip6Addr(a).to_string();
  }
  return nullptr;
}
json ascii_text(std::span<const std::uint8_t> b) {
  if (!printable(b)) {
    return nullptr;  // JSON strings must be valid UTF-8
  }
  return std::string(b.begin(), b.end());
}

json error_json(const iw::ParseError& e, std::size_t base, std::string_view layer = "ikev2") {
  json j{{"error", name(iw::to_string(e.code))},
         {"offset", base + e.offset},
         {"layer_offset", e.offset},
         {"layer", name(layer)}};
  if (e.payload_type != 0) {
    j["payload_type"] = e.payload_type;
    j["payload_name"] = name(iw::to_string(static_cast<iw::PayloadType>(e.payload_type)));
  }
  return j;
}

json header_json(const iw::Header& h, std::uint8_t raw_flags) {
  return json{{"spi_i", iw::to_string(h.spi_i)},
              {"spi_r", iw::to_string(h.spi_r)},
              {"next_payload", static_cast<int>(h.next_payload)},
              {"next_payload_name", name(iw::to_string(h.next_payload))},
              {"major_version", h.major_version},
              {"minor_version", h.minor_version},
              {"exchange_type", static_cast<int>(h.exchange)},
              {"exchange_name", name(iw::to_string(h.exchange))},
              {"flags", json{{"I", h.initiator}, {"V", h.higher_version}, {"R", h.response}}},
              {"raw_flags", raw_flags},
              {"message_id", h.message_id.value()},
              {"length", h.length}};
}

json sa_json(const iw::SaPayload& sa) {
  json proposals = json::array();
  for (const auto& p : sa.proposals) {
    json transforms = json::array();
    for (const auto& t : p.transforms) {
      json tj{{"type", static_cast<int>(t.type)},
              {"type_name", name(iw::to_string(t.type))},
              {"id", t.id},
              {"id_name", name(iw::transform_id_name(t.type, t.id))}};
      if (auto kl = t.key_length()) {
        tj["key_length"] = *kl;
      }
      if (!t.attributes.empty()) {
        json attrs = json::array();
        for (const auto& a : t.attributes) {
          json aj{{"type", a.type}, {"tv", a.tv}};
          if (a.tv) {
            aj["value"] = a.value;
          } else {
            aj["data"] = hex(a.tlv_data);
          }
          attrs.push_back(std::move(aj));
        }
        tj["attributes"] = std::move(attrs);
      }
      transforms.push_back(std::move(tj));
    }
    proposals.push_back(json{{"number", p.number},
                             {"protocol", static_cast<int>(p.protocol)},
                             {"protocol_name", name(iw::to_string(p.protocol))},
                             {"spi", hex(p.spi)},
                             {"transforms", std::move(transforms)}});
  }
  return json{{"proposals", std::move(proposals)}};
}

json gw_json(const iw::GwIdentity& gw) {
  json j{{"gw_ident_type", static_cast<int>(gw.type)},
         {"gw_ident_type_name", name(iw::to_string(gw.type))},
         {"gw_ident_data", hex(gw.value)}};
  j["gw_ident"] = gw.type == iw::GwIdentType::Fqdn ? ascii_text(gw.value) : address_text(gw.value);
  return j;
}

// Typed notify data. Returns an error when the data is malformed for its type
// (offsets from the start of the notify body).
tl::expected<json, iw::ParseError> notify_json(const iw::NotifyPayload& n) {
  json j{{"protocol", static_cast<int>(n.protocol)},
         {"protocol_name", name(iw::to_string(n.protocol))},
         {"spi", hex(n.spi)},
         {"notify_type", static_cast<int>(n.type)},
         {"notify_name", name(iw::to_string(n.type))},
         {"error_notify", iw::is_error_notify(n.type)},
         {"data_length", n.data.size()},
         {"data", hex(n.data)}};
  switch (n.type) {
    case iw::NotifyType::Redirect: {
      auto r = iw::decode_redirect(n);  // RFC 5685 9.2 (R5685-34..36)
      if (!r) {
        return tl::unexpected(r.error());
      }
      json rj = gw_json(r->gateway);
      rj["nonce"] = hex(r->nonce);
      rj["nonce_length"] = r->nonce.size();
      j["redirect"] = std::move(rj);
      break;
    }
    case iw::NotifyType::RedirectedFrom: {
      auto r = iw::decode_redirected_from(n);  // RFC 5685 9.3
      if (!r) {
        return tl::unexpected(r.error());
      }
      j["redirected_from"] = gw_json(*r);
      break;
    }
    case iw::NotifyType::Cookie: {
      auto c = iw::decode_cookie(n);
      if (!c) {
        return tl::unexpected(c.error());
      }
      j["cookie"] = hex(*c);
      break;
    }
    case iw::NotifyType::NatDetectionSourceIp:
    case iw::NotifyType::NatDetectionDestinationIp: {
      auto h = iw::decode_nat_detection(n);
      if (!h) {
        return tl::unexpected(h.error());
      }
      j["hash"] = hex(*h);
      break;
    }
    case iw::NotifyType::InvalidKePayload: {
      auto g = iw::decode_invalid_ke_payload(n);
      if (!g) {
        return tl::unexpected(g.error());
      }
      j["dh_group"] = *g;
      j["dh_group_name"] = name(iw::to_string(static_cast<iw::DhGroup>(*g)));
      break;
    }
    case iw::NotifyType::UnsupportedCriticalPayload: {
      auto t = iw::decode_unsupported_critical_payload(n);
      if (!t) {
        return tl::unexpected(t.error());
      }
      j["payload_type"] = *t;
      break;
    }
    case iw::NotifyType::SetWindowSize: {
      auto w = iw::decode_set_window_size(n);
      if (!w) {
        return tl::unexpected(w.error());
      }
      j["window_size"] = *w;
      break;
    }
    case iw::NotifyType::SignatureHashAlgorithms: {
      auto ids = iw::decode_signature_hash_algorithms(n);
      if (!ids) {
        return tl::unexpected(ids.error());
      }
      j["hash_algorithms"] = *ids;
      break;
    }
    default: break;
  }
  return j;
}

json ts_json(const iw::TsPayload& ts) {
  json sels = json::array();
  for (const auto& s : ts.selectors) {
    json sj{{"ts_type", static_cast<int>(s.type)}, {"ts_type_name", name(iw::to_string(s.type))}};
    if (!s.is_known_type()) {
      sj["data"] = hex(s.opaque);
      sels.push_back(std::move(sj));
      continue;
    }
    sj["ip_protocol"] = s.ip_protocol;
    sj["start_port"] = s.start_port;
    sj["end_port"] = s.end_port;
    sj["start_address"] = address_text(s.start_address);
    sj["end_address"] = address_text(s.end_address);
    if (auto mh = s.mh_type_range()) {
      sj["mh_types"] = json{{"first", mh->first}, {"last", mh->second}};  // RFC 4877 7.2
    }
    sels.push_back(std::move(sj));
  }
  return json{{"selectors", std::move(sels)}};
}

tl::expected<json, iw::ParseError> cp_json(const iw::CpPayload& cp) {
  json attrs = json::array();
  std::size_t at = 4;  // CFG Type + RESERVED, then 4-octet attribute headers (3.15.1)
  // Typed helper offsets count from the attribute header: re-base them onto the
  // body.
  auto failed = [&at](const iw::ParseError& e) {
    return tl::unexpected(iw::shifted(e, at, static_cast<std::uint8_t>(iw::CpPayload::kType)));
  };
  for (const auto& a : cp.attributes) {
    json aj{{"type", a.type},
            {"name", name(iw::to_string(static_cast<iw::CpAttrType>(a.type)))},
            {"length", a.value.size()},
            {"value", hex(a.value)}};
    if (a.is(iw::CpAttrType::InternalIp6Address)) {
      auto d = iw::decode_internal_ip6_address(a);  // RFC 4877 9
      if (!d) {
        return failed(d.error());
      }
      aj["internal_ip6_address"] =
          *d ? json{{"address", (*d)->address.to_string()}, {"prefix_len", (*d)->prefix_len}}
             : json(nullptr);
    } else if (a.is(iw::CpAttrType::InternalIp6Dns)) {
      auto d = iw::decode_internal_ip6_dns(a);
      if (!d) {
        return failed(d.error());
      }
      aj["dns_server"] = *d ? json((*d)->to_string()) : json(nullptr);
    } else if (a.is(iw::CpAttrType::Mip6HomePrefix)) {
      auto d = iw::decode_mip6_home_prefix(a);  // RFC 5026 8.2
      if (!d) {
        return failed(d.error());
      }
      aj["mip6_home_prefix"] = *d ? json{{"lifetime", (*d)->lifetime},
                                         {"prefix", (*d)->prefix.to_string()},
                                         {"prefix_len", (*d)->prefix_len}}
                                  : json(nullptr);
    }
    attrs.push_back(std::move(aj));
    at += 4 + a.value.size();
  }
  return json{{"cfg_type", static_cast<int>(cp.cfg_type)},
              {"cfg_type_name", name(iw::to_string(cp.cfg_type))},
              {"attributes", std::move(attrs)}};
}

// The body-specific members of one payload; an error for notify/CP data that is
// malformed for its type (offset from the start of the payload body).
tl::expected<json, iw::ParseError> body_json(const iw::Payload& p) {
  using R = tl::expected<json, iw::ParseError>;
  return std::visit(
      Overloaded{
          [](const iw::SaPayload& b) -> R { return sa_json(b); },
          [](const iw::KePayload& b) -> R {
            return json{
                {"dh_group", b.dh_group},
                {"dh_group_name", name(iw::to_string(static_cast<iw::DhGroup>(b.dh_group)))},
                {"data_length", b.data.size()}};
          },
          [](const iw::IdPayload& b) -> R {
            json j{{"id_type", static_cast<int>(b.type)},
                   {"id_type_name", name(iw::to_string(b.type))},
                   {"data", hex(b.data)}};
            switch (b.type) {
              case iw::IdType::Ipv4Addr:
              case iw::IdType::Ipv6Addr: j["value"] = address_text(b.data); break;
              case iw::IdType::Fqdn:
              case iw::IdType::Rfc822Addr: j["value"] = ascii_text(b.data); break;
              default: j["value"] = hex(b.data); break;
            }
            return j;
          },
          [](const iw::CertPayload& b) -> R {
            return json{{"encoding", static_cast<int>(b.encoding)},
                        {"encoding_name", name(iw::to_string(b.encoding))},
                        {"data_length", b.data.size()}};
          },
          [](const iw::CertReqPayload& b) -> R {
            return json{{"encoding", static_cast<int>(b.encoding)},
                        {"encoding_name", name(iw::to_string(b.encoding))},
                        {"authorities", hex(b.authorities)}};
          },
          [](const iw::AuthPayload& b) -> R {
            // The AUTH value is a MAC or signature over public data, not a secret.
            return json{{"auth_method", static_cast<int>(b.method)},
                        {"auth_method_name", name(iw::to_string(b.method))},
                        {"data_length", b.data.size()},
                        {"data", hex(b.data)}};
          },
          [](const iw::NoncePayload& b) -> R {
            return json{{"nonce_length", b.data.size()}, {"nonce", hex(b.data)}};
          },
          [](const iw::NotifyPayload& b) -> R { return notify_json(b); },
          [](const iw::DeletePayload& b) -> R {
            json spis = json::array();
            for (const auto& s : b.spis) {
              spis.push_back(hex(s));
            }
            return json{{"protocol", static_cast<int>(b.protocol)},
                        {"protocol_name", name(iw::to_string(b.protocol))},
                        {"spi_size", b.spi_size},
                        {"spis", std::move(spis)}};
          },
          [](const iw::VendorIdPayload& b) -> R {
            return json{{"data_length", b.data.size()}, {"data", hex(b.data)}};
          },
          [](const iw::TsPayload& b) -> R { return ts_json(b); },
          [](const iw::CpPayload& b) -> R { return cp_json(b); },
          [](const iw::EapPayload& b) -> R {
            json j{{"data_length", b.message.size()}};
            if (!b.message.empty()) {
              j["eap_code"] = b.message[0];
            }
            return j;
          },
          [](const iw::SkPayload& b) -> R {
            // dissect_ikev2 opens it when it has the keys.
            return json{{"encrypted", json{{"inner_first", name(iw::to_string(b.inner_first))},
                                           {"inner_first_type", static_cast<int>(b.inner_first)},
                                           {"length", b.data.size()},
                                           {"decrypted", false}}}};
          },
          [](const iw::UnknownPayload& b) -> R {
            return json{{"data_length", b.body.size()}, {"data", hex(b.body)}};
          },
      },
      p.body);
}

// Dissects a payload chain into `out`. `base` is added to the raw offsets for "offset";
// "layer_offset" is the raw offset. On a payload that does not decode, that payload's
// header members are still appended and the error (offsets as in the raw chain) returned.
std::optional<iw::ParseError> payloads_json(const std::vector<iw::RawPayload>& raw,
                                            std::size_t base, json& out) {
  for (const auto& r : raw) {
    json pj{{"type", static_cast<int>(r.type)}, {"name", name(iw::to_string(r.type))},
            {"critical", r.critical},           {"offset", base + r.offset},
            {"layer_offset", r.offset},         {"length", iw::kGenericHeaderSize + r.body.size()}};
    auto decoded = iw::decode_payload(r);
    if (!decoded) {
      out.push_back(std::move(pj));
      return decoded.error();
    }
    auto body = body_json(*decoded);
    if (!body) {
      // Typed helper offsets count from the payload body.
      out.push_back(std::move(pj));
      return iw::shifted(body.error(), r.offset + iw::kGenericHeaderSize,
                         static_cast<std::uint8_t>(r.type));
    }
    for (auto it = body->begin(); it != body->end(); ++it) {
      pj[it.key()] = it.value();
    }
    out.push_back(std::move(pj));
  }
  return std::nullopt;
}

std::string spi_pair(const iw::Header& h) {
  return iw::to_string(h.spi_i) + "/" + iw::to_string(h.spi_r);
}

// Opens the SK payload `sk` (last in `message`) with the keys of the header's SPI pair and
// fills `enc` (the payload's "encrypted" object). Failures go into `packet` as an error
// (layer "ikev2_sk") or, for a missing key, a note.
void open_sk(std::span<const std::uint8_t> message, const iw::Header& h, const iw::RawPayload& sk,
             std::size_t base, const IkeKeyTable& keys, json& enc, json& packet) {
  auto sk_error = [&](std::string_view status, std::string_view error) {
    enc["decrypt_status"] = name(status);
    packet["error"] = name(error);
    packet["offset"] = base + sk.offset;
    packet["layer_offset"] = sk.offset;
    packet["layer"] = "ikev2_sk";
  };
  const auto* entry = keys.find(h.spi_i.value(), h.spi_r.value());
  if (entry == nullptr) {
    enc["decrypt_status"] = "no_key";
    packet["note"] = "no IKE SA keys for SPIs " + spi_pair(h) + ": SK not decrypted";
    return;
  }
  // RFC 7296 3.14 / 2.14: SK_ei/SK_ai protect what the original initiator sends (I flag).
  const bool from_initiator = h.initiator;
  enc["keys_used"] = from_initiator ? "SK_ei/SK_ai" : "SK_er/SK_ar";
  enc["encr"] = name(ike::crypto::to_string(entry->encr));
  enc["key_bits"] = entry->encr_key_bits;
  enc["integ"] = name(ike::crypto::to_string(entry->integ));
  auto cipher = ike::crypto::make_sk_cipher(entry->encr, entry->encr_key_bits, entry->integ,
                                            (from_initiator ? entry->sk_ei : entry->sk_er).view(),
                                            (from_initiator ? entry->sk_ai : entry->sk_ar).view(),
                                            ike::crypto::default_random());
  if (!cipher) {
    sk_error(cipher.error().code, "sk_cipher_setup_failed");
    return;
  }
  ike::crypto::SkCipher& c = **cipher;
  const std::span<const std::uint8_t> body = sk.body;
  if (body.size() < c.iv_size() + c.icv_size()) {
    sk_error("body_too_short", "sk_body_too_short");
    return;
  }
  enc["iv"] = hex(body.first(c.iv_size()));
  enc["icv"] = hex(body.last(c.icv_size()));
  // AAD / ICV coverage starts at the IKE header and runs through the SK generic header.
  const std::size_t aad_size = sk.offset + iw::kGenericHeaderSize;
  auto plain = c.open_body(message.first(aad_size), body);
  if (!plain) {
    if (plain.error().code == ike::crypto::kErrAuthenticationFailed) {
      sk_error("integrity_check_failed", "sk_integrity_check_failed");
    } else {
      sk_error(plain.error().code, "sk_decrypt_failed");
    }
    return;
  }
  auto inner_size = ike::crypto::strip_sk_padding(*plain);
  if (!inner_size) {
    sk_error("invalid_padding", "sk_invalid_padding");
    return;
  }
  enc["decrypted"] = true;
  enc["decrypt_status"] = "ok";
  enc["pad_length"] = plain->back();
  enc["plaintext_length"] = *inner_size;
  enc["payloads"] = json::array();
  // Both ciphers keep the length, so plaintext octet i sits at ciphertext octet i.
  const std::size_t ciphertext_base = base + sk.offset + iw::kGenericHeaderSize + c.iv_size();
  const std::span<const std::uint8_t> inner(plain->data(), *inner_size);
  auto chain = iw::walk_payloads(sk.next, inner, 0, true);
  if (!chain) {
    json err = error_json(chain.error(), ciphertext_base, "ikev2_sk");
    enc["decrypt_status"] = "inner_payloads_malformed";
    for (auto it = err.begin(); it != err.end(); ++it) {
      packet[it.key()] = it.value();
    }
    return;
  }
  if (auto e = payloads_json(*chain, ciphertext_base, enc["payloads"])) {
    json err = error_json(*e, ciphertext_base, "ikev2_sk");
    enc["decrypt_status"] = "inner_payloads_malformed";
    for (auto it = err.begin(); it != err.end(); ++it) {
      packet[it.key()] = it.value();
    }
  }
}

}  // namespace

json dissect_ikev2(std::span<const std::uint8_t> message, std::size_t base_offset,
                   const IkeKeyTable* ike_keys) {
  json ike{{"offset", base_offset}, {"length", message.size()}};
  auto fail = [&](const iw::ParseError& e) {
    json err = error_json(e, base_offset);
    err["ikev2"] = ike;
    return err;
  };
  // The raw fields first, so that a rejected header (version, length) is still
  // shown.
  auto fields = iw::read_header_fields(message);
  if (!fields) {
    return fail(fields.error());
  }
  ike["header"] = header_json(*fields, message[19]);
  auto header = iw::decode_header(message);
  if (!header) {
    return fail(header.error());
  }
  auto raw = iw::walk_payloads(header->next_payload, message.subspan(iw::kHeaderSize),
                               iw::kHeaderSize, false);
  if (!raw) {
    return fail(raw.error());
  }
  ike["payloads"] = json::array();
  if (auto e = payloads_json(*raw, base_offset, ike["payloads"])) {
    return fail(*e);
  }
  json packet = json::object();
  // walk_payloads stops at SK, so an SK payload is always the last one (3.14).
  if (ike_keys != nullptr && !raw->empty() && raw->back().type == iw::PayloadType::Encrypted) {
    open_sk(message, *header, raw->back(), base_offset, *ike_keys,
            ike["payloads"].back()["encrypted"], packet);
  }
  packet["ikev2"] = std::move(ike);
  return packet;
}

}  // namespace mip6::dissect
