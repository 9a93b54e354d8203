#pragma once
// mip6-ha configuration: one JSON file, read once at startup (STYLE B4: exceptions only while
// parsing configuration; this module catches them and returns a Result with the reason).
//
// {
//   "name": "ha1",                                  // for log lines and status
//   "addresses": ["2001:db8:1::1"],                 // unicast: IKE listens here (500, 4500)
//   "anycast": "2001:db8:1::a",                     // optional, also listened on
//   "identity": "ha.mip6.example",                  // our IKE ID (FQDN, user@fqdn or IPv6)
//   "psks": [{"id": "mn1@mip6.example", "secret": "..."},
//            {"id": "*", "secret_file": "/etc/mip6/psk"}],   // "*": any other identity
//   "capacity": 1000,                               // bindings + reservations
//   "reservation_ttl_s": 30,
//   "home_prefix": "2001:db8:3::/64", "pool_size": 256,   // home addresses handed out by CP
//   "home_addresses": {"mn1@mip6.example": "2001:db8:3::10"},  // fixed ones, by identity
//   "home_agents": [{"address": "2001:db8:1::2", "preference": 200,   // the pool's HAs
//                    "fqdn": "ha2.mip6.example"}, ...],   // optional: REDIRECTs name it so
//   "assignments": {"mn2@mip6.example": "2001:db8:1::3",   // identity -> its HA (IKE_AUTH):
//                   "mn3@mip6.example": "ha3.mip6.example"},  // IPv6, IPv4 or an FQDN
//   "redirect_load_threshold": 1.0,
//   "max_half_open": 1024, "cookie_threshold": 256,
//   "drain": {"interval_ms": 1000, "jitter_ms": 250, "grace_s": 30},
//   "control_socket": "/run/mip6-ha.sock",
//   "ike_keylog": "/var/lib/mip6/ike-keys",          // optional: every IKE SA's keys in
//                                                   // Wireshark's IKEv2 table (mode 0600)
//   "log_level": "info"                             // debug, info, warning, error
// }
// Home Agents List entries are static for now (Router Advertisements feed it later); an entry
// whose address is one of ours is our own (never a redirect target). One file can list the
// whole pool and be shared by all its HAs.
// Gateway identities (RFC 5685 9.2, R5685-35): a redirect target is named by IPv6, IPv4 or
// FQDN. A pool HA's "address" may be IPv4 (kept as ::ffff:a.b.c.d and sent as GW Ident Type 1);
// its "fqdn" makes every REDIRECT to it carry that name (type 3; the MN resolves it). An
// assignment to an FQDN that is no pool member's "fqdn" is sent as that name.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ike/base/clock.h"
#include "ike/base/ip6_addr.h"
#include "ike/base/log.h"
#include "ike/base/result.h"

namespace ha::daemon {

struct PskEntry {
  std::string identity;  // "*" matches any identity without an entry of its own
  std::string secret;
};

struct HomeAgentConfig {
  base::Ip6Addr address;  // IPv4 as ::ffff:a.b.c.d
  std::uint16_t preference = 0;
  std::string fqdn = {};  // empty: REDIRECTs name the address
};

struct HaDaemonConfig {
  std::string name = "mip6-ha";
  std::vector<base::Ip6Addr> addresses;
  std::optional<base::Ip6Addr> anycast;
  std::string identity;
  std::vector<PskEntry> psks;
  std::uint32_t capacity = 1000;
  base::Duration reservation_ttl = std::chrono::seconds(30);
  base::Ip6Addr home_prefix;
  std::uint8_t home_prefix_len = 64;
  std::uint32_t pool_size = 256;
  std::vector<std::pair<std::string, base::Ip6Addr>> home_addresses;  // fixed, by identity
  std::vector<HomeAgentConfig> home_agents;
  std::vector<std::pair<std::string, base::Ip6Addr>> assignments;     // IPv4 as ::ffff:a.b.c.d
  std::vector<std::pair<std::string, std::string>> fqdn_assignments;  // identity -> HA's FQDN
  double redirect_load_threshold = 1.0;
  std::uint32_t max_half_open = 1024;
  std::optional<std::uint32_t> cookie_threshold = 256;
  base::Duration drain_interval = std::chrono::seconds(1);
  base::Duration drain_jitter = std::chrono::milliseconds(250);
  // How long a moved peer keeps its old SA (R5685-20) and binding (Binding Refresh Advice).
  base::Duration drain_grace = std::chrono::seconds(30);
  std::string control_socket = "/run/mip6-ha.sock";
  // Labs: the keys of every IKE SA appended to this file (ike/io/ike_keylog.h) so captures of
  // the HA can be read decrypted; empty: off.
  std::string ike_keylog;
  base::LogLevel log_level = base::LogLevel::Info;
};

// Parses the JSON text; the error names the field and what is wrong with it.
[[nodiscard]] base::Result<HaDaemonConfig, std::string> parse_config(std::string_view json_text);
[[nodiscard]] base::Result<HaDaemonConfig, std::string> load_config(const std::string& path);

// A DNS name usable as an RFC 5685 FQDN gateway identity: ASCII letters, digits, '-' and '.',
// labels of 1..63 octets, at least two of them, at most 255 octets (GW Ident Len is one
// octet), not an address.
[[nodiscard]] bool is_gateway_fqdn(std::string_view name);

}  // namespace ha::daemon
