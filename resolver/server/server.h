// The front end as a whole: N workers serving the configured addresses, plus what the main
// thread asks of them (reload the ACL, clear packet caches, collect counters, stop).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/server/local_zones.h"
#include "resolver/server/worker.h"

namespace tern::server {

WorkerSettings worker_settings(const config::Config& cfg);
std::shared_ptr<const Acl> make_acl(const config::Config& cfg);
std::shared_ptr<const ProxyPolicy> make_proxy_policy(const config::Config& cfg);

class Server {
 public:
  Server(const config::Config& cfg, config::Log& log, BackendFactory backend, HitCacheFactory cache);
  ~Server();

  void start();  // opens every socket in every worker (throws std::runtime_error), runs them
  void stop();   // graceful: in-flight queries get the grace period; joins the threads

  void set_acl(std::shared_ptr<const Acl> acl);
  void set_proxy(std::shared_ptr<const ProxyPolicy> proxy);  // reloaded with the ACL
  void clear_packet_caches();
  std::string stats_text() const;
  size_t threads() const { return workers_.size(); }

 private:
  LocalZones zones_;  // shared read-only by the workers
  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopped_ = false;
};

}  // namespace tern::server
