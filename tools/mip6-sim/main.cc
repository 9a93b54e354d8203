// mip6-sim: runs the home-registration scenario (see sim.h) and prints every decision.
// Exit status: 0 when every expectation held, 1 when one did not, 2 for bad arguments.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "tools/mip6-sim/sim.h"

namespace {

constexpr std::string_view kUsage =
    "usage: mip6-sim [--pcap FILE] [--capacity N] [--mobile-nodes N] [--no-loss]\n"
    "  Runs the Mobile IPv6 home-registration scenario in virtual time: admission against\n"
    "  the binding cache, BU/DAD/BA with a lost BU, over-capacity and draining refusals, a\n"
    "  spoofed BU, a move, refreshes, an expiry and a return home. Every packet is encoded\n"
    "  and decoded by the real wire codecs; --pcap writes them (LINKTYPE_RAW).\n";

bool parse_count(const char* text, std::uint32_t& out) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v == 0 || v > 200) {
    return false;
  }
  out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mip6::sim::SimOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--pcap" && has_value) {
      options.pcap_path = argv[++i];
    } else if (arg == "--capacity" && has_value) {
      if (!parse_count(argv[++i], options.capacity)) {
        std::cerr << "--capacity takes 1..200\n";
        return 2;
      }
    } else if (arg == "--mobile-nodes" && has_value) {
      if (!parse_count(argv[++i], options.mobile_nodes)) {
        std::cerr << "--mobile-nodes takes 1..200\n";
        return 2;
      }
    } else if (arg == "--no-loss") {
      options.lose_first_bu = false;
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << kUsage;
      return 2;
    }
  }
  const auto report = mip6::sim::run_scenario(options, std::cout);
  return report.failures.empty() ? 0 : 1;
}
