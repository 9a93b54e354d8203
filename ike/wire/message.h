#pragma once
// A whole IKE message: header + payload chain (RFC 7296 3.1, 3.2, 3.14).
//
// Decoding is two steps (iked's validate-then-interpret): walk_payloads() checks the chain
// framing and yields borrowed RawPayloads; decode_payload() interprets one of them. Typed
// payloads own their bytes; RawPayload spans borrow from the datagram and live only as long
// as it does. The engine computes AUTH over raw bytes (RealMessage, IDx'), never over a
// re-encoding, because reserved bits are ignored on receipt (R7296-11).
//
// Sending with SK: encode_inner_payloads() gives the plaintext payload chain and its first
// type; the crypto layer pads and encrypts it; the engine then builds the outer message with
// an SkPayload of the final size (data may be zero-filled), encode_message()s it, and uses
// locate_sk() on the bytes for the AAD (header .. SK generic header) and the body to fill in.
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include "ike/wire/auth_payload.h"
#include "ike/wire/cert_payload.h"
#include "ike/wire/certreq_payload.h"
#include "ike/wire/cp_payload.h"
#include "ike/wire/delete_payload.h"
#include "ike/wire/eap_payload.h"
#include "ike/wire/header.h"
#include "ike/wire/id_payload.h"
#include "ike/wire/ke_payload.h"
#include "ike/wire/nonce_payload.h"
#include "ike/wire/notify_payload.h"
#include "ike/wire/parse_error.h"
#include "ike/wire/payload_type.h"
#include "ike/wire/sa_payload.h"
#include "ike/wire/sk_payload.h"
#include "ike/wire/ts_payload.h"
#include "ike/wire/vendor_id_payload.h"

namespace ike::wire {

// More payloads than this in one chain is an attack, not a message (the rule tables allow
// at most 20 Notify, 20 Delete, 20 Vendor ID and 8 CERT).
constexpr std::size_t kMaxPayloads = 128;
// Largest IKE message we build: a UDP datagram's payload.
constexpr std::size_t kMaxMessageSize = 65535 - 8;

// A payload type we do not know, sent with C = 0: skipped by the engine, kept here so the
// message re-encodes as received (3.2).
struct UnknownPayload {
  std::vector<std::uint8_t> body;
  friend bool operator==(const UnknownPayload&, const UnknownPayload&) = default;
};

using PayloadBody =
    std::variant<SaPayload, KePayload, IdPayload, CertPayload, CertReqPayload, AuthPayload,
                 NoncePayload, NotifyPayload, DeletePayload, VendorIdPayload, TsPayload,
                 CpPayload, EapPayload, SkPayload, UnknownPayload>;

struct Payload {
  PayloadType type = PayloadType::NoNext;  // raw type number for unknown payloads
  bool critical = false;  // C bit as received; ignored for known types (3.2)
  PayloadBody body;

  template <typename T>
  [[nodiscard]] const T* get() const {
    return std::get_if<T>(&body);
  }
  friend bool operator==(const Payload&, const Payload&) = default;
};

template <typename T>
concept FixedTypePayload = requires { T::kType; };

template <FixedTypePayload T>
Payload make_payload(T body) {
  return Payload{T::kType, false, PayloadBody(std::move(body))};
}
Payload make_id_payload(bool initiator, IdPayload id);
Payload make_ts_payload(bool initiator, TsPayload ts);

// One link of a payload chain, borrowed from the input.
struct RawPayload {
  PayloadType type = PayloadType::NoNext;
  PayloadType next = PayloadType::NoNext;  // for SK: the first inner payload type
  bool critical = false;
  std::uint32_t offset = 0;  // of the generic header, from the start of the message
  std::span<const std::uint8_t> body;
};

// Where the SK payload sits in a message (offsets from the first header octet, no marker).
struct SkLocation {
  std::uint32_t payload_offset = 0;  // SK generic header
  std::uint32_t body_offset = 0;     // IV starts here
  std::uint32_t body_length = 0;     // IV | ciphertext | ICV
  PayloadType inner_first = PayloadType::NoNext;

  // AEAD AAD (RFC 5282 5.1): IKE header through the SK generic header. For CBC+HMAC the ICV
  // covers this plus the body minus the ICV itself (R7296-34).
  [[nodiscard]] std::span<const std::uint8_t> aad(std::span<const std::uint8_t> msg) const {
    return msg.first(body_offset);
  }
  [[nodiscard]] std::span<const std::uint8_t> body(std::span<const std::uint8_t> msg) const {
    return msg.subspan(body_offset, body_length);
  }
  [[nodiscard]] std::span<std::uint8_t> body(std::span<std::uint8_t> msg) const {
    return msg.subspan(body_offset, body_length);
  }
  friend bool operator==(const SkLocation&, const SkLocation&) = default;
};

struct Message {
  Header header;
  std::vector<Payload> payloads;  // for an encrypted message: outer payloads, SK last

  [[nodiscard]] const Payload* find(PayloadType t) const;
  friend bool operator==(const Message&, const Message&) = default;
};

struct DecodedMessage {
  Message message;
  std::vector<RawPayload> raw;  // parallel to message.payloads, borrowed from the datagram
  std::optional<SkLocation> sk;
};

struct DecodedPayloads {
  std::vector<Payload> payloads;
  std::vector<RawPayload> raw;  // parallel, borrowed from the plaintext
};

// Walks a chain starting with `first` over `bytes`. `base_offset` is added to every offset.
// inner = true for decrypted SK contents, where SK/SKF is NestedEncrypted (R7296-10).
// Outer chains stop at SK, which must end the input (EncryptedNotLast). Unknown types with
// C = 1 fail with UnsupportedCriticalPayload whose payload_type is that type (R7296-08).
[[nodiscard]] ParseResult<std::vector<RawPayload>> walk_payloads(
    PayloadType first, std::span<const std::uint8_t> bytes, std::size_t base_offset,
    bool inner);

// Typed decode of one link; error offsets are from the start of the message (or plaintext).
[[nodiscard]] ParseResult<Payload> decode_payload(const RawPayload& raw);

// Header (decode_header) + chain + typed payloads.
[[nodiscard]] ParseResult<DecodedMessage> decode_message(std::span<const std::uint8_t> datagram);

// The decrypted SK contents, padding already removed (strip_sk_padding).
[[nodiscard]] ParseResult<DecodedPayloads> decode_inner_payloads(
    PayloadType first, std::span<const std::uint8_t> plaintext);

// Header fields next_payload and length are computed; everything else is taken as given.
[[nodiscard]] EncodeResult<std::vector<std::uint8_t>> encode_message(const Message& m);

struct EncodedPayloads {
  PayloadType first = PayloadType::NoNext;
  std::vector<std::uint8_t> bytes;
};
// The plaintext chain to put inside SK (no padding).
[[nodiscard]] EncodeResult<EncodedPayloads> encode_inner_payloads(
    std::span<const Payload> payloads);

// Finds SK in an encoded or received message (header + chain framing only).
[[nodiscard]] ParseResult<std::optional<SkLocation>> locate_sk(
    std::span<const std::uint8_t> message);

// Lookup helpers for engines. IDi/IDr and TSi/TSr share a body type, so find them with
// Message::find(PayloadType) (or by Payload::type), not find_first<IdPayload>.
[[nodiscard]] const NotifyPayload* find_notify(std::span<const Payload> payloads,
                                               NotifyType type);
template <typename T>
[[nodiscard]] const T* find_first(std::span<const Payload> payloads) {
  for (const auto& p : payloads) {
    if (const T* t = p.get<T>()) {
      return t;
    }
  }
  return nullptr;
}

}  // namespace ike::wire
