#include "ike/wire/vendor_id_payload.h"

#include <gtest/gtest.h>

#include "tests/ike/wire/test_util.h"

namespace ike::wire {
namespace {

using test::hex;

TEST(VendorIdPayload, OpaqueRoundTrip) {
  const auto body = hex("11223344");  // iked vendor_pld
  auto v = VendorIdPayload::decode(body);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(base::to_hex(v->data), "11223344");
  test::expect_body_round_trip<VendorIdPayload>(body);
  // No fixed part: every prefix, even empty, is a valid vendor ID.
  for (std::size_t len = 0; len <= body.size(); ++len) {
    EXPECT_EQ(VendorIdPayload::decode(std::span(body).first(len))->data.size(), len);
  }
}

}  // namespace
}  // namespace ike::wire
