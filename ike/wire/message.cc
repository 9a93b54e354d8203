#include "ike/wire/message.h"

#include "ike/base/byte_reader.h"
#include "ike/base/byte_writer.h"

namespace ike::wire {
namespace {

bool is_encrypted_type(PayloadType t) {
  return t == PayloadType::Encrypted || t == PayloadType::EncryptedFragment;
}

template <typename T>
ParseResult<Payload> wrap(const RawPayload& raw, ParseResult<T>&& r) {
  if (!r) {
    return tl::unexpected(shifted(r.error(), raw.offset + kGenericHeaderSize,
                                  static_cast<std::uint8_t>(raw.type)));
  }
  return Payload{raw.type, raw.critical, PayloadBody(std::move(*r))};
}

// True when the body alternative is the one the type number calls for.
bool body_matches(const Payload& p) {
  switch (p.type) {
    case PayloadType::SecurityAssociation: return p.get<SaPayload>() != nullptr;
    case PayloadType::KeyExchange: return p.get<KePayload>() != nullptr;
    case PayloadType::IdInitiator:
    case PayloadType::IdResponder: return p.get<IdPayload>() != nullptr;
    case PayloadType::Certificate: return p.get<CertPayload>() != nullptr;
    case PayloadType::CertificateRequest: return p.get<CertReqPayload>() != nullptr;
    case PayloadType::Authentication: return p.get<AuthPayload>() != nullptr;
    case PayloadType::Nonce: return p.get<NoncePayload>() != nullptr;
    case PayloadType::Notify: return p.get<NotifyPayload>() != nullptr;
    case PayloadType::Delete: return p.get<DeletePayload>() != nullptr;
    case PayloadType::VendorId: return p.get<VendorIdPayload>() != nullptr;
    case PayloadType::TsInitiator:
    case PayloadType::TsResponder: return p.get<TsPayload>() != nullptr;
    case PayloadType::Encrypted: return p.get<SkPayload>() != nullptr;
    case PayloadType::Configuration: return p.get<CpPayload>() != nullptr;
    case PayloadType::Eap: return p.get<EapPayload>() != nullptr;
    case PayloadType::NoNext: return false;
    case PayloadType::EncryptedFragment: break;
  }
  return p.get<UnknownPayload>() != nullptr;
}

// Appends generic header + body for each payload. `outer` allows SK (last only).
EncodeStatus encode_chain(std::span<const Payload> payloads, bool outer, base::ByteWriter& w) {
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    const auto type_num = static_cast<std::uint8_t>(p.type);
    if (!body_matches(p)) {
      return encode_fail(EncodeErrc::TypeMismatch, type_num);
    }
    PayloadType next = i + 1 < payloads.size() ? payloads[i + 1].type : PayloadType::NoNext;
    if (is_encrypted_type(p.type)) {
      if (!outer) {
        return encode_fail(EncodeErrc::NestedEncrypted, type_num);
      }
      if (i + 1 != payloads.size()) {
        return encode_fail(EncodeErrc::EncryptedNotLast, type_num);
      }
    }
    if (const auto* sk = p.get<SkPayload>()) {
      next = sk->inner_first;
    }
    const std::size_t start = w.size();
    w.write_u8(static_cast<std::uint8_t>(next));
    w.write_u8(p.critical ? kCriticalBit : 0);
    w.write_u16(0);  // patched below
    auto status = std::visit(
        [&w](const auto& body) -> EncodeStatus {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, UnknownPayload>) {
            w.write_bytes(body.body);
            return {};
          } else {
            return body.encode(w);
          }
        },
        p.body);
    if (!status) {
      EncodeError e = status.error();
      e.payload_type = type_num;
      return tl::unexpected(e);
    }
    const std::size_t length = w.size() - start;
    if (length > 0xffff) {
      return encode_fail(EncodeErrc::PayloadTooLong, type_num);
    }
    w.patch_u16(start + 2, static_cast<std::uint16_t>(length));
  }
  return {};
}

ParseResult<DecodedPayloads> decode_all(std::vector<RawPayload>&& raw) {
  DecodedPayloads out;
  out.payloads.reserve(raw.size());
  for (const auto& r : raw) {
    auto p = decode_payload(r);
    if (!p) {
      return tl::unexpected(p.error());
    }
    out.payloads.push_back(std::move(*p));
  }
  out.raw = std::move(raw);
  return out;
}

}  // namespace

Payload make_id_payload(bool initiator, IdPayload id) {
  return Payload{initiator ? PayloadType::IdInitiator : PayloadType::IdResponder, false,
                 PayloadBody(std::move(id))};
}

Payload make_ts_payload(bool initiator, TsPayload ts) {
  return Payload{initiator ? PayloadType::TsInitiator : PayloadType::TsResponder, false,
                 PayloadBody(std::move(ts))};
}

const Payload* Message::find(PayloadType t) const {
  for (const auto& p : payloads) {
    if (p.type == t) {
      return &p;
    }
  }
  return nullptr;
}

ParseResult<std::vector<RawPayload>> walk_payloads(PayloadType first,
                                                   std::span<const std::uint8_t> bytes,
                                                   std::size_t base_offset, bool inner) {
  std::vector<RawPayload> out;
  base::ByteReader r(bytes);
  PayloadType type = first;
  while (type != PayloadType::NoNext) {
    const std::size_t at = r.offset();
    const auto type_num = static_cast<std::uint8_t>(type);
    if (out.size() == kMaxPayloads) {
      return parse_fail(ParseErrc::TooManyPayloads, base_offset + at, type_num);
    }
    std::uint8_t next = 0;
    std::uint8_t flags = 0;
    std::uint16_t length = 0;
    if (!r.read_u8(next) || !r.read_u8(flags) || !r.read_u16(length)) {
      return parse_fail(ParseErrc::Truncated, base_offset + at, type_num);
    }
    if (length < kGenericHeaderSize) {
      return parse_fail(ParseErrc::PayloadLengthTooShort, base_offset + at, type_num);
    }
    std::span<const std::uint8_t> body;
    if (!r.read_span(length - kGenericHeaderSize, body)) {
      return parse_fail(ParseErrc::PayloadLengthOverrun, base_offset + at, type_num);
    }
    RawPayload raw;
    raw.type = type;
    raw.next = static_cast<PayloadType>(next);
    raw.critical = (flags & kCriticalBit) != 0;
    raw.offset = static_cast<std::uint32_t>(base_offset + at);
    raw.body = body;
    if (!is_known_payload_type(type_num) && raw.critical) {
      return parse_fail(ParseErrc::UnsupportedCriticalPayload, base_offset + at, type_num);
    }
    if (is_encrypted_type(type)) {
      if (inner) {
        return parse_fail(ParseErrc::NestedEncrypted, base_offset + at, type_num);
      }
      // SK's (and SKF's) Next Payload names the first inner payload; nothing may follow (3.14).
      if (!r.empty()) {
        return parse_fail(ParseErrc::EncryptedNotLast, base_offset + r.offset(), type_num);
      }
      out.push_back(raw);
      return out;
    }
    out.push_back(raw);
    type = raw.next;
  }
  if (!r.empty()) {
    return parse_fail(ParseErrc::TrailingData, base_offset + r.offset());
  }
  return out;
}

ParseResult<Payload> decode_payload(const RawPayload& raw) {
  switch (raw.type) {
    case PayloadType::SecurityAssociation: return wrap(raw, SaPayload::decode(raw.body));
    case PayloadType::KeyExchange: return wrap(raw, KePayload::decode(raw.body));
    case PayloadType::IdInitiator:
    case PayloadType::IdResponder: return wrap(raw, IdPayload::decode(raw.body));
    case PayloadType::Certificate: return wrap(raw, CertPayload::decode(raw.body));
    case PayloadType::CertificateRequest: return wrap(raw, CertReqPayload::decode(raw.body));
    case PayloadType::Authentication: return wrap(raw, AuthPayload::decode(raw.body));
    case PayloadType::Nonce: return wrap(raw, NoncePayload::decode(raw.body));
    case PayloadType::Notify: return wrap(raw, NotifyPayload::decode(raw.body));
    case PayloadType::Delete: return wrap(raw, DeletePayload::decode(raw.body));
    case PayloadType::VendorId: return wrap(raw, VendorIdPayload::decode(raw.body));
    case PayloadType::TsInitiator:
    case PayloadType::TsResponder: return wrap(raw, TsPayload::decode(raw.body));
    case PayloadType::Encrypted: return wrap(raw, SkPayload::decode(raw.next, raw.body));
    case PayloadType::Configuration: return wrap(raw, CpPayload::decode(raw.body));
    case PayloadType::Eap: return wrap(raw, EapPayload::decode(raw.body));
    case PayloadType::NoNext:
    case PayloadType::EncryptedFragment: break;
  }
  UnknownPayload u;
  u.body.assign(raw.body.begin(), raw.body.end());
  return Payload{raw.type, raw.critical, PayloadBody(std::move(u))};
}

ParseResult<DecodedMessage> decode_message(std::span<const std::uint8_t> datagram) {
  auto header = decode_header(datagram);
  if (!header) {
    return tl::unexpected(header.error());
  }
  auto raw = walk_payloads(header->next_payload, datagram.subspan(kHeaderSize), kHeaderSize,
                           false);
  if (!raw) {
    return tl::unexpected(raw.error());
  }
  std::optional<SkLocation> sk;
  if (!raw->empty() && raw->back().type == PayloadType::Encrypted) {
    const RawPayload& s = raw->back();
    sk = SkLocation{s.offset, static_cast<std::uint32_t>(s.offset + kGenericHeaderSize),
                    static_cast<std::uint32_t>(s.body.size()), s.next};
  }
  auto decoded = decode_all(std::move(*raw));
  if (!decoded) {
    return tl::unexpected(decoded.error());
  }
  DecodedMessage out;
  out.message.header = *header;
  out.message.payloads = std::move(decoded->payloads);
  out.raw = std::move(decoded->raw);
  out.sk = sk;
  return out;
}

ParseResult<DecodedPayloads> decode_inner_payloads(PayloadType first,
                                                   std::span<const std::uint8_t> plaintext) {
  auto raw = walk_payloads(first, plaintext, 0, true);
  if (!raw) {
    return tl::unexpected(raw.error());
  }
  return decode_all(std::move(*raw));
}

EncodeResult<std::vector<std::uint8_t>> encode_message(const Message& m) {
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  Header h = m.header;
  h.next_payload = m.payloads.empty() ? PayloadType::NoNext : m.payloads.front().type;
  h.length = 0;
  encode_header(h, w);
  if (auto s = encode_chain(m.payloads, true, w); !s) {
    return tl::unexpected(s.error());
  }
  if (out.size() > kMaxMessageSize) {
    return encode_fail(EncodeErrc::MessageTooLong);
  }
  const auto length = static_cast<std::uint32_t>(out.size());
  w.patch_u16(24, static_cast<std::uint16_t>(length >> 16));
  w.patch_u16(26, static_cast<std::uint16_t>(length));
  return out;
}

EncodeResult<EncodedPayloads> encode_inner_payloads(std::span<const Payload> payloads) {
  EncodedPayloads out;
  out.first = payloads.empty() ? PayloadType::NoNext : payloads.front().type;
  base::ByteWriter w(out.bytes);
  if (auto s = encode_chain(payloads, false, w); !s) {
    return tl::unexpected(s.error());
  }
  return out;
}

ParseResult<std::optional<SkLocation>> locate_sk(std::span<const std::uint8_t> message) {
  auto header = decode_header(message);
  if (!header) {
    return tl::unexpected(header.error());
  }
  auto raw = walk_payloads(header->next_payload, message.subspan(kHeaderSize), kHeaderSize,
                           false);
  if (!raw) {
    return tl::unexpected(raw.error());
  }
  if (raw->empty() || raw->back().type != PayloadType::Encrypted) {
    return std::optional<SkLocation>{};
  }
  const RawPayload& s = raw->back();
  return std::optional<SkLocation>(
      SkLocation{s.offset, static_cast<std::uint32_t>(s.offset + kGenericHeaderSize),
                 static_cast<std::uint32_t>(s.body.size()), s.next});
}

const NotifyPayload* find_notify(std::span<const Payload> payloads, NotifyType type) {
  for (const auto& p : payloads) {
    if (const auto* n = p.get<NotifyPayload>(); n != nullptr && n->type == type) {
      return n;
    }
  }
  return nullptr;
}

}  // namespace ike::wire
