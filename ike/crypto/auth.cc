#include "ike/crypto/auth.h"

#include <openssl/crypto.h>

#include <string_view>

namespace ike::crypto {
namespace {

constexpr std::string_view kKeyPad = "Key Pad for IKEv2";

Bytes pad_bytes() {
  return Bytes(reinterpret_cast<const std::uint8_t*>(kKeyPad.data()), kKeyPad.size());
}

}  // namespace

std::vector<std::uint8_t> signed_octets(const Prf& prf, const AuthInput& in) {
  const base::SecretBytes maced_id = prf.compute(in.sk_p, {in.id_body});
  std::vector<std::uint8_t> out;
  out.reserve(in.real_message.size() + in.peer_nonce.size() + maced_id.size());
  out.insert(out.end(), in.real_message.begin(), in.real_message.end());
  out.insert(out.end(), in.peer_nonce.begin(), in.peer_nonce.end());
  out.insert(out.end(), maced_id.view().begin(), maced_id.view().end());
  return out;
}

std::vector<std::uint8_t> psk_auth_data(const Prf& prf, Bytes shared_secret, const AuthInput& in) {
  const base::SecretBytes key = prf.compute(shared_secret, {pad_bytes()});
  const base::SecretBytes maced_id = prf.compute(in.sk_p, {in.id_body});
  const base::SecretBytes auth =
      prf.compute(key.view(), {in.real_message, in.peer_nonce, maced_id.view()});
  return std::vector<std::uint8_t>(auth.view().begin(), auth.view().end());
}

bool verify_psk_auth_data(const Prf& prf, Bytes shared_secret, const AuthInput& in,
                          Bytes received) {
  const std::vector<std::uint8_t> expected = psk_auth_data(prf, shared_secret, in);
  return received.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

}  // namespace ike::crypto
