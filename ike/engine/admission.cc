#include "ike/engine/admission.h"

namespace ike::engine {

std::string_view to_string(DecisionPoint p) {
  switch (p) {
    case DecisionPoint::IkeSaInit: return "ike-sa-init";
    case DecisionPoint::IkeAuth: return "ike-auth";
    case DecisionPoint::Move: return "move";
  }
  return "?";
}

}  // namespace ike::engine
