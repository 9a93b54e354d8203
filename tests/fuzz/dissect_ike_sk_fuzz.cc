// mip6-dissect's decrypted SK path and its key-file parser, for untrusted captures and files:
//  1. the input[2..] as the plaintext of an SK payload sealed under fixed keys (input[0]: bit
//     0 = I flag, bit 1 = AES-CBC-256/HMAC-SHA2-256-128 instead of AES-GCM-16-256; input[1]:
//     the first inner type), dissected with those keys: the ICV must verify ("decrypt_status"
//     "ok" or an inner-payload parse error, nothing else);
//  2. the raw input as an IKE message under the table's SPIs (whatever SK it has fails or
//     passes its ICV: never a crash);
//  3. the raw input as a Wireshark ikev2_decryption_table file.
#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "ike/crypto/random.h"
#include "ike/crypto/sk_cipher.h"
#include "ike/wire/message.h"
#include "tools/mip6-dissect/dissect.h"
#include "tools/mip6-dissect/dissect_ike_keys.h"

namespace {

namespace iw = ike::wire;
namespace ic = ike::crypto;

constexpr std::uint64_t kSpiI = 0x1111111111111111ULL;
constexpr std::uint64_t kSpiR = 0x2222222222222222ULL;
constexpr std::uint64_t kCbcSpiR = 0x3333333333333333ULL;

base::SecretBytes fill(std::size_t n, std::uint8_t v) {
  return base::SecretBytes(std::vector<std::uint8_t>(n, v));
}

const mip6::dissect::IkeKeyTable& table() {
  static const mip6::dissect::IkeKeyTable t = [] {
    mip6::dissect::IkeKeyTable out;
    ic::Ikev2DecryptionEntry gcm;
    gcm.spi_i = kSpiI;
    gcm.spi_r = kSpiR;
    gcm.sk_ei = fill(36, 1);
    gcm.sk_er = fill(36, 2);
    out.add(std::move(gcm));
    ic::Ikev2DecryptionEntry cbc;
    cbc.spi_i = kSpiI;
    cbc.spi_r = kCbcSpiR;
    cbc.encr = ic::EncrAlgorithm::AesCbc;
    cbc.integ = ic::IntegAlgorithm::HmacSha2_256_128;
    cbc.sk_ei = fill(32, 3);
    cbc.sk_er = fill(32, 4);
    cbc.sk_ai = fill(32, 5);
    cbc.sk_ar = fill(32, 6);
    out.add(std::move(cbc));
    return out;
  }();
  return t;
}

std::vector<std::uint8_t> sealed(std::uint8_t flags, std::uint8_t inner_first,
                                 std::span<const std::uint8_t> plaintext) {
  const bool from_i = (flags & 1) != 0;
  const bool cbc = (flags & 2) != 0;
  const auto* e = table().find(kSpiI, cbc ? kCbcSpiR : kSpiR);
  auto cipher =
      ic::make_sk_cipher(e->encr, e->encr_key_bits, e->integ, (from_i ? e->sk_ei : e->sk_er).view(),
                         (from_i ? e->sk_ai : e->sk_ar).view(), ic::default_random());
  if (!cipher) {
    __builtin_trap();
  }
  const auto padded = ic::add_sk_padding(plaintext, (*cipher)->block_size());
  iw::Message m;
  m.header.spi_i = iw::Spi(kSpiI);
  m.header.spi_r = iw::Spi(cbc ? kCbcSpiR : kSpiR);
  m.header.exchange = iw::ExchangeType::IkeAuth;
  m.header.initiator = from_i;
  m.header.response = !from_i;
  m.header.message_id = iw::MessageId(1);
  iw::SkPayload sk;
  sk.inner_first = static_cast<iw::PayloadType>(inner_first);
  sk.data.assign((*cipher)->body_size(padded.size()), 0);
  m.payloads.push_back(iw::make_payload(std::move(sk)));
  auto bytes = iw::encode_message(m);
  if (!bytes) {
    return {};  // too large for one message
  }
  auto loc = iw::locate_sk(*bytes);
  const std::vector<std::uint8_t> aad((*loc)->aad(*bytes).begin(), (*loc)->aad(*bytes).end());
  auto body = (*cipher)->seal_body(aad, padded);
  auto dst = (*loc)->body(std::span<std::uint8_t>(*bytes));
  std::copy(body->begin(), body->end(), dst.begin());
  return std::move(*bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  if (size >= 2) {
    const auto msg = sealed(data[0], data[1], input.subspan(2));
    if (!msg.empty()) {
      const auto j = mip6::dissect::dissect_ikev2(msg, 0, &table());
      // Our own message always frames: one SK payload.
      if (!j.contains("ikev2") || !j["ikev2"].contains("payloads") ||
          j["ikev2"]["payloads"].size() != 1) {
        __builtin_trap();
      }
      const auto& enc = j["ikev2"]["payloads"][0]["encrypted"];
      const std::string status = enc.value("decrypt_status", "");
      if (status != "ok" && status != "inner_payloads_malformed") {
        __builtin_trap();  // our own sealing must always verify
      }
    }
  }
  // The raw bytes with the table's SPIs, so the SK (if any) reaches the ICV check.
  std::vector<std::uint8_t> raw(input.begin(), input.end());
  for (std::size_t i = 0; i < 16 && i < raw.size(); ++i) {
    raw[i] = static_cast<std::uint8_t>((i < 8 ? kSpiI : kSpiR) >> (8 * (7 - i % 8)));
  }
  (void)mip6::dissect::dissect_ikev2(raw, 0, &table());
  std::istringstream text(std::string(input.begin(), input.end()));
  (void)mip6::dissect::IkeKeyTable::parse(text, "fuzz");
  return 0;
}
