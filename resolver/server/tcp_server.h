// DNS over TCP for one worker (RFC 7766): listeners, and connections with 2-byte framing,
// pipelined queries answered out of order as each finishes, an idle timeout, a cap on connections
// and on queries in flight per connection, and a bound on bytes queued to a slow reader.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/config/log.h"
#include "resolver/config/log_throttle.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/stats.h"

namespace tern::server {

struct TcpSettings {
  uint32_t idle_timeout_ms = 10000;
  uint32_t max_connections = 1024;
  uint32_t max_inflight = 32;
  uint32_t max_write_buffer = 256 * 1024;
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
  void on_connection(uv_stream_t* listener);
  void accept_failed(int status);
  void check_descriptor_headroom(int fd);
  void forget(TcpConnection* c);

  uv_loop_t* loop_;
  TcpSettings settings_;
  QueryPipeline& pipeline_;
  Stats& stats_;
  config::Log& log_;
  config::LogThrottle accept_warnings_;
  uint64_t fd_limit_;  // RLIMIT_NOFILE when the server was built
  std::vector<uv_tcp_t*> listeners_;
  std::unordered_set<std::shared_ptr<TcpConnection>> connections_;
  std::vector<char> read_buffer_;  // reads are handled synchronously: one buffer per worker
  bool stopping_ = false;
};

}  // namespace tern::server
