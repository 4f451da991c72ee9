// The front end as a whole: N workers serving the configured addresses, plus what the main
// thread asks of them (reload the ACL, clear packet caches, collect counters, stop).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/server/local_policy.h"
#include "resolver/server/rpz_policy.h"
#include "resolver/server/worker.h"

namespace tern::server {

WorkerSettings worker_settings(const config::Config& cfg);
// server.tcp-write-budget-mib in bytes, its default derived from the cache size; split evenly
// over the workers.
size_t tcp_write_budget_bytes(const config::Config& cfg);
std::shared_ptr<const Acl> make_acl(const config::Config& cfg);
std::shared_ptr<const ProxyPolicy> make_proxy_policy(const config::Config& cfg);
TlsSettings tls_settings(const config::Config& cfg);

// Every worker's counters summed: the front end's read directly (relaxed atomics), the backends'
// copied on each worker's thread. `answered` < `workers` when a worker did not answer in time
// (its backend counters are then missing from `backend`).
struct ServerSnapshot {
  Stats front;
  BackendStats backend;
  size_t workers = 0;
  size_t answered = 0;
};

// How long a collection waits for the workers to copy their counters.
inline constexpr uint32_t kStatsCollectTimeoutMs = 1000;

class Server {
 public:
  // `policy`: the local policy built from `cfg` (load_local_policy), checked before the server.
  Server(const config::Config& cfg, std::shared_ptr<const LocalPolicy> policy, config::Log& log,
         BackendFactory backend, HitCacheFactory cache);
  // Builds the local policy from `cfg` itself (throws config::ConfigError on a bad record).
  Server(const config::Config& cfg, config::Log& log, BackendFactory backend, HitCacheFactory cache);
  ~Server();

  // Refuses an address another process already serves, then opens every socket in every worker
  // (throws std::runtime_error naming the address) and runs them.
  void start();
  void stop();   // graceful: in-flight queries get the grace period; joins the threads

  void set_acl(std::shared_ptr<const Acl> acl);
  void set_proxy(std::shared_ptr<const ProxyPolicy> proxy);  // reloaded with the ACL
  // Re-reads server.tls-certificate and tls-key (SIGHUP: a renewed certificate) for new TLS
  // connections; open ones keep theirs, and session tickets stay valid. The error when the new
  // files do not load (the running certificate stays).
  std::optional<std::string> reload_tls(const config::Config& cfg);
  void clear_packet_caches();
  // Hands `policy` to every worker, each of which clears its packet cache with the swap.
  void set_local_policy(std::shared_ptr<const LocalPolicy> policy);
  // Hands the response policy to every worker (each clears its packet cache with the swap);
  // before start() it is set directly, so the first query already meets it.
  void set_rpz_policy(std::shared_ptr<const RpzPolicy> rpz);
  // Per policy zone counters, shared with the loader (rpz_loader.h) and read by the metrics.
  const std::shared_ptr<RpzStats>& rpz_stats() const { return rpz_stats_; }
  // Forward and stub zones, posted to every worker's engine (SIGHUP).
  void set_zone_routes(std::shared_ptr<const engine::ZoneRoutes> routes);
  // Thread-safe; blocks the caller up to kStatsCollectTimeoutMs, never a worker.
  void collect(ServerSnapshot& out) const;
  size_t threads() const { return workers_.size(); }

 private:
  // Builds the TLS contexts of the TLS and HTTPS listeners and hands them to the workers
  // (`running`: posted to their loops); the error when the files do not load.
  std::optional<std::string> install_tls(const config::Config& cfg, bool running);
  std::vector<config::SocketAddress> listen_;
  std::vector<config::SocketAddress> tls_listen_;
  std::vector<config::SocketAddress> https_listen_;
  std::shared_ptr<TicketKeys> ticket_keys_;  // with TLS listeners: shared by every context
  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopped_ = false;
  std::mutex start_mu_;  // orders set_rpz_policy (loader thread) with start()
  bool started_ = false;  // guarded by start_mu_
  std::shared_ptr<RpzStats> rpz_stats_ = std::make_shared<RpzStats>();
};

}  // namespace tern::server
