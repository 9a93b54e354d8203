#include "ike/engine/engine_types.h"

namespace ike::engine {

}  // namespace ike::engine
