#pragma once
// How the mip6-ha shell shows HaCore's events (ha_events.h): the JSON event line on stdout
// (one object per event; tests/netns and tools/main-job.sh parse these keys), a log line, and
// the labels the event counters use (event_metrics.h). Formatting only: nothing here decides.
#include <array>
#include <compare>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "ha/daemon/ha_events.h"
#include "ike/base/enum_names.h"
#include "ike/base/log.h"

namespace ha::daemon {

// The "event" of every JSON event line and event counter, one per CoreEvent alternative
// plus the shell's own start and stop lines.
enum class EventName : std::uint8_t {
  Decision,
  IkeInit,
  SaEstablished,
  SaRekeyed,
  SaRemoved,
  Move,
  Admin,
  Binding,
  Started,
  Stopped,
};
MIP6_ENUM_NAMES(EventName, Decision, IkeInit, SaEstablished, SaRekeyed, SaRemoved, Move, Admin,
                Binding, Started, Stopped);

[[nodiscard]] EventName event_name(const CoreEvent& event);

// The event's JSON object, "ha" naming the daemon.
[[nodiscard]] nlohmann::json event_json(const CoreEvent& event, std::string_view ha_name);
// The shell's own events: after start-up, and the last line with the final status.
[[nodiscard]] nlohmann::json started_json(std::string_view ha_name, std::uint32_t capacity);
[[nodiscard]] nlohmann::json stopped_json(std::string_view ha_name, nlohmann::json status);

// A log line for the event, and the level it deserves: decisions and front overrides come
// once per IKE_SA_INIT (Debug), SA life, moves and admin changes are rarer (Info; a failed move
// is a Warning).
[[nodiscard]] base::LogLevel event_log_level(const CoreEvent& event);
[[nodiscard]] std::string event_log_line(const CoreEvent& event);

// The name of the event and up to three labels (name, value), every string static: what
// the event counters count by.
struct EventLabels {
  std::string_view event;
  std::array<std::pair<std::string_view, std::string_view>, 3> labels{};
  friend auto operator<=>(const EventLabels&, const EventLabels&) = default;
};
[[nodiscard]] EventLabels event_labels(const CoreEvent& event);

}  // namespace ha::daemon
