#pragma once
// White-box helpers for engine tests: open an SK-protected message one IkeSa sent, and forge a
// protected request as if that IkeSa had sent it (for inputs a correct peer never produces:
// REDIRECT with a nonce, unknown SPIs, odd notifies). They use the SA's own keys (keys(),
// suite()), so only the test can do this, not an attacker.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/engine/ike_sa.h"
#include "ike/engine/sk_protection.h"
#include "ike/wire/message.h"

namespace test {

// The cipher `sender` protects its messages with (SK_ei/SK_ai for the original initiator).
inline std::unique_ptr<ike::crypto::SkCipher> sender_cipher(const ike::engine::IkeSa& sender) {
  const auto* k = sender.keys();
  const auto suite = sender.suite();
  if (k == nullptr || !suite) {
    ADD_FAILURE() << "SA has no keys";
    return nullptr;
  }
  const bool i = sender.role() == ike::engine::Role::Initiator;
  auto c = ike::crypto::make_sk_cipher(
      suite->transforms.encr, suite->transforms.encr_key_bits, suite->transforms.integ,
      i ? k->sk_ei.view() : k->sk_er.view(), i ? k->sk_ai.view() : k->sk_ar.view());
  if (!c) {
    ADD_FAILURE() << "cannot build the SK cipher";
    return nullptr;
  }
  return std::move(*c);
}

// The inner payloads of a protected message `sender` sent.
inline std::vector<ike::wire::Payload> open_sent(const ike::engine::IkeSa& sender,
                                                 const std::vector<std::uint8_t>& bytes) {
  auto cipher = sender_cipher(sender);
  auto decoded = ike::wire::decode_message(bytes);
  if (!cipher || !decoded) {
    ADD_FAILURE() << "undecodable message";
    return {};
  }
  auto opened = ike::engine::open_protected(*decoded, bytes, *cipher);
  if (!opened) {
    ADD_FAILURE() << "cannot open: " << ike::engine::to_string(opened.error().code);
    return {};
  }
  return opened->inner.payloads;
}

// A protected message as `as` would send it.
inline std::vector<std::uint8_t> forge(const ike::engine::IkeSa& as,
                                       ike::wire::ExchangeType exchange, bool response,
                                       std::uint32_t message_id,
                                       std::vector<ike::wire::Payload> inner) {
  ike::wire::Header h;
  h.spi_i = as.spi_i();
  h.spi_r = as.spi_r();
  h.exchange = exchange;
  h.initiator = as.role() == ike::engine::Role::Initiator;
  h.response = response;
  h.message_id = ike::wire::MessageId(message_id);
  auto cipher = sender_cipher(as);
  if (!cipher) {
    return {};
  }
  auto bytes = ike::engine::build_protected(h, std::move(inner), *cipher);
  EXPECT_TRUE(bytes.has_value());
  return bytes ? *bytes : std::vector<std::uint8_t>{};
}

template <typename T>
std::vector<T> payloads_of(const std::vector<ike::wire::Payload>& payloads) {
  std::vector<T> out;
  for (const auto& p : payloads) {
    if (const T* t = p.get<T>()) {
      out.push_back(*t);
    }
  }
  return out;
}

}  // namespace test
