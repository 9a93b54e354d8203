// The .hex files under tests/vectors/ are the reference vectors (and fuzz seeds); the tests use
// copies embedded in wire_vectors.h. This keeps the two from drifting apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "tests/mip6/wire/wire_test_util.h"
#include "tests/mip6/wire/wire_vectors.h"

namespace mip6::wire {
namespace {

// From the build system, not __FILE__: a compiler cache may make __FILE__ relative to the
// build directory, and the comparison must not quietly skip then.
std::filesystem::path vectors_dir() {
  return MIP6_TEST_VECTORS_DIR;
}

TEST(VectorFiles, MatchEmbedded) {
  const auto dir = vectors_dir();
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::set<std::string> embedded;
  for (const auto& v : test::kAllVectors) {
    SCOPED_TRACE(v.file);
    embedded.insert(std::string(v.file));
    std::ifstream in(dir / (std::string(v.file) + ".hex"));
    ASSERT_TRUE(in.good());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The header comment names where the vector comes from (STYLE B5).
    EXPECT_TRUE(text.starts_with("# ")) << "missing source header";
    EXPECT_EQ(test::hex(text), test::hex(v.hex));
  }
  // Every wire vector file is embedded (other codecs may add their own files later).
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().stem().string();
    if (entry.path().extension() == ".hex" &&
        (name.starts_with("mh_") || name.starts_with("ipv6_") || name.starts_with("icmpv6_"))) {
      EXPECT_TRUE(embedded.count(name) == 1) << name << " is not in wire_vectors.h";
    }
  }
}

}  // namespace
}  // namespace mip6::wire
