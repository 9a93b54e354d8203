// Certificate authentication in IKE_AUTH (RFC 7296 2.15, 3.6-3.8, 4; RFC 7427), two IkeSa peers
// over a Loopback with deterministic RNG/DH and the PEM vectors of tests/vectors/certs; plus
// the pure signature_auth functions. Also ID_KEY_ID with a PSK (R7296-31).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "ike/engine/ike_sa.h"
#include "ike/engine/signature_auth.h"
#include "ike/wire/message.h"
#include "tests/ike/engine/loopback.h"
#include "tests/ike/engine/sa_pair.h"
#include "tests/support/deterministic_random.h"
#include "tests/support/fake_clock.h"
#include "tests/support/test_certs.h"

namespace ike::engine {
namespace {

LocalCertificate local(std::string_view cert, std::string_view key) {
  return LocalCertificate{test::load_cert(cert), test::load_key(key), {}, false};
}

// sa_pair.h's pair with certificate credentials only (no PSK, no home-prefix request) and
// verification at the test certificates' time; nothing else configured yet.
struct CertFixture : Fixture {
  CertFixture() {
    creds_i = InMemoryCredentials{};
    creds_r = InMemoryCredentials{};
    cfg_i.request_home_prefix = false;
    creds_i.trust().set_verification_time(test::kCertTestTime);
    creds_r.trust().set_verification_time(test::kCertTestTime);
  }

  // Both sides trust `ca` and hold a certificate of it: "<prefix>-mn1" and "<prefix>-ha".
  void certificates(std::string_view prefix) {
    const std::string p(prefix);
    creds_i.add_trusted_ca(test::load_cert(p + "-ca"));
    creds_r.add_trusted_ca(test::load_cert(p + "-ca"));
    creds_i.set_local_certificate(local(p + "-mn1", p + "-mn1"));
    creds_r.set_local_certificate(local(p + "-ha", p + "-ha"));
  }

  void expect_established() const {
    ASSERT_EQ(init->state(), IkeSaState::Established);
    ASSERT_EQ(resp->state(), IkeSaState::Established);
    const auto ei = test::outputs_of<SaEstablished>(net->a_events_);
    const auto er = test::outputs_of<SaEstablished>(net->b_events_);
    ASSERT_EQ(ei.size(), 1u);
    ASSERT_EQ(er.size(), 1u);
    EXPECT_EQ(ei[0].peer_id, cfg_i.remote_id);
    EXPECT_EQ(er[0].peer_id, cfg_i.local_id);
    EXPECT_EQ(test::outputs_of<InstallChildSa>(net->a_events_).size(), 1u);
    EXPECT_EQ(test::outputs_of<InstallChildSa>(net->b_events_).size(), 1u);
  }

  // The responder refused the initiator's AUTH: AUTHENTICATION_FAILED both ways (R7296-53).
  void expect_responder_refused(IkeCounter why, std::string_view detail = {}) const {
    EXPECT_EQ(resp->state(), IkeSaState::Failed);
    EXPECT_EQ(init->state(), IkeSaState::Failed);
    EXPECT_EQ(resp->counters().get(why), 1u);
    EXPECT_EQ(resp->counters().get(IkeCounter::AuthenticationFailedSent), 1u);
    const auto fr = test::outputs_of<SaFailed>(net->b_events_);
    ASSERT_EQ(fr.size(), 1u);
    EXPECT_EQ(fr[0].reason, FailureReason::AuthenticationFailed);
    if (!detail.empty()) {
      EXPECT_EQ(fr[0].detail, detail);
    }
    const auto fi = test::outputs_of<SaFailed>(net->a_events_);
    ASSERT_EQ(fi.size(), 1u);
    EXPECT_EQ(fi[0].reason, FailureReason::AuthenticationFailed);
    EXPECT_EQ(fi[0].notify, wire::NotifyType::AuthenticationFailed);
    EXPECT_TRUE(test::outputs_of<InstallChildSa>(net->a_events_).empty());
    EXPECT_TRUE(test::outputs_of<InstallChildSa>(net->b_events_).empty());
    EXPECT_EQ(pool.leased(), 0u);
  }
};

wire::Message decoded(const std::vector<std::uint8_t>& bytes) {
  auto d = wire::decode_message(bytes);
  EXPECT_TRUE(d.has_value());
  return d ? d->message : wire::Message{};
}

std::vector<std::uint16_t> hashes_in(const wire::Message& m) {
  const auto* n = wire::find_notify(m.payloads, wire::NotifyType::SignatureHashAlgorithms);
  if (n == nullptr) {
    return {};
  }
  return wire::decode_signature_hash_algorithms(*n).value_or(std::vector<std::uint16_t>{});
}

// ---- full exchanges -----------------------------------------------------------------------

// R7296-32 (X.509 certificates with FQDN IDs), RFC 7427 4 (SIGNATURE_HASH_ALGORITHMS both ways,
// then method 14), RFC 7296 3.7 (CERTREQ with the SHA-1 of the CA's SubjectPublicKeyInfo in
// the IKE_SA_INIT response).
TEST(CertAuth, R7296_32_EcdsaBothWaysWithDigitalSignatureMethod) {
  CertFixture f;
  f.certificates("ecdsa");
  f.run();
  f.expect_established();
  EXPECT_EQ(f.init->local_auth_method(), wire::AuthMethod::DigitalSignature);
  EXPECT_EQ(f.init->peer_auth_method(), wire::AuthMethod::DigitalSignature);
  EXPECT_EQ(f.resp->local_auth_method(), wire::AuthMethod::DigitalSignature);
  EXPECT_EQ(f.resp->peer_auth_method(), wire::AuthMethod::DigitalSignature);

  const std::vector<std::uint16_t> sha2 = {2, 3, 4};
  EXPECT_EQ(hashes_in(decoded(f.net->a_sent_.at(0))), sha2);
  const wire::Message init_response = decoded(f.net->b_sent_.at(0));
  EXPECT_EQ(hashes_in(init_response), sha2);
  EXPECT_EQ(f.init->peer_signature_hashes(), sha2);
  EXPECT_EQ(f.resp->peer_signature_hashes(), sha2);
  const auto* certreq = wire::find_first<wire::CertReqPayload>(init_response.payloads);
  ASSERT_NE(certreq, nullptr);
  EXPECT_EQ(certreq->encoding, wire::CertEncoding::X509Signature);
  const auto ca = test::load_cert("ecdsa-ca").public_key_info_sha1();
  EXPECT_EQ(certreq->authorities, std::vector<std::uint8_t>(ca.begin(), ca.end()));
  for (auto c : {IkeCounter::AuthBadSignature, IkeCounter::AuthCertificateUntrusted}) {
    EXPECT_EQ(f.init->counters().get(c) + f.resp->counters().get(c), 0u);
  }
}

TEST(CertAuth, R7296_32_RsaBothWays) {
  CertFixture f;
  f.certificates("rsa");
  f.run();
  f.expect_established();
  EXPECT_EQ(f.init->local_auth_method(), wire::AuthMethod::DigitalSignature);
  EXPECT_EQ(f.resp->peer_auth_method(), wire::AuthMethod::DigitalSignature);
}

TEST(CertAuth, R7296_32_RsaPssOneWayPkcs1TheOther) {
  CertFixture f;
  f.certificates("rsa");
  LocalCertificate pss = local("rsa-mn1", "rsa-mn1");
  pss.prefer_rsa_pss = true;
  f.creds_i.set_local_certificate(pss);
  f.run();
  f.expect_established();
}

// RFC 7427 4: without the notify from the peer, the legacy methods: ECDSA P-256 is method 9
// (r|s), RSA is method 1 (PKCS#1 v1.5, SHA-1).
TEST(CertAuth, LegacyMethodsWhenHashesAreNotAnnounced) {
  for (const char* prefix : {"ecdsa", "rsa"}) {
    SCOPED_TRACE(prefix);
    CertFixture f;
    f.certificates(prefix);
    f.cfg_i.announce_signature_hashes = false;
    f.run();
    f.expect_established();
    EXPECT_TRUE(hashes_in(decoded(f.net->a_sent_.at(0))).empty());
    EXPECT_TRUE(hashes_in(decoded(f.net->b_sent_.at(0))).empty());  // only when asked
    const auto legacy = std::string_view(prefix) == "rsa" ? wire::AuthMethod::RsaSignature
                                                          : wire::AuthMethod::EcdsaSha256P256;
    EXPECT_EQ(f.resp->local_auth_method(), legacy);
    EXPECT_EQ(f.init->peer_auth_method(), legacy);
    // The responder saw the initiator's lack of support only; it announced nothing, so the
    // initiator signs with the legacy method too.
    EXPECT_EQ(f.init->local_auth_method(), legacy);
  }
}

// R7296-32: a certificate-authenticated responder with a PSK-authenticated initiator, and the
// reverse.
TEST(CertAuth, R7296_32_MixedPskInitiatorCertResponder) {
  CertFixture f;
  f.creds_i.add_trusted_ca(test::load_cert("ecdsa-ca"));
  f.creds_r.set_local_certificate(local("ecdsa-ha", "ecdsa-ha"));
  f.creds_i.add(kHaId, secret("mixed-mode shared secret"));
  f.creds_r.add(kMnId, secret("mixed-mode shared secret"));
  f.run();
  f.expect_established();
  EXPECT_EQ(f.init->local_auth_method(), wire::AuthMethod::SharedKeyMic);
  EXPECT_EQ(f.resp->peer_auth_method(), wire::AuthMethod::SharedKeyMic);
  EXPECT_EQ(f.resp->local_auth_method(), wire::AuthMethod::DigitalSignature);
  EXPECT_EQ(f.init->peer_auth_method(), wire::AuthMethod::DigitalSignature);
}

TEST(CertAuth, R7296_32_MixedCertInitiatorPskResponder) {
  CertFixture f;
  f.creds_r.add_trusted_ca(test::load_cert("rsa-ca"));
  f.creds_i.set_local_certificate(local("rsa-mn1", "rsa-mn1"));
  f.creds_i.add(kHaId, secret("mixed-mode shared secret"));
  f.creds_r.add(kMnId, secret("mixed-mode shared secret"));
  f.run();
  f.expect_established();
  EXPECT_EQ(f.init->local_auth_method(), wire::AuthMethod::DigitalSignature);
  EXPECT_EQ(f.resp->local_auth_method(), wire::AuthMethod::SharedKeyMic);
}

// An intermediate CA sent after the end-entity CERT (RFC 7296 3.6), a P-384 key: method 14
// with SHA2-384, the key's own hash.
TEST(CertAuth, IntermediateChainAndP384) {
  CertFixture f;
  f.certificates("ecdsa");
  f.cfg_i.local_id = wire::IdPayload::make_fqdn("mn2.example.org");
  f.creds_i.set_local_certificate(LocalCertificate{test::load_cert("ecdsa-mn2"),
                                                   test::load_key("ecdsa-mn2"),
                                                   {test::load_cert("ecdsa-int")},
                                                   false});
  f.run();
  f.expect_established();
  EXPECT_EQ(f.resp->peer_auth_method(), wire::AuthMethod::DigitalSignature);
}

// R7296-31/R7296-32: ID_RFC822_ADDR, ID_IPV6_ADDR and ID_DER_ASN1_DN bound to the certificate.
TEST(CertAuth, R7296_32_OtherIdTypesBoundToTheCertificate) {
  const wire::IdPayload dn{wire::IdType::DerAsn1Dn, test::load_cert("ecdsa-mn1").subject_der()};
  for (const auto& id : {wire::IdPayload::make_rfc822("mn1@example.org"),
                         wire::IdPayload::make_ipv6(addr("2001:db8:ff::10")), dn}) {
    SCOPED_TRACE(wire::to_string(id.type));
    CertFixture f;
    f.certificates("ecdsa");
    f.cfg_i.local_id = id;
    f.run();
    f.expect_established();
  }
}

// ---- refusals -----------------------------------------------------------------------------

// R7296-53: the initiator's certificate is from a CA the responder does not trust.
TEST(CertAuth, R7296_53_WrongCaGetsAuthenticationFailed) {
  CertFixture f;
  f.certificates("ecdsa");
  f.creds_i.set_local_certificate(local("other-mn1", "other-mn1"));
  f.run();
  f.expect_responder_refused(IkeCounter::AuthCertificateUntrusted,
                             "unable to get local issuer certificate");
}

// R7296-53: IDi names an identity that is not in the (valid) certificate.
TEST(CertAuth, R7296_53_IdNotInCertificate) {
  CertFixture f;
  f.certificates("ecdsa");
  f.cfg_i.local_id = wire::IdPayload::make_fqdn("ha.example.org");  // mn1's cert, HA's name
  f.run();
  f.expect_responder_refused(IkeCounter::AuthIdentityMismatch);
}

TEST(CertAuth, R7296_53_KeyIdNeverMatchesACertificate) {
  CertFixture f;
  f.certificates("ecdsa");
  const std::uint8_t key_id[] = {0x01, 0x02, 0x03};
  f.cfg_i.local_id = wire::IdPayload::make_key_id(key_id);
  f.run();
  f.expect_responder_refused(IkeCounter::AuthIdentityMismatch);
}

// R7296-29/R7296-53: a signature that does not verify (the certificate's key is not the one
// that signed).
TEST(CertAuth, R7296_53_BadSignature) {
  CertFixture f;
  f.certificates("ecdsa");
  f.creds_i.set_local_certificate(local("ecdsa-mn1", "ecdsa-ha"));
  f.run();
  f.expect_responder_refused(IkeCounter::AuthBadSignature);
}

// A responder without trusted CAs cannot check a signature at all.
TEST(CertAuth, R7296_53_NoTrustedCaConfigured) {
  CertFixture f;
  f.creds_i.set_local_certificate(local("ecdsa-mn1", "ecdsa-mn1"));
  f.creds_i.add(kHaId, secret("only the responder uses this"));
  f.creds_r.add(kMnId, secret("only the responder uses this"));
  f.run();
  f.expect_responder_refused(IkeCounter::AuthNoCredentials);
}

// The initiator refuses the responder's certificate: no Child SA, no notify (no INFORMATIONAL
// yet), the reason counted and reported.
TEST(CertAuth, InitiatorRefusesUntrustedResponder) {
  CertFixture f;
  f.certificates("ecdsa");
  f.creds_r.set_local_certificate(local("other-mn1", "other-mn1"));
  f.cfg_i.remote_id = kMnId;  // other-mn1 carries mn1's name; the CA is what is wrong
  f.cfg_r.local_id = kMnId;
  f.run();
  EXPECT_EQ(f.init->state(), IkeSaState::Failed);
  EXPECT_EQ(f.init->counters().get(IkeCounter::AuthCertificateUntrusted), 1u);
  const auto fi = test::outputs_of<SaFailed>(f.net->a_events_);
  ASSERT_EQ(fi.size(), 1u);
  EXPECT_EQ(fi[0].reason, FailureReason::AuthenticationFailed);
  EXPECT_EQ(fi[0].detail, "unable to get local issuer certificate");
  EXPECT_TRUE(test::outputs_of<InstallChildSa>(f.net->a_events_).empty());
}

// Verification time outside the validity period: the chain check fails.
TEST(CertAuth, ExpiredCertificateIsRefused) {
  CertFixture f;
  f.certificates("ecdsa");
  f.creds_r.trust().set_verification_time(7258118400);  // 2200-01-01
  f.run();
  f.expect_responder_refused(IkeCounter::AuthCertificateUntrusted, "certificate has expired");
}

// R7296-31: ID_KEY_ID is accepted and works with a PSK.
TEST(CertAuth, R7296_31_KeyIdWithPsk) {
  CertFixture f;
  const std::uint8_t key_id[] = {0xde, 0xad, 0xbe, 0xef, 0x42};
  const auto id = wire::IdPayload::make_key_id(key_id);
  f.cfg_i.local_id = id;
  f.creds_i.add(kHaId, secret("key-id shared secret"));
  f.creds_r.add(id, secret("key-id shared secret"));
  f.run();
  f.expect_established();
  EXPECT_EQ(test::outputs_of<SaEstablished>(f.net->b_events_).at(0).peer_id.type,
            wire::IdType::KeyId);
}

// ---- signature_auth, without an exchange --------------------------------------------------

const std::vector<std::uint8_t> kOctets = {'s', 'i', 'g', 'n', 'e', 'd', ' ', 'o', 'c', 't'};

std::vector<wire::Payload> cert_payloads(const SignatureAuth& a) {
  std::vector<wire::Payload> out;
  for (const auto& c : a.certs) {
    out.push_back(wire::make_payload(c));
  }
  return out;
}

crypto::TrustStore trust_of(std::string_view ca) {
  crypto::TrustStore t;
  t.add(test::load_cert(ca));
  t.set_verification_time(test::kCertTestTime);
  return t;
}

TEST(SignatureAuth, IdentityBindingPerIdType) {
  const auto mn1 = test::load_cert("ecdsa-mn1");
  EXPECT_TRUE(identity_matches_certificate(kMnId, mn1));
  EXPECT_FALSE(identity_matches_certificate(kHaId, mn1));
  EXPECT_TRUE(identity_matches_certificate(wire::IdPayload::make_rfc822("mn1@example.org"), mn1));
  EXPECT_FALSE(identity_matches_certificate(wire::IdPayload::make_rfc822("mn1.example.org"), mn1));
  EXPECT_TRUE(
      identity_matches_certificate(wire::IdPayload::make_ipv6(addr("2001:db8:ff::10")), mn1));
  EXPECT_FALSE(
      identity_matches_certificate(wire::IdPayload::make_ipv6(addr("2001:db8:ff::11")), mn1));
  EXPECT_FALSE(identity_matches_certificate(wire::IdPayload::make_ipv4({192, 0, 2, 1}), mn1));
  EXPECT_TRUE(identity_matches_certificate({wire::IdType::DerAsn1Dn, mn1.subject_der()}, mn1));
  EXPECT_FALSE(identity_matches_certificate(
      {wire::IdType::DerAsn1Dn, test::load_cert("ecdsa-ha").subject_der()}, mn1));
  EXPECT_FALSE(identity_matches_certificate({wire::IdType::DerAsn1Gn, mn1.subject_der()}, mn1));
  const std::uint8_t key_id[] = {1, 2, 3};
  EXPECT_FALSE(identity_matches_certificate(wire::IdPayload::make_key_id(key_id), mn1));
}

TEST(SignatureAuth, MethodChoiceFollowsThePeersHashes) {
  const std::uint16_t sha2[] = {2, 3, 4};
  const std::uint16_t sha512_only[] = {4};
  const std::uint16_t unknown[] = {1, 5, 99};
  struct Case {
    const char* name;
    const char* cert;
    bool pss;
    std::span<const std::uint16_t> peer;
    wire::AuthMethod method;
    std::optional<crypto::SignatureScheme> scheme;  // method 14 only
  };
  using crypto::SignatureHash;
  using crypto::SignatureScheme;
  const Case cases[] = {
      {"P-256, SHA2 list", "ecdsa-ha", false, sha2, wire::AuthMethod::DigitalSignature,
       SignatureScheme::ecdsa(SignatureHash::Sha2_256)},
      {"P-384 takes SHA-384", "ecdsa-mn2", false, sha2, wire::AuthMethod::DigitalSignature,
       SignatureScheme::ecdsa(SignatureHash::Sha2_384)},
      {"P-256, peer has only SHA-512", "ecdsa-ha", false, sha512_only,
       wire::AuthMethod::DigitalSignature, SignatureScheme::ecdsa(SignatureHash::Sha2_512)},
      {"RSA PKCS#1", "rsa-ha", false, sha2, wire::AuthMethod::DigitalSignature,
       SignatureScheme::rsa_pkcs1(SignatureHash::Sha2_256)},
      {"RSA PSS", "rsa-ha", true, sha2, wire::AuthMethod::DigitalSignature,
       SignatureScheme::rsa_pss(SignatureHash::Sha2_256)},
      {"P-256, nothing announced",
       "ecdsa-ha",
       false,
       {},
       wire::AuthMethod::EcdsaSha256P256,
       std::nullopt},
      {"P-384, nothing shared", "ecdsa-mn2", false, unknown, wire::AuthMethod::EcdsaSha384P384,
       std::nullopt},
      {"RSA, nothing announced", "rsa-ha", false, {}, wire::AuthMethod::RsaSignature, std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    LocalCertificate me = local(c.cert, c.cert);
    me.prefer_rsa_pss = c.pss;
    auto built = build_signature_auth(me, c.peer, kOctets);
    ASSERT_TRUE(built) << built.error().detail;
    EXPECT_EQ(built->auth.method, c.method);
    ASSERT_EQ(built->certs.size(), 1u);
    EXPECT_TRUE(std::ranges::equal(built->certs[0].data, test::load_cert(c.cert).der()));
    if (c.scheme) {
      auto framed = wire::decode_digital_signature(built->auth.data);
      ASSERT_TRUE(framed);
      auto scheme = crypto::decode_algorithm_identifier(framed->algorithm_identifier);
      ASSERT_TRUE(scheme);
      EXPECT_EQ(*scheme, *c.scheme);
    }
    const std::string ca = std::string_view(c.cert).starts_with("rsa") ? "rsa-ca" : "ecdsa-ca";
    const auto trust = trust_of(ca);
    auto payloads = cert_payloads(*built);
    const wire::IdPayload id = std::string_view(c.cert) == "ecdsa-mn2"
                                   ? wire::IdPayload::make_fqdn("mn2.example.org")
                                   : kHaId;
    if (std::string_view(c.cert) == "ecdsa-mn2") {
      const auto intermediate = test::load_cert("ecdsa-int");
      payloads.push_back(wire::make_payload(
          wire::CertPayload{wire::CertEncoding::X509Signature,
                            {intermediate.der().begin(), intermediate.der().end()}}));
    }
    EXPECT_TRUE(verify_signature_auth(&trust, id, payloads, built->auth, kOctets));
    auto other = kOctets;
    other[0] ^= 1;
    auto bad = verify_signature_auth(&trust, id, payloads, built->auth, other);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().failure, AuthFailure::BadSignature);
  }
}

TEST(SignatureAuth, MalformedAndUnsupportedAuthData) {
  const auto trust = trust_of("ecdsa-ca");
  LocalCertificate me = local("ecdsa-ha", "ecdsa-ha");
  const std::uint16_t sha2[] = {2};
  auto built = build_signature_auth(me, sha2, kOctets);
  ASSERT_TRUE(built);
  const auto payloads = cert_payloads(*built);
  auto refuse = [&](wire::AuthPayload auth) {
    auto r = verify_signature_auth(&trust, kHaId, payloads, auth, kOctets);
    EXPECT_FALSE(r);
    return r ? AuthFailure::MissingPayload : r.error().failure;
  };
  wire::AuthPayload a = built->auth;
  a.data.resize(1);  // length octet, AlgorithmIdentifier missing
  EXPECT_EQ(refuse(a), AuthFailure::BadSignature);
  a.data.clear();
  EXPECT_EQ(refuse(a), AuthFailure::BadSignature);
  // ecdsa-with-SHA1 in method 14: we did not announce SHA-1 (RFC 8247 3.2).
  auto sha1 = crypto::encode_algorithm_identifier(
      crypto::SignatureScheme::ecdsa(crypto::SignatureHash::Sha1));
  auto sig = me.key.sign(crypto::SignatureScheme::ecdsa(crypto::SignatureHash::Sha1), kOctets);
  a.data = wire::encode_digital_signature(*sha1, *sig).value();
  EXPECT_EQ(refuse(a), AuthFailure::UnsupportedMethod);
  // An OID we do not implement (Ed25519).
  const std::vector<std::uint8_t> ed25519 = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
  a.data = wire::encode_digital_signature(ed25519, *sig).value();
  EXPECT_EQ(refuse(a), AuthFailure::UnsupportedMethod);
  // Method 9 (P-256) with DER instead of r|s, method 1 with an EC certificate, DSS.
  a = built->auth;
  a.method = wire::AuthMethod::EcdsaSha256P256;
  EXPECT_EQ(refuse(a), AuthFailure::BadSignature);
  a.method = wire::AuthMethod::RsaSignature;
  EXPECT_EQ(refuse(a), AuthFailure::BadSignature);
  a.method = wire::AuthMethod::DssSignature;
  EXPECT_EQ(refuse(a), AuthFailure::UnsupportedMethod);
  // No CERT, a CERT that is not X.509, garbage in the CERT.
  EXPECT_EQ(verify_signature_auth(&trust, kHaId, {}, built->auth, kOctets).error().failure,
            AuthFailure::NoCertificate);
  const std::vector<wire::Payload> crl = {
      wire::make_payload(wire::CertPayload{wire::CertEncoding::CrlX509, built->certs[0].data})};
  EXPECT_EQ(verify_signature_auth(&trust, kHaId, crl, built->auth, kOctets).error().failure,
            AuthFailure::NoCertificate);
  const std::vector<wire::Payload> junk = {
      wire::make_payload(wire::CertPayload{wire::CertEncoding::X509Signature, {0x30, 0x03}})};
  EXPECT_EQ(verify_signature_auth(&trust, kHaId, junk, built->auth, kOctets).error().failure,
            AuthFailure::CertificateInvalid);
  EXPECT_EQ(verify_signature_auth(nullptr, kHaId, payloads, built->auth, kOctets).error().failure,
            AuthFailure::NoCredentials);
}

}  // namespace
}  // namespace ike::engine
