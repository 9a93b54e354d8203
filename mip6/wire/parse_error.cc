#include "mip6/wire/parse_error.h"

namespace mip6::wire {

}  // namespace mip6::wire
