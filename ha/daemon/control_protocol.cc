#include "ha/daemon/control_protocol.h"

#include <chrono>
#include <utility>

#include "ike/io/ike_driver.h"

namespace ha::daemon {

namespace {

using nlohmann::json;
namespace wire = ::ike::wire;

double seconds_of(base::Duration d) {
  return std::chrono::duration<double>(d).count();
}

template <class Counters>
json counters_json(const Counters& counters) {
  json j = json::object();
  counters.for_each(
      [&](std::string_view name, std::uint64_t value) { j[std::string(name)] = value; });
  return j;
}

json event_counts_json(const EventMetrics& metrics) {
  json list = json::array();
  for (const auto& [labels, count] : metrics.counts()) {
    json j{{"event", std::string(labels.event)}};
    for (const auto& [name, value] : labels.labels) {
      if (!name.empty() && !value.empty()) {
        j[std::string(name)] = std::string(value);
      }
    }
    j["count"] = count;
    list.push_back(std::move(j));
  }
  return list;
}

}  // namespace

json ControlProtocol::error(std::string_view why) {
  counters_.inc(ControlCounter::ControlErrors);
  return json{{"ok", false}, {"error", std::string(why)}};
}

json ControlProtocol::answer(const json& request, base::TimePoint now) {
  if (!request.is_object() || !request.contains("cmd") || !request.at("cmd").is_string()) {
    counters_.inc(ControlCounter::ControlRequests);
    return error("expected {\"cmd\": ...}");
  }
  const std::string cmd = request.at("cmd").get<std::string>();
  if (cmd == "status") {
    return status();
  }
  counters_.inc(ControlCounter::ControlRequests);
  if (cmd == "peers") {
    return peers();
  }
  if (cmd == "drain") {
    std::optional<base::Duration> grace;
    if (request.contains("grace_s")) {
      const auto& g = request.at("grace_s");
      if (!g.is_number() || g.get<double>() < 0 || g.get<double>() > 86400) {
        return error("grace_s: a number of seconds in [0, 86400]");
      }
      grace = std::chrono::duration_cast<base::Duration>(
          std::chrono::duration<double>(g.get<double>()));
    }
    const DrainStarted started = core_->start_drain(grace, now);
    return {{"ok", true},
            {"admin_state", "draining"},
            {"queued", started.queued},
            {"grace_s", seconds_of(started.grace)}};
  }
  if (cmd == "resume") {
    core_->resume(now);
    return {{"ok", true}, {"admin_state", "serving"}};
  }
  return error("unknown command: " + cmd);
}

json ControlProtocol::peers() const {
  json list = json::array();
  for (const PeerRow& p : core_->peers()) {
    json j{{"peer", p.peer.to_string()},
           {"identity", p.identity},
           {"spi_i", wire::to_string(p.spi_i)},
           {"spi_r", wire::to_string(p.spi_r)},
           {"redirect_supported", p.redirect_supported},
           {"rekeys", p.rekeys},
           {"reservation", p.reservation}};
    if (p.home_address) {
      j["home_address"] = p.home_address->to_string();
      j["bound"] = p.bound;
    }
    if (p.moved_to) {
      j["moved_to"] = p.moved_to->to_string();
      j["move"] = p.move ? std::string(to_string(*p.move)) : std::string();
    }
    list.push_back(std::move(j));
  }
  return {{"ok", true}, {"peers", list}};
}

json ControlProtocol::status() const {
  const CoreStatus s = core_->status();
  json j;
  j["ok"] = true;
  j["name"] = core_->config().name;
  j["admin_state"] = std::string(mip6::engine::to_string(s.admin_state));
  j["capacity"] = s.cache.capacity;
  j["bindings"] = s.cache.bindings;
  j["reservations"] = s.cache.reservations;
  j["load"] = s.cache.load();
  j["established_sas"] = s.established_sas;
  j["drain_pending"] = s.drain_pending;
  j["switches_pending"] = s.switches_pending;
  json core = counters_json(s.core);
  // The reservation counts are the ledger's; "core" keeps the names mip6ctl users know.
  core["reservations_kept"] = s.ledger.get(ha::policy::LedgerCounter::Kept);
  core["reservations_refreshed"] = s.ledger.get(ha::policy::LedgerCounter::Refreshed);
  core["reservations_released"] = s.ledger.get(ha::policy::LedgerCounter::ReleasedAfterEstablished);
  counters_.for_each(
      [&](std::string_view name, std::uint64_t value) { core[std::string(name)] = value; });
  j["counters"] = {
      {"admission", counters_json(s.admission)},
      {"reasons", counters_json(s.reasons)},
      {"core", std::move(core)},
      {"reservation_ledger", counters_json(s.ledger)},
      {"binding_engine", counters_json(s.binding_engine)},
      {"binding_cache", counters_json(s.binding_cache)},
  };
  const ShellStatus shell = shell_ ? shell_() : ShellStatus{};
  if (shell.front != nullptr) {
    j["half_open"] = shell.front->half_open();
    j["ike_sas"] = shell.front->sa_count();
    j["counters"]["ike_front"] = counters_json(shell.front->counters());
  }
  if (shell.driver != nullptr) {
    j["counters"]["ike_driver"] = {{"datagrams_in", shell.driver->datagrams_in},
                                   {"dropped_no_sa", shell.driver->dropped_no_sa},
                                   {"dropped_undecodable", shell.driver->dropped_undecodable},
                                   {"dropped_no_transport", shell.driver->dropped_no_transport}};
  }
  j["counters"]["core"]["data_plane_drops"] = shell.data_plane_drops;
  if (shell.events != nullptr) {
    j["event_counts"] = event_counts_json(*shell.events);
  }
  return j;
}

}  // namespace ha::daemon
