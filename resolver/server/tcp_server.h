// DNS over TCP for one worker (RFC 7766): listeners, and connections with 2-byte framing,
// pipelined queries answered out of order as each finishes, an idle timeout that shrinks as slots
// fill, a cap on connections (when full, the oldest idle one makes room for a new one) and on
// queries in flight per connection, a write budget shared by the worker's connections for replies
// not yet read, and a bound on the messages taken from TCP per loop iteration (tcp_limits.h).
#pragma once

#include <uv.h>

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_set>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/config/log.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/stats.h"
#include "resolver/server/tcp_limits.h"

namespace tern::server {

struct TcpSettings {
  uint32_t idle_timeout_ms = kTcpIdleTimeoutMs;
  uint32_t max_connections = 1024;
  uint32_t max_inflight = 32;
  uint32_t max_write_buffer = 256 * 1024;  // per connection, at most
  size_t write_budget = size_t(16) << 20;  // this worker's share of server.tcp-write-budget-mib
  uint32_t messages_per_iteration = kTcpMessagesPerIteration;
};

class TcpConnection;

// An accepted connection whose descriptor is this close to RLIMIT_NOFILE is logged (rate-limited):
// the process is about to run out, and past it connections are dropped silently by libuv.
constexpr uint64_t kDescriptorHeadroom = 16;

class TcpServer {
 public:
  TcpServer(uv_loop_t* loop, TcpSettings settings, QueryPipeline& pipeline, Stats& stats,
            config::Log& log);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  void listen(const config::SocketAddress& addr);  // throws std::runtime_error
  void stop_accepting();                           // closes the listeners, stops reading
  void close_all();                                // closes every connection now
  bool busy() const;                               // a connection has queries or writes pending
  size_t connections() const { return connections_.size(); }

 private:
  friend class TcpConnection;
  using Lru = std::list<TcpConnection*>;
  void on_connection(uv_stream_t* listener);
  void accept_failed(int status);
  void check_descriptor_headroom(int fd);
  void forget(TcpConnection* c);
  // Open connections, least recently active first. A connection moves to the back on activity
  // and leaves when it starts closing; size() is the number of slots in use.
  Lru::iterator enlist(TcpConnection* c) { return lru_.insert(lru_.end(), c); }
  void touch(Lru::iterator it) { lru_.splice(lru_.end(), lru_, it); }
  void unlist(Lru::iterator it) { lru_.erase(it); }
  bool evict_oldest_idle();
  // A connection that ran out of this iteration's message budget resumes in the next one.
  void defer(std::weak_ptr<TcpConnection> c);
  void resume_deferred();
  void close_loop_handles();

  uv_loop_t* loop_;
  TcpSettings settings_;
  QueryPipeline& pipeline_;
  Stats& stats_;
  config::Log& log_;
  config::WarningLimiter accept_warnings_;  // accept failures and descriptor headroom: one cause
  uint64_t fd_limit_;  // RLIMIT_NOFILE when the server was built
  std::vector<uv_tcp_t*> listeners_;
  std::unordered_set<std::shared_ptr<TcpConnection>> connections_;
  std::vector<char> read_buffer_;  // reads are handled synchronously: one buffer per worker
  TcpWriteBudget write_budget_;
  TcpIterationBudget iteration_;
  Lru lru_;
  std::vector<std::weak_ptr<TcpConnection>> deferred_;
  uv_check_t* check_ = nullptr;  // renews the per-iteration budget after each poll
  uv_idle_t* idle_ = nullptr;    // runs while connections are deferred (poll does not block)
  bool stopping_ = false;
};

}  // namespace tern::server
