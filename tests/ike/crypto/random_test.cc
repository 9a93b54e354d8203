#include "ike/crypto/random.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
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

TEST(OpenSslRandom, ShortDrawsAcrossManyBlocksNeverRepeat) {
  // Short draws are served from a per-thread block of DRBG output; 3000 SPIs span a dozen
  // refills, and any octet handed out twice would show up as a repeated value.
  ike::crypto::OpenSslRandom rng;
  std::set<std::vector<std::uint8_t>> seen;
  for (int i = 0; i < 3000; ++i) {
    EXPECT_TRUE(seen.insert(rng.bytes(i % 3 == 0 ? 4 : 8)).second) << i;
  }
  const std::vector<std::uint8_t> large = rng.bytes(4096);  // bypasses the block
  EXPECT_NE(std::vector<std::uint8_t>(large.begin(), large.begin() + 8),
            std::vector<std::uint8_t>(large.end() - 8, large.end()));
}

TEST(OpenSslRandom, ForkedChildDoesNotReplayTheParentsBufferedOctets) {
  ike::crypto::OpenSslRandom rng;
  (void)rng.bytes(8);  // the block now holds unspent octets the child inherits
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::vector<std::uint8_t> child = rng.bytes(32);
    const bool written = write(fds[1], child.data(), child.size()) == 32;
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  const std::vector<std::uint8_t> parent = rng.bytes(32);
  std::vector<std::uint8_t> child(32);
  ASSERT_EQ(read(fds[0], child.data(), child.size()), 32);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(parent, child);  // without the atfork discard both would be the same octets
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
