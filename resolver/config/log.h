// One small logging layer on fmt: levels, destinations, and an optional query log. The Log object
// is created in main and handed to whoever logs; nothing below main holds a global logger.
//
// Destinations ([log] destination, docs/operations.md "Logs"):
//   "stderr"     RFC 3339 UTC timestamp + "[level] message" - unless stderr is the systemd journal
//                (JOURNAL_STREAM names the same file as fd 2): then "<N>[level] message", N being
//                the syslog priority journald reads, and no timestamp (the journal keeps its own).
//   "syslog"     syslog(3), facility daemon, ident "ternd", the level's syslog priority.
//   "file:PATH"  appended to PATH with timestamps; reopen() (SIGHUP) starts a new file after
//                logrotate moved the old one.
// Every line is written whole, with one write(2), so lines from worker threads never interleave.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tern::config {

class QueryLog;

enum class LogLevel : uint8_t { Debug, Info, Warning, Error, Off };

std::optional<LogLevel> log_level_from_text(std::string_view text);  // "debug", "info", ...
std::string_view to_string(LogLevel level);
int syslog_priority(LogLevel level);  // LOG_DEBUG .. LOG_ERR

// Where log lines go. Parsed from "stderr", "syslog" or "file:PATH".
struct LogDestination {
  enum class Kind : uint8_t { Stderr, Syslog, File };
  Kind kind = Kind::Stderr;
  std::string path;  // Kind::File only

  static std::optional<LogDestination> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const LogDestination&) const = default;
};

// How a line is dressed before it is written.
enum class LineStyle : uint8_t {
  Timestamped,  // "2026-12-03T15:08:17.123Z [info] message" (terminal, pipe, file)
  Journal,      // "<6>[info] message" (stderr connected to journald)
  Bare,         // "[info] message" (syslog adds its own time and priority)
};

// The whole line, newline included. `when` is wall-clock time (RFC 3339 in UTC, milliseconds).
std::string format_log_line(LineStyle style, LogLevel level, std::string_view message,
                            std::chrono::system_clock::time_point when);

// True when JOURNAL_STREAM ("DEVICE:INODE", set by systemd for a service whose stdout/stderr is
// the journal) names the file `fd` is open on. A child that inherited the variable but whose
// stderr was redirected elsewhere compares false, as sd_journal_stream_fd(3) recommends.
bool fd_is_journal_stream(int fd, const char* journal_stream_env);

// How long one cause of a warning stays quiet after it was logged (log.warning-interval).
inline constexpr std::chrono::seconds kDefaultWarningInterval{60};

// The state of one cause of a repeatable warning ("out of file descriptors", "log file not
// writable"), owned by whoever warns. Log::warn_limited logs the first occurrence at once, then
// at most one line per interval, saying how many were held back in between. Safe to share
// between threads.
class WarningLimiter {
 public:
  // If a line may be written at `now` (monotonic), returns how many occurrences were suppressed
  // since the last written one; otherwise counts this one and returns nullopt.
  std::optional<uint64_t> admit(std::chrono::steady_clock::time_point now,
                                std::chrono::steady_clock::duration interval);

 private:
  static constexpr int64_t kNever = INT64_MIN;
  std::atomic<int64_t> last_ns_{kNever};  // steady_clock ns of the last line written
  std::atomic<uint64_t> suppressed_{0};
};

// The operator's remedy for running out of file descriptors, for the warning that says so.
inline const char* fd_limit_advice() {
  return "raise the open-file limit (LimitNOFILE= in the systemd unit, ulimit -n in a shell)";
}

class Log {
 public:
  // Logs to `out` (a terminal, a pipe, or the journal when JOURNAL_STREAM says so).
  explicit Log(LogLevel level = LogLevel::Info, std::FILE* out = stderr);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Switches to `dest`. Returns an error message (the file cannot be opened) and keeps the
  // current destination on failure.
  std::optional<std::string> open(const LogDestination& dest);
  // For SIGHUP: a "file:" destination is opened again by name (after logrotate moved it).
  // Returns an error message and keeps writing to the old file on failure.
  std::optional<std::string> reopen();
  LogDestination destination() const;

  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  void set_query_log(bool on) { query_log_.store(on, std::memory_order_relaxed); }
  bool query_log() const { return query_log_.load(std::memory_order_relaxed); }
  // log-servfail (Unbound's name): one info line per SERVFAIL saying why (query_pipeline.cpp).
  void set_log_servfail(bool on) { log_servfail_.store(on, std::memory_order_relaxed); }
  bool log_servfail() const { return log_servfail_.load(std::memory_order_relaxed); }
  bool enabled(LogLevel l) const { return l >= level() && level() != LogLevel::Off; }
  void set_warning_interval(std::chrono::seconds s) {
    warning_interval_ns_.store(std::chrono::nanoseconds(s).count(), std::memory_order_relaxed);
  }
  std::chrono::steady_clock::duration warning_interval() const {
    return std::chrono::nanoseconds(warning_interval_ns_.load(std::memory_order_relaxed));
  }

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

  // A warning that can repeat (one cause per `limiter`): the first at once, then at most one per
  // warning interval, with " (N more since the last report)" when some were held back. Write the
  // message so it says what to do ("raise LimitNOFILE"), since it will not be repeated often.
  // Returns whether a line was written.
  template <class... Args>
  bool warn_limited(WarningLimiter& limiter, fmt::format_string<Args...> f, Args&&... args) {
    if (!enabled(LogLevel::Warning)) return false;
    auto held_back = limiter.admit(std::chrono::steady_clock::now(), warning_interval());
    if (!held_back) return false;
    std::string line = fmt::format(f, std::forward<Args>(args)...);
    if (*held_back) line += fmt::format(" ({} more since the last report)", *held_back);
    write(LogLevel::Warning, line);
    return true;
  }

  // The query log's own buffered sink (query_log.h): the front end's workers write to it through
  // QueryLog::Writer; query() below is the unbuffered path into this log.
  QueryLog& query_sink() { return *query_sink_; }

  // One line per answered query when the query log is on (independent of the level).
  template <class... Args>
  void query(fmt::format_string<Args...> f, Args&&... args) {
    if (!query_log()) return;
    write_raw("query: " + fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  void write(LogLevel l, const std::string& line);
  void write_raw(const std::string& line);  // query lines: informational, no level tag
  void emit(LogLevel l, std::string_view message, bool tagged);
  bool write_whole(int fd, std::string_view bytes);
  void close_current();

  std::atomic<LogLevel> level_;
  std::atomic<bool> query_log_{false};
  std::atomic<bool> log_servfail_{false};
  std::atomic<int64_t> warning_interval_ns_{std::chrono::nanoseconds(kDefaultWarningInterval).count()};
  mutable std::mutex mu_;  // guards the destination below; lines are written whole under it
  LogDestination dest_;
  int fd_ = 2;              // stderr or the file; unused for syslog
  bool own_fd_ = false;     // fd_ is a file this object opened
  LineStyle style_ = LineStyle::Timestamped;
  WarningLimiter write_failed_;  // the log file cannot be written (disk full, removed mount)
  std::unique_ptr<QueryLog> query_sink_;
};

}  // namespace tern::config
