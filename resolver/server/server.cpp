#include "resolver/server/server.h"

#include <thread>

namespace tern::server {

WorkerSettings worker_settings(const config::Config& cfg) {
  WorkerSettings w;
  w.listen = cfg.server.listen;
  w.pipeline.udp_max_payload = cfg.server.udp_max_payload;
  if (!cfg.cache.prefetch) w.pipeline.max_prefetches = 0;
  w.tcp.idle_timeout_ms = cfg.server.tcp_idle_timeout_ms;
  w.tcp.max_connections = cfg.server.tcp_max_connections;
  w.tcp.max_inflight = cfg.server.tcp_max_inflight;
  w.tcp.max_write_buffer = cfg.server.tcp_max_write_buffer;
  return w;
}

std::shared_ptr<const Acl> make_acl(const config::Config& cfg) {
  return std::make_shared<const Acl>(cfg.server.allow);
}

std::shared_ptr<const ProxyPolicy> make_proxy_policy(const config::Config& cfg) {
  return std::make_shared<const ProxyPolicy>(cfg.server.proxy_protocol_from,
                                             cfg.server.proxy_protocol_maximum_size);
}

Server::Server(const config::Config& cfg, config::Log& log, BackendFactory backend,
               HitCacheFactory cache)
    : zones_(cfg.server.no_local_zones) {
  unsigned n = cfg.server.threads;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  auto acl = make_acl(cfg);
  for (unsigned i = 0; i < n; ++i)
    workers_.push_back(std::make_unique<Worker>(worker_settings(cfg), zones_, log, backend, cache, acl));
  // Set before the loops run, so the first datagram already sees it.
  auto proxy = make_proxy_policy(cfg);
  for (auto& w : workers_) w->set_proxy(proxy);
}

Server::~Server() { stop(); }

void Server::start() {
  for (auto& w : workers_) w->open();
  for (auto& w : workers_) w->start();
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) w->request_stop();
  for (auto& w : workers_) w->join();
}

void Server::set_acl(std::shared_ptr<const Acl> acl) {
  for (auto& w : workers_) w->post([acl](Worker& self) { self.set_acl(acl); });
}

void Server::set_proxy(std::shared_ptr<const ProxyPolicy> proxy) {
  for (auto& w : workers_) w->post([proxy](Worker& self) { self.set_proxy(proxy); });
}

void Server::clear_packet_caches() {
  for (auto& w : workers_) w->post([](Worker& self) { self.clear_packet_cache(); });
}

std::string Server::stats_text() const {
  Stats total;
  for (const auto& w : workers_) w->stats().add_to(total);
  return total.to_text();
}

}  // namespace tern::server
