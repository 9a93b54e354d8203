#include "ike/wire/sk_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(SkPayload, BodyIsOpaque) {
  const auto body = hex("5051525354555657 60616263 70717273");
  auto sk = SkPayload::decode(PayloadType::IdInitiator, body);
  ASSERT_TRUE(sk.has_value());
  EXPECT_EQ(sk->inner_first, PayloadType::IdInitiator);
  EXPECT_EQ(sk->data.size(), body.size());
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  ASSERT_TRUE(sk->encode(w).has_value());
  EXPECT_EQ(out, body);
}

TEST(SkPayload, R7296_34_AnyPadLengthThatFitsIsAccepted) {
  auto p = strip_sk_padding(hex("2900000800004000 00"));  // pad length 0
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->size(), 8U);
  p = strip_sk_padding(hex("2900000800004000 0102030405060707"));  // 7 octets + length 7
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->size(), 8U);
  std::vector<std::uint8_t> all_padding(256, 0xff);
  all_padding.back() = 255;
  p = strip_sk_padding(all_padding);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->empty());
}

TEST(SkPayload, PadLengthBeyondPlaintextRejected) {
  EXPECT_EQ(strip_sk_padding(hex("0102 05")).error(),
            (ParseError{ParseErrc::SkPadLengthOverrun, 2, 46}));
  EXPECT_EQ(strip_sk_padding({}).error(), (ParseError{ParseErrc::Truncated, 0, 46}));
}

}  // namespace
}  // namespace ike::wire
