#include "ike/crypto/x509.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME_free>>;
using StorePtr = std::unique_ptr<X509_STORE, ossl::Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, ossl::Deleter<X509_STORE_CTX_free>>;

void free_x509_stack(STACK_OF(X509) * s) {
  sk_X509_free(s);
}  // the stack only, not the certs
using X509StackPtr = std::unique_ptr<STACK_OF(X509), ossl::Deleter<free_x509_stack>>;

tl::unexpected<base::Error> fail_clear(std::string_view code, std::string_view detail) {
  ERR_clear_error();
  return crypto_fail(code, detail);
}

// Peer-supplied names with an embedded NUL never match (OpenSSL would strip a trailing one).
bool has_nul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

}  // namespace

base::Result<Certificate> Certificate::from_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    return fail_clear(kErrInvalidCertificate, "not one DER X.509 certificate");
  }
  return Certificate(std::shared_ptr<X509>(cert.release(), X509_free),
                     std::vector<std::uint8_t>(der.begin(), der.end()));
}

base::Result<PublicKey> Certificate::public_key() const {
  EVP_PKEY* key = X509_get_pubkey(cert_.get());  // a new reference
  if (key == nullptr) {
    return fail_clear(kErrInvalidCertificate, "public key does not parse");
  }
  return PublicKey(ossl::PkeyPtr(key));
}

std::array<std::uint8_t, kCaHashSize> Certificate::public_key_info_sha1() const {
  std::array<std::uint8_t, kCaHashSize> out{};
  unsigned char* spki = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert_.get()), &spki);
  if (len > 0) {
    unsigned int md_len = 0;
    (void)EVP_Digest(spki, static_cast<std::size_t>(len), out.data(), &md_len, EVP_sha1(), nullptr);
  }
  OPENSSL_free(spki);
  return out;
}

std::string Certificate::subject() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert_.get()), 0, XN_FLAG_RFC2253) < 0) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

bool Certificate::has_dns_name(std::string_view name) const {
  if (name.empty() || has_nul(name)) {
    return false;
  }
  const int r =
      X509_check_host(cert_.get(), name.data(), name.size(),
                      X509_CHECK_FLAG_NO_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr);
  ERR_clear_error();
  return r == 1;
}

bool Certificate::has_email(std::string_view address) const {
  if (address.empty() || has_nul(address)) {
    return false;
  }
  const int r = X509_check_email(cert_.get(), address.data(), address.size(),
                                 X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  ERR_clear_error();
  return r == 1;
}

bool Certificate::has_ip_address(std::span<const std::uint8_t> address) const {
  if (address.size() != 4 && address.size() != 16) {
    return false;
  }
  const int r = X509_check_ip(cert_.get(), address.data(), address.size(), 0);
  ERR_clear_error();
  return r == 1;
}

bool Certificate::subject_is(std::span<const std::uint8_t> dn_der) const {
  const unsigned char* p = dn_der.data();
  NamePtr name(d2i_X509_NAME(nullptr, &p, static_cast<long>(dn_der.size())));
  if (!name || p != dn_der.data() + dn_der.size()) {
    ERR_clear_error();
    return false;
  }
  return X509_NAME_cmp(X509_get_subject_name(cert_.get()), name.get()) == 0;
}

std::vector<std::uint8_t> Certificate::subject_der() const {
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(X509_get_subject_name(cert_.get()), &der);
  std::vector<std::uint8_t> out;
  if (len > 0) {
    out.assign(der, der + len);
  }
  OPENSSL_free(der);
  return out;
}

base::Result<std::vector<Certificate>> certificates_from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return fail_clear(kErrInternal, "BIO_new_mem_buf");
  }
  std::vector<Certificate> out;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
      // The loop ends at "no start line"; anything else is a broken certificate.
      const unsigned long err = ERR_peek_last_error();
      const bool end =
          ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
      if (!end) {
        return fail_clear(kErrInvalidCertificate, "PEM certificate does not parse");
      }
      ERR_clear_error();
      break;
    }
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    if (len <= 0) {
      return fail_clear(kErrInvalidCertificate, "i2d_X509");
    }
    auto c =
        Certificate::from_der(std::span<const std::uint8_t>(der, static_cast<std::size_t>(len)));
    OPENSSL_free(der);
    if (!c) {
      return base::fail(c.error());
    }
    out.push_back(std::move(*c));
  }
  if (out.empty()) {
    return crypto_fail(kErrInvalidCertificate, "no certificate in the PEM text");
  }
  return out;
}

std::vector<std::uint8_t> TrustStore::certreq_authorities() const {
  std::vector<std::uint8_t> out;
  out.reserve(anchors_.size() * kCaHashSize);
  for (const auto& ca : anchors_) {
    const auto h = ca.public_key_info_sha1();
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

base::Result<void> TrustStore::verify(const Certificate& leaf,
                                      std::span<const Certificate> intermediates) const {
  StorePtr store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) {
    return fail_clear(kErrInternal, "X509_STORE");
  }
  for (const auto& ca : anchors_) {
    if (X509_STORE_add_cert(store.get(), ca.native()) != 1) {
      return fail_clear(kErrInternal, "X509_STORE_add_cert");
    }
  }
  for (const auto& c : intermediates) {
    if (sk_X509_push(untrusted.get(), c.native()) <= 0) {
      return fail_clear(kErrInternal, "sk_X509_push");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) != 1) {
    return fail_clear(kErrInternal, "X509_STORE_CTX_init");
  }
  if (verification_time_) {
    X509_STORE_CTX_set_time(ctx.get(), 0, *verification_time_);
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    return fail_clear(kErrUntrustedCertificate, X509_verify_cert_error_string(err));
  }
  return {};
}

}  // namespace ike::crypto
