#include "ike/engine/task.h"

namespace ike::engine {

std::string_view to_string(TaskKind k) {
  switch (k) {
    case TaskKind::IkeInit: return "ike_init";
    case TaskKind::IkeNatd: return "ike_natd";
    case TaskKind::IkeCert: return "ike_cert";
    case TaskKind::IkeAuth: return "ike_auth";
    case TaskKind::IkeConfig: return "ike_config";
    case TaskKind::ChildCreate: return "child_create";
    case TaskKind::ChildRekey: return "child_rekey";
    case TaskKind::ChildDelete: return "child_delete";
    case TaskKind::IkeRekey: return "ike_rekey";
    case TaskKind::IkeDelete: return "ike_delete";
    case TaskKind::IkeDpd: return "ike_dpd";
    case TaskKind::IkeRedirect: return "ike_redirect";
    case TaskKind::Informational: return "informational";
    case TaskKind::HalfOpenTimer: return "half_open_timer";
    case TaskKind::KeepaliveTimer: return "keepalive_timer";
    case TaskKind::RedirectTimer: return "redirect_timer";
    case TaskKind::DpdTimer: return "dpd_timer";
    case TaskKind::RetiringTimer: return "retiring_timer";
    case TaskKind::LifetimeTimer: return "lifetime_timer";
  }
  return "unknown_task";
}

// A task takes part only in the steps it overrides.
TaskStatus Task::build_request(std::vector<wire::Payload>&, base::TimePoint) {
  return TaskStatus::Done;
}
TaskStatus Task::process_response(const InMessage&) {
  return TaskStatus::Done;
}
void Task::post_process(base::TimePoint) {}
TaskStatus Task::process_request(const InMessage&) {
  return TaskStatus::Done;
}
TaskStatus Task::build_response(std::vector<wire::Payload>&, base::TimePoint) {
  return TaskStatus::Done;
}
void Task::post_build(base::TimePoint) {}
base::TimePoint Task::deadline() const {
  return base::kNever;
}
void Task::on_deadline(base::TimePoint) {}

}  // namespace ike::engine
