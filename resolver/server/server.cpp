#include "resolver/server/server.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "resolver/server/local_policy_builder.h"
#include "resolver/server/socket_open.h"

namespace tern::server {

size_t tcp_write_budget_bytes(const config::Config& cfg) {
  size_t mib = cfg.server.tcp_write_budget_mib;
  if (mib == 0)
    mib = std::max<size_t>(kTcpMinWriteBudgetMib, cfg.cache.size_mib / kTcpWriteBudgetCacheDivisor);
  return mib << 20;
}

WorkerSettings worker_settings(const config::Config& cfg) {
  WorkerSettings w;
  w.listen = cfg.server.listen;
  w.pipeline.udp_max_payload = cfg.server.udp_max_payload;
  w.pipeline.ede_text_allow = cfg.server.ede_text_allow;
  if (!cfg.cache.prefetch) w.pipeline.max_prefetches = 0;
  w.pipeline.identity.hide_identity = cfg.server.hide_identity;
  w.pipeline.identity.hide_version = cfg.server.hide_version;
  w.pipeline.identity.identity = cfg.server.identity;
  w.pipeline.identity.version = cfg.server.version;
  w.tcp.idle_timeout_ms = cfg.server.tcp_idle_timeout_ms;
  w.tcp.max_connections = cfg.server.tcp_max_connections;
  w.tcp.max_inflight = cfg.server.tcp_max_inflight;
  w.tcp.max_write_buffer = cfg.server.tcp_max_write_buffer;
  w.tcp.write_budget = tcp_write_budget_bytes(cfg) / std::max(1u, cfg.server.threads);
  w.tcp.messages_per_iteration = cfg.server.tcp_messages_per_iteration;
  w.tls_listen = cfg.server.tls_listen;
  w.tcp.tls_handshake_timeout_ms = cfg.server.tls_handshake_timeout_ms;
  w.tcp.tls_max_handshakes = cfg.server.tls_max_handshakes;
  w.https_listen = cfg.server.https_listen;
  w.tcp.doh.path = cfg.server.https_path;
  w.tcp.doh.max_streams = cfg.server.https_max_streams;
  w.tcp.doh.max_header_bytes = cfg.server.https_max_header_bytes;
  w.tcp.doh.max_body = cfg.server.https_max_body;
  w.tcp.doh.stream_timeout_ms = cfg.server.https_stream_timeout_ms;
  return w;
}

std::shared_ptr<const Acl> make_acl(const config::Config& cfg) {
  return std::make_shared<const Acl>(cfg.server.allow);
}

TlsSettings tls_settings(const config::Config& cfg) {
  TlsSettings t;
  t.certificate = cfg.server.tls_certificate;
  t.key = cfg.server.tls_key;
  return t;
}

std::shared_ptr<const ProxyPolicy> make_proxy_policy(const config::Config& cfg) {
  return std::make_shared<const ProxyPolicy>(cfg.server.proxy_protocol_from,
                                             cfg.server.proxy_protocol_maximum_size);
}

Server::Server(const config::Config& cfg, std::shared_ptr<const LocalPolicy> policy,
               config::Log& log, BackendFactory backend, HitCacheFactory cache)
    : listen_(cfg.server.listen), tls_listen_(cfg.server.tls_listen), https_listen_(cfg.server.https_listen) {
  unsigned n = cfg.server.threads;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  auto acl = make_acl(cfg);
  for (unsigned i = 0; i < n; ++i)
    workers_.push_back(std::make_unique<Worker>(worker_settings(cfg), policy, log, backend, cache, acl));
  // Set before the loops run, so the first datagram already sees it.
  auto proxy = make_proxy_policy(cfg);
  for (auto& w : workers_) w->set_proxy(proxy);
  if (!tls_listen_.empty() || !https_listen_.empty()) {
    ticket_keys_ = std::make_shared<TicketKeys>(cfg.server.tls_ticket_key_rotation_s);
    if (auto error = install_tls(cfg, false)) throw config::ConfigError(*error);
  }
}

std::optional<std::string> Server::install_tls(const config::Config& cfg, bool running) {
  // One context per service, both from the same certificate and ticket keys: ALPN "dot" on the
  // DNS-over-TLS listeners, "h2" on the DNS-over-HTTPS ones, so neither client is told the
  // other protocol.
  std::shared_ptr<const TlsContext> dot, doh;
  if (!tls_listen_.empty()) {
    TlsContext::Built b = TlsContext::build(tls_settings(cfg), ticket_keys_);
    if (!b.context) return b.error;
    dot = b.context;
  }
  if (!https_listen_.empty()) {
    TlsSettings s = tls_settings(cfg);
    s.alpn = {"h2"};
    TlsContext::Built b = TlsContext::build(s, ticket_keys_);
    if (!b.context) return b.error;
    doh = b.context;
  }
  for (auto& w : workers_) {
    auto apply = [dot, doh](Worker& self) {
      if (dot) self.set_tls(dot);
      if (doh) self.set_https_tls(doh);
    };
    if (running)
      w->post(apply);
    else
      apply(*w);
  }
  return std::nullopt;
}

std::optional<std::string> Server::reload_tls(const config::Config& cfg) {
  if (!ticket_keys_) return std::nullopt;  // no TLS listener (tls-listen needs a restart)
  return install_tls(cfg, true);
}

namespace {
std::shared_ptr<const LocalPolicy> policy_or_throw(const config::Config& cfg) {
  LocalPolicyBuild b = load_local_policy(cfg);
  if (!b.policy) throw config::ConfigError(b.error);
  return b.policy;
}
}  // namespace

Server::Server(const config::Config& cfg, config::Log& log, BackendFactory backend,
               HitCacheFactory cache)
    : Server(cfg, policy_or_throw(cfg), log, std::move(backend), std::move(cache)) {}

Server::~Server() { stop(); }

void Server::start() {
  // Before any worker binds: afterwards the probe would find our own sockets.
  for (const auto& addr : listen_) refuse_if_served(addr);
  for (const auto& addr : tls_listen_) refuse_if_served(addr, false);
  for (const auto& addr : https_listen_) refuse_if_served(addr, false);
  for (auto& w : workers_) w->open();
  {
    std::lock_guard lock(start_mu_);
    started_ = true;
  }
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

void Server::collect(ServerSnapshot& out) const {
  // Shared with the posted tasks: a worker that answers after the deadline writes into this,
  // not into `out`.
  struct Pending {
    std::mutex mu;
    std::condition_variable cv;
    size_t left = 0;
    BackendStats sum;
  };
  auto p = std::make_shared<Pending>();
  p->left = workers_.size();
  for (const auto& w : workers_) {
    w->stats().add_to(out.front);
    w->post([p](Worker& self) {
      BackendStats mine;
      self.add_backend_stats(mine);
      std::lock_guard lock(p->mu);
      p->sum.add(mine);
      --p->left;
      p->cv.notify_all();
    });
  }
  std::unique_lock lock(p->mu);
  p->cv.wait_for(lock, std::chrono::milliseconds(kStatsCollectTimeoutMs), [&] { return p->left == 0; });
  out.backend = p->sum;
  out.workers = workers_.size();
  out.answered = workers_.size() - p->left;
}

void Server::set_rpz_policy(std::shared_ptr<const RpzPolicy> rpz) {
  std::lock_guard lock(start_mu_);
  if (!started_) {
    for (auto& w : workers_) w->set_rpz_policy(rpz);  // no worker thread runs yet
    return;
  }
  for (auto& w : workers_) w->post([rpz](Worker& self) { self.set_rpz_policy(rpz); });
}

void Server::set_local_policy(std::shared_ptr<const LocalPolicy> policy) {
  for (auto& w : workers_) w->post([policy](Worker& self) { self.set_local_policy(policy); });
}

void Server::set_zone_routes(std::shared_ptr<const engine::ZoneRoutes> routes) {
  for (auto& w : workers_) w->post([routes](Worker& self) { self.set_zone_routes(routes); });
}

}  // namespace tern::server
