// A warning that can repeat thousands of times a second (every accept() or socket() while the
// process is out of file descriptors) is logged at most once per interval, with a count of the
// ones held back, so the log says what is wrong without flooding. Time is passed in (the caller's
// loop time, monotonic), so the rule is testable without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace tern::config {

// How often a resource warning (out of file descriptors) may repeat, per worker.
constexpr std::chrono::milliseconds kResourceWarningInterval{10'000};

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::milliseconds interval = kResourceWarningInterval)
      : interval_(interval) {}

  // An event at `now`: the number of events held back since the last one let through when this
  // one should be logged, nullopt when it is held back.
  std::optional<uint64_t> admit(std::chrono::milliseconds now) {
    if (last_ && now - *last_ < interval_) {
      ++held_;
      return std::nullopt;
    }
    last_ = now;
    uint64_t held = held_;
    held_ = 0;
    return held;
  }

 private:
  std::chrono::milliseconds interval_;
  std::optional<std::chrono::milliseconds> last_;
  uint64_t held_ = 0;
};

// The operator's remedy for running out of file descriptors, for the log line.
inline const char* fd_limit_advice() {
  return "raise the open-file limit (LimitNOFILE= in the systemd unit, ulimit -n in a shell)";
}

}  // namespace tern::config
