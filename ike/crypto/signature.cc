#include "ike/crypto/signature.h"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <optional>
#include <string>

#include "ike/crypto/crypto_error.h"

namespace ike::crypto {
namespace {

using AlgorPtr = std::unique_ptr<X509_ALGOR, ossl::Deleter<X509_ALGOR_free>>;
using PssParamsPtr = std::unique_ptr<RSA_PSS_PARAMS, ossl::Deleter<RSA_PSS_PARAMS_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;

tl::unexpected<base::Error> fail_clear(std::string_view code, std::string_view detail) {
  ERR_clear_error();  // leave no stale errors behind for the next OpenSSL caller
  return crypto_fail(code, detail);
}

const char* md_name(SignatureHash h) {
  switch (h) {
    case SignatureHash::Sha1: return "SHA1";
    case SignatureHash::Sha2_256: return "SHA256";
    case SignatureHash::Sha2_384: return "SHA384";
    case SignatureHash::Sha2_512: return "SHA512";
  }
  return nullptr;
}

int hash_nid(SignatureHash h) {
  switch (h) {
    case SignatureHash::Sha1: return NID_sha1;
    case SignatureHash::Sha2_256: return NID_sha256;
    case SignatureHash::Sha2_384: return NID_sha384;
    case SignatureHash::Sha2_512: return NID_sha512;
  }
  return NID_undef;
}

std::optional<SignatureHash> hash_from_nid(int nid) {
  switch (nid) {
    case NID_sha1: return SignatureHash::Sha1;
    case NID_sha256: return SignatureHash::Sha2_256;
    case NID_sha384: return SignatureHash::Sha2_384;
    case NID_sha512: return SignatureHash::Sha2_512;
    default: return std::nullopt;
  }
}

// The OID of the combined algorithm (PKCS#1 v1.5 and ECDSA) or NID_rsassaPss.
int signature_nid(const SignatureScheme& s) {
  switch (s.algorithm) {
    case SignatureAlgorithm::RsaPss: return NID_rsassaPss;
    case SignatureAlgorithm::RsaPkcs1:
      switch (s.hash) {
        case SignatureHash::Sha1: return NID_sha1WithRSAEncryption;
        case SignatureHash::Sha2_256: return NID_sha256WithRSAEncryption;
        case SignatureHash::Sha2_384: return NID_sha384WithRSAEncryption;
        case SignatureHash::Sha2_512: return NID_sha512WithRSAEncryption;
      }
      break;
    case SignatureAlgorithm::Ecdsa:
      switch (s.hash) {
        case SignatureHash::Sha1: return NID_ecdsa_with_SHA1;
        case SignatureHash::Sha2_256: return NID_ecdsa_with_SHA256;
        case SignatureHash::Sha2_384: return NID_ecdsa_with_SHA384;
        case SignatureHash::Sha2_512: return NID_ecdsa_with_SHA512;
      }
      break;
  }
  return NID_undef;
}

// A hash AlgorithmIdentifier with NULL parameters, as RFC 4055 2.1 asks for the PSS fields.
AlgorPtr hash_algor(SignatureHash h) {
  AlgorPtr a(X509_ALGOR_new());
  if (a && X509_ALGOR_set0(a.get(), OBJ_nid2obj(hash_nid(h)), V_ASN1_NULL, nullptr) != 1) {
    a.reset();
  }
  return a;
}

// NULL or absent parameters (RFC 4055 2.1: both must be accepted for hash identifiers).
bool params_null_or_absent(int ptype) {
  return ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF;
}

std::optional<SignatureHash> decode_hash_algor(const X509_ALGOR* a) {
  const ASN1_OBJECT* obj = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&obj, &ptype, &pval, a);
  if (!params_null_or_absent(ptype)) {
    return std::nullopt;
  }
  return hash_from_nid(OBJ_obj2nid(obj));
}

// RSASSA-PSS-params (RFC 4055 3.1) -> scheme; absent fields take their DEFAULTs.
base::Result<SignatureScheme> decode_pss_params(int ptype, const void* pval) {
  if (ptype != V_ASN1_SEQUENCE || pval == nullptr) {
    return fail_clear(kErrInvalidEncoding, "RSASSA-PSS parameters are not a SEQUENCE");
  }
  PssParamsPtr pss(static_cast<RSA_PSS_PARAMS*>(
      ASN1_item_unpack(static_cast<const ASN1_STRING*>(pval), ASN1_ITEM_rptr(RSA_PSS_PARAMS))));
  if (!pss) {
    return fail_clear(kErrInvalidEncoding, "RSASSA-PSS parameters do not parse");
  }
  SignatureScheme s;
  s.algorithm = SignatureAlgorithm::RsaPss;
  s.hash = SignatureHash::Sha1;
  s.mgf1_hash = SignatureHash::Sha1;
  s.salt_length = 20;
  if (pss->hashAlgorithm != nullptr) {
    auto h = decode_hash_algor(pss->hashAlgorithm);
    if (!h) {
      return fail_clear(kErrUnsupportedAlgorithm, "RSASSA-PSS hash");
    }
    s.hash = *h;
  }
  if (pss->maskGenAlgorithm != nullptr) {
    const ASN1_OBJECT* obj = nullptr;
    int mgf_ptype = 0;
    const void* mgf_pval = nullptr;
    X509_ALGOR_get0(&obj, &mgf_ptype, &mgf_pval, pss->maskGenAlgorithm);
    if (OBJ_obj2nid(obj) != NID_mgf1 || mgf_ptype != V_ASN1_SEQUENCE || mgf_pval == nullptr) {
      return fail_clear(kErrUnsupportedAlgorithm, "RSASSA-PSS mask generation is not MGF1");
    }
    AlgorPtr mgf_hash(static_cast<X509_ALGOR*>(
        ASN1_item_unpack(static_cast<const ASN1_STRING*>(mgf_pval), ASN1_ITEM_rptr(X509_ALGOR))));
    auto h = mgf_hash ? decode_hash_algor(mgf_hash.get()) : std::nullopt;
    if (!h) {
      return fail_clear(kErrUnsupportedAlgorithm, "RSASSA-PSS MGF1 hash");
    }
    s.mgf1_hash = *h;
  }
  if (pss->saltLength != nullptr) {
    const long salt = ASN1_INTEGER_get(pss->saltLength);
    if (salt < 0 || salt > 1024) {
      return fail_clear(kErrUnsupportedAlgorithm, "RSASSA-PSS salt length");
    }
    s.salt_length = static_cast<std::uint16_t>(salt);
  }
  // trailerField: only trailerFieldBC (1) exists. RFC 7427 A.4.3 spells the DEFAULT out.
  if (pss->trailerField != nullptr && ASN1_INTEGER_get(pss->trailerField) != 1) {
    return fail_clear(kErrUnsupportedAlgorithm, "RSASSA-PSS trailer field");
  }
  return s;
}

base::Result<std::vector<std::uint8_t>> encode_algor(const X509_ALGOR* a) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_ALGOR(a, &der);
  if (len <= 0) {
    return fail_clear(kErrInternal, "i2d_X509_ALGOR");
  }
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// Packs `item` as the SEQUENCE parameters of `target` with OID `nid`.
template <typename T>
bool set_sequence_params(X509_ALGOR* target, int nid, T* item, const ASN1_ITEM* it) {
  ASN1_STRING* packed = ASN1_item_pack(item, it, nullptr);
  if (packed == nullptr) {
    return false;
  }
  if (X509_ALGOR_set0(target, OBJ_nid2obj(nid), V_ASN1_SEQUENCE, packed) != 1) {
    ASN1_STRING_free(packed);
    return false;
  }
  return true;
}

base::Result<AlgorPtr> pss_algor(const SignatureScheme& s) {
  PssParamsPtr pss(RSA_PSS_PARAMS_new());
  if (!pss) {
    return fail_clear(kErrInternal, "RSA_PSS_PARAMS_new");
  }
  // X.690 11.5: a field equal to its DEFAULT is left out.
  if (s.hash != SignatureHash::Sha1) {
    pss->hashAlgorithm = hash_algor(s.hash).release();
    if (pss->hashAlgorithm == nullptr) {
      return fail_clear(kErrInternal, "hash AlgorithmIdentifier");
    }
  }
  if (s.mgf1_hash != SignatureHash::Sha1) {
    AlgorPtr mgf_hash = hash_algor(s.mgf1_hash);
    pss->maskGenAlgorithm = X509_ALGOR_new();
    if (!mgf_hash || pss->maskGenAlgorithm == nullptr ||
        !set_sequence_params(pss->maskGenAlgorithm, NID_mgf1, mgf_hash.get(),
                             ASN1_ITEM_rptr(X509_ALGOR))) {
      return fail_clear(kErrInternal, "MGF1 AlgorithmIdentifier");
    }
  }
  if (s.salt_length != 20) {
    pss->saltLength = ASN1_INTEGER_new();
    if (pss->saltLength == nullptr || ASN1_INTEGER_set(pss->saltLength, s.salt_length) != 1) {
      return fail_clear(kErrInternal, "saltLength");
    }
  }
  AlgorPtr a(X509_ALGOR_new());
  if (!a ||
      !set_sequence_params(a.get(), NID_rsassaPss, pss.get(), ASN1_ITEM_rptr(RSA_PSS_PARAMS))) {
    return fail_clear(kErrInternal, "RSASSA-PSS AlgorithmIdentifier");
  }
  return a;
}

KeyType key_type_of(const EVP_PKEY* key) {
  if (key == nullptr) {
    return KeyType::Unsupported;
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    return KeyType::Rsa;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1) {
      ERR_clear_error();
      return KeyType::Unsupported;
    }
    const std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") {
      return KeyType::EcP256;
    }
    if (name == "secp384r1" || name == "P-384") {
      return KeyType::EcP384;
    }
    if (name == "secp521r1" || name == "P-521") {
      return KeyType::EcP521;
    }
  }
  return KeyType::Unsupported;
}

bool scheme_fits_key(const SignatureScheme& s, KeyType k) {
  if (k == KeyType::Unsupported) {
    return false;
  }
  return (s.algorithm == SignatureAlgorithm::Ecdsa) == (k != KeyType::Rsa);
}

// Octets per ECDSA integer for r | s: the group order's size (RFC 4754 7).
std::size_t ecdsa_field_size(const EVP_PKEY* key) {
  return (static_cast<std::size_t>(EVP_PKEY_get_bits(key)) + 7) / 8;
}

base::Result<std::vector<std::uint8_t>> raw_to_der(std::span<const std::uint8_t> raw,
                                                   std::size_t field) {
  if (raw.size() != 2 * field) {
    return fail_clear(kErrAuthenticationFailed, "ECDSA r|s has the wrong length");
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  ossl::BnPtr r(BN_bin2bn(raw.data(), static_cast<int>(field), nullptr));
  ossl::BnPtr s(BN_bin2bn(raw.data() + field, static_cast<int>(field), nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return fail_clear(kErrInternal, "ECDSA_SIG_set0");
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return fail_clear(kErrInternal, "i2d_ECDSA_SIG");
  }
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

base::Result<std::vector<std::uint8_t>> der_to_raw(std::span<const std::uint8_t> der,
                                                   std::size_t field) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) {
    return fail_clear(kErrInternal, "d2i_ECDSA_SIG");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::vector<std::uint8_t> out(2 * field);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(field)) < 0 ||
      BN_bn2binpad(s, out.data() + field, static_cast<int>(field)) < 0) {
    return fail_clear(kErrInternal, "BN_bn2binpad");
  }
  return out;
}

// EVP_DigestSign/VerifyInit with the padding the scheme asks for.
bool init_md_ctx(EVP_MD_CTX* ctx, EVP_PKEY* key, const SignatureScheme& s, bool sign) {
  EVP_PKEY_CTX* pctx = nullptr;
  const char* md = md_name(s.hash);
  const int ok = sign ? EVP_DigestSignInit_ex(ctx, &pctx, md, nullptr, nullptr, key, nullptr)
                      : EVP_DigestVerifyInit_ex(ctx, &pctx, md, nullptr, nullptr, key, nullptr);
  if (ok != 1) {
    return false;
  }
  if (s.algorithm == SignatureAlgorithm::RsaPkcs1) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  if (s.algorithm == SignatureAlgorithm::RsaPss) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md_name(s.mgf1_hash), nullptr) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, s.salt_length) == 1;
  }
  return true;
}

// No passphrase prompt: an encrypted key simply fails to load.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return 0;
}

}  // namespace

std::size_t digest_size(SignatureHash h) {
  switch (h) {
    case SignatureHash::Sha1: return 20;
    case SignatureHash::Sha2_256: return 32;
    case SignatureHash::Sha2_384: return 48;
    case SignatureHash::Sha2_512: return 64;
  }
  return 0;
}

SignatureScheme SignatureScheme::rsa_pkcs1(SignatureHash h) {
  return SignatureScheme{SignatureAlgorithm::RsaPkcs1, h, SignatureHash::Sha1, 0};
}

SignatureScheme SignatureScheme::rsa_pss(SignatureHash h) {
  return SignatureScheme{SignatureAlgorithm::RsaPss, h, h,
                         static_cast<std::uint16_t>(digest_size(h))};
}

SignatureScheme SignatureScheme::ecdsa(SignatureHash h) {
  return SignatureScheme{SignatureAlgorithm::Ecdsa, h, SignatureHash::Sha1, 0};
}

base::Result<std::vector<std::uint8_t>> encode_algorithm_identifier(const SignatureScheme& s) {
  if (md_name(s.hash) == nullptr) {
    return crypto_fail(kErrUnsupportedAlgorithm, "hash");
  }
  if (s.algorithm == SignatureAlgorithm::RsaPss) {
    auto a = pss_algor(s);
    if (!a) {
      return base::fail(a.error());
    }
    return encode_algor(a->get());
  }
  AlgorPtr a(X509_ALGOR_new());
  // RFC 7427 A.1: RSA carries NULL parameters; RFC 5758 3.2: ECDSA carries none.
  const int ptype = s.algorithm == SignatureAlgorithm::RsaPkcs1 ? V_ASN1_NULL : V_ASN1_UNDEF;
  if (!a || X509_ALGOR_set0(a.get(), OBJ_nid2obj(signature_nid(s)), ptype, nullptr) != 1) {
    return fail_clear(kErrInternal, "X509_ALGOR_set0");
  }
  return encode_algor(a.get());
}

base::Result<SignatureScheme> decode_algorithm_identifier(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  AlgorPtr a(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(der.size())));
  if (!a) {
    return fail_clear(kErrInvalidEncoding, "AlgorithmIdentifier does not parse");
  }
  if (p != der.data() + der.size()) {
    return fail_clear(kErrInvalidEncoding, "bytes after the AlgorithmIdentifier");
  }
  const ASN1_OBJECT* obj = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&obj, &ptype, &pval, a.get());
  switch (OBJ_obj2nid(obj)) {
    case NID_sha1WithRSAEncryption:
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption: {
      if (!params_null_or_absent(ptype)) {
        return fail_clear(kErrInvalidEncoding, "RSA signature parameters must be NULL");
      }
      int md_nid = NID_undef;
      (void)OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md_nid, nullptr);
      return SignatureScheme::rsa_pkcs1(*hash_from_nid(md_nid));
    }
    case NID_ecdsa_with_SHA1:
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512: {
      if (!params_null_or_absent(ptype)) {
        return fail_clear(kErrInvalidEncoding, "ECDSA signature parameters must be absent");
      }
      int md_nid = NID_undef;
      (void)OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md_nid, nullptr);
      return SignatureScheme::ecdsa(*hash_from_nid(md_nid));
    }
    case NID_rsassaPss: return decode_pss_params(ptype, pval);
    default: break;
  }
  return fail_clear(kErrUnsupportedAlgorithm, "signature algorithm OID");
}

// ---- keys ----------------------------------------------------------------------------------

PublicKey::PublicKey(ossl::PkeyPtr key) : key_(key.release(), EVP_PKEY_free) {}

KeyType PublicKey::type() const {
  return key_type_of(key_.get());
}

std::size_t PublicKey::bits() const {
  return key_ ? static_cast<std::size_t>(EVP_PKEY_get_bits(key_.get())) : 0;
}

base::Result<void> PublicKey::verify(const SignatureScheme& scheme,
                                     std::span<const std::uint8_t> data,
                                     std::span<const std::uint8_t> signature,
                                     EcdsaFormat format) const {
  if (!scheme_fits_key(scheme, type())) {
    return crypto_fail(kErrKeyMismatch, to_string(scheme.algorithm));
  }
  std::vector<std::uint8_t> converted;
  if (scheme.algorithm == SignatureAlgorithm::Ecdsa && format == EcdsaFormat::Raw) {
    auto der = raw_to_der(signature, ecdsa_field_size(key_.get()));
    if (!der) {
      return base::fail(der.error());
    }
    converted = std::move(*der);
    signature = converted;
  }
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || !init_md_ctx(ctx.get(), key_.get(), scheme, false)) {
    return fail_clear(kErrUnsupportedAlgorithm, "EVP_DigestVerifyInit");
  }
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) !=
      1) {
    return fail_clear(kErrAuthenticationFailed, "signature does not verify");
  }
  return {};
}

PrivateKey::PrivateKey(ossl::PkeyPtr key) : key_(key.release(), EVP_PKEY_free) {}

base::Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return fail_clear(kErrInternal, "BIO_new_mem_buf");
  }
  ossl::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return fail_clear(kErrInvalidPrivateKey, "no unencrypted private key in the PEM text");
  }
  if (key_type_of(key.get()) == KeyType::Unsupported) {
    return crypto_fail(kErrUnsupportedAlgorithm, "private key type (RSA or EC P-256/384/521)");
  }
  return PrivateKey(std::move(key));
}

base::Result<PrivateKey> PrivateKey::generate(KeyType type, unsigned rsa_bits) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::Rsa:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{rsa_bits});
      break;
    case KeyType::EcP256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::EcP384: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::EcP521: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
    case KeyType::Unsupported: break;
  }
  if (raw == nullptr) {
    return fail_clear(kErrUnsupportedAlgorithm, "key generation");
  }
  return PrivateKey(ossl::PkeyPtr(raw));
}

KeyType PrivateKey::type() const {
  return key_type_of(key_.get());
}

std::size_t PrivateKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(key_.get()));
}

PublicKey PrivateKey::public_key() const {
  (void)EVP_PKEY_up_ref(key_.get());
  return PublicKey(ossl::PkeyPtr(key_.get()));
}

base::Result<std::vector<std::uint8_t>> PrivateKey::sign(const SignatureScheme& scheme,
                                                         std::span<const std::uint8_t> data,
                                                         EcdsaFormat format) const {
  if (!scheme_fits_key(scheme, type())) {
    return crypto_fail(kErrKeyMismatch, to_string(scheme.algorithm));
  }
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || !init_md_ctx(ctx.get(), key_.get(), scheme, true)) {
    return fail_clear(kErrUnsupportedAlgorithm, "EVP_DigestSignInit");
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return fail_clear(kErrInternal, "EVP_DigestSign size");
  }
  std::vector<std::uint8_t> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
    return fail_clear(kErrInternal, "EVP_DigestSign");
  }
  sig.resize(len);
  if (scheme.algorithm == SignatureAlgorithm::Ecdsa && format == EcdsaFormat::Raw) {
    return der_to_raw(sig, ecdsa_field_size(key_.get()));
  }
  return sig;
}

}  // namespace ike::crypto
