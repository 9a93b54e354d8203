#pragma once
// mip6-ike's command line: --name value and --flag arguments after the command word, the exit
// codes, and the numeric options (each prints "mip6-ike: bad --NAME VALUE" when malformed).
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ike/base/ip6_addr.h"

namespace mip6_ike {

constexpr int kExitEstablished = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Args {
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  std::map<std::string, std::vector<std::string>> lists;  // every value of a repeated option

  [[nodiscard]] bool flag(const char* name) const { return flags.count(name) != 0; }
};

// argv[2..]: names in `value_names` (and the lifecycle and proposal options, valid for both
// commands) take a value, names in `flag_names` none; anything else is an error (printed).
[[nodiscard]] std::optional<Args> parse_args(int argc, char** argv,
                                             const std::set<std::string>& value_names,
                                             const std::set<std::string>& flag_names);
// False (after a message per missing option) unless every --name is given.
[[nodiscard]] bool require(const Args& a, std::initializer_list<const char*> names);

// --NAME as an integer in [min, max]: nullopt when absent; false (after the message) when bad.
[[nodiscard]] bool int_option(const Args& a, const char* name, long long min, long long max,
                              std::optional<long long>& out);
// --NAME seconds in [min, 86400].
[[nodiscard]] bool seconds_option(const Args& a, const char* name, int min,
                                  std::optional<int>& out);
// Every --NAME seconds in [0, 86400] into its slot; false when any is bad (each reported).
[[nodiscard]] bool seconds_options(
    const Args& a, std::initializer_list<std::pair<const char*, std::optional<int>*>> options);
// --timeout S in (0, 86400], `fallback` when absent; nullopt (after the message) when bad.
[[nodiscard]] std::optional<int> timeout_option(const Args& a, int fallback);

// "NAME=ADDR[,NAME=ADDR...]" split at each item's last '=' (ADDR is IPv6, or IPv4 as its
// mapped address); nullopt when an item is malformed.
using NameAddressList = std::vector<std::pair<std::string, base::Ip6Addr>>;
[[nodiscard]] std::optional<NameAddressList> name_address_list(const std::string& text);

}  // namespace mip6_ike
