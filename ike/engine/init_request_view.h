#pragma once
// A new IKE_SA_INIT request as the responder front's decision needs it (RFC 5685 redirect
// fast path): Ni, REDIRECT_SUPPORTED, REDIRECTED_FROM, COOKIE and the KE group,
// borrowed from the datagram.
//
// view_init_request() gets there with one validating walk that builds no payload objects and
// allocates nothing: the header checks, the payload chain with its lengths and critical bits,
// the same structural checks of SA (proposals, transforms, attributes), KE, Nonce and Notify
// that their decoders make, and the IKE_SA_INIT request row of the rule table. It is sound,
// not complete: a view is returned only for a request that wire::decode_message +
// wire::validate accept with the same fields; for anything it does not vouch for (malformed,
// or merely unusual such as an SKF payload or a critical bit on an unknown type) it returns
// nullopt and the caller takes the full decode path, so every bad request still gets the full
// path's answer, drop and counter. tests/ike/engine/init_fast_path_test.cc and the
// ike_init_front fuzz target hold the two paths against each other.
#include <cstdint>
#include <optional>
#include <span>

#include "ike/wire/header.h"
#include "ike/wire/message.h"
#include "ike/wire/notify_payload.h"

namespace ike::engine {

struct InitRequestView {
  // The fields of a notify, undecoded (its typed decoder runs only when it matters).
  struct NotifyRef {
    wire::ProtocolId protocol = wire::ProtocolId::None;
    std::span<const std::uint8_t> spi;
    std::span<const std::uint8_t> data;
  };

  wire::Header header;  // IKE_SA_INIT request, Message ID 0, SPIi != 0, SPIr == 0
  std::span<const std::uint8_t> nonce_i;
  std::uint16_t ke_group = 0;
  bool redirect_supported = false;  // an N(REDIRECT_SUPPORTED) anywhere (R5685-02)
  // Notification Data of the first N(COOKIE); its length is judged by the cookie check.
  std::optional<std::span<const std::uint8_t>> cookie;
  std::optional<NotifyRef> redirected_from;  // the first N(REDIRECTED_FROM)
};

// False: not vouched for, take the full decode path (see above); `out` is then unspecified.
// Filling the caller's view spares the per-datagram path a copy of the whole struct.
[[nodiscard]] bool view_init_request(std::span<const std::uint8_t> datagram, InitRequestView& out);

// The same as an optional (nullopt: not vouched for).
[[nodiscard]] inline std::optional<InitRequestView> view_init_request(
    std::span<const std::uint8_t> datagram) {
  InitRequestView view;
  if (!view_init_request(datagram, view)) {
    return std::nullopt;
  }
  return view;
}

// The same fields from a message the full path decoded and validated (its spans borrow from
// `m`). Its Nonce and KE payloads must be present (wire::validate guarantees both).
[[nodiscard]] InitRequestView view_decoded_init_request(const wire::Message& m);

// The NotifyPayload a NotifyRef stands for, for the typed decoders of notify_payload.h.
[[nodiscard]] wire::NotifyPayload to_notify(wire::NotifyType type,
                                            const InitRequestView::NotifyRef& ref);

}  // namespace ike::engine
