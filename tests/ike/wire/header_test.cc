#include "ike/wire/header.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(IkeHeader, DecodesIkedSaInitRequest) {
  const auto msg = hex(test::kIkedSaInitRequestHex);
  auto h = decode_header(msg);
  ASSERT_TRUE(h.has_value()) << to_string(h.error().code);
  EXPECT_EQ(h->spi_i, Spi(0xdeadbeefcafe0001ULL));
  EXPECT_TRUE(h->spi_r.is_zero());  // R7296-05: SPIr 0 in the first IKE_SA_INIT request
  EXPECT_EQ(h->next_payload, PayloadType::SecurityAssociation);
  EXPECT_EQ(h->major_version, 2);
  EXPECT_EQ(h->minor_version, 0);
  EXPECT_EQ(h->exchange, ExchangeType::IkeSaInit);
  EXPECT_TRUE(h->initiator);
  EXPECT_FALSE(h->response);
  EXPECT_FALSE(h->higher_version);
  EXPECT_EQ(h->message_id, MessageId(0));
  EXPECT_EQ(h->length, 448U);
  EXPECT_EQ(to_string(h->spi_i), "deadbeefcafe0001");
}

TEST(IkeHeader, RoundTripsByteExact) {
  const auto msg = hex(test::kSaInitResponseHex);
  auto h = decode_header(msg);
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->response);
  EXPECT_FALSE(h->initiator);
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  encode_header(*h, w);
  EXPECT_EQ(base::to_hex(out), base::to_hex(std::span(msg).first(kHeaderSize)));
}

TEST(IkeHeader, EveryPrefixFailsWithExactError) {
  const auto msg = hex(test::kIkedSaInitRequestHex);
  test::expect_every_prefix(msg,
                            {{kHeaderSize, ParseErrc::Truncated, 0},
                             {msg.size(), ParseErrc::MessageLengthMismatch, 24}},
                            [](std::span<const std::uint8_t> s) { return decode_header(s); });
}

TEST(IkeHeader, R7296_02_MajorVersionAbove2IsDistinctErrorAndFieldsStayReadable) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[17] = 0x30;
  auto h = decode_header(msg);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error(), (ParseError{ParseErrc::MajorVersionTooHigh, 17, 0}));
  // The engine answers INVALID_MAJOR_VERSION from the raw fields.
  auto fields = read_header_fields(msg);
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->major_version, 3);
  EXPECT_EQ(fields->spi_i, Spi(0xdeadbeefcafe0001ULL));
  EXPECT_EQ(fields->message_id, MessageId(0));
}

TEST(IkeHeader, MajorVersionBelow2IsDropped) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[17] = 0x10;  // IKEv1
  auto h = decode_header(msg);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().code, ParseErrc::MajorVersionTooLow);
}

TEST(IkeHeader, R7296_01_MinorVersionIgnoredOnReceipt) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[17] = 0x2f;
  auto h = decode_header(msg);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->minor_version, 15);
}

TEST(IkeHeader, R7296_04_ReservedFlagBitsIgnoredAndNotSent) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[19] = static_cast<std::uint8_t>(kFlagInitiator | 0x80 | 0x40 | 0x07);
  auto h = decode_header(msg);
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->initiator);
  EXPECT_FALSE(h->response);
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  encode_header(*h, w);
  EXPECT_EQ(out[19], kFlagInitiator);
}

TEST(IkeHeader, LengthFieldMustMatchDatagram) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg.push_back(0);  // one octet more than Length says
  auto h = decode_header(msg);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error(), (ParseError{ParseErrc::MessageLengthMismatch, 24, 0}));
  msg.pop_back();
  msg[27] = 0xff;  // Length 0x1ff: longer than the datagram
  EXPECT_EQ(decode_header(msg).error().code, ParseErrc::MessageLengthMismatch);
  msg[26] = 0;
  msg[27] = 27;  // shorter than the header itself
  EXPECT_EQ(decode_header(msg).error().code, ParseErrc::MessageLengthMismatch);
}

TEST(IkeHeader, UnknownExchangeTypeSurvivesDecoding) {
  auto msg = hex(test::kIkedSaInitRequestHex);
  msg[18] = 40;
  auto h = decode_header(msg);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(static_cast<int>(h->exchange), 40);
  EXPECT_EQ(to_string(h->exchange), "unknown");
}

TEST(IkeHeader, ExchangeNames) {
  EXPECT_EQ(to_string(ExchangeType::IkeSaInit), "ike_sa_init");
  EXPECT_EQ(to_string(ExchangeType::IkeAuth), "ike_auth");
  EXPECT_EQ(to_string(ExchangeType::CreateChildSa), "create_child_sa");
  EXPECT_EQ(to_string(ExchangeType::Informational), "informational");
}

TEST(IkeHeader, R7296_01_EncodesVersion20) {
  Header h;
  h.spi_i = Spi(1);
  h.exchange = ExchangeType::IkeAuth;
  h.message_id = MessageId(0x01020304);
  h.length = 28;
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  encode_header(h, w);
  EXPECT_EQ(base::to_hex(out),
            "0000000000000001"
            "0000000000000000"
            "00202300"
            "01020304"
            "0000001c");
}

}  // namespace
}  // namespace ike::wire
