#include "ike/base/enum_names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace demo {

enum class Phase : std::uint8_t {
  Created,          // comments inside the list are fine
  InitRequestSent,  // PascalCase -> snake_case
  Sha2_256,
  EcdsaP256,
  HTTPServer,
  PadN,
};
MIP6_ENUM_NAMES(Phase, Created,  // listed once, in any order
                InitRequestSent, Sha2_256, EcdsaP256, HTTPServer, PadN);

enum class Sparse : std::uint16_t { NoProposalChosen = 14, Redirect = 16407, Cookie = 16390 };
MIP6_ENUM_NAMES(Sparse, NoProposalChosen, Redirect, Cookie);

enum class Counter : std::uint8_t { DatagramsIn, DroppedNoSa, kCount };
MIP6_COUNTER_NAMES(Counter, DatagramsIn, DroppedNoSa);

}  // namespace demo

namespace {

TEST(EnumNames, EnumeratorsBecomeSnakeCase) {
  EXPECT_EQ(to_string(demo::Phase::Created), "created");
  EXPECT_EQ(to_string(demo::Phase::InitRequestSent), "init_request_sent");
  EXPECT_EQ(to_string(demo::Phase::Sha2_256), "sha2_256");
  EXPECT_EQ(to_string(demo::Phase::EcdsaP256), "ecdsa_p256");
  EXPECT_EQ(to_string(demo::Phase::HTTPServer), "http_server");
  EXPECT_EQ(to_string(demo::Phase::PadN), "pad_n");
}

TEST(EnumNames, SparseValuesAndUnknownValues) {
  EXPECT_EQ(to_string(demo::Sparse::Redirect), "redirect");
  EXPECT_EQ(to_string(demo::Sparse::NoProposalChosen), "no_proposal_chosen");
  EXPECT_EQ(to_string(static_cast<demo::Sparse>(99)), "unknown");  // a wire value we do not know
  EXPECT_EQ(to_string(static_cast<demo::Phase>(200)), "unknown");
}

TEST(EnumNames, CountersAreIndexedDirectly) {
  EXPECT_EQ(to_string(demo::Counter::DroppedNoSa), "dropped_no_sa");
  EXPECT_EQ(base::enum_values<demo::Counter>().size(), 2U);
  static_assert(base::enum_name(demo::Counter::DatagramsIn) == "datagrams_in");  // compile time
}

TEST(EnumNames, ValuesListedInOrder) {
  const auto values = base::enum_values<demo::Sparse>();
  ASSERT_EQ(values.size(), 3U);
  EXPECT_EQ(values[2], demo::Sparse::Cookie);
}

}  // namespace
