#include "ike/wire/parse_error.h"

namespace ike::wire {

}  // namespace ike::wire
