// One worker thread: its own libuv loop, its own SO_REUSEPORT UDP and TCP sockets per listen
// address, its own packet cache and backend (engine + upstream transport on this loop).
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/config/log.h"
#include "resolver/server/backend.h"
#include "resolver/server/hit_cache.h"
#include "resolver/server/local_policy.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/stats.h"
#include "resolver/server/tcp_server.h"
#include "resolver/server/udp_listener.h"

namespace tern::server {

struct WorkerSettings {
  std::vector<config::SocketAddress> listen;
  std::vector<config::SocketAddress> tls_listen;  // DNS over TLS (served with set_tls's context)
  std::vector<config::SocketAddress> https_listen;  // DNS over HTTPS (set_https_tls's context)
  PipelineSettings pipeline;
  TcpSettings tcp;
  uint32_t shutdown_grace_ms = 2000;  // how long in-flight queries get to finish on stop
};

// Made on the calling thread for the worker's loop, before the worker runs.
using BackendFactory = std::function<std::unique_ptr<Backend>(uv_loop_t*)>;
using HitCacheFactory = std::function<std::unique_ptr<HitCache>()>;

class Worker {
 public:
  Worker(WorkerSettings settings, std::shared_ptr<const LocalPolicy> policy, config::Log& log,
         const BackendFactory& backend, const HitCacheFactory& cache,
         std::shared_ptr<const Acl> acl);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void open();   // binds every socket; throws std::runtime_error naming the address
  void start();  // runs the loop on a new thread
  // Runs `fn` on the worker's thread (thread-safe).
  void post(std::function<void(Worker&)> fn);
  void request_stop();  // stop reading, let in-flight queries finish (bounded), close everything
  void join();

  // Worker-thread only (from post()):
  void set_acl(std::shared_ptr<const Acl> acl) { pipeline_->set_acl(std::move(acl)); }
  // The packet cache goes with the old policy: it may hold answers for names now local.
  void set_local_policy(std::shared_ptr<const LocalPolicy> policy) {
    pipeline_->set_local_policy(std::move(policy));
    clear_packet_cache();
  }
  // The same for the response policy (RPZ): the cache may hold answers a new zone rewrites.
  void set_rpz_policy(std::shared_ptr<const RpzPolicy> rpz) {
    pipeline_->set_rpz_policy(std::move(rpz));
    clear_packet_cache();
  }
  void set_proxy(std::shared_ptr<const ProxyPolicy> p) { pipeline_->set_proxy(std::move(p)); }
  // New forward/stub zones: the packet cache may hold answers that came the old way.
  void set_zone_routes(std::shared_ptr<const engine::ZoneRoutes> routes) {
    if (backend_) backend_->set_zone_routes(std::move(routes));
    clear_packet_cache();
  }
  void set_tls(std::shared_ptr<const TlsContext> tls) { tcp_->set_tls(std::move(tls)); }
  void set_https_tls(std::shared_ptr<const TlsContext> tls) { tcp_->set_https_tls(std::move(tls)); }
  void clear_packet_cache() {
    if (cache_) cache_->clear();
  }
  const Stats& stats() const { return stats_; }  // any thread: relaxed atomics
  // Worker-thread only (from post()): adds the backend's and the packet cache's counters.
  void add_backend_stats(BackendStats& into) const {
    if (backend_) backend_->add_stats(into);
    if (cache_) cache_->add_stats(into.packet_cache);
    if (tcp_) into.tcp_connections_open += tcp_->connections();
    if (tcp_) into.tls_connections_open += tcp_->connections(StreamKind::Tls);
  }

 private:
  void run_posted();
  void flush_udp();
  void begin_stop();
  void finish_stop();

  WorkerSettings settings_;
  config::Log& log_;
  Stats stats_;
  uv_loop_t loop_{};
  uv_async_t* async_ = nullptr;
  uv_check_t* check_ = nullptr;
  uv_prepare_t* prepare_ = nullptr;
  uv_timer_t* stop_timer_ = nullptr;
  std::unique_ptr<HitCache> cache_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<QueryPipeline> pipeline_;
  std::vector<std::shared_ptr<UdpListener>> udp_;
  std::unique_ptr<TcpServer> tcp_;
  std::mutex mu_;
  std::vector<std::function<void(Worker&)>> posted_;
  bool closed_ = false;  // guarded by mu_
  std::thread thread_;
  uint64_t stop_started_ms_ = 0;
  bool stopping_ = false;
};

}  // namespace tern::server
