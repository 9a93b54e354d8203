#include "ike/base/byte_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "ike/base/byte_writer.h"

namespace {

TEST(ByteReader, ReadsNetworkOrder) {
  const std::vector<std::uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                           0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  base::ByteReader r(bytes);
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  ASSERT_TRUE(r.read_u8(u8));
  ASSERT_TRUE(r.read_u16(u16));
  ASSERT_TRUE(r.read_u32(u32));
  ASSERT_TRUE(r.read_u64(u64));
  EXPECT_EQ(u8, 0x01);
  EXPECT_EQ(u16, 0x0203);
  EXPECT_EQ(u32, 0x04050607U);
  EXPECT_EQ(u64, 0x08090a0b0c0d0e0fULL);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ShortReadFailsAndDoesNotAdvance) {
  const std::vector<std::uint8_t> bytes = {0xaa, 0xbb, 0xcc};
  base::ByteReader r(bytes);
  std::uint32_t u32 = 0;
  EXPECT_FALSE(r.read_u32(u32));
  EXPECT_EQ(r.offset(), 0U);
  std::uint64_t u64 = 0;
  EXPECT_FALSE(r.read_u64(u64));
  std::array<std::uint8_t, 4> buf{};
  EXPECT_FALSE(r.read_bytes(buf));
  EXPECT_FALSE(r.skip(4));
  std::span<const std::uint8_t> s;
  EXPECT_FALSE(r.read_span(4, s));
  ASSERT_TRUE(r.read_span(3, s));
  EXPECT_EQ(s.size(), 3U);
  std::uint8_t u8 = 0;
  EXPECT_FALSE(r.read_u8(u8));
  EXPECT_FALSE(r.peek_u8(u8));
}

TEST(ByteWriter, RoundTripsThroughReaderAndPatches) {
  std::vector<std::uint8_t> out;
  base::ByteWriter w(out);
  w.write_u8(7);
  w.write_u16(0);
  w.write_u32(0xdeadbeef);
  w.write_u64(0x0102030405060708ULL);
  w.write_zeros(2);
  w.patch_u16(1, 0xbeef);
  ASSERT_EQ(out.size(), 17U);
  base::ByteReader r(out);
  std::uint8_t a = 0;
  std::uint16_t b = 0;
  std::uint32_t c = 0;
  std::uint64_t d = 0;
  ASSERT_TRUE(r.read_u8(a) && r.read_u16(b) && r.read_u32(c) && r.read_u64(d));
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 0xbeef);
  EXPECT_EQ(c, 0xdeadbeefU);
  EXPECT_EQ(d, 0x0102030405060708ULL);
  EXPECT_EQ(r.remaining(), 2U);
}

}  // namespace
