#include "ike/crypto/sk_cipher.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <string_view>

#include "ike/base/secret_bytes.h"
#include "ike/crypto/algorithm_info.h"
#include "ike/crypto/crypto_error.h"
#include "ike/crypto/integ.h"
#include "ike/crypto/openssl_ptr.h"

namespace ike::crypto {
namespace {

tl::unexpected<base::Error> ossl_fail(std::string_view code, std::string_view detail) {
  ERR_clear_error();
  return crypto_fail(code, detail);
}

const char* cipher_name(EncrAlgorithm encr, std::uint16_t key_bits) {
  const bool gcm = encr == EncrAlgorithm::AesGcm16;
  switch (key_bits) {
    case 128: return gcm ? "AES-128-GCM" : "AES-128-CBC";
    case 192: return gcm ? "AES-192-GCM" : "AES-192-CBC";
    case 256: return gcm ? "AES-256-GCM" : "AES-256-CBC";
    default: return nullptr;
  }
}

bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX); }

// Each IKE SA keys two contexts; fetching the cipher by name for each would be a locked
// name lookup in OpenSSL 3 (about 0.5 us). The fetched methods are immutable and shared; one
// per name, kept until exit.
const EVP_CIPHER* fetched_cipher(const char* name) {
  struct Entry {
    const char* name;
    EVP_CIPHER* cipher;
  };
  static const std::array<Entry, 6> kCiphers = [] {
    std::array<Entry, 6> all = {{{"AES-128-GCM", nullptr},
                                 {"AES-192-GCM", nullptr},
                                 {"AES-256-GCM", nullptr},
                                 {"AES-128-CBC", nullptr},
                                 {"AES-192-CBC", nullptr},
                                 {"AES-256-CBC", nullptr}}};
    for (Entry& e : all) {
      e.cipher = EVP_CIPHER_fetch(nullptr, e.name, nullptr);
    }
    ERR_clear_error();  // a provider without one of them leaves a reason behind
    return all;
  }();
  for (const Entry& e : kCiphers) {
    if (std::string_view(e.name) == name) {
      return e.cipher;
    }
  }
  return nullptr;
}

// The encrypt and the decrypt context, each keyed on first use; each operation then only sets
// the IV, so the AES key schedule is not redone per message. An SK cipher serves one
// direction, which one side only ever seals and the other only opens: keying both contexts
// up front would cost a second key schedule (and GHASH table) per direction and SA.
class KeyedContexts {
 public:
  KeyedContexts(const EVP_CIPHER* cipher, Bytes key) : cipher_(cipher), key_(key) {}

  [[nodiscard]] EVP_CIPHER_CTX* encrypting() { return keyed(enc_, 1); }
  [[nodiscard]] EVP_CIPHER_CTX* decrypting() { return keyed(dec_, 0); }

 private:
  EVP_CIPHER_CTX* keyed(ossl::CipherCtxPtr& slot, int encrypt) {
    if (slot == nullptr) {
      ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
      if (ctx == nullptr || EVP_CipherInit_ex2(ctx.get(), cipher_, key_.view().data(), nullptr,
                                               encrypt, nullptr) != 1) {
        ERR_clear_error();
        return nullptr;
      }
      slot = std::move(ctx);
    }
    return slot.get();
  }

  const EVP_CIPHER* cipher_;
  base::SecretBytes key_;
  ossl::CipherCtxPtr enc_;
  ossl::CipherCtxPtr dec_;
};

base::Result<KeyedContexts> make_contexts(const char* name, Bytes key) {
  const EVP_CIPHER* cipher = fetched_cipher(name);
  if (cipher == nullptr) {
    return ossl_fail(kErrInternal, "cipher setup");
  }
  return KeyedContexts(cipher, key);
}

// ENCR_AES_GCM_16 (RFC 5282): nonce = salt (last 4 octets of SK_e*) | 8-octet explicit IV.
class GcmSkCipher final : public SkCipher {
 public:
  GcmSkCipher(RandomSource& iv_source, KeyedContexts ctxs, Bytes salt)
      : SkCipher(iv_source), ctxs_(std::move(ctxs)) {
    std::copy(salt.begin(), salt.end(), salt_.begin());
  }
  ~GcmSkCipher() override { OPENSSL_cleanse(salt_.data(), salt_.size()); }

  [[nodiscard]] EncrAlgorithm encr() const override { return EncrAlgorithm::AesGcm16; }
  [[nodiscard]] std::size_t iv_size() const override { return kGcmIvSize; }
  [[nodiscard]] std::size_t icv_size() const override { return kGcmIcvSize; }
  [[nodiscard]] std::size_t block_size() const override { return 1; }

  [[nodiscard]] base::Result<std::vector<std::uint8_t>> seal(Bytes aad, Bytes iv,
                                                            Bytes plaintext) override {
    if (iv.size() != kGcmIvSize || !fits_int(aad.size()) || !fits_int(plaintext.size())) {
      return crypto_fail(kErrInvalidLength, "GCM seal: IV must be 8 octets");
    }
    EVP_CIPHER_CTX* ctx = ctxs_.encrypting();
    if (ctx == nullptr) {
      return crypto_fail(kErrInternal, "cipher setup");
    }
    const auto nonce = make_nonce(iv);
    std::vector<std::uint8_t> out(plaintext.size() + kGcmIcvSize);
    int len = 0;
    if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        (!aad.empty() &&
         EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
        (!plaintext.empty() && EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(),
                                                 static_cast<int>(plaintext.size())) != 1) ||
        EVP_EncryptFinal_ex(ctx, out.data() + plaintext.size(), &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kGcmIcvSize),
                            out.data() + plaintext.size()) != 1) {
      return ossl_fail(kErrInternal, "GCM seal");
    }
    return out;
  }

  [[nodiscard]] base::Result<std::vector<std::uint8_t>> open(Bytes aad, Bytes iv,
                                                            Bytes sealed) override {
    if (iv.size() != kGcmIvSize || sealed.size() < kGcmIcvSize || !fits_int(aad.size()) ||
        !fits_int(sealed.size())) {
      return crypto_fail(kErrInvalidLength, "GCM open: bad IV or ciphertext length");
    }
    EVP_CIPHER_CTX* ctx = ctxs_.decrypting();
    if (ctx == nullptr) {
      return crypto_fail(kErrInternal, "cipher setup");
    }
    const Bytes ciphertext = sealed.first(sealed.size() - kGcmIcvSize);
    std::array<std::uint8_t, kGcmIcvSize> tag{};
    std::copy(sealed.end() - kGcmIcvSize, sealed.end(), tag.begin());
    const auto nonce = make_nonce(iv);
    std::vector<std::uint8_t> out(ciphertext.size());
    int len = 0;
    if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
        (!aad.empty() &&
         EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
        (!ciphertext.empty() && EVP_DecryptUpdate(ctx, out.data(), &len, ciphertext.data(),
                                                  static_cast<int>(ciphertext.size())) != 1) ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                            tag.data()) != 1) {
      return ossl_fail(kErrInternal, "GCM open");
    }
    if (EVP_DecryptFinal_ex(ctx, out.data() + out.size(), &len) != 1) {
      // The plaintext was written before the tag check: do not leave it around.
      OPENSSL_cleanse(out.data(), out.size());
      return ossl_fail(kErrAuthenticationFailed, "GCM tag mismatch");
    }
    return out;
  }

 private:
  std::array<std::uint8_t, 12> make_nonce(Bytes iv) const {
    std::array<std::uint8_t, 12> nonce{};
    std::copy(salt_.begin(), salt_.end(), nonce.begin());
    std::copy(iv.begin(), iv.end(), nonce.begin() + kGcmSaltSize);
    return nonce;
  }

  KeyedContexts ctxs_;
  std::array<std::uint8_t, kGcmSaltSize> salt_{};
};

// ENCR_AES_CBC + AUTH_HMAC_SHA2_*: encrypt, then MAC header..ciphertext (RFC 7296 §3.14).
class CbcHmacSkCipher final : public SkCipher {
 public:
  CbcHmacSkCipher(RandomSource& iv_source, KeyedContexts ctxs, Integ integ)
      : SkCipher(iv_source), ctxs_(std::move(ctxs)), integ_(std::move(integ)) {}

  [[nodiscard]] EncrAlgorithm encr() const override { return EncrAlgorithm::AesCbc; }
  [[nodiscard]] std::size_t iv_size() const override { return kAesBlockSize; }
  [[nodiscard]] std::size_t icv_size() const override { return integ_.icv_size(); }
  [[nodiscard]] std::size_t block_size() const override { return kAesBlockSize; }

  [[nodiscard]] base::Result<std::vector<std::uint8_t>> seal(Bytes aad, Bytes iv,
                                                            Bytes plaintext) override {
    if (iv.size() != kAesBlockSize || plaintext.size() % kAesBlockSize != 0 ||
        !fits_int(plaintext.size())) {
      return crypto_fail(kErrInvalidLength, "CBC seal: 16-octet IV, block-aligned plaintext");
    }
    std::vector<std::uint8_t> out(plaintext.size() + integ_.icv_size());
    if (!cbc(ctxs_.encrypting(), iv, plaintext, out.data())) {
      return ossl_fail(kErrInternal, "CBC encrypt");
    }
    const Bytes ciphertext(out.data(), plaintext.size());
    const std::vector<std::uint8_t> icv = integ_.compute({aad, iv, ciphertext});
    std::copy(icv.begin(), icv.end(), out.begin() + static_cast<std::ptrdiff_t>(plaintext.size()));
    return out;
  }

  [[nodiscard]] base::Result<std::vector<std::uint8_t>> open(Bytes aad, Bytes iv,
                                                            Bytes sealed) override {
    const std::size_t icv_len = integ_.icv_size();
    if (iv.size() != kAesBlockSize || sealed.size() < icv_len ||
        (sealed.size() - icv_len) % kAesBlockSize != 0 || !fits_int(sealed.size())) {
      return crypto_fail(kErrInvalidLength, "CBC open: bad IV or ciphertext length");
    }
    const Bytes ciphertext = sealed.first(sealed.size() - icv_len);
    if (!integ_.verify({aad, iv, ciphertext}, sealed.last(icv_len))) {
      return crypto_fail(kErrAuthenticationFailed, "ICV mismatch");
    }
    std::vector<std::uint8_t> out(ciphertext.size());
    if (!cbc(ctxs_.decrypting(), iv, ciphertext, out.data())) {
      return ossl_fail(kErrInternal, "CBC decrypt");
    }
    return out;
  }

 private:
  // Block-aligned CBC without OpenSSL's PKCS#7 padding (IKE pads itself).
  static bool cbc(EVP_CIPHER_CTX* ctx, Bytes iv, Bytes in, std::uint8_t* out) {
    if (ctx == nullptr) {
      return false;
    }
    int len = 0;
    int final_len = 0;
    if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), -1, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
      return false;
    }
    if (!in.empty() &&
        EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size())) != 1) {
      return false;
    }
    return EVP_CipherFinal_ex(ctx, out + len, &final_len) == 1 &&
           static_cast<std::size_t>(len + final_len) == in.size();
  }

  KeyedContexts ctxs_;
  Integ integ_;
};

}  // namespace

std::vector<std::uint8_t> SkCipher::next_iv() { return iv_source_->bytes(iv_size()); }

base::Result<std::vector<std::uint8_t>> SkCipher::seal_body(Bytes aad, Bytes plaintext) {
  const std::vector<std::uint8_t> iv = next_iv();
  auto sealed = seal(aad, iv, plaintext);
  if (!sealed) {
    return base::fail(sealed.error());
  }
  std::vector<std::uint8_t> body;
  body.reserve(iv.size() + sealed->size());
  body.insert(body.end(), iv.begin(), iv.end());
  body.insert(body.end(), sealed->begin(), sealed->end());
  return body;
}

base::Result<std::vector<std::uint8_t>> SkCipher::open_body(Bytes aad, Bytes body) {
  if (body.size() < iv_size() + icv_size()) {
    return crypto_fail(kErrInvalidLength, "SK body shorter than IV + ICV");
  }
  return open(aad, body.first(iv_size()), body.subspan(iv_size()));
}

base::Result<std::unique_ptr<SkCipher>> make_sk_cipher(EncrAlgorithm encr, std::uint16_t key_bits,
                                                       IntegAlgorithm integ, Bytes encr_key,
                                                       Bytes integ_key, RandomSource& iv_source) {
  if (encr != EncrAlgorithm::AesGcm16 && encr != EncrAlgorithm::AesCbc) {
    return crypto_fail(kErrUnsupportedAlgorithm, to_string(encr));
  }
  const char* name = cipher_name(encr, key_bits);
  if (name == nullptr) {
    return crypto_fail(kErrInvalidKeyLength, "AES key length must be 128, 192 or 256 bits");
  }
  if (encr_key.size() != encr_key_size(encr, key_bits)) {
    return crypto_fail(kErrInvalidKeyLength, "SK_e length does not match the transform");
  }
  const std::size_t aes_key_size = key_bits / 8;
  auto ctxs = make_contexts(name, encr_key.first(aes_key_size));
  if (!ctxs) {
    return base::fail(ctxs.error());
  }
  if (encr == EncrAlgorithm::AesGcm16) {
    // RFC 5282 §8: no INTEG transform with an AEAD cipher, so SK_a* are empty.
    if (integ != IntegAlgorithm::None || !integ_key.empty()) {
      return crypto_fail(kErrUnsupportedAlgorithm, "AES-GCM takes no INTEG transform");
    }
    return std::unique_ptr<SkCipher>(std::make_unique<GcmSkCipher>(
        iv_source, std::move(*ctxs), encr_key.subspan(aes_key_size)));
  }
  auto mac = Integ::create(integ, integ_key);
  if (!mac) {
    return base::fail(mac.error());
  }
  return std::unique_ptr<SkCipher>(
      std::make_unique<CbcHmacSkCipher>(iv_source, std::move(*ctxs), std::move(*mac)));
}

std::vector<std::uint8_t> add_sk_padding(Bytes payloads, std::size_t block_size) {
  const std::size_t total = sk_padded_size(payloads.size(), block_size);
  std::vector<std::uint8_t> out(total, 0);
  std::copy(payloads.begin(), payloads.end(), out.begin());
  // block_size <= 256 keeps the pad length within its one octet.
  out.back() = static_cast<std::uint8_t>(total - payloads.size() - 1);
  return out;
}

base::Result<std::size_t> strip_sk_padding(Bytes decrypted) {
  if (decrypted.empty()) {
    return crypto_fail(kErrInvalidPadding, "no Pad Length octet");
  }
  const std::size_t pad = decrypted.back();
  if (pad + 1 > decrypted.size()) {
    return crypto_fail(kErrInvalidPadding, "Pad Length exceeds the plaintext");
  }
  return decrypted.size() - pad - 1;
}

}  // namespace ike::crypto
