#include "ha/daemon/event_format.h"

#include <chrono>
#include <utility>

#include "ike/base/overloaded.h"

namespace ha::daemon {

namespace {

using nlohmann::json;
namespace engine = ::ike::engine;
namespace wire = ::ike::wire;
using base::Overloaded;

double seconds_of(base::Duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string spi_text(wire::Spi spi) {
  return wire::to_string(spi);
}

// What the sa_removed line says about how the SA ended.
std::string how_text(const PeerRemoved& e) {
  switch (e.how) {
    case SaEnd::Removed: return "removed";
    case SaEnd::DeletedByPeer: return "deleted by the peer";
    case SaEnd::DeletedByUs: return "deleted by us (" + std::string(e.detail) + ")";
    case SaEnd::Failed: return "failed (" + std::string(e.detail) + ")";
  }
  return "removed";
}

json decision_json(const ha::policy::AdmissionEvent& e) {
  json j;
  j["point"] = std::string(engine::to_string(e.point));
  j["outcome"] = std::string(ha::policy::to_string(e.outcome));
  j["reason"] = std::string(ha::policy::to_string(e.reason));
  j["peer"] = e.peer.to_string();
  if (e.target) {
    j["target"] = e.target->to_string();
  }
  if (!e.target_fqdn.empty()) {
    j["target_fqdn"] = e.target_fqdn;  // what the REDIRECT carried (R5685-35)
  }
  return j;
}

json established_json(const PeerEstablished& e) {
  json j{{"peer", e.peer.to_string()},
         {"identity", e.identity},
         {"spi_i", spi_text(e.spi_i)},
         {"spi_r", spi_text(e.spi_r)},
         {"redirect_supported", e.redirect_supported}};
  if (e.home_address) {
    j["home_address"] = e.home_address->to_string();
  }
  if (e.redirected_from) {
    j["redirected_from"] = e.redirected_from->to_string();
  }
  return j;
}

json moved_json(const PeerMoved& e) {
  json j{{"kind", std::string(to_string(e.kind))}, {"peer", e.peer.to_string()}};
  switch (e.kind) {
    case MoveKind::GatewayRedirect:
      j["target"] = e.targets.empty() ? std::string("::") : e.targets.front().to_string();
      j["grace_s"] = seconds_of(e.grace.value_or(base::Duration{}));
      if (!e.target_fqdn.empty()) {
        j["target_fqdn"] = e.target_fqdn;
      }
      if (e.identity) {
        j["identity"] = *e.identity;
      }
      break;
    case MoveKind::HaSwitch:
      j["targets"] = json::array();
      for (const auto& t : e.targets) {
        j["targets"].push_back(t.to_string());
      }
      break;
    case MoveKind::None:
      if (e.reason) {
        j["reason"] = std::string(ha::policy::to_string(*e.reason));
      }
      break;
  }
  j["result"] = std::string(to_string(e.result));
  if (e.result == MoveResult::Failed) {
    j["why"] = e.why;
  }
  return j;
}

json admin_json(const AdminChanged& e) {
  json j{{"state", std::string(mip6::engine::to_string(e.state))}};
  if (e.state == mip6::engine::HaAdminState::Draining) {
    j["peers"] = e.peers;
    j["grace_s"] = seconds_of(e.grace);
  }
  return j;
}

}  // namespace

EventName event_name(const CoreEvent& event) {
  return std::visit(Overloaded{
                        [](const ha::policy::AdmissionEvent&) { return EventName::Decision; },
                        [](const FrontOverride&) { return EventName::IkeInit; },
                        [](const PeerEstablished&) { return EventName::SaEstablished; },
                        [](const PeerRekeyed&) { return EventName::SaRekeyed; },
                        [](const PeerRemoved&) { return EventName::SaRemoved; },
                        [](const PeerMoved&) { return EventName::Move; },
                        [](const AdminChanged&) { return EventName::Admin; },
                        [](const mip6::engine::HaEvent&) { return EventName::Binding; },
                    },
                    event);
}

json event_json(const CoreEvent& event, std::string_view ha_name) {
  json j = std::visit(Overloaded{
                          [](const ha::policy::AdmissionEvent& e) { return decision_json(e); },
                          [](const FrontOverride& e) {
                            return json{{"outcome", std::string(engine::to_string(e.outcome))},
                                        {"peer", e.peer.to_string()}};
                          },
                          [](const PeerEstablished& e) { return established_json(e); },
                          [](const PeerRekeyed& e) {
                            return json{{"peer", e.peer.to_string()},
                                        {"identity", e.identity},
                                        {"by_peer", e.by_peer},
                                        {"old_spi_i", spi_text(e.old_spis.spi_i)},
                                        {"old_spi_r", spi_text(e.old_spis.spi_r)},
                                        {"spi_i", spi_text(e.now_spis.spi_i)},
                                        {"spi_r", spi_text(e.now_spis.spi_r)}};
                          },
                          [](const PeerRemoved& e) {
                            return json{{"peer", e.peer.to_string()},
                                        {"identity", e.identity},
                                        {"spi_r", spi_text(e.spi_r)},
                                        {"how", how_text(e)}};
                          },
                          [](const PeerMoved& e) { return moved_json(e); },
                          [](const AdminChanged& e) { return admin_json(e); },
                          [](const mip6::engine::HaEvent& e) {
                            return json{{"kind", std::string(mip6::engine::to_string(e.kind))},
                                        {"home_address", e.hoa.to_string()},
                                        {"reason", std::string(e.reason)}};
                          },
                      },
                      event);
  j["event"] = std::string(to_string(event_name(event)));
  j["ha"] = std::string(ha_name);
  return j;
}

json started_json(std::string_view ha_name, std::uint32_t capacity) {
  return {{"event", std::string(to_string(EventName::Started))},
          {"ha", std::string(ha_name)},
          {"capacity", capacity}};
}

json stopped_json(std::string_view ha_name, json status) {
  return {{"event", std::string(to_string(EventName::Stopped))},
          {"ha", std::string(ha_name)},
          {"status", std::move(status)}};
}

base::LogLevel event_log_level(const CoreEvent& event) {
  if (std::holds_alternative<ha::policy::AdmissionEvent>(event) ||
      std::holds_alternative<FrontOverride>(event)) {
    return base::LogLevel::Debug;
  }
  if (const auto* m = std::get_if<PeerMoved>(&event);
      m != nullptr && m->result == MoveResult::Failed) {
    return base::LogLevel::Warning;
  }
  return base::LogLevel::Info;
}

std::string event_log_line(const CoreEvent& event) {
  return std::visit(
      Overloaded{
          [](const ha::policy::AdmissionEvent& e) {
            std::string line = std::string(engine::to_string(e.point)) + " " + e.peer.to_string() +
                               ": " + std::string(ha::policy::to_string(e.outcome)) + " (" +
                               std::string(ha::policy::to_string(e.reason)) + ")";
            if (e.target) {
              line += " to " + e.target->to_string();
            }
            if (!e.target_fqdn.empty()) {
              line += " named " + e.target_fqdn;
            }
            return line;
          },
          [](const FrontOverride& e) {
            return "ike-sa-init " + e.peer.to_string() + ": the front overrode the policy (" +
                   std::string(engine::to_string(e.outcome)) + ")";
          },
          [](const PeerEstablished& e) {
            std::string line = "IKE SA established with " + e.peer.to_string() + " (" + e.identity +
                               "), SPIs " + spi_text(e.spi_i) + "/" + spi_text(e.spi_r);
            if (e.home_address) {
              line += ", home address " + e.home_address->to_string();
            }
            if (e.redirected_from) {
              line += ", redirected from " + e.redirected_from->to_string();
            }
            return line;
          },
          [](const PeerRekeyed& e) {
            return "IKE SA of " + e.peer.to_string() + " (" + e.identity + ") rekeyed by " +
                   (e.by_peer ? "the peer" : "us") + ": SPIs " + spi_text(e.old_spis.spi_i) + "/" +
                   spi_text(e.old_spis.spi_r) + " -> " + spi_text(e.now_spis.spi_i) + "/" +
                   spi_text(e.now_spis.spi_r);
          },
          [](const PeerRemoved& e) {
            return "IKE SA of " + e.peer.to_string() + " (" + e.identity + ") SPIr " +
                   spi_text(e.spi_r) + " gone: " + how_text(e);
          },
          [](const PeerMoved& e) {
            std::string line = "move " + e.peer.to_string() + ": " +
                               std::string(to_string(e.kind)) + " " +
                               std::string(to_string(e.result));
            for (const auto& t : e.targets) {
              line += " " + t.to_string();
            }
            if (e.reason) {
              line += " (" + std::string(ha::policy::to_string(*e.reason)) + ")";
            }
            if (!e.why.empty()) {
              line += ": " + e.why;
            }
            return line;
          },
          [](const AdminChanged& e) {
            std::string line = "admin state " + std::string(mip6::engine::to_string(e.state));
            if (e.state == mip6::engine::HaAdminState::Draining) {
              line += ", " + std::to_string(e.peers) + " peers to move";
            }
            return line;
          },
          [](const mip6::engine::HaEvent& e) {
            return "binding " + e.hoa.to_string() + ": " +
                   std::string(mip6::engine::to_string(e.kind)) + " (" + std::string(e.reason) +
                   ")";
          },
      },
      event);
}

EventLabels event_labels(const CoreEvent& event) {
  return std::visit(
      Overloaded{
          [](const ha::policy::AdmissionEvent& e) {
            return EventLabels{to_string(EventName::Decision),
                               {{{"point", engine::to_string(e.point)},
                                 {"outcome", ha::policy::to_string(e.outcome)},
                                 {"reason", ha::policy::to_string(e.reason)}}}};
          },
          [](const FrontOverride& e) {
            return EventLabels{to_string(EventName::IkeInit),
                               {{{"outcome", engine::to_string(e.outcome)}}}};
          },
          [](const PeerEstablished&) {
            return EventLabels{to_string(EventName::SaEstablished), {}};
          },
          [](const PeerRekeyed&) {
            return EventLabels{to_string(EventName::SaRekeyed), {}};
          },
          [](const PeerRemoved& e) {
            return EventLabels{to_string(EventName::SaRemoved), {{{"how", to_string(e.how)}}}};
          },
          [](const PeerMoved& e) {
            return EventLabels{
                to_string(EventName::Move),
                {{{"kind", to_string(e.kind)},
                  {"result", to_string(e.result)},
                  {"reason", e.reason ? ha::policy::to_string(*e.reason) : std::string_view()}}}};
          },
          [](const AdminChanged& e) {
            return EventLabels{to_string(EventName::Admin),
                               {{{"state", mip6::engine::to_string(e.state)}}}};
          },
          [](const mip6::engine::HaEvent& e) {
            return EventLabels{to_string(EventName::Binding),
                               {{{"kind", mip6::engine::to_string(e.kind)}, {"reason", e.reason}}}};
          },
      },
      event);
}

}  // namespace ha::daemon
