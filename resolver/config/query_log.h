// The query log's sink ([log] query-log): one line per answered query, to its own destination
// (stderr, syslog or file:PATH), buffered so that logging every query costs little. Each worker
// thread appends to its own Writer (a string under a mutex only the flusher ever contends); a
// Writer hands its buffer to the destination when it holds kQueryLogBufferBytes, and a flusher
// thread writes every Writer's lines at least every flush interval, so a quiet resolver's lines
// still appear within a second. Lines are written whole (a buffer holds whole lines), with one
// write(2) per buffer. Owned by config::Log (Log::query_sink()); nothing global.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "resolver/config/log.h"

namespace tern::config {

struct LogConfig;

// A Writer hands its lines to the destination once it holds this many bytes.
inline constexpr size_t kQueryLogBufferBytes = 64 * 1024;
// The flusher writes every Writer's lines at least this often.
inline constexpr std::chrono::milliseconds kQueryLogFlushInterval{1000};

class QueryLog {
 public:
  class Writer {
   public:
    // One line, without timestamp or newline ("query: 127.0.0.1:5300 udp example. A NOERROR ...").
    void append(std::string_view line, std::chrono::system_clock::time_point when);

   private:
    friend class QueryLog;
    explicit Writer(QueryLog& owner) : owner_(owner) {}
    std::string take();

    QueryLog& owner_;
    std::mutex mu_;
    std::string buf_;
    int64_t prefix_second_ = INT64_MIN;  // the second `prefix_` was formatted for
    char prefix_[24] = {};               // "2026-12-03T15:08:17." for that second
  };

  QueryLog() = default;
  ~QueryLog();  // writes what is buffered, stops the flusher
  QueryLog(const QueryLog&) = delete;
  QueryLog& operator=(const QueryLog&) = delete;

  // Sends the lines to `dest` from now on (nullopt: nowhere, the lines are dropped: query log
  // off). A "file:" destination is opened again by name, so this also serves SIGHUP after
  // logrotate. Returns an error message and keeps the old destination on failure.
  std::optional<std::string> open(std::optional<LogDestination> dest);
  std::optional<LogDestination> destination() const;
  void set_buffer_bytes(size_t bytes) { buffer_bytes_.store(bytes, std::memory_order_relaxed); }
  void set_flush_interval(std::chrono::milliseconds ms) {
    flush_interval_ms_.store(ms.count(), std::memory_order_relaxed);
  }

  // A buffer for one thread; kept until the sink is destroyed.
  std::shared_ptr<Writer> make_writer();
  // Writes every Writer's lines now.
  void flush();

 private:
  void write_out(std::string&& lines);
  void flusher_main();

  mutable std::mutex sink_mu_;  // the destination; buffers are written whole under it
  std::optional<LogDestination> dest_;
  int fd_ = -1;
  bool own_fd_ = false;
  std::atomic<LineStyle> style_{LineStyle::Timestamped};
  std::atomic<size_t> buffer_bytes_{kQueryLogBufferBytes};
  std::atomic<int64_t> flush_interval_ms_{kQueryLogFlushInterval.count()};

  std::mutex writers_mu_;
  std::vector<std::shared_ptr<Writer>> writers_;

  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  bool stopping_ = false;
  std::thread flusher_;
};

// Applies [log] query-log, query-log-buffer-kib and query-log-flush-ms to `log` (start-up and
// reload): the on/off switch, and the sink opened on its destination (or, without one of its own,
// the main log's). Returns an error message (a file that cannot be opened) and keeps the query
// log as it was then.
std::optional<std::string> apply_query_log(Log& log, const LogConfig& cfg);

}  // namespace tern::config
