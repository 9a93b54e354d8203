// X.509 loading, identity checks, the CERTREQ CA hash and chain validation, on the PEM vectors
// of tests/vectors/certs (make_certs.sh).
#include "ike/crypto/x509.h"

#include <gtest/gtest.h>

#include <array>

#include "ike/base/ip6_addr.h"
#include "ike/crypto/crypto_error.h"
#include "tests/ike/crypto/crypto_test_util.h"
#include "tests/support/test_certs.h"

namespace ike::crypto {
namespace {

using crypto_test::hex;
using crypto_test::Vec;

Vec ip6(const char* text) {
  const auto a = base::Ip6Addr::parse(text);
  return Vec(a->bytes().begin(), a->bytes().end());
}

TEST(X509, PemAndDerLoadTheSameCertificate) {
  const std::string pem = test::read_cert_vector("ecdsa-ha.pem");
  auto certs = certificates_from_pem(pem);
  ASSERT_TRUE(certs);
  ASSERT_EQ(certs->size(), 1u);
  auto again = Certificate::from_der(certs->front().der());
  ASSERT_TRUE(again);
  EXPECT_TRUE(std::equal(again->der().begin(), again->der().end(), certs->front().der().begin(),
                         certs->front().der().end()));
  EXPECT_EQ(again->subject(), "CN=ha.example.org,O=mip6 test");

  // A bundle keeps its order; garbage and empty input are errors.
  auto bundle = certificates_from_pem(pem + test::read_cert_vector("ecdsa-ca.pem"));
  ASSERT_TRUE(bundle);
  ASSERT_EQ(bundle->size(), 2u);
  EXPECT_EQ((*bundle)[1].subject(), "CN=mip6 test ECDSA CA,O=mip6 test");
  EXPECT_FALSE(certificates_from_pem(""));
  EXPECT_FALSE(
      certificates_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  auto der = certs->front().der();
  EXPECT_FALSE(Certificate::from_der(Vec(der.begin(), der.end() - 1)));
  Vec trailing(der.begin(), der.end());
  trailing.push_back(0);
  EXPECT_FALSE(Certificate::from_der(trailing));
  EXPECT_FALSE(Certificate::from_der({}));
}

TEST(X509, CertReqHashIsSha1OfSubjectPublicKeyInfo) {
  // `openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha1sum` (RFC 7296 3.7).
  const auto ecdsa = test::load_cert("ecdsa-ca").public_key_info_sha1();
  const auto rsa = test::load_cert("rsa-ca").public_key_info_sha1();
  EXPECT_EQ(Vec(ecdsa.begin(), ecdsa.end()), hex("b011d3123ecb277e61fbac8d3075846a9ffbf142"));
  EXPECT_EQ(Vec(rsa.begin(), rsa.end()), hex("fdc049e479dfd5d6d62402101fb210194aa92df7"));

  TrustStore trust;
  trust.add(test::load_cert("ecdsa-ca"));
  trust.add(test::load_cert("rsa-ca"));
  EXPECT_EQ(trust.certreq_authorities(), hex("b011d3123ecb277e61fbac8d3075846a9ffbf142"
                                             "fdc049e479dfd5d6d62402101fb210194aa92df7"));
}

TEST(X509, IdentityChecksUseSubjectAltNameOnly) {
  const Certificate ha = test::load_cert("ecdsa-ha");
  const Certificate mn1 = test::load_cert("ecdsa-mn1");
  EXPECT_TRUE(ha.has_dns_name("ha.example.org"));
  EXPECT_TRUE(ha.has_dns_name("HA.Example.ORG"));  // DNS names are case-insensitive
  EXPECT_FALSE(ha.has_dns_name("mn1.example.org"));
  EXPECT_FALSE(ha.has_dns_name("example.org"));
  EXPECT_FALSE(ha.has_dns_name(std::string_view("ha.example.org\0", 15)));
  EXPECT_FALSE(ha.has_dns_name(""));
  EXPECT_TRUE(ha.has_ip_address(ip6("2001:db8:1::1")));
  EXPECT_FALSE(ha.has_ip_address(ip6("2001:db8:1::2")));
  EXPECT_FALSE(ha.has_ip_address(hex("20 01 0d b8")));
  EXPECT_FALSE(ha.has_email("mn1@example.org"));

  EXPECT_TRUE(mn1.has_email("mn1@example.org"));
  EXPECT_FALSE(mn1.has_email("mn2@example.org"));
  EXPECT_TRUE(mn1.has_ip_address(ip6("2001:db8:ff::10")));
  // rsa-ha has CN=ha.example.org and a dNSName, but no iPAddress: no fallback to anything.
  EXPECT_FALSE(test::load_cert("rsa-ha").has_ip_address(ip6("2001:db8:1::1")));
}

TEST(X509, SubjectDnComparison) {
  const Certificate ha = test::load_cert("ecdsa-ha");
  EXPECT_TRUE(ha.subject_is(ha.subject_der()));
  EXPECT_FALSE(ha.subject_is(test::load_cert("ecdsa-mn1").subject_der()));
  EXPECT_FALSE(ha.subject_is(hex("30 03 02 01 00")));
  Vec truncated = ha.subject_der();
  truncated.pop_back();
  EXPECT_FALSE(ha.subject_is(truncated));
  EXPECT_FALSE(ha.subject_is({}));
}

TEST(X509, ChainValidation) {
  TrustStore trust;
  trust.add(test::load_cert("ecdsa-ca"));
  trust.set_verification_time(test::kCertTestTime);
  EXPECT_TRUE(trust.verify(test::load_cert("ecdsa-ha"), {}));
  EXPECT_TRUE(trust.verify(test::load_cert("ecdsa-mn1"), {}));

  // Another CA's leaf.
  auto other = trust.verify(test::load_cert("other-mn1"), {});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, kErrUntrustedCertificate);
  EXPECT_EQ(other.error().detail, "unable to get local issuer certificate");
  EXPECT_FALSE(trust.verify(test::load_cert("rsa-ha"), {}));

  // Through an intermediate that the peer sends (untrusted), not without it.
  const std::array<Certificate, 1> chain = {test::load_cert("ecdsa-int")};
  EXPECT_TRUE(trust.verify(test::load_cert("ecdsa-mn2"), chain));
  EXPECT_FALSE(trust.verify(test::load_cert("ecdsa-mn2"), {}));

  // A self-signed certificate offered as its own chain is still not trusted.
  const std::array<Certificate, 1> rogue = {test::load_cert("other-ca")};
  EXPECT_FALSE(trust.verify(test::load_cert("other-mn1"), rogue));

  // Validity period.
  trust.set_verification_time(946684800);  // 2000-01-01
  auto early = trust.verify(test::load_cert("ecdsa-ha"), {});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().detail, "certificate is not yet valid");
  trust.set_verification_time(7258118400);  // 2200-01-01
  auto late = trust.verify(test::load_cert("ecdsa-ha"), {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().detail, "certificate has expired");

  // No anchors: nothing verifies.
  TrustStore empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.verify(test::load_cert("ecdsa-ha"), {}));
}

TEST(X509, CertificateKeyMatchesItsPrivateKey) {
  const Vec msg = crypto_test::ascii("bound to the certificate");
  for (const char* name : {"ecdsa-ha", "rsa-ha", "ecdsa-mn2"}) {
    SCOPED_TRACE(name);
    const PrivateKey key = test::load_key(name);
    const SignatureScheme scheme = key.type() == KeyType::Rsa
                                       ? SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256)
                                       : SignatureScheme::ecdsa(SignatureHash::Sha2_384);
    auto sig = key.sign(scheme, msg);
    ASSERT_TRUE(sig);
    auto pub = test::load_cert(name).public_key();
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->type(), key.type());
    EXPECT_TRUE(pub->verify(scheme, msg, *sig));
  }
}

}  // namespace
}  // namespace ike::crypto
