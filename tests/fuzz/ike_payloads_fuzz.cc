// Runs one typed IKEv2 payload decoder on the input; the first octet selects which. Whatever
// decodes must re-encode into bytes that decode to the same value (traps otherwise). Typed
// notify and CP helpers run on every decoded Notify / CP payload.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ike/wire/header.h"
#include "ike/wire/message.h"
#include "ike/wire/non_esp_marker.h"

namespace {

using namespace ike::wire;

template <typename T>
void round_trip(const ParseResult<T>& decoded, auto decode) {
  if (!decoded) {
    return;
  }
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  if (!decoded->encode(w)) {
    __builtin_trap();
  }
  auto again = decode(std::span<const std::uint8_t>(out));
  if (!again || !(*again == *decoded)) {
    __builtin_trap();
  }
}

template <typename T>
void body(std::span<const std::uint8_t> in) {
  round_trip(T::decode(in), [](std::span<const std::uint8_t> s) { return T::decode(s); });
}

void notify(std::span<const std::uint8_t> in) {
  auto n = NotifyPayload::decode(in);
  round_trip(n, [](std::span<const std::uint8_t> s) { return NotifyPayload::decode(s); });
  if (!n) {
    return;
  }
  // Run the RFC 5685 helpers whatever the type was: each must refuse cleanly or rebuild the
  // exact notify it decoded.
  NotifyPayload copy = *n;
  copy.type = NotifyType::Redirect;
  if (auto info = decode_redirect(copy)) {
    auto made = make_redirect(*info);
    if (!made || !(*made == copy)) {
      __builtin_trap();
    }
  }
  copy.type = NotifyType::RedirectedFrom;
  if (auto gw = decode_redirected_from(copy)) {
    auto made = make_redirected_from(*gw);
    if (!made || !(*made == copy)) {
      __builtin_trap();
    }
  }
  (void)decode_invalid_ke_payload(*n);
  (void)decode_cookie(*n);
  (void)decode_nat_detection(*n);
  (void)decode_unsupported_critical_payload(*n);
  (void)decode_set_window_size(*n);
  (void)decode_signature_hash_algorithms(*n);
}

void cp(std::span<const std::uint8_t> in) {
  auto p = CpPayload::decode(in);
  round_trip(p, [](std::span<const std::uint8_t> s) { return CpPayload::decode(s); });
  if (!p) {
    return;
  }
  for (const auto& a : p->attributes) {
    if (auto v = decode_internal_ip6_address(a); v && *v) {
      if (!(make_internal_ip6_address(**v) == a)) {
        __builtin_trap();
      }
    }
    if (auto v = decode_mip6_home_prefix(a); v && *v) {
      if (!(make_mip6_home_prefix(**v) == a)) {
        __builtin_trap();
      }
    }
    (void)decode_internal_ip6_dns(a);
  }
}

void inner_chain(std::span<const std::uint8_t> in) {
  if (in.empty()) {
    return;
  }
  auto plain = strip_sk_padding(in.subspan(1));
  if (!plain) {
    return;
  }
  auto d = decode_inner_payloads(static_cast<PayloadType>(in[0]), *plain);
  if (d) {
    auto enc = encode_inner_payloads(d->payloads);
    if (!enc) {
      __builtin_trap();
    }
    auto again = decode_inner_payloads(enc->first, enc->bytes);
    if (!again || !(again->payloads == d->payloads)) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  switch (data[0] % 16) {
    case 0: body<SaPayload>(in); break;
    case 1: body<KePayload>(in); break;
    case 2: body<IdPayload>(in); break;
    case 3: body<CertPayload>(in); break;
    case 4: body<CertReqPayload>(in); break;
    case 5: body<AuthPayload>(in); break;
    case 6: body<NoncePayload>(in); break;
    case 7: notify(in); break;
    case 8: body<DeletePayload>(in); break;
    case 9: body<VendorIdPayload>(in); break;
    case 10: body<TsPayload>(in); break;
    case 11: cp(in); break;
    case 12: body<EapPayload>(in); break;
    case 13: inner_chain(in); break;
    case 14: {
      auto h = decode_header(in);
      if (h) {
        std::vector<std::uint8_t> out;
        base::ByteWriter w(out);
        encode_header(*h, w);
        auto fields = read_header_fields(out);
        if (!fields || !(*fields == *h)) {
          __builtin_trap();
        }
      }
      break;
    }
    default: (void)classify_udp4500(in); break;
  }
  return 0;
}
