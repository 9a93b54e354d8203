#include "ike/wire/delete_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(DeletePayload, R7296_55_DecodesEspAndIkeDeletes) {
  // iked delete_pld ESP part: two 4-octet SPIs.
  const auto esp = hex("03 04 0002  aabbccdd eeff0011");
  auto d = DeletePayload::decode(esp);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->protocol, ProtocolId::Esp);
  EXPECT_EQ(d->spis32(), (std::vector<std::uint32_t>{0xaabbccdd, 0xeeff0011}));
  test::expect_body_round_trip<DeletePayload>(esp);

  const auto ike = hex("01 00 0000");
  auto i = DeletePayload::decode(ike);
  ASSERT_TRUE(i.has_value());
  EXPECT_EQ(*i, DeletePayload::make_ike());
  EXPECT_TRUE(i->spis32().empty());
  test::expect_body_round_trip<DeletePayload>(ike);

  const std::uint32_t spis[] = {0xaabbccdd, 0xeeff0011};
  EXPECT_EQ(DeletePayload::make_child(ProtocolId::Esp, spis), *d);
}

TEST(DeletePayload, EveryPrefixFailsWithExactError) {
  const auto esp = hex("03 04 0002  aabbccdd eeff0011");
  test::expect_every_prefix(
      esp, {{4, ParseErrc::Truncated, 0}, {12, ParseErrc::DeleteSpiCountMismatch, 2}},
      [](std::span<const std::uint8_t> s) { return DeletePayload::decode(s); });
}

TEST(DeletePayload, CountAndSizeMustMatch) {
  EXPECT_EQ(DeletePayload::decode(hex("03 04 0001 aabbccdd 00")).error(),
            (ParseError{ParseErrc::DeleteSpiCountMismatch, 2, 0}));
  EXPECT_EQ(DeletePayload::decode(hex("01 00 0003")).error().code,
            ParseErrc::DeleteSpiCountMismatch);  // SPI size 0 with a count
  EXPECT_EQ(DeletePayload::decode(hex("03 04 ffff aabbccdd")).error().code,
            ParseErrc::DeleteSpiCountMismatch);
}

TEST(DeletePayload, EncodeRejectsSpiOfWrongSize) {
  DeletePayload d;
  d.protocol = ProtocolId::Esp;
  d.spi_size = 4;
  d.spis.push_back({1, 2, 3});
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  EXPECT_FALSE(d.encode(w).has_value());
}

}  // namespace
}  // namespace ike::wire
