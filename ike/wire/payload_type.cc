#include "ike/wire/payload_type.h"

namespace ike::wire {

bool is_known_payload_type(std::uint8_t type) { return type >= 33 && type <= 48; }

}  // namespace ike::wire
