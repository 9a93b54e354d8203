// mip6-ike-vectors: prints one JSON line per IKEv2 test packet built with OUR
// encoders (ike::wire, wrapped in UDP over IPv6 or IPv4 by
// tests/tools/ike_packets.h):
//   {"name": ..., "hex": <whole IP packet>, "expect": {fields known from the
//   Message struct}}
// tshark_ike_check.py writes them to a pcap, has tshark dissect it, and
// compares tshark's fields with mip6-dissect's and with "expect".
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "ike/base/hex.h"
#include "tests/tools/ike_packets.h"

namespace {

using nlohmann::json;
using namespace mip6::test_ike;  // NOLINT(google-build-using-namespace): test
                                 // vocabulary

json expect_of(const iw::Message& m) {
  json notify_types = json::array();
  for (const auto& p : m.payloads) {
    if (const auto* n = p.get<iw::NotifyPayload>()) {
      notify_types.push_back(static_cast<int>(n->type));
    }
  }
  json payload_types = json::array();
  for (const auto& p : m.payloads) {
    payload_types.push_back(static_cast<int>(p.type));
  }
  return json{{"spi_i", iw::to_string(m.header.spi_i)},
              {"spi_r", iw::to_string(m.header.spi_r)},
              {"exchange_type", static_cast<int>(m.header.exchange)},
              {"message_id", m.header.message_id.value()},
              {"initiator", m.header.initiator},
              {"response", m.header.response},
              {"payload_types", payload_types},
              {"notify_types", notify_types}};
}

void emit(const std::string& name, const Bytes& packet, json expect) {
  std::cout
      << json{{"name", name}, {"hex", base::to_hex(packet)}, {"expect", std::move(expect)}}.dump()
      << '\n';
}

}  // namespace

int main() {
  const iw::Message init = sa_init_request();
  const iw::Message redirect = redirect_response(kGw2);
  const iw::Message from = redirected_from_request(kGw1);
  const iw::Message cookie = cookie_response();
  const iw::Message zoo = clear_payload_zoo();

  json e = expect_of(init);
  emit("sa_init_redirect_supported", udp6(kMn, kGw1, kPortIke, kPortIke, encode(init)), e);
  e = expect_of(redirect);
  e["redirect"] = json{
      {"gw_ident_type", 2}, {"gw_ident", kGw2.to_string()}, {"nonce", base::to_hex(ni_data())}};
  emit("sa_init_redirect", udp6(kGw1, kMn, kPortIke, kPortIke, encode(redirect)), e);
  e = expect_of(from);
  e["redirected_from"] = json{{"gw_ident_type", 2}, {"gw_ident", kGw1.to_string()}};
  emit("sa_init_redirected_from", udp6(kMn, kGw2, kPortIke, kPortIke, encode(from)), e);
  emit("sa_init_cookie", udp6(kGw1, kMn, kPortIke, kPortIke, encode(cookie)), expect_of(cookie));
  emit("sa_init_4500_non_esp_marker",
       udp6(kMn, kGw1, kPortNatT, kPortNatT, iw::add_non_esp_marker(encode(init))),
       expect_of(init));
  emit("clear_payloads_and_sk",
       udp6(kMn, kGw1, kPortNatT, kPortNatT, iw::add_non_esp_marker(encode(zoo))), expect_of(zoo));
  emit("sa_init_over_ipv4", udp4(kMn4, kGw4, kPortIke, kPortIke, encode(init)), expect_of(init));
  emit("redirect_over_ipv4_4500",
       udp4(kGw4, kMn4, kPortNatT, kPortNatT, iw::add_non_esp_marker(encode(redirect))),
       expect_of(redirect));
  emit("esp_in_udp", udp6(kMn, kGw1, kPortNatT, kPortNatT, esp_in_udp_payload()),
       json{{"esp", json{{"spi", 0x1234}, {"sequence", 7}}}});
  return 0;
}
