#include "ike/wire/parse_error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ike/wire/payload_type.h"

namespace ike::wire {
namespace {

TEST(IkeParseError, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  const auto last = static_cast<int>(ParseErrc::WrongCpAttributeType);
  for (int i = 0; i <= last; ++i) {
    const auto name = to_string(static_cast<ParseErrc>(i));
    EXPECT_NE(name, "unknown") << i;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(last + 1));
  EXPECT_EQ(to_string(static_cast<ParseErrc>(last + 1)), "unknown");
}

TEST(IkeParseError, EveryEncodeCodeHasADistinctName) {
  std::set<std::string_view> names;
  const auto last = static_cast<int>(EncodeErrc::NestedEncrypted);
  for (int i = 0; i <= last; ++i) {
    names.insert(to_string(static_cast<EncodeErrc>(i)));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(last + 1));
  EXPECT_EQ(names.count("unknown-encode-error"), 0U);
}

TEST(IkeParseError, ShiftedRebasesOffsetsAndKeepsInnerType) {
  const ParseError inner{ParseErrc::Truncated, 3, 0};
  EXPECT_EQ(shifted(inner, 32, 41), (ParseError{ParseErrc::Truncated, 35, 41}));
  const ParseError typed{ParseErrc::GwIdentBadLength, 5, 41};
  EXPECT_EQ(shifted(typed, 10, 46).payload_type, 41);
}

TEST(IkePayloadType, Names) {
  EXPECT_EQ(to_string(PayloadType::SecurityAssociation), "security_association");
  EXPECT_EQ(to_string(PayloadType::Encrypted), "encrypted");
  EXPECT_EQ(to_string(PayloadType::EncryptedFragment), "encrypted_fragment");
  EXPECT_EQ(to_string(static_cast<PayloadType>(200)), "unknown");
  EXPECT_TRUE(is_known_payload_type(33));
  EXPECT_TRUE(is_known_payload_type(48));
  EXPECT_FALSE(is_known_payload_type(49));
  EXPECT_FALSE(is_known_payload_type(53));  // SKF deferred
  EXPECT_EQ(to_string(ProtocolId::Esp), "esp");
}

}  // namespace
}  // namespace ike::wire
