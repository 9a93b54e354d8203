// BindingCache::has_binding_for_address(): the care-of address index the admission policy
// uses so that an IKE initiator already bound here is never redirected.
#include <gtest/gtest.h>

#include <vector>

#include "mip6/binding/binding_cache.h"
#include "tests/support/fake_clock.h"

namespace mip6::binding {
namespace {

using std::chrono::seconds;

base::Ip6Addr ip(const char* text) {
  return *base::Ip6Addr::parse(text);
}

base::Ip6Addr host(std::uint32_t n, std::uint8_t net) {
  base::Ip6Addr::Bytes b{0x20, 0x01, 0x0d, 0xb8, 0, net};
  b[12] = static_cast<std::uint8_t>(n >> 24);
  b[13] = static_cast<std::uint8_t>(n >> 16);
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return base::Ip6Addr(b);
}

class BindingCacheAddressIndex : public ::testing::Test {
 protected:
  BindingCacheAddressIndex()
      : cache_(BindingCache::Config{100000, seconds(30), seconds(10)}, clock_.now()) {}

  void commit(const base::Ip6Addr& hoa, const base::Ip6Addr& coa, std::uint16_t units = 10,
              std::uint16_t seq = 1) {
    BindingParams p;
    p.home_address = hoa;
    p.care_of_address = coa;
    p.sequence = BindingSequence{seq};
    p.lifetime_units = units;
    ASSERT_TRUE(cache_.commit(p, ReservationId{}, clock_.now()).has_value());
  }

  test::FakeClock clock_;
  BindingCache cache_;
};

TEST_F(BindingCacheAddressIndex, FindsHomeAndCareOfAddressesOfActiveBindings) {
  EXPECT_FALSE(cache_.has_binding_for_address(ip("2001:db8:2::1")));
  commit(ip("2001:db8:1::1"), ip("2001:db8:2::1"));
  EXPECT_TRUE(cache_.has_binding_for_address(ip("2001:db8:2::1")));
  EXPECT_TRUE(cache_.has_binding_for_address(ip("2001:db8:1::1")));
  EXPECT_FALSE(cache_.has_binding_for_address(ip("2001:db8:2::2")));
}

TEST_F(BindingCacheAddressIndex, MoveReindexesTheCareOfAddress) {
  commit(ip("2001:db8:1::1"), ip("2001:db8:2::1"));
  commit(ip("2001:db8:1::1"), ip("2001:db8:3::1"), 10, 2);
  EXPECT_FALSE(cache_.has_binding_for_address(ip("2001:db8:2::1")));
  EXPECT_TRUE(cache_.has_binding_for_address(ip("2001:db8:3::1")));
}

TEST_F(BindingCacheAddressIndex, SharedCareOfAddressStaysUntilItsLastBindingGoes) {
  commit(ip("2001:db8:1::1"), ip("2001:db8:2::1"));
  commit(ip("2001:db8:1::2"), ip("2001:db8:2::1"));
  ASSERT_TRUE(cache_.deregister(ip("2001:db8:1::1"), BindingSequence{2}, clock_.now()));
  EXPECT_TRUE(cache_.has_binding_for_address(ip("2001:db8:2::1")));
  // Held (de-registered) entries are not bindings.
  EXPECT_FALSE(cache_.has_binding_for_address(ip("2001:db8:1::1")));
  ASSERT_TRUE(cache_.remove(ip("2001:db8:1::2")));
  EXPECT_FALSE(cache_.has_binding_for_address(ip("2001:db8:2::1")));
  // Re-registration during the hold indexes the CoA again.
  commit(ip("2001:db8:1::1"), ip("2001:db8:4::1"), 10, 3);
  EXPECT_TRUE(cache_.has_binding_for_address(ip("2001:db8:4::1")));
}

TEST_F(BindingCacheAddressIndex, ExpiryRemovesFromTheIndex) {
  commit(ip("2001:db8:1::1"), ip("2001:db8:2::1"), 1);
  commit(ip("2001:db8:1::2"), ip("2001:db8:2::2"), 100);
  clock_.advance(seconds(5));
  std::vector<ExpiredBinding> out;
  EXPECT_EQ(cache_.expire(clock_.now(), out), 1U);
  EXPECT_FALSE(cache_.has_binding_for_address(ip("2001:db8:2::1")));
  EXPECT_TRUE(cache_.has_binding_for_address(ip("2001:db8:2::2")));
}

TEST_F(BindingCacheAddressIndex, ChurnKeepsIndexConsistent) {
  // Growth, backward-shift deletion and CoA moves across thousands of entries.
  constexpr std::uint32_t kN = 5000;
  for (std::uint32_t i = 0; i < kN; ++i) {
    commit(host(i, 1), host(i % 1000, 2));  // 5 bindings per CoA
  }
  for (std::uint32_t i = 0; i < kN; i += 2) {
    ASSERT_TRUE(cache_.remove(host(i, 1)));
  }
  for (std::uint32_t i = 1; i < kN; i += 4) {
    commit(host(i, 1), host(i, 3), 10, 2);  // move
  }
  for (std::uint32_t i = 0; i < kN; ++i) {
    const bool even_removed = i % 2 == 0;
    const bool moved = i % 4 == 1;
    EXPECT_EQ(cache_.has_binding_for_address(host(i, 1)), !even_removed) << i;
    EXPECT_EQ(cache_.has_binding_for_address(host(i, 3)), moved) << i;
  }
  // CoA host(c, 2) is still used by odd i with i % 1000 == c and i % 4 == 3.
  for (std::uint32_t c = 0; c < 1000; ++c) {
    bool expected = false;
    for (std::uint32_t i = c; i < kN; i += 1000) {
      expected = expected || i % 4 == 3;
    }
    EXPECT_EQ(cache_.has_binding_for_address(host(c, 2)), expected) << c;
  }
}

}  // namespace
}  // namespace mip6::binding
