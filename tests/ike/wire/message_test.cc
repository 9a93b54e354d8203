#include "ike/wire/message.h"

#include <gtest/gtest.h>

#include "ike/wire/rules.h"
#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

void set_length(std::vector<std::uint8_t>& msg) {
  const auto n = static_cast<std::uint32_t>(msg.size());
  msg[24] = static_cast<std::uint8_t>(n >> 24);
  msg[25] = static_cast<std::uint8_t>(n >> 16);
  msg[26] = static_cast<std::uint8_t>(n >> 8);
  msg[27] = static_cast<std::uint8_t>(n);
}

// Decoding through a copy whose header Length is fixed up to the prefix size, so truncation
// reaches the payload chain instead of stopping at the header check.
ParseResult<bool> decode_with_fixed_length(std::span<const std::uint8_t> prefix) {
  std::vector<std::uint8_t> copy(prefix.begin(), prefix.end());
  if (copy.size() >= kHeaderSize) {
    set_length(copy);
  }
  auto m = decode_message(copy);
  if (!m) {
    return tl::unexpected(m.error());
  }
  return true;
}

void expect_message_round_trip(const std::vector<std::uint8_t>& msg) {
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value()) << to_string(m.error().code) << " at " << m.error().offset;
  auto out = encode_message(m->message);
  ASSERT_TRUE(out.has_value()) << to_string(out.error().code);
  EXPECT_EQ(base::to_hex(*out), base::to_hex(msg));
}

TEST(IkeMessage, DecodesRealIkedSaInitRequest) {
  const auto msg = hex(test::kIkedSaInitRequestHex);
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value()) << to_string(m.error().code) << " at " << m.error().offset;
  const auto& p = m->message.payloads;
  ASSERT_EQ(p.size(), 5U);
  EXPECT_FALSE(m->sk.has_value());

  const auto* sa = p[0].get<SaPayload>();
  ASSERT_NE(sa, nullptr);
  ASSERT_EQ(sa->proposals.size(), 1U);
  const Proposal& prop = sa->proposals[0];
  EXPECT_EQ(prop.protocol, ProtocolId::Ike);
  EXPECT_TRUE(prop.spi.empty());
  ASSERT_EQ(prop.transforms.size(), 6U);
  const Transform* encr = prop.find(TransformType::Encr);
  ASSERT_NE(encr, nullptr);
  EXPECT_EQ(static_cast<EncrId>(encr->id), EncrId::AesCbc);
  EXPECT_EQ(encr->key_length(), 192);
  EXPECT_EQ(static_cast<DhGroup>(prop.find(TransformType::Dh)->id), DhGroup::Modp2048);
  EXPECT_EQ(static_cast<IntegId>(prop.find(TransformType::Integ)->id),
            IntegId::HmacSha2_256_128);

  const auto* ke = p[1].get<KePayload>();
  ASSERT_NE(ke, nullptr);
  EXPECT_EQ(ke->dh_group, 14);
  EXPECT_EQ(ke->data.size(), 256U);
  EXPECT_EQ(p[2].get<NoncePayload>()->data.size(), 32U);
  EXPECT_EQ(p[3].get<NotifyPayload>()->type, NotifyType::NatDetectionSourceIp);
  EXPECT_EQ(p[4].get<NotifyPayload>()->type, NotifyType::NatDetectionDestinationIp);
  auto natd = decode_nat_detection(*p[4].get<NotifyPayload>());
  ASSERT_TRUE(natd.has_value());
  EXPECT_EQ(natd->size(), kNatDetectionHashSize);

  // Raw links point into the datagram for AUTH's RealMessage and IDx' computations.
  ASSERT_EQ(m->raw.size(), 5U);
  EXPECT_EQ(m->raw[0].offset, 28U);
  EXPECT_EQ(m->raw[1].offset, 92U);
  EXPECT_EQ(m->raw[2].offset, 356U);
  EXPECT_EQ(m->raw[2].body.data(), msg.data() + 360);
  EXPECT_TRUE(validate(m->message, {}).has_value());
}

TEST(IkeMessage, RoundTripsEveryVectorByteExact) {
  expect_message_round_trip(hex(test::kIkedSaInitRequestHex));
  expect_message_round_trip(hex(test::kSaInitRequestHex));
  expect_message_round_trip(hex(test::kSaInitResponseHex));
  expect_message_round_trip(hex(test::kRedirectResponseHex));
  expect_message_round_trip(hex(test::kCookieResponseHex));
  expect_message_round_trip(hex(test::kIkeAuthRequestHex));
}

TEST(IkeMessage, DecodesOurSaInitRequest) {
  const auto msg = hex(test::kSaInitRequestHex);
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value());
  const auto& p = m->message.payloads;
  const auto* sa = p[0].get<SaPayload>();
  ASSERT_EQ(sa->proposals.size(), 2U);
  EXPECT_EQ(sa->proposals[1].number, 2);
  EXPECT_EQ(sa->proposals[1].find(TransformType::Integ), nullptr);  // AEAD: no INTEG
  EXPECT_EQ(sa->proposals[1].find(TransformType::Encr)->key_length(), 256);
  EXPECT_NE(find_notify(p, NotifyType::RedirectSupported), nullptr);  // R5685-01
  auto algs = decode_signature_hash_algorithms(
      *find_notify(p, NotifyType::SignatureHashAlgorithms));
  ASSERT_TRUE(algs.has_value());
  EXPECT_EQ(*algs, (std::vector<std::uint16_t>{2, 3, 4}));
}

TEST(IkeMessage, R5685_04_RedirectResponseCarriesGatewayAndNiCopy) {
  const auto req = decode_message(hex(test::kSaInitRequestHex));
  const auto msg = hex(test::kRedirectResponseHex);
  auto m = decode_message(msg);
  ASSERT_TRUE(req.has_value());
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->message.header.spi_r.is_zero());
  const auto* n = find_notify(m->message.payloads, NotifyType::Redirect);
  ASSERT_NE(n, nullptr);
  auto info = decode_redirect(*n);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->gateway.ipv6_addr(), base::Ip6Addr::parse("2001:db8::1"));
  // R5685-05: the client compares this with the Ni it sent.
  EXPECT_EQ(info->nonce, find_first<NoncePayload>(req->message.payloads)->data);
}

TEST(IkeMessage, R7296_35_SkLocationGivesAadAndBody) {
  const auto msg = hex(test::kIkeAuthRequestHex);
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value());
  ASSERT_TRUE(m->sk.has_value());
  EXPECT_EQ(m->sk->payload_offset, 28U);
  EXPECT_EQ(m->sk->body_offset, 32U);
  EXPECT_EQ(m->sk->body_length, 104U);
  EXPECT_EQ(m->sk->inner_first, PayloadType::IdInitiator);
  // AAD = IKE header through the SK generic header.
  EXPECT_EQ(base::to_hex(m->sk->aad(msg)), base::to_hex(std::span(msg).first(32)));
  EXPECT_EQ(m->sk->body(std::span<const std::uint8_t>(msg)).size(), 104U);
  const auto* sk = m->message.payloads.back().get<SkPayload>();
  ASSERT_NE(sk, nullptr);
  EXPECT_EQ(sk->inner_first, PayloadType::IdInitiator);
  EXPECT_EQ(sk->data.size(), 104U);

  auto again = encode_message(m->message);
  ASSERT_TRUE(again.has_value());
  auto loc = locate_sk(*again);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(*loc, m->sk);
}

TEST(IkeMessage, DecodesIkeAuthInnerPayloads) {
  const auto inner = hex(test::kIkeAuthRequestInnerHex);
  auto d = decode_inner_payloads(PayloadType::IdInitiator, inner);
  ASSERT_TRUE(d.has_value()) << to_string(d.error().code) << " at " << d.error().offset;
  const auto& p = d->payloads;
  ASSERT_EQ(p.size(), 7U);
  EXPECT_EQ(p[0].type, PayloadType::IdInitiator);
  EXPECT_EQ(p[0].get<IdPayload>()->text(), "mn1@example.com");
  EXPECT_EQ(p[1].get<AuthPayload>()->method, AuthMethod::SharedKeyMic);
  const auto* cp = p[2].get<CpPayload>();
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(cp->cfg_type, CfgType::Request);
  ASSERT_NE(cp->find(CpAttrType::InternalIp6Address), nullptr);
  ASSERT_NE(cp->find(CpAttrType::Mip6HomePrefix), nullptr);
  EXPECT_EQ(p[3].get<NotifyPayload>()->type, NotifyType::UseTransportMode);
  EXPECT_EQ(p[4].get<SaPayload>()->proposals[0].spi32(), 0xc0ffee01U);
  using MhRange = std::pair<std::uint8_t, std::uint8_t>;
  EXPECT_EQ(p[5].get<TsPayload>()->selectors[0].mh_type_range(), MhRange(5, 5));
  EXPECT_EQ(p[6].get<TsPayload>()->selectors[0].mh_type_range(), MhRange(6, 6));
  // The raw IDi body is what AUTH signs (IDi', RFC 7296 2.15).
  EXPECT_EQ(d->raw[0].body.size(), 19U);
  EXPECT_EQ(d->raw[0].body.data(), inner.data() + 4);

  auto out = encode_inner_payloads(p);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->first, PayloadType::IdInitiator);
  EXPECT_EQ(base::to_hex(out->bytes), base::to_hex(inner));

  auto outer = decode_message(hex(test::kIkeAuthRequestHex));
  ASSERT_TRUE(outer.has_value());
  EXPECT_TRUE(validate(outer->message, p).has_value());
}

TEST(IkeMessage, InnerPayloadsAfterPaddingStrip) {
  auto plaintext = hex(test::kIkeAuthResponseInnerHex);
  plaintext.insert(plaintext.end(), {0xaa, 0xbb, 0xcc, 3});  // 3 octets of padding + length
  auto payloads = strip_sk_padding(plaintext);
  ASSERT_TRUE(payloads.has_value());
  auto d = decode_inner_payloads(PayloadType::IdResponder, *payloads);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->payloads.size(), 7U);
  EXPECT_EQ(d->payloads[0].get<IdPayload>()->text(), "ha.example.com");
}

TEST(IkeMessage, EveryPrefixOfChainFailsWithExactError) {
  const auto msg = hex(test::kIkedSaInitRequestHex);
  // Payloads start at 28 (SA 64), 92 (KE 264), 356 (Ni 36), 392 (N 28), 420 (N 28).
  std::vector<test::Cut> cuts = {{kHeaderSize, ParseErrc::Truncated, 0}};
  for (auto [start, len] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{
           {28, 64}, {92, 264}, {356, 36}, {392, 28}, {420, 28}}) {
    cuts.push_back({start + 4, ParseErrc::Truncated, start});
    cuts.push_back({start + len, ParseErrc::PayloadLengthOverrun, start});
  }
  test::expect_every_prefix(msg, cuts, decode_with_fixed_length);
  // The failing payload's type travels with the error.
  std::vector<std::uint8_t> cut(msg.begin(), msg.begin() + 100);
  set_length(cut);
  EXPECT_EQ(decode_message(cut).error(),
            (ParseError{ParseErrc::PayloadLengthOverrun, 92, 34}));
}

TEST(IkeMessage, OverlongAndShortPayloadLengths) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[30] = 0xff;
  msg[31] = 0xff;
  EXPECT_EQ(decode_message(msg).error(), (ParseError{ParseErrc::PayloadLengthOverrun, 28, 33}));
  msg[30] = 0;
  msg[31] = 3;
  EXPECT_EQ(decode_message(msg).error(), (ParseError{ParseErrc::PayloadLengthTooShort, 28, 33}));
  // A length that is short but sane shifts the chain: SA now ends inside its own proposal.
  msg[31] = 0x20;
  EXPECT_FALSE(decode_message(msg).has_value());
}

TEST(IkeMessage, TypedErrorsCarryMessageOffsetsAndPayloadType) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  // Ni payload (offset 356) shortened to 8 octets of nonce, the rest becomes trailing data.
  msg[358] = 0;
  msg[359] = 12;
  EXPECT_EQ(decode_message(msg).error().code, ParseErrc::PayloadLengthOverrun);
  // Rebuild: drop 24 nonce octets so the chain stays consistent.
  msg.erase(msg.begin() + 368, msg.begin() + 392);
  set_length(msg);
  EXPECT_EQ(decode_message(msg).error(), (ParseError{ParseErrc::NonceBadLength, 360, 40}));
}

// Unknown payload type 200 with `flags`, inserted between Ni and the first notify.
std::vector<std::uint8_t> with_unknown_payload(std::uint8_t flags) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[356] = 200;  // Ni's Next Payload
  const std::vector<std::uint8_t> unknown = {41, flags, 0, 8, 0xab, 0xcd, 0xef, 0x01};
  msg.insert(msg.begin() + 392, unknown.begin(), unknown.end());
  set_length(msg);
  return msg;
}

TEST(IkeMessage, R7296_08_UnknownNonCriticalPayloadSkippedButKept) {
  const auto msg = with_unknown_payload(0);
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value()) << to_string(m.error().code);
  ASSERT_EQ(m->message.payloads.size(), 6U);
  const Payload& u = m->message.payloads[3];
  EXPECT_EQ(static_cast<int>(u.type), 200);
  EXPECT_FALSE(u.critical);
  ASSERT_NE(u.get<UnknownPayload>(), nullptr);
  EXPECT_EQ(base::to_hex(u.get<UnknownPayload>()->body), "abcdef01");
  EXPECT_TRUE(validate(m->message, {}).has_value());  // rules ignore it
  expect_message_round_trip(msg);
}

TEST(IkeMessage, R7296_08_UnknownCriticalPayloadRejectsMessageWithItsType) {
  const auto msg = with_unknown_payload(kCriticalBit);
  auto m = decode_message(msg);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error(), (ParseError{ParseErrc::UnsupportedCriticalPayload, 392, 200}));
  // The engine's answer: N(UNSUPPORTED_CRITICAL_PAYLOAD) with the 1-octet type.
  const NotifyPayload n = make_unsupported_critical_payload(m.error().payload_type);
  EXPECT_EQ(base::to_hex(n.data), "c8");
}

TEST(IkeMessage, R7296_09_CriticalBitOnKnownPayloadIsIgnoredAndKept) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[357] = kCriticalBit;  // Ni
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->message.payloads[2].critical);
  expect_message_round_trip(msg);
}

TEST(IkeMessage, R7296_10_EncryptedPayloadMustBeLast) {
  auto msg = hex(test::kIkeAuthRequestHex);
  const std::vector<std::uint8_t> extra = {0, 0, 0, 8, 0, 0, 0x40, 0x00};
  msg.insert(msg.end(), extra.begin(), extra.end());
  set_length(msg);
  EXPECT_EQ(decode_message(msg).error(), (ParseError{ParseErrc::EncryptedNotLast, 136, 46}));
}

TEST(IkeMessage, R7296_10_NestedEncryptedPayloadRejected) {
  // Inner chain: N(INITIAL_CONTACT) then an SK payload.
  const auto inner = hex("2e000008 00004000  00000008 01020304");
  auto d = decode_inner_payloads(PayloadType::Notify, inner);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error(), (ParseError{ParseErrc::NestedEncrypted, 8, 46}));
}

TEST(IkeMessage, TrailingBytesAfterLastPayload) {
  auto msg = hex(test::kCookieResponseHex);
  msg.insert(msg.end(), {1, 2, 3});
  set_length(msg);
  EXPECT_EQ(decode_message(msg).error(), (ParseError{ParseErrc::TrailingData, 52, 0}));
}

TEST(IkeMessage, PayloadCountIsBounded) {
  Message m;
  m.header.exchange = ExchangeType::Informational;
  for (std::size_t i = 0; i < kMaxPayloads; ++i) {
    m.payloads.push_back(make_payload(VendorIdPayload{}));
  }
  auto ok = encode_message(m);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(decode_message(*ok).has_value());
  m.payloads.push_back(make_payload(VendorIdPayload{}));
  auto too_many = encode_message(m);
  ASSERT_TRUE(too_many.has_value());
  EXPECT_EQ(decode_message(*too_many).error(),
            (ParseError{ParseErrc::TooManyPayloads,
                        static_cast<std::uint32_t>(kHeaderSize + 4 * kMaxPayloads), 43}));
}

TEST(IkeMessage, EmptySkIsAValidInformational) {
  Message m;
  m.header.spi_i = Spi(1);
  m.header.spi_r = Spi(2);
  m.header.exchange = ExchangeType::Informational;
  m.header.message_id = MessageId(7);
  SkPayload sk;
  sk.data.assign(24, 0);  // IV 8 + ICV 16 around an empty plaintext
  m.payloads.push_back(make_payload(std::move(sk)));
  auto bytes = encode_message(m);
  ASSERT_TRUE(bytes.has_value());
  auto d = decode_message(*bytes);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->sk->inner_first, PayloadType::NoNext);
  auto inner = decode_inner_payloads(PayloadType::NoNext, {});
  ASSERT_TRUE(inner.has_value());
  EXPECT_TRUE(inner->payloads.empty());
  EXPECT_TRUE(validate(d->message, inner->payloads).has_value());  // R7296-46
}

TEST(IkeMessage, EncodeComputesChainAndLengths) {
  Message m;
  m.header.spi_i = Spi(0x0102030405060708ULL);
  m.header.exchange = ExchangeType::IkeSaInit;
  m.header.response = true;
  m.header.next_payload = PayloadType::Eap;  // ignored: computed from the payloads
  m.header.length = 9999;                    // ignored
  const std::uint8_t cookie[4] = {1, 2, 3, 4};
  m.payloads.push_back(make_payload(make_cookie(cookie)));
  auto bytes = encode_message(m);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(base::to_hex(*bytes),
            "0102030405060708" "0000000000000000" "29202220" "00000000" "00000028"
            "0000000c" "00004006" "01020304");
}

TEST(IkeMessage, EncodeRejectsInconsistentMessages) {
  Message m;
  m.payloads.push_back(Payload{PayloadType::Nonce, false, PayloadBody(KePayload{})});
  EXPECT_EQ(encode_message(m).error(), (EncodeError{EncodeErrc::TypeMismatch, 40}));

  m.payloads.clear();
  m.payloads.push_back(make_payload(SkPayload{}));
  m.payloads.push_back(make_payload(make_notify(NotifyType::InitialContact)));
  EXPECT_EQ(encode_message(m).error(), (EncodeError{EncodeErrc::EncryptedNotLast, 46}));

  const std::vector<Payload> inner = {make_payload(SkPayload{})};
  EXPECT_EQ(encode_inner_payloads(inner).error(),
            (EncodeError{EncodeErrc::NestedEncrypted, 46}));

  m.payloads.clear();
  VendorIdPayload big;
  big.data.assign(70000, 0);
  m.payloads.push_back(make_payload(std::move(big)));
  EXPECT_EQ(encode_message(m).error(), (EncodeError{EncodeErrc::PayloadTooLong, 43}));

  m.payloads.clear();
  for (int i = 0; i < 2; ++i) {
    VendorIdPayload v;
    v.data.assign(40000, 0);
    m.payloads.push_back(make_payload(std::move(v)));
  }
  EXPECT_EQ(encode_message(m).error(), (EncodeError{EncodeErrc::MessageTooLong, 0}));

  m.payloads.clear();
  m.payloads.push_back(Payload{PayloadType::Notify, false, PayloadBody(UnknownPayload{})});
  EXPECT_EQ(encode_message(m).error().code, EncodeErrc::TypeMismatch);
}

TEST(IkeMessage, FragmentPayloadIsDeferredAsUnknownButStillLast) {
  // SKF (53) as the only payload: kept as an unknown payload.
  auto msg = hex(test::kCookieResponseHex);
  msg[16] = 53;
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value());
  EXPECT_NE(m->message.payloads[0].get<UnknownPayload>(), nullptr);
  EXPECT_FALSE(m->sk.has_value());
  msg.insert(msg.end(), {0, 0, 0, 4});
  set_length(msg);
  EXPECT_EQ(decode_message(msg).error().code, ParseErrc::EncryptedNotLast);
}

TEST(IkeMessage, HeaderOnlyMessageHasNoPayloads) {
  auto msg = hex(test::kCookieResponseHex);
  msg.resize(kHeaderSize);
  msg[16] = 0;
  set_length(msg);
  auto m = decode_message(msg);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->message.payloads.empty());
}

TEST(IkeMessage, LookupHelpers) {
  auto m = decode_message(hex(test::kSaInitResponseHex));
  ASSERT_TRUE(m.has_value());
  const auto& p = m->message.payloads;
  EXPECT_NE(find_first<CertReqPayload>(p), nullptr);
  EXPECT_EQ(find_first<AuthPayload>(p), nullptr);
  EXPECT_NE(m->message.find(PayloadType::KeyExchange), nullptr);
  EXPECT_EQ(m->message.find(PayloadType::IdInitiator), nullptr);
  EXPECT_EQ(find_notify(p, NotifyType::Cookie), nullptr);
}

}  // namespace
}  // namespace ike::wire
