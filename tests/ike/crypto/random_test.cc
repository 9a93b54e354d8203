#include "ike/crypto/random.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/deterministic_random.h"

namespace {

TEST(OpenSslRandom, FillsAndDoesNotRepeat) {
  ike::crypto::OpenSslRandom rng;
  const std::vector<std::uint8_t> a = rng.bytes(32);
  const std::vector<std::uint8_t> b = rng.bytes(32);
  ASSERT_EQ(a.size(), 32U);
  EXPECT_NE(a, b);  // 2^-256 false failure
  EXPECT_NE(a, std::vector<std::uint8_t>(32, 0));
  EXPECT_EQ(ike::crypto::default_random().secret(48).size(), 48U);
  EXPECT_TRUE(rng.bytes(0).empty());
}

TEST(DeterministicRandom, SameSeedSameStreamWhateverTheChunking) {
  test::DeterministicRandom a(1234);
  test::DeterministicRandom b(1234);
  test::DeterministicRandom c(1235);
  const std::vector<std::uint8_t> whole = a.bytes(37);
  std::vector<std::uint8_t> pieces = b.bytes(5);
  for (std::size_t n : {3, 8, 1, 20}) {
    const std::vector<std::uint8_t> more = b.bytes(n);
    pieces.insert(pieces.end(), more.begin(), more.end());
  }
  EXPECT_EQ(whole, pieces);
  EXPECT_NE(whole, c.bytes(37));
  EXPECT_EQ(a.bytes_produced(), 37U);
}

}  // namespace
