#include "tools/mip6-ike/cli_args.h"

#include <exception>
#include <iostream>
#include <sstream>

#include "ike/io/udp_transport.h"

namespace mip6_ike {
namespace {

// --rekey-child-after S, --rekey-ike-after S, --create-child-after S (lifecycle.h) and
// --ike-proposal P, --esp-proposal P (strongSwan syntax, engine/proposal_spec.h): both commands.
const std::set<std::string> kSharedValueNames{"rekey-child-after", "rekey-ike-after",
                                              "create-child-after", "ike-proposal", "esp-proposal"};

}  // namespace

std::optional<Args> parse_args(int argc, char** argv, const std::set<std::string>& value_names,
                               const std::set<std::string>& flag_names) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      std::cerr << "mip6-ike: unexpected argument " << arg << "\n";
      return std::nullopt;
    }
    const std::string name = arg.substr(2);
    if (flag_names.count(name) != 0) {
      a.flags.insert(name);
    } else if ((value_names.count(name) != 0 || kSharedValueNames.count(name) != 0) &&
               i + 1 < argc) {
      a.values[name] = argv[++i];
      a.lists[name].push_back(a.values[name]);
    } else {
      std::cerr << "mip6-ike: unknown option or missing value: " << arg << "\n";
      return std::nullopt;
    }
  }
  return a;
}

bool require(const Args& a, std::initializer_list<const char*> names) {
  bool ok = true;
  for (const char* n : names) {
    if (a.values.count(n) == 0) {
      std::cerr << "mip6-ike: --" << n << " is required\n";
      ok = false;
    }
  }
  return ok;
}

bool int_option(const Args& a, const char* name, long long min, long long max,
                std::optional<long long>& out) {
  auto it = a.values.find(name);
  if (it == a.values.end()) {
    return true;
  }
  try {
    const long long v = std::stoll(it->second);
    if (v >= min && v <= max) {
      out = v;
      return true;
    }
  } catch (const std::exception&) {
  }
  std::cerr << "mip6-ike: bad --" << name << " " << it->second << "\n";
  return false;
}

bool seconds_option(const Args& a, const char* name, int min, std::optional<int>& out) {
  std::optional<long long> v;
  if (!int_option(a, name, min, 86400, v)) {
    return false;
  }
  if (v) {
    out = static_cast<int>(*v);
  }
  return true;
}

bool seconds_options(const Args& a,
                     std::initializer_list<std::pair<const char*, std::optional<int>*>> options) {
  bool ok = true;
  for (const auto& [name, slot] : options) {
    ok = seconds_option(a, name, 0, *slot) && ok;
  }
  return ok;
}

std::optional<int> timeout_option(const Args& a, int fallback) {
  std::optional<int> v;
  if (!seconds_option(a, "timeout", 1, v)) {
    return std::nullopt;
  }
  return v.value_or(fallback);
}

std::optional<NameAddressList> name_address_list(const std::string& text) {
  NameAddressList out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.rfind('=');
    const auto address =
        eq == std::string::npos ? std::nullopt : ike::io::parse_address(item.substr(eq + 1));
    if (!address) {
      return std::nullopt;
    }
    out.emplace_back(item.substr(0, eq), *address);
  }
  return out;
}

}  // namespace mip6_ike
