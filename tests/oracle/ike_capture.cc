// mip6-ike-capture KEYLOG: an encrypted IKEv2 capture for tshark_ike_decrypt_check.py.
// Two of OUR engines run IKE_SA_INIT + IKE_AUTH (AES-GCM-16 256 on UDP 500, 128 on 4500),
// plus an IKE_AUTH pair re-protected with AES-CBC-256 + HMAC-SHA2-256-128, a tampered
// message and one under unknown SPIs (tests/tools/ike_capture.h). The SAs' keys are
// appended to KEYLOG with ike::io::IkeKeylog, the writer behind `mip6-ike --ike-keylog`;
// stdout gets one JSON line per packet: {"name", "hex" (whole IPv6 packet), "expect":
// {"decrypt": "clear"|"ok"|"integrity"|"no_key", "inner_types": [...]}}.
#include "tests/tools/ike_capture.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ike/base/hex.h"
#include "ike/io/ike_keylog.h"

int main(int argc, char** argv) {
  using nlohmann::json;
  if (argc != 2) {
    std::cerr << "usage: mip6-ike-capture KEYLOG\n";
    return 2;
  }
  std::vector<mip6::test_ike::CapturedKeys> keys;
  const auto packets = mip6::test_ike::full_capture(keys);
  if (packets.empty()) {
    std::cerr << "mip6-ike-capture: the in-process exchange did not complete\n";
    return 1;
  }
  auto keylog = ike::io::IkeKeylog::open(argv[1]);
  if (!keylog) {
    std::cerr << "mip6-ike-capture: " << keylog.error() << "\n";
    return 1;
  }
  for (const auto& k : keys) {
    auto written = (*keylog)->record(k.spi_i, k.spi_r, k.transforms, k.keys);
    if (!written) {
      std::cerr << "mip6-ike-capture: " << written.error() << "\n";
      return 1;
    }
  }
  for (const auto& p : packets) {
    std::cout << json{{"name", p.name},
                      {"hex", base::to_hex(p.packet)},
                      {"expect", json{{"decrypt", p.decrypt}, {"inner_types", p.inner_types}}}}
                     .dump()
              << '\n';
  }
  return 0;
}
