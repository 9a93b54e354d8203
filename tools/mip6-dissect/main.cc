// mip6-dissect: hex or pcap in, JSON out. See --help.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tools/mip6-dissect/dissect_cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return mip6::dissect::run_cli(args, std::cin, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Tools may throw (STYLE B4), but nothing should get here: it is a bug, not bad input.
    std::cout.flush();
    std::cerr << "mip6-dissect: internal error: " << e.what() << '\n';
    return mip6::dissect::kExitInternal;
  }
}
