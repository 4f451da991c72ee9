// One small logging layer on fmt: levels, and an optional query log. The Log object is created in
// main and handed to whoever logs; nothing below main holds a global logger.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>

namespace tern::config {

enum class LogLevel : uint8_t { Debug, Info, Warning, Error, Off };

std::optional<LogLevel> log_level_from_text(std::string_view text);  // "debug", "info", ...
std::string_view to_string(LogLevel level);

class Log {
 public:
  explicit Log(LogLevel level = LogLevel::Info, std::FILE* out = stderr) : level_(level), out_(out) {}

  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  void set_query_log(bool on) { query_log_.store(on, std::memory_order_relaxed); }
  bool query_log() const { return query_log_.load(std::memory_order_relaxed); }
  bool enabled(LogLevel l) const { return l >= level() && level() != LogLevel::Off; }

  template <class... Args>
  void log(LogLevel l, fmt::format_string<Args...> f, Args&&... args) {
    if (!enabled(l)) return;
    write(l, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::Debug, f, std::forward<Args>(a)...); }
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::Info, f, std::forward<Args>(a)...); }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::Warning, f, std::forward<Args>(a)...); }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::Error, f, std::forward<Args>(a)...); }

  // One line per answered query when the query log is on (independent of the level).
  template <class... Args>
  void query(fmt::format_string<Args...> f, Args&&... args) {
    if (!query_log()) return;
    write_raw("query: " + fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  void write(LogLevel l, const std::string& line);
  void write_raw(const std::string& line);

  std::atomic<LogLevel> level_;
  std::atomic<bool> query_log_{false};
  std::FILE* out_;
  std::mutex mu_;  // whole lines from several worker threads
};

}  // namespace tern::config
