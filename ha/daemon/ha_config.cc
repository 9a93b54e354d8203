#include "ha/daemon/ha_config.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace ha::daemon {

namespace {

using nlohmann::json;

// Configuration errors travel as this exception inside parse_config() only.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

base::Ip6Addr address(const json& j, const std::string& field) {
  if (!j.is_string()) {
    throw ConfigError(field + ": expected an IPv6 address string");
  }
  auto a = base::Ip6Addr::parse(j.get<std::string>());
  if (!a) {
    throw ConfigError(field + ": not an IPv6 address: " + j.get<std::string>());
  }
  return *a;
}

// IPv6 or IPv4 (mapped).
base::Ip6Addr gateway_address(const json& j, const std::string& field) {
  if (!j.is_string()) {
    throw ConfigError(field + ": expected an IPv6 or IPv4 address string");
  }
  const auto text = j.get<std::string>();
  if (auto a = base::Ip6Addr::parse_v6_or_v4(text)) {
    return *a;
  }
  throw ConfigError(field + ": not an IPv6 or IPv4 address: " + text);
}

// "ha2.example." and "ha2.example" name the same HA; ID_FQDN-style encoding (RFC 7296 3.5)
// carries no root dot.
std::string without_root_dot(std::string name) {
  if (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  return name;
}

template <class T>
T number(const json& j, const std::string& field, T min, T max) {
  if (!j.is_number()) {
    throw ConfigError(field + ": expected a number");
  }
  const double v = j.get<double>();
  if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max))) {
    throw ConfigError(field + ": out of range [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
  }
  return static_cast<T>(v);
}

std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError("psks: cannot read secret_file " + path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  return s;
}

base::LogLevel log_level(const std::string& text) {
  for (const auto level : {base::LogLevel::Debug, base::LogLevel::Info, base::LogLevel::Warning,
                           base::LogLevel::Error}) {
    if (text == base::to_string(level)) {
      return level;
    }
  }
  throw ConfigError("log_level: one of debug, info, warning, error");
}

HaDaemonConfig parse(const json& j) {
  if (!j.is_object()) {
    throw ConfigError("top level: expected an object");
  }
  static const char* const kKnown[] = {"name",
                                       "addresses",
                                       "anycast",
                                       "identity",
                                       "psks",
                                       "capacity",
                                       "reservation_ttl_s",
                                       "home_prefix",
                                       "pool_size",
                                       "home_addresses",
                                       "home_agents",
                                       "assignments",
                                       "redirect_load_threshold",
                                       "max_half_open",
                                       "cookie_threshold",
                                       "drain",
                                       "control_socket",
                                       "ike_keylog",
                                       "log_level"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) {
      known = known || key == k;
    }
    if (!known) {
      throw ConfigError("unknown field: " + key);  // a typo must not pass silently
    }
  }
  HaDaemonConfig c;
  if (j.contains("name")) {
    c.name = j.at("name").get<std::string>();
  }
  if (!j.contains("addresses") || !j.at("addresses").is_array() || j.at("addresses").empty()) {
    throw ConfigError("addresses: at least one unicast address is needed");
  }
  for (const auto& a : j.at("addresses")) {
    c.addresses.push_back(address(a, "addresses"));
  }
  if (j.contains("anycast")) {
    c.anycast = address(j.at("anycast"), "anycast");
  }
  if (!j.contains("identity") || !j.at("identity").is_string() ||
      j.at("identity").get<std::string>().empty()) {
    throw ConfigError("identity: required");
  }
  c.identity = j.at("identity").get<std::string>();
  if (!j.contains("psks") || !j.at("psks").is_array() || j.at("psks").empty()) {
    throw ConfigError("psks: at least one {\"id\", \"secret\" | \"secret_file\"} is needed");
  }
  for (const auto& p : j.at("psks")) {
    PskEntry e;
    e.identity = p.at("id").get<std::string>();
    if (p.contains("secret")) {
      e.secret = p.at("secret").get<std::string>();
    } else if (p.contains("secret_file")) {
      e.secret = read_secret_file(p.at("secret_file").get<std::string>());
    }
    if (e.secret.empty()) {
      throw ConfigError("psks: empty secret for " + e.identity);
    }
    c.psks.push_back(std::move(e));
  }
  if (j.contains("capacity")) {
    c.capacity = number<std::uint32_t>(j.at("capacity"), "capacity", 0, 100000000);
  }
  if (j.contains("reservation_ttl_s")) {
    c.reservation_ttl =
        std::chrono::seconds(number<int>(j.at("reservation_ttl_s"), "reservation_ttl_s", 1, 3600));
  }
  if (j.contains("home_prefix")) {
    const auto text = j.at("home_prefix").get<std::string>();
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
      throw ConfigError("home_prefix: PREFIX/LEN");
    }
    c.home_prefix = address(json(text.substr(0, slash)), "home_prefix");
    c.home_prefix_len =
        number<std::uint8_t>(json(std::stoi(text.substr(slash + 1))), "home_prefix length", 1, 120);
  } else {
    throw ConfigError("home_prefix: required (the home addresses handed out)");
  }
  if (j.contains("pool_size")) {
    c.pool_size = number<std::uint32_t>(j.at("pool_size"), "pool_size", 1, 1000000);
  }
  if (j.contains("home_addresses")) {
    for (const auto& [id, a] : j.at("home_addresses").items()) {
      c.home_addresses.emplace_back(id, address(a, "home_addresses." + id));
    }
  }
  if (j.contains("home_agents")) {
    for (const auto& h : j.at("home_agents")) {
      HomeAgentConfig e;
      if (!h.is_object() || !h.contains("address")) {
        throw ConfigError("home_agents: each entry needs an \"address\" (IPv6 or IPv4)");
      }
      e.address = gateway_address(h.at("address"), "home_agents.address");
      if (h.contains("fqdn")) {
        const auto& f = h.at("fqdn");
        if (!f.is_string() || !is_gateway_fqdn(f.get<std::string>())) {
          throw ConfigError("home_agents.fqdn: not a DNS name (letters, digits, '-', '.'; " +
                            std::string("labels 1..63, at most 255 octets): ") + f.dump());
        }
        e.fqdn = without_root_dot(f.get<std::string>());
      }
      if (h.contains("preference")) {
        e.preference =
            number<std::uint16_t>(h.at("preference"), "home_agents.preference", 0, 65535);
      }
      c.home_agents.push_back(e);
    }
  }
  if (j.contains("assignments")) {
    if (!j.at("assignments").is_object()) {
      throw ConfigError("assignments: expected {\"identity\": \"address or FQDN\", ...}");
    }
    for (const auto& [id, a] : j.at("assignments").items()) {
      const std::string field = "assignments." + id;
      if (!a.is_string()) {
        throw ConfigError(field + ": expected an IPv6 or IPv4 address or an FQDN string");
      }
      const auto text = a.get<std::string>();
      if (base::Ip6Addr::parse_v6_or_v4(text)) {
        c.assignments.emplace_back(id, gateway_address(a, field));
      } else if (is_gateway_fqdn(text)) {
        c.fqdn_assignments.emplace_back(id, without_root_dot(text));
      } else {
        throw ConfigError(field + ": not an IPv6 or IPv4 address nor a DNS name: " + text);
      }
    }
  }
  if (j.contains("redirect_load_threshold")) {
    c.redirect_load_threshold =
        number<double>(j.at("redirect_load_threshold"), "redirect_load_threshold", 0.0001, 1.0);
  }
  if (j.contains("max_half_open")) {
    c.max_half_open = number<std::uint32_t>(j.at("max_half_open"), "max_half_open", 1, 10000000);
  }
  if (j.contains("cookie_threshold")) {
    if (j.at("cookie_threshold").is_null()) {
      c.cookie_threshold.reset();
    } else {
      c.cookie_threshold =
          number<std::uint32_t>(j.at("cookie_threshold"), "cookie_threshold", 0, 10000000);
    }
  }
  if (j.contains("drain")) {
    const auto& d = j.at("drain");
    if (d.contains("interval_ms")) {
      c.drain_interval = std::chrono::milliseconds(
          number<int>(d.at("interval_ms"), "drain.interval_ms", 1, 3600000));
    }
    if (d.contains("jitter_ms")) {
      c.drain_jitter =
          std::chrono::milliseconds(number<int>(d.at("jitter_ms"), "drain.jitter_ms", 0, 3600000));
    }
    if (d.contains("grace_s")) {
      c.drain_grace = std::chrono::seconds(number<int>(d.at("grace_s"), "drain.grace_s", 1, 86400));
    }
  }
  if (j.contains("control_socket")) {
    c.control_socket = j.at("control_socket").get<std::string>();
  }
  if (j.contains("ike_keylog")) {
    c.ike_keylog = j.at("ike_keylog").get<std::string>();
    if (c.ike_keylog.empty()) {
      throw ConfigError("ike_keylog: a file path");
    }
  }
  if (j.contains("log_level")) {
    c.log_level = log_level(j.at("log_level").get<std::string>());
  }
  return c;
}

}  // namespace

base::Result<HaDaemonConfig, std::string> parse_config(std::string_view json_text) {
  try {
    return parse(json::parse(json_text));
  } catch (const ConfigError& e) {
    return base::fail(std::string(e.what()));
  } catch (const json::exception& e) {
    return base::fail(std::string("JSON: ") + e.what());
  } catch (const std::exception& e) {
    return base::fail(std::string(e.what()));
  }
}

bool is_gateway_fqdn(std::string_view name) {
  if (name.empty() || name.size() > 255) {
    return false;
  }
  std::string trimmed(name);
  if (trimmed.back() == '.') {
    trimmed.pop_back();  // the root label
  }
  std::size_t label = 0;
  bool all_digits_or_dots = true;
  for (std::size_t i = 0; i < trimmed.size(); ++i) {
    const char ch = trimmed[i];
    if (ch == '.') {
      if (label == 0) {
        return false;
      }
      label = 0;
      continue;
    }
    const bool ok = std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-';
    if (!ok || ++label > 63) {
      return false;
    }
    all_digits_or_dots = all_digits_or_dots && std::isdigit(static_cast<unsigned char>(ch)) != 0;
  }
  // Fully qualified: at least two labels ("ha3" alone is a typo as likely as a name).
  // "192.0.2" and the like are malformed addresses, not names.
  return label != 0 && trimmed.find('.') != std::string::npos && !all_digits_or_dots;
}

base::Result<HaDaemonConfig, std::string> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return base::fail("cannot read " + path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  auto c = parse_config(ss.str());
  if (!c) {
    return base::fail(path + ": " + c.error());
  }
  return c;
}

}  // namespace ha::daemon
