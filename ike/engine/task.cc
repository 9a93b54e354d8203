#include "ike/engine/task.h"

namespace ike::engine {

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
