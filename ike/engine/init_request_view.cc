#include "ike/engine/init_request_view.h"

#include "ike/wire/nonce_payload.h"
#include "ike/wire/payload_type.h"

namespace ike::engine {
namespace {

using wire::PayloadType;

// The rule table's IKE_SA_INIT request row (rules.cc kIkeSaInitI): these maxima, SA, KE and
// Nonce exactly once.
constexpr std::size_t kMaxNotify = 20;
constexpr std::size_t kMaxVendorId = 20;

std::uint16_t u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// sa_payload.cc decode_attributes: TV attributes are 4 octets, TLV ones 4 + their length.
bool attributes_ok(std::span<const std::uint8_t> b) {
  std::size_t at = 0;
  while (at < b.size()) {
    if (b.size() - at < 4) {
      return false;
    }
    const std::uint16_t af_type = u16(b, at);
    const std::uint16_t v = u16(b, at + 2);
    at += 4;
    if ((af_type & 0x8000) == 0) {
      if (b.size() - at < v) {
        return false;
      }
      at += v;
    }
  }
  return true;
}

// sa_payload.cc decode_transforms; `count` is how many there were.
bool transforms_ok(std::span<const std::uint8_t> b, std::size_t& count) {
  constexpr std::uint8_t kLast = 0;
  constexpr std::uint8_t kMore = 3;
  count = 0;
  std::size_t at = 0;
  while (at < b.size()) {
    if (b.size() - at < 4) {
      return false;
    }
    const std::uint8_t last = b[at];
    const std::uint16_t length = u16(b, at + 2);
    if (length > b.size() - at || length < 8) {
      return false;
    }
    const bool more = b.size() - at > length;
    if ((last != kLast && last != kMore) || (last == kMore) != more) {
      return false;
    }
    if (!attributes_ok(b.subspan(at + 8, length - 8))) {
      return false;
    }
    ++count;
    at += length;
  }
  return true;
}

// sa_payload.cc SaPayload::decode, without building the proposals.
bool sa_ok(std::span<const std::uint8_t> b) {
  constexpr std::uint8_t kLast = 0;
  constexpr std::uint8_t kMore = 2;
  if (b.empty()) {
    return false;
  }
  std::size_t at = 0;
  while (at < b.size()) {
    if (b.size() - at < 4) {
      return false;
    }
    const std::uint8_t last = b[at];
    const std::uint16_t length = u16(b, at + 2);
    if (length > b.size() - at || length < 8) {
      return false;
    }
    const bool more = b.size() - at > length;
    if ((last != kLast && last != kMore) || (last == kMore) != more) {
      return false;
    }
    const std::uint8_t spi_size = b[at + 6];
    const std::uint8_t num_transforms = b[at + 7];
    if (spi_size > length - 8) {
      return false;
    }
    std::size_t count = 0;
    if (!transforms_ok(b.subspan(at + 8 + spi_size, length - 8 - spi_size), count) ||
        count != num_transforms) {
      return false;
    }
    at += length;
  }
  return true;
}

}  // namespace

bool view_init_request(std::span<const std::uint8_t> datagram, InitRequestView& view) {
  auto header = wire::read_header_fields(datagram);
  // decode_header's checks, then the front's own (handle_new_init).
  if (!header || header->major_version != wire::kMajorVersion ||
      header->length != datagram.size() || header->exchange != wire::ExchangeType::IkeSaInit ||
      header->response || !header->spi_r.is_zero() || header->spi_i.is_zero() ||
      header->message_id.value() != 0) {
    return false;
  }
  view.header = *header;
  view.nonce_i = {};
  view.ke_group = 0;
  view.redirect_supported = false;
  view.cookie.reset();
  view.redirected_from.reset();
  std::size_t sa = 0;
  std::size_t ke = 0;
  std::size_t nonce = 0;
  std::size_t notify = 0;
  std::size_t vendor = 0;
  std::size_t payloads = 0;
  std::size_t at = wire::kHeaderSize;
  auto type = static_cast<std::uint8_t>(header->next_payload);
  while (type != static_cast<std::uint8_t>(PayloadType::NoNext)) {
    if (payloads == wire::kMaxPayloads || datagram.size() - at < wire::kGenericHeaderSize) {
      return false;
    }
    const std::uint8_t next = datagram[at];
    const bool critical = (datagram[at + 1] & wire::kCriticalBit) != 0;
    const std::uint16_t length = u16(datagram, at + 2);
    if (length < wire::kGenericHeaderSize || length > datagram.size() - at) {
      return false;
    }
    const auto body =
        datagram.subspan(at + wire::kGenericHeaderSize, length - wire::kGenericHeaderSize);
    switch (static_cast<PayloadType>(type)) {
      case PayloadType::SecurityAssociation:
        if (!sa_ok(body)) {
          return false;
        }
        ++sa;
        break;
      case PayloadType::KeyExchange:
        if (body.size() < 4) {  // DH Group Num + RESERVED
          return false;
        }
        view.ke_group = u16(body, 0);
        ++ke;
        break;
      case PayloadType::Nonce:
        if (body.size() < wire::kMinNonceSize || body.size() > wire::kMaxNonceSize) {
          return false;
        }
        view.nonce_i = body;
        ++nonce;
        break;
      case PayloadType::Notify: {
        if (body.size() < 4 || body.size() - 4 < body[1]) {
          return false;
        }
        const std::uint8_t spi_size = body[1];
        const auto notify_type = static_cast<wire::NotifyType>(u16(body, 2));
        const auto data = body.subspan(4 + spi_size);
        if (notify_type == wire::NotifyType::RedirectSupported) {
          view.redirect_supported = true;
        } else if (notify_type == wire::NotifyType::Cookie && !view.cookie) {
          view.cookie = data;
        } else if (notify_type == wire::NotifyType::RedirectedFrom && !view.redirected_from) {
          view.redirected_from = InitRequestView::NotifyRef{static_cast<wire::ProtocolId>(body[0]),
                                                            body.subspan(4, spi_size), data};
        }
        ++notify;
        break;
      }
      case PayloadType::VendorId: ++vendor; break;
      default:
        // Every other known type is not allowed in this request, SK/SKF end the chain, and
        // an unknown critical one is refused: all of that is the full path's to answer. An
        // unknown non-critical payload is skipped (RFC 7296 3.2).
        if (wire::is_known_payload_type(type) ||
            type == static_cast<std::uint8_t>(PayloadType::EncryptedFragment) || critical) {
          return false;
        }
        break;
    }
    ++payloads;
    at += length;
    type = next;
  }
  if (at != datagram.size() || sa != 1 || ke != 1 || nonce != 1 || notify > kMaxNotify ||
      vendor > kMaxVendorId) {
    return false;
  }
  return true;
}

InitRequestView view_decoded_init_request(const wire::Message& m) {
  InitRequestView view;
  view.header = m.header;
  view.nonce_i = wire::find_first<wire::NoncePayload>(m.payloads)->data;
  view.ke_group = wire::find_first<wire::KePayload>(m.payloads)->dh_group;
  view.redirect_supported =
      wire::find_notify(m.payloads, wire::NotifyType::RedirectSupported) != nullptr;
  if (const auto* n = wire::find_notify(m.payloads, wire::NotifyType::Cookie)) {
    view.cookie = std::span<const std::uint8_t>(n->data);
  }
  if (const auto* n = wire::find_notify(m.payloads, wire::NotifyType::RedirectedFrom)) {
    view.redirected_from = InitRequestView::NotifyRef{n->protocol, n->spi, n->data};
  }
  return view;
}

wire::NotifyPayload to_notify(wire::NotifyType type, const InitRequestView::NotifyRef& ref) {
  wire::NotifyPayload n;
  n.protocol = ref.protocol;
  n.spi.assign(ref.spi.begin(), ref.spi.end());
  n.type = type;
  n.data.assign(ref.data.begin(), ref.data.end());
  return n;
}

}  // namespace ike::engine
