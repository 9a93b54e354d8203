#pragma once
// The mip6-ha control protocol (mip6ctl; JSON lines over ControlServer's unix socket): one
// request object {"cmd": ...} in, one answer object out, always with "ok".
//   status                 load, bindings, reservations, SAs and every counter
//   peers                  the established peers
//   drain [grace_s: S]     stop admitting, move every peer (S in [0, 86400])
//   resume                 serve again
// The shell's part (STYLE B6): it parses the request, calls HaCore's typed control calls and
// formats their answers; the core builds no JSON. A malformed or unknown request gets
// {"ok": false, "error": ...} and is counted.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ha/daemon/event_metrics.h"
#include "ha/daemon/ha_core.h"
#include "ike/base/clock.h"
#include "ike/base/counters.h"
#include "ike/base/enum_names.h"
#include "ike/engine/ike_responder.h"

namespace ike::io {
struct DriverStats;
}

namespace ha::daemon {

enum class ControlCounter : std::uint8_t {
  ControlRequests,  // every request but status (polling it must not move what it reports)
  ControlErrors,
  kCount,
};
MIP6_COUNTER_NAMES(ControlCounter, ControlRequests, ControlErrors);
using ControlCounters =
    base::CounterSet<ControlCounter, static_cast<std::size_t>(ControlCounter::kCount)>;

// What the shell adds to the core's status; absent parts are left out of the answer.
struct ShellStatus {
  const ::ike::engine::IkeResponder* front = nullptr;  // half-open and IKE SA counts, counters
  const ::ike::io::DriverStats* driver = nullptr;
  std::uint64_t data_plane_drops = 0;
  const EventMetrics* events = nullptr;
};

class ControlProtocol {
 public:
  using ShellStatusSource = std::function<ShellStatus()>;

  // `core` must outlive the protocol; `shell` is asked for its part of every status answer.
  ControlProtocol(HaCore& core, ShellStatusSource shell) : core_(&core), shell_(std::move(shell)) {}

  [[nodiscard]] nlohmann::json answer(const nlohmann::json& request, base::TimePoint now);
  [[nodiscard]] nlohmann::json status() const;
  [[nodiscard]] const ControlCounters& counters() const { return counters_; }

 private:
  [[nodiscard]] nlohmann::json peers() const;
  [[nodiscard]] nlohmann::json error(std::string_view why);

  HaCore* core_;
  ShellStatusSource shell_;
  ControlCounters counters_;
};

}  // namespace ha::daemon
