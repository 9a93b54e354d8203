#include "ike/wire/rules.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;
using PT = PayloadType;

PayloadSummary plain(PayloadType t) { return {t, false}; }
PayloadSummary enc(PayloadType t) { return {t, true}; }
PayloadSummary note(NotifyType n, bool encrypted = false) {
  return {PayloadType::Notify, encrypted, n};
}

RuleError err(RuleErrc code, PayloadType p) { return RuleError{code, p}; }

base::Result<void, RuleError> check(ExchangeType x, bool response,
                                    std::vector<PayloadSummary> payloads) {
  return validate(x, response, payloads);
}

TEST(PayloadRules, VectorsAreValid) {
  for (auto text : {test::kIkedSaInitRequestHex, test::kSaInitRequestHex,
                    test::kSaInitResponseHex, test::kRedirectResponseHex,
                    test::kCookieResponseHex}) {
    auto m = decode_message(hex(text));
    ASSERT_TRUE(m.has_value());
    auto v = validate(m->message, {});
    EXPECT_TRUE(v.has_value()) << to_string(v.error().code) << " " << to_string(v.error().payload);
  }
  auto auth = decode_message(hex(test::kIkeAuthRequestHex));
  auto inner = decode_inner_payloads(PT::IdInitiator, hex(test::kIkeAuthRequestInnerHex));
  ASSERT_TRUE(auth.has_value() && inner.has_value());
  EXPECT_TRUE(validate(auth->message, inner->payloads).has_value());
  // The response's inner payloads under a response header.
  auto resp_inner = decode_inner_payloads(PT::IdResponder, hex(test::kIkeAuthResponseInnerHex));
  ASSERT_TRUE(resp_inner.has_value());
  Message resp = auth->message;
  resp.header.response = true;
  EXPECT_TRUE(validate(resp, resp_inner->payloads).has_value());
}

TEST(PayloadRules, IkeSaInitResponsesCarryingOnlyANotifyAreValid) {
  for (NotifyType n : {NotifyType::Cookie, NotifyType::InvalidKePayload, NotifyType::Redirect,
                       NotifyType::NoProposalChosen}) {
    EXPECT_TRUE(check(ExchangeType::IkeSaInit, true, {note(n)}).has_value()) << to_string(n);
  }
  // A status notify other than COOKIE/REDIRECT does not stand in for SA, KE and Nr.
  EXPECT_EQ(check(ExchangeType::IkeSaInit, true, {note(NotifyType::NatDetectionSourceIp)})
                .error(),
            err(RuleErrc::MissingPayload, PT::SecurityAssociation));
  // ...and a request never gets that waiver.
  EXPECT_EQ(check(ExchangeType::IkeSaInit, false, {note(NotifyType::Cookie)}).error(),
            err(RuleErrc::MissingPayload, PT::SecurityAssociation));
}

TEST(PayloadRules, MissingMandatoryPayloads) {
  EXPECT_EQ(check(ExchangeType::IkeSaInit, false,
                  {plain(PT::SecurityAssociation), plain(PT::Nonce)})
                .error(),
            err(RuleErrc::MissingPayload, PT::KeyExchange));
  EXPECT_EQ(check(ExchangeType::CreateChildSa, false,
                  {plain(PT::Encrypted), enc(PT::SecurityAssociation)})
                .error(),
            err(RuleErrc::MissingPayload, PT::Nonce));
  // An error notify answers a failed CREATE_CHILD_SA on its own (R7296-48).
  EXPECT_TRUE(check(ExchangeType::CreateChildSa, true,
                    {plain(PT::Encrypted), note(NotifyType::NoAdditionalSas, true)})
                  .has_value());
  EXPECT_EQ(check(ExchangeType::CreateChildSa, false,
                  {plain(PT::Encrypted), note(NotifyType::NoAdditionalSas, true)})
                .error(),
            err(RuleErrc::MissingPayload, PT::SecurityAssociation));
}

TEST(PayloadRules, DuplicatePayloads) {
  EXPECT_EQ(check(ExchangeType::IkeSaInit, false,
                  {plain(PT::SecurityAssociation), plain(PT::KeyExchange), plain(PT::Nonce),
                   plain(PT::Nonce)})
                .error(),
            err(RuleErrc::TooManyOccurrences, PT::Nonce));
  EXPECT_EQ(check(ExchangeType::IkeAuth, false,
                  {plain(PT::Encrypted), enc(PT::IdInitiator), enc(PT::IdInitiator)})
                .error(),
            err(RuleErrc::TooManyOccurrences, PT::IdInitiator));
  std::vector<PayloadSummary> notifies = {plain(PT::Encrypted)};
  for (int i = 0; i < 21; ++i) {
    notifies.push_back(note(NotifyType::InitialContact, true));
  }
  EXPECT_EQ(validate(ExchangeType::Informational, false, notifies).error(),
            err(RuleErrc::TooManyOccurrences, PT::Notify));
  notifies.pop_back();
  EXPECT_TRUE(validate(ExchangeType::Informational, false, notifies).has_value());
}

TEST(PayloadRules, PayloadsNotAllowedInTheExchange) {
  EXPECT_EQ(check(ExchangeType::Informational, false, {plain(PT::Encrypted), enc(PT::KeyExchange)})
                .error(),
            err(RuleErrc::PayloadNotAllowed, PT::KeyExchange));
  EXPECT_EQ(check(ExchangeType::IkeSaInit, false,
                  {plain(PT::SecurityAssociation), plain(PT::KeyExchange), plain(PT::Nonce),
                   plain(PT::Encrypted)})
                .error(),
            err(RuleErrc::PayloadNotAllowed, PT::Encrypted));
  EXPECT_EQ(check(ExchangeType::IkeSaInit, false,
                  {plain(PT::SecurityAssociation), plain(PT::KeyExchange), plain(PT::Nonce),
                   plain(PT::CertificateRequest)})
                .error(),
            err(RuleErrc::PayloadNotAllowed, PT::CertificateRequest));
  EXPECT_EQ(check(ExchangeType::IkeAuth, true, {plain(PT::Encrypted), enc(PT::IdInitiator)})
                .error(),
            err(RuleErrc::PayloadNotAllowed, PT::IdInitiator));
  EXPECT_EQ(check(ExchangeType::Informational, false,
                  {plain(PT::Encrypted), plain(PT::Encrypted)})
                .error(),
            err(RuleErrc::PayloadNotAllowed, PT::Encrypted));
}

TEST(PayloadRules, R7296_10_PayloadsAfterIkeSaInitMustBeEncrypted) {
  EXPECT_EQ(check(ExchangeType::IkeAuth, false, {plain(PT::Encrypted), plain(PT::IdInitiator)})
                .error(),
            err(RuleErrc::MustBeEncrypted, PT::IdInitiator));
  EXPECT_EQ(check(ExchangeType::IkeAuth, false, {enc(PT::IdInitiator)}).error(),
            err(RuleErrc::MissingEncryptedPayload, PT::Encrypted));
  EXPECT_EQ(check(ExchangeType::Informational, true, {}).error(),
            err(RuleErrc::MissingEncryptedPayload, PT::Encrypted));
  // R7296-46: an empty SK{} is a valid INFORMATIONAL request and response.
  EXPECT_TRUE(check(ExchangeType::Informational, false, {plain(PT::Encrypted)}).has_value());
  EXPECT_TRUE(check(ExchangeType::Informational, true, {plain(PT::Encrypted)}).has_value());
}

TEST(PayloadRules, TrafficSelectorsComeInPairs) {
  EXPECT_EQ(check(ExchangeType::IkeAuth, false,
                  {plain(PT::Encrypted), enc(PT::IdInitiator), enc(PT::Authentication),
                   enc(PT::SecurityAssociation), enc(PT::TsInitiator)})
                .error(),
            err(RuleErrc::TsPairIncomplete, PT::TsResponder));
}

TEST(PayloadRules, UnknownExchangeAndUnknownPayloads) {
  EXPECT_EQ(validate(static_cast<ExchangeType>(40), false, {}).error(),
            err(RuleErrc::UnknownExchange, PT::NoNext));
  EXPECT_TRUE(check(ExchangeType::Informational, false,
                    {plain(PT::Encrypted), enc(static_cast<PayloadType>(200))})
                  .has_value());
}

TEST(PayloadRules, R7296_08_AnyOrderIsAcceptedOnReceipt) {
  // Our IKE_SA_INIT request with its payloads reversed still decodes and validates (3.2:
  // "send in the order of the figures, accept any order").
  auto m = decode_message(hex(test::kSaInitRequestHex));
  ASSERT_TRUE(m.has_value());
  Message reversed = m->message;
  std::reverse(reversed.payloads.begin(), reversed.payloads.end());
  auto bytes = encode_message(reversed);
  ASSERT_TRUE(bytes.has_value());
  auto again = decode_message(*bytes);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->message.payloads.front().type, PT::Notify);
  EXPECT_TRUE(validate(again->message, {}).has_value());
}

TEST(PayloadRules, R7296_22_SendOrderPutsCookieFirstAndNatDetectionAfterNonce) {
  auto m = decode_message(hex(test::kSaInitRequestHex));
  ASSERT_TRUE(m.has_value());
  std::vector<Payload> payloads = m->message.payloads;
  std::reverse(payloads.begin(), payloads.end());
  const std::uint8_t cookie[] = {1, 2, 3};
  payloads.push_back(make_payload(make_cookie(cookie)));
  payloads.push_back(Payload{static_cast<PayloadType>(200), false, UnknownPayload{}});
  sort_for_send(ExchangeType::IkeSaInit, false, payloads);
  ASSERT_EQ(payloads.size(), 9U);
  EXPECT_EQ(payloads[0].get<NotifyPayload>()->type, NotifyType::Cookie);
  EXPECT_EQ(payloads[1].type, PT::SecurityAssociation);
  EXPECT_EQ(payloads[2].type, PT::KeyExchange);
  EXPECT_EQ(payloads[3].type, PT::Nonce);
  EXPECT_EQ(payloads[4].get<NotifyPayload>()->type, NotifyType::NatDetectionSourceIp);
  EXPECT_EQ(payloads[5].get<NotifyPayload>()->type, NotifyType::NatDetectionDestinationIp);
  // Other notifies keep their relative (reversed) order; unknown payloads go last.
  EXPECT_EQ(payloads[6].get<NotifyPayload>()->type, NotifyType::SignatureHashAlgorithms);
  EXPECT_EQ(payloads[7].get<NotifyPayload>()->type, NotifyType::RedirectSupported);
  EXPECT_EQ(static_cast<int>(payloads[8].type), 200);
}

TEST(PayloadRules, SendOrderIsStableOnBothSidesOfTheSmallMessageLimit) {
  // Up to 32 payloads are insertion-sorted in place, longer lists go through stable_sort:
  // both must put the COOKIE first and keep the vendor IDs in their given order.
  for (std::size_t vendor_ids : {3U, 31U, 40U}) {
    SCOPED_TRACE(vendor_ids);
    std::vector<Payload> payloads;
    for (std::size_t i = 0; i < vendor_ids; ++i) {
      payloads.push_back(make_payload(VendorIdPayload{{static_cast<std::uint8_t>(i)}}));
    }
    const std::uint8_t cookie[] = {1, 2, 3};
    payloads.push_back(make_payload(make_cookie(cookie)));
    sort_for_send(ExchangeType::IkeSaInit, false, payloads);
    ASSERT_EQ(payloads.size(), vendor_ids + 1);
    EXPECT_EQ(payloads[0].get<NotifyPayload>()->type, NotifyType::Cookie);
    for (std::size_t i = 0; i < vendor_ids; ++i) {
      ASSERT_EQ(payloads[i + 1].type, PT::VendorId);
      EXPECT_EQ(payloads[i + 1].get<VendorIdPayload>()->data.at(0), i);
    }
  }
}

TEST(PayloadRules, SendOrderForIkeAuthRequest) {
  auto inner = decode_inner_payloads(PT::IdInitiator, hex(test::kIkeAuthRequestInnerHex));
  ASSERT_TRUE(inner.has_value());
  std::vector<Payload> payloads = inner->payloads;
  std::reverse(payloads.begin(), payloads.end());
  sort_for_send(ExchangeType::IkeAuth, false, payloads);
  EXPECT_EQ(payloads, inner->payloads);  // the vector is already in RFC order
}

TEST(PayloadRules, TablesExistForEveryPhaseAndDirection) {
  for (auto x : {ExchangeType::IkeSaInit, ExchangeType::IkeAuth, ExchangeType::CreateChildSa,
                 ExchangeType::Informational}) {
    for (bool response : {false, true}) {
      const MessageRule* r = find_rule(x, response);
      ASSERT_NE(r, nullptr);
      EXPECT_EQ(r->encrypted, x != ExchangeType::IkeSaInit);
      for (const auto& pr : r->rules) {
        EXPECT_EQ(pr.encrypted, r->encrypted);
        EXPECT_LE(pr.min, pr.max);
      }
    }
  }
  EXPECT_EQ(find_rule(static_cast<ExchangeType>(33), false), nullptr);
}

TEST(PayloadRules, Names) {
  EXPECT_EQ(to_string(RuleErrc::MustBeEncrypted), "must_be_encrypted");
  EXPECT_EQ(to_string(RuleErrc::TooManyOccurrences), "too_many_occurrences");
  EXPECT_EQ(to_string(RuleErrc::MissingPayload), "missing_payload");
}

}  // namespace
}  // namespace ike::wire
