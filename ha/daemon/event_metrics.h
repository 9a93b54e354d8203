#pragma once
// EventMetrics: how many events of each kind the mip6-ha shell has published, by their labels
// (event_format.h: event_labels(), e.g. decision / ike-sa-init / served / room). The control
// protocol shows them in `mip6ctl status`; a metrics exporter can read the same table.
#include <cstdint>
#include <map>

#include "ha/daemon/event_format.h"
#include "ha/daemon/ha_events.h"

namespace ha::daemon {

class EventMetrics {
 public:
  void count(const CoreEvent& event) { ++counts_[event_labels(event)]; }
  [[nodiscard]] std::uint64_t get(const EventLabels& labels) const {
    const auto it = counts_.find(labels);
    return it == counts_.end() ? 0 : it->second;
  }
  // Every label set seen, in label order.
  [[nodiscard]] const std::map<EventLabels, std::uint64_t>& counts() const { return counts_; }

 private:
  std::map<EventLabels, std::uint64_t> counts_;
};

}  // namespace ha::daemon
