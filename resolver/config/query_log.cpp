#include "resolver/config/query_log.h"

#include "resolver/config/config.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace tern::config {

void QueryLog::Writer::append(std::string_view line, std::chrono::system_clock::time_point when) {
  LineStyle style = owner_.style_.load(std::memory_order_relaxed);
  std::string full;
  std::lock_guard lock(mu_);
  if (style == LineStyle::Timestamped) {
    // The date and time are formatted once per second; a line adds only its milliseconds.
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
    int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    if (second != prefix_second_) {
      std::time_t t = static_cast<std::time_t>(second);
      std::tm tm{};
      gmtime_r(&t, &tm);
      fmt::format_to_n(prefix_, sizeof prefix_ - 1, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      prefix_second_ = second;
    }
    int millis = int(ms - second * 1000);
    buf_ += prefix_;
    char tail[6] = {char('0' + millis / 100), char('0' + millis / 10 % 10), char('0' + millis % 10), 'Z', ' ', 0};
    buf_ += tail;
  } else if (style == LineStyle::Journal) {
    buf_ += "<6>";  // LOG_INFO
  }
  buf_ += line;
  buf_ += '\n';
  if (buf_.size() < owner_.buffer_bytes_.load(std::memory_order_relaxed)) return;
  full.swap(buf_);
  // Written outside this writer's lock would let a later buffer of this writer overtake it; a
  // worker writing its own full buffer is the rare case, so keep the order and write it here.
  owner_.write_out(std::move(full));
}

std::string QueryLog::Writer::take() {
  std::string out;
  std::lock_guard lock(mu_);
  out.swap(buf_);
  return out;
}

QueryLog::~QueryLog() {
  {
    std::lock_guard lock(flusher_mu_);
    stopping_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  flush();
  std::lock_guard lock(sink_mu_);
  if (own_fd_) ::close(fd_);
}

std::optional<std::string> QueryLog::open(std::optional<LogDestination> dest) {
  int fd = -1;
  if (dest && dest->kind == LogDestination::Kind::File) {
    // 0640: the query log names clients and the names they look up.
    fd = ::open(dest->path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
      return fmt::format("query log {}: cannot open: {}", dest->to_string(), std::strerror(errno));
  }
  flush();  // what was logged so far goes where it was meant to go
  {
    std::lock_guard lock(sink_mu_);
    if (own_fd_) ::close(fd_);
    dest_ = dest;
    fd_ = fd;
    own_fd_ = fd >= 0;
    LineStyle style = LineStyle::Timestamped;
    if (dest && dest->kind == LogDestination::Kind::Stderr) {
      fd_ = 2;
      if (fd_is_journal_stream(2, std::getenv("JOURNAL_STREAM"))) style = LineStyle::Journal;
    } else if (dest && dest->kind == LogDestination::Kind::Syslog) {
      style = LineStyle::Bare;
      openlog("ternd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    }
    style_.store(style, std::memory_order_relaxed);
  }
  std::lock_guard lock(flusher_mu_);
  if (dest && !flusher_.joinable() && !stopping_) flusher_ = std::thread([this] { flusher_main(); });
  return std::nullopt;
}

std::optional<LogDestination> QueryLog::destination() const {
  std::lock_guard lock(sink_mu_);
  return dest_;
}

std::shared_ptr<QueryLog::Writer> QueryLog::make_writer() {
  std::shared_ptr<Writer> w(new Writer(*this));
  std::lock_guard lock(writers_mu_);
  writers_.push_back(w);
  return w;
}

void QueryLog::flush() {
  std::vector<std::shared_ptr<Writer>> writers;
  {
    std::lock_guard lock(writers_mu_);
    writers = writers_;
  }
  for (auto& w : writers) {
    std::string lines = w->take();
    if (!lines.empty()) write_out(std::move(lines));
  }
}

void QueryLog::write_out(std::string&& lines) {
  std::lock_guard lock(sink_mu_);
  if (!dest_) return;  // query log off: dropped
  if (dest_->kind == LogDestination::Kind::Syslog) {
    size_t start = 0;
    while (start < lines.size()) {
      size_t end = lines.find('\n', start);
      if (end == std::string::npos) end = lines.size();
      syslog(LOG_INFO, "%.*s", int(end - start), lines.data() + start);
      start = end + 1;
    }
    return;
  }
  std::string_view rest = lines;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // disk full or gone: the lines are lost (the main log says so for its own)
    rest.remove_prefix(size_t(n));
  }
}

void QueryLog::flusher_main() {
  std::unique_lock lock(flusher_mu_);
  while (!stopping_) {
    flusher_cv_.wait_for(lock, std::chrono::milliseconds(flush_interval_ms_.load(std::memory_order_relaxed)),
                         [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush();
    lock.lock();
  }
}

std::optional<std::string> apply_query_log(Log& log, const LogConfig& cfg) {
  QueryLog& sink = log.query_sink();
  sink.set_buffer_bytes(size_t(cfg.query_log_buffer_kib) * 1024);
  sink.set_flush_interval(std::chrono::milliseconds(cfg.query_log_flush_ms));
  std::optional<LogDestination> dest;
  if (cfg.query_log) dest = cfg.query_log_destination.value_or(cfg.destination);
  if (auto failed = sink.open(dest)) return failed;
  log.set_query_log(cfg.query_log);
  return std::nullopt;
}

}  // namespace tern::config
