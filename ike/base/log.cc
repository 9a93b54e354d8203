#include "ike/base/log.h"

#include <cstdio>

namespace base {

Logger::Logger()
    : sink_([](LogLevel level, std::string_view component, std::string_view msg) {
        std::fprintf(stderr, "%.*s %.*s: %.*s\n", static_cast<int>(to_string(level).size()),
                     to_string(level).data(), static_cast<int>(component.size()),
                     component.data(), static_cast<int>(msg.size()), msg.data());
      }) {}

}  // namespace base
