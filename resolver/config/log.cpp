#include "resolver/config/log.h"

#include "resolver/config/query_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace tern::config {

std::optional<LogLevel> log_level_from_text(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "debug") return LogLevel::Debug;
  if (t == "info") return LogLevel::Info;
  if (t == "warning" || t == "warn") return LogLevel::Warning;
  if (t == "error") return LogLevel::Error;
  if (t == "off") return LogLevel::Off;
  return std::nullopt;
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    case LogLevel::Off: return "off";
  }
  return "?";
}

int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return LOG_DEBUG;
    case LogLevel::Info: return LOG_INFO;
    case LogLevel::Warning: return LOG_WARNING;
    case LogLevel::Error:
    case LogLevel::Off: return LOG_ERR;
  }
  return LOG_ERR;
}

std::optional<LogDestination> LogDestination::parse(std::string_view text) {
  if (text == "stderr") return LogDestination{Kind::Stderr, {}};
  if (text == "syslog") return LogDestination{Kind::Syslog, {}};
  if (text.rfind("file:", 0) == 0 && text.size() > 5)
    return LogDestination{Kind::File, std::string(text.substr(5))};
  return std::nullopt;
}

std::string LogDestination::to_string() const {
  switch (kind) {
    case Kind::Stderr: return "stderr";
    case Kind::Syslog: return "syslog";
    case Kind::File: return "file:" + path;
  }
  return "?";
}

std::string format_log_line(LineStyle style, LogLevel level, std::string_view message,
                            std::chrono::system_clock::time_point when) {
  std::string out;
  out.reserve(message.size() + 40);
  if (style == LineStyle::Timestamped) {
    auto since_epoch = when.time_since_epoch();
    auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count();
    std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    out += fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z ", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  } else if (style == LineStyle::Journal) {
    out += fmt::format("<{}>", syslog_priority(level));
  }
  out += message;
  out += '\n';
  return out;
}

bool fd_is_journal_stream(int fd, const char* env) {
  if (!env || !*env) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

std::optional<uint64_t> WarningLimiter::admit(std::chrono::steady_clock::time_point now,
                                              std::chrono::steady_clock::duration interval) {
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  int64_t gap = std::chrono::duration_cast<std::chrono::nanoseconds>(interval).count();
  int64_t last = last_ns_.load(std::memory_order_relaxed);
  // One thread wins the slot; the others count as suppressed.
  while (last == kNever || now_ns - last >= gap) {
    if (last_ns_.compare_exchange_weak(last, now_ns, std::memory_order_relaxed))
      return suppressed_.exchange(0, std::memory_order_relaxed);
  }
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

Log::Log(LogLevel level, std::FILE* out)
    : level_(level), fd_(fileno(out)), query_sink_(std::make_unique<QueryLog>()) {
  style_ = fd_is_journal_stream(fd_, std::getenv("JOURNAL_STREAM")) ? LineStyle::Journal
                                                                      : LineStyle::Timestamped;
}

Log::~Log() {
  query_sink_.reset();  // its last lines first
  std::lock_guard lock(mu_);
  close_current();
}

void Log::close_current() {
  if (dest_.kind == LogDestination::Kind::Syslog) closelog();
  if (own_fd_) ::close(fd_);
  own_fd_ = false;
}

std::optional<std::string> Log::open(const LogDestination& dest) {
  int fd = 2;
  if (dest.kind == LogDestination::Kind::File) {
    // 0640: the log names clients and the names they look up.
    fd = ::open(dest.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
      return fmt::format("log destination {}: cannot open: {}", dest.to_string(), std::strerror(errno));
  }
  std::lock_guard lock(mu_);
  close_current();
  dest_ = dest;
  fd_ = fd;
  own_fd_ = dest.kind == LogDestination::Kind::File;
  switch (dest.kind) {
    case LogDestination::Kind::Stderr:
      style_ = fd_is_journal_stream(2, std::getenv("JOURNAL_STREAM")) ? LineStyle::Journal
                                                                      : LineStyle::Timestamped;
      break;
    case LogDestination::Kind::Syslog:
      style_ = LineStyle::Bare;
      openlog("ternd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
      break;
    case LogDestination::Kind::File: style_ = LineStyle::Timestamped; break;
  }
  return std::nullopt;
}

std::optional<std::string> Log::reopen() {
  LogDestination dest = destination();
  if (dest.kind != LogDestination::Kind::File) return std::nullopt;
  return open(dest);
}

LogDestination Log::destination() const {
  std::lock_guard lock(mu_);
  return dest_;
}

void Log::write(LogLevel l, const std::string& line) { emit(l, line, true); }

void Log::write_raw(const std::string& line) { emit(LogLevel::Info, line, false); }

bool Log::write_whole(int fd, std::string_view bytes) {
  // One write(2) per line; the loop only finishes a write a signal cut short.
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Log::emit(LogLevel l, std::string_view message, bool tagged) {
  std::string text = tagged ? fmt::format("[{}] {}", to_string(l), message) : std::string(message);
  std::string failure;
  {
    std::lock_guard lock(mu_);
    if (dest_.kind == LogDestination::Kind::Syslog) {
      syslog(syslog_priority(l), "%s", text.c_str());
      return;
    }
    std::string line = format_log_line(style_, l, text, std::chrono::system_clock::now());
    if (write_whole(fd_, line) || !own_fd_) return;
    failure = std::strerror(errno);
  }
  // The log file cannot take the line: say so on stderr, once per interval, not once per line.
  if (!write_failed_.admit(std::chrono::steady_clock::now(), warning_interval())) return;
  std::string note = format_log_line(
      LineStyle::Timestamped, LogLevel::Warning,
      fmt::format("[warning] cannot write to the log file {}: {}; lines are being lost - free space "
                  "or fix the file, then send SIGHUP to reopen it",
                  destination().path, failure),
      std::chrono::system_clock::now());
  write_whole(2, note);
}

}  // namespace tern::config
