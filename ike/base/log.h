#pragma once
// Minimal structured logging for shells and tools. Engines do not log: they emit events
// and counters, and the shell turns those into log lines through a Logger.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ike/base/enum_names.h"

namespace base {

enum class LogLevel : std::uint8_t { Debug, Info, Warning, Error };

MIP6_ENUM_NAMES(LogLevel, Debug, Info, Warning, Error);

// Where log lines go. The default writes "level component: message" to stderr.
class Logger {
 public:
  using Sink = std::function<void(LogLevel, std::string_view component, std::string_view msg)>;
  Logger();
  explicit Logger(Sink sink, LogLevel min_level = LogLevel::Info)
      : sink_(std::move(sink)), min_level_(min_level) {}

  void log(LogLevel level, std::string_view component, std::string_view msg) const {
    if (level >= min_level_ && sink_) {
      sink_(level, component, msg);
    }
  }
  void set_min_level(LogLevel l) { min_level_ = l; }
  // Lets a caller skip building a message nobody will see (per-packet paths).
  [[nodiscard]] bool enabled(LogLevel level) const { return level >= min_level_ && sink_; }

 private:
  Sink sink_;
  LogLevel min_level_ = LogLevel::Info;
};

// Token bucket for log lines about untrusted input: a flood of bad packets must not become
// a flood of log lines. Time comes in as an argument.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst), tokens_(burst) {}
  // True when one more event may pass at time `now`.
  bool allow(std::chrono::steady_clock::time_point now) {
    if (last_ != std::chrono::steady_clock::time_point{}) {
      const double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + (elapsed > 0 ? elapsed * rate_ : 0.0));
    }
    last_ = now;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    ++suppressed_;
    return false;
  }
  [[nodiscard]] std::uint64_t suppressed() const { return suppressed_; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t suppressed_ = 0;
};

}  // namespace base
