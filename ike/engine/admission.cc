#include "ike/engine/admission.h"

namespace ike::engine {

}  // namespace ike::engine
