#include "ike/wire/non_esp_marker.h"

#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(NonEspMarker, R7296_07_AddAndStripAroundAnIkeMessage) {
  const auto msg = hex(test::kIkedSaInitRequestHex);
  const auto datagram = add_non_esp_marker(msg);
  ASSERT_EQ(datagram.size(), msg.size() + 4);
  EXPECT_EQ(base::to_hex(std::span(datagram).first(4)), "00000000");
  auto stripped = strip_non_esp_marker(datagram);
  ASSERT_TRUE(stripped.has_value());
  EXPECT_EQ(base::to_hex(*stripped), base::to_hex(msg));
  // The marker is not part of the message: lengths still match after stripping.
  EXPECT_TRUE(decode_message(*stripped).has_value());
  // Left on, the marker shifts the header: SPIi octets land in the version field.
  EXPECT_EQ(decode_message(datagram).error().code, ParseErrc::MajorVersionTooLow);
}

TEST(NonEspMarker, ClassifiesEspAndKeepalive) {
  const auto esp = hex("c0ffee01 00000001 aabbccdd");
  auto c = classify_udp4500(esp);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->kind, Udp4500Kind::Esp);
  EXPECT_EQ(c->payload.size(), esp.size());
  EXPECT_EQ(strip_non_esp_marker(esp).error(),
            (ParseError{ParseErrc::MissingNonEspMarker, 0, 0}));

  const std::vector<std::uint8_t> keepalive = {0xff};
  c = classify_udp4500(keepalive);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->kind, Udp4500Kind::NatKeepalive);
  EXPECT_EQ(to_string(c->kind), "nat_keepalive");
}

TEST(NonEspMarker, ShortDatagramsAreTruncated) {
  for (auto text : {"", "00", "0000", "000000", "01"}) {
    EXPECT_EQ(classify_udp4500(hex(text)).error(), (ParseError{ParseErrc::Truncated, 0, 0}))
        << text;
  }
  auto empty_ike = classify_udp4500(hex("00000000"));
  ASSERT_TRUE(empty_ike.has_value());
  EXPECT_EQ(empty_ike->kind, Udp4500Kind::Ike);
  EXPECT_TRUE(empty_ike->payload.empty());
}

}  // namespace
}  // namespace ike::wire
