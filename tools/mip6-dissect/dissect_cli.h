#pragma once
// The mip6-dissect command line, as a function so that tests run it in process with string
// streams. main.cc only forwards argv and the standard streams.
#include <iosfwd>
#include <span>
#include <string>

namespace mip6::dissect {

// Exit statuses (also printed by --help).
inline constexpr int kExitOk = 0;          // every packet dissected or skipped
inline constexpr int kExitMalformed = 1;   // at least one packet/line/frame was malformed
inline constexpr int kExitUsage = 2;       // bad arguments, or a file could not be opened
inline constexpr int kExitInternal = 3;    // an unexpected exception (a bug)

// `args` excludes the program name.
[[nodiscard]] int run_cli(std::span<const std::string> args, std::istream& in, std::ostream& out,
                          std::ostream& err);

[[nodiscard]] std::string usage_text();

}  // namespace mip6::dissect
