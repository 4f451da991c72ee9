// DNS over TCP (RFC 7766) and over TLS (RFC 7858) for one worker: listeners, and connections
// (DnsStream over a TcpTransport or a TlsTransport, stream_transport.h) with 2-byte framing,
// pipelined queries answered out of order as each finishes, an idle timeout that shrinks as slots
// fill, a cap on connections (when full, the oldest idle one makes room for a new one) and on
// queries in flight per connection, a write budget shared by the worker's connections for replies
// not yet read, and a bound on the messages taken per loop iteration (tcp_limits.h). TCP and TLS
// connections share the slots and the budgets; TLS adds a handshake timeout and a cap on
// handshakes in progress (tls_context.h).
#pragma once

#include <uv.h>

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_set>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/config/log.h"
#include "resolver/server/doh_session.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/stats.h"
#include "resolver/server/stream_transport.h"
#include "resolver/server/tcp_limits.h"
#include "resolver/server/tls_context.h"

namespace tern::server {

struct TcpSettings {
  uint32_t idle_timeout_ms = kTcpIdleTimeoutMs;
  uint32_t max_connections = 1024;
  uint32_t max_inflight = 32;
  uint32_t max_write_buffer = 256 * 1024;  // per connection, at most
  size_t write_budget = size_t(16) << 20;  // this worker's share of server.tcp-write-budget-mib
  uint32_t messages_per_iteration = kTcpMessagesPerIteration;
  uint32_t tls_handshake_timeout_ms = kTlsHandshakeTimeoutMs;
  uint32_t tls_max_handshakes = kTlsMaxHandshakes;  // per worker
  DohSettings doh;  // DNS-over-HTTPS connections (server.https-*)
};

// What a listener's connections carry: DNS messages with 2-byte framing (TCP, DNS over TLS), or
// DNS over HTTPS (HTTP/2 over TLS, doh_session.h).
enum class StreamService : uint8_t { Dns, Https };

class DnsStream;

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

  // Throws std::runtime_error. A Tls listener needs set_tls() before its first connection (one
  // that comes earlier is closed).
  // An Https listener is TLS with the context of set_https_tls() (ALPN h2).
  void listen(const config::SocketAddress& addr, StreamKind kind = StreamKind::Tcp,
              StreamService service = StreamService::Dns);
  // The TLS context for new connections (start-up, and each reload: open ones keep theirs).
  void set_tls(std::shared_ptr<const TlsContext> tls) { tls_ = std::move(tls); }
  void set_https_tls(std::shared_ptr<const TlsContext> tls) { https_tls_ = std::move(tls); }
  void stop_accepting();                           // closes the listeners, stops reading
  void close_all();                                // closes every connection now
  bool busy() const;                               // a connection has queries or writes pending
  // Serves a client over `transport` as if just accepted, without a listener (the transport's
  // accept gets nullptr): the seam the stream tests and the fuzz target drive DnsStream through.
  // `https`: the client speaks DNS over HTTPS on it.
  void adopt(std::unique_ptr<StreamTransport> transport, bool https = false) {
    admit(std::move(transport), nullptr, https);
  }
  const Stats& stats() const { return stats_; }
  size_t write_budget_used() const { return write_budget_.used(); }
  size_t connections() const { return connections_.size(); }
  size_t connections(StreamKind kind) const;
  uint32_t handshakes() const { return handshakes_; }

 private:
  friend class DnsStream;
  using Lru = std::list<DnsStream*>;
  void on_connection(uv_stream_t* listener, StreamKind kind, StreamService service);
  void admit(std::unique_ptr<StreamTransport> transport, uv_stream_t* listener, bool https = false);
  void accept_failed(int status);
  void check_descriptor_headroom(int fd);
  void forget(DnsStream* c);
  // Open connections, least recently active first. A connection moves to the back on activity
  // and leaves when it starts closing; size() is the number of slots in use.
  Lru::iterator enlist(DnsStream* c) { return lru_.insert(lru_.end(), c); }
  void touch(Lru::iterator it) { lru_.splice(lru_.end(), lru_, it); }
  void unlist(Lru::iterator it) { lru_.erase(it); }
  bool evict_oldest_idle();
  // A connection that ran out of this iteration's message budget resumes in the next one.
  void defer(std::weak_ptr<DnsStream> c);
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
  std::shared_ptr<const TlsContext> tls_;
  std::shared_ptr<const TlsContext> https_tls_;  // the same certificate, ALPN h2
  uint32_t handshakes_ = 0;  // TLS handshakes in progress (DnsStream counts them)
  std::unordered_set<std::shared_ptr<DnsStream>> connections_;
  std::vector<char> read_buffer_;  // reads are handled synchronously: one buffer per worker
  TcpWriteBudget write_budget_;
  TcpIterationBudget iteration_;
  Lru lru_;
  std::vector<std::weak_ptr<DnsStream>> deferred_;
  uv_check_t* check_ = nullptr;  // renews the per-iteration budget after each poll
  uv_idle_t* idle_ = nullptr;    // runs while connections are deferred (poll does not block)
  bool stopping_ = false;
};

}  // namespace tern::server
