// ternd: the Tern resolver daemon. Reads the configuration, starts the worker threads, and runs
// the main thread's loop: signals (SIGTERM/SIGINT stop, SIGHUP reloads) and the control socket.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <uv.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cache/caches.h"
#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/config/query_log.h"
#include "resolver/engine/root_hints.h"
#include "resolver/engine/upstream_policy.h"
#include "resolver/server/cache_persist.h"
#include "resolver/server/control.h"
#include "resolver/server/control_commands.h"
#include "resolver/server/control_explain.h"
#include "resolver/server/engine_backend.h"
#include "resolver/server/local_policy_builder.h"
#include "resolver/server/rpz_loader.h"
#include "resolver/server/zone_routes_config.h"
#include "resolver/server/metrics.h"
#include "resolver/server/metrics_http.h"
#include "resolver/server/packet_cache_adapter.h"
#include "resolver/server/server.h"
#include "resolver/ternd/allocator.h"
#include "resolver/ternd/build_info.h"
#include "resolver/ternd/control_cli.h"
#include "resolver/ternd/engine_parts.h"
#include "resolver/ternd/service_notify.h"
#include "root-hints/compiled_root_hints.h"

namespace tern::ternd {
namespace {

std::string read_root_hints(const config::Config& cfg) {
  if (cfg.resolver.root_hints_file.empty()) return {};  // the engine uses the compiled-in hints
  std::error_code ec;
  if (std::filesystem::is_directory(cfg.resolver.root_hints_file, ec))
    throw config::ConfigError(cfg.resolver.root_hints_file + ": is a directory, not a root hints file");
  std::ifstream in(cfg.resolver.root_hints_file);
  if (!in) throw config::ConfigError(cfg.resolver.root_hints_file + ": cannot open root hints");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) throw config::ConfigError(cfg.resolver.root_hints_file + ": empty root hints");
  return ss.str();
}

// Everything main's loop needs, passed to the libuv callbacks through handle->data.
struct Daemon {
  config::CommandLine cmdline;
  config::Config cfg;
  config::Log& log;
  cache::Caches& caches;
  server::Server& server;
  std::shared_ptr<const server::LocalPolicy> policy;  // the one the workers run with
  server::RpzLoader* rpz = nullptr;                    // response policy zones, if configured
  uv_loop_t* loop;
  uv_signal_t sigterm{}, sigint{}, sighup{};
  std::unique_ptr<server::ControlServer> control;
  std::unique_ptr<server::ControlServer> control_read_only;
};

void stop(Daemon& d, const char* why) {
  d.log.info("{}: stopping", why);
  notify_stopping();
  uv_signal_stop(&d.sigterm);
  uv_signal_stop(&d.sigint);
  uv_signal_stop(&d.sighup);
  uv_close(reinterpret_cast<uv_handle_t*>(&d.sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&d.sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&d.sighup), nullptr);
  if (d.control) d.control->close();
  if (d.control_read_only) d.control_read_only->close();
}

// SIGHUP: re-read the file with the same flags. Log level, query log, log destination, the ACL,
// the PROXY policy, local data (local zones, local data, the hosts file) and forward/stub zones
// change at once; everything else needs a restart, and the log says which keys those were.
// Returns the same report for the control command `reload` ("ok reloaded: ..." or "error: ...").
std::string reload(Daemon& d) {
  notify_reloading();
  config::Config next;
  try {
    next = config::reload(d.cmdline.args);
  } catch (const config::ConfigError& e) {
    d.log.error("reload failed, keeping the running configuration: {}", e.what());
    notify_ready();
    return fmt::format("error: reload failed, keeping the running configuration: {}\n", e.what());
  }
  // A "file:" log is reopened by name on every SIGHUP, so logrotate can move it away first; a
  // changed destination is switched to at once.
  auto log_failed = next.log.destination == d.log.destination() ? d.log.reopen()
                                                                 : d.log.open(next.log.destination);
  if (log_failed) d.log.error("{}; still logging to {}", *log_failed, d.log.destination().to_string());
  d.log.set_warning_interval(std::chrono::seconds(next.log.warning_interval));
  // Local data next: a bad record or an unreadable hosts file keeps the running policy (and,
  // like a bad file above, everything else).
  server::LocalPolicyBuild built = server::load_local_policy(next);
  if (!built.policy) {
    d.log.error("reload failed, keeping the running configuration and local data: {}", built.error);
    notify_ready();
    return fmt::format("error: reload failed, keeping the running configuration and local data: {}\n",
                       built.error);
  }
  for (const auto& w : built.warnings) d.log.warn("hosts file line skipped: {}", w);
  bool local_changed = built.policy->fingerprint() != d.policy->fingerprint();
  if (local_changed) {
    d.policy = built.policy;
    d.server.set_local_policy(built.policy);
  }
  // Forward and stub zones: new resolutions use the new table; those in flight finish with the
  // old one; the caches are kept (only the packet caches are cleared).
  auto routes = server::make_zone_routes(next);
  auto running_routes = server::make_zone_routes(d.cfg);
  bool zones_changed = (routes ? routes->fingerprint() : "") != (running_routes ? running_routes->fingerprint() : "");
  if (zones_changed) d.server.set_zone_routes(routes);
  d.cfg.upstream_zones = next.upstream_zones;
  d.log.set_level(next.log.level);
  // The query log's file is opened again by name too (logrotate), or its new destination.
  if (auto failed = config::apply_query_log(d.log, next.log))
    d.log.error("{}; the query log is left as it was", *failed);
  d.log.set_log_servfail(next.log.log_servfail);
  d.server.set_acl(server::make_acl(next));
  d.server.set_proxy(server::make_proxy_policy(next));  // proxy-protocol-from goes with the ACL
  // The certificate and key are re-read every time (a renewal rewrites the same files); new TLS
  // connections get them, open ones keep theirs.
  if (auto tls_error = d.server.reload_tls(next))
    d.log.error("tls: keeping the running certificate: {}", *tls_error);
  std::vector<std::string> not_reloaded;
  auto listen_text = [](const config::Config& c) {
    std::string s;
    for (const auto& a : c.server.listen) s += a.to_string() + " ";
    return s;
  };
  if (listen_text(next) != listen_text(d.cfg)) not_reloaded.push_back("server.listen");
  if (next.server.threads != d.cfg.server.threads) not_reloaded.push_back("server.threads");
  {
    auto nets = [](const config::Config& c) {
      std::string s;
      for (const auto& n : c.server.ede_text_allow) s += n.to_string() + " ";
      return s;
    };
    if (nets(next) != nets(d.cfg)) not_reloaded.push_back("server.ede-text-allow");
  }
  if (next.server.control_socket != d.cfg.server.control_socket) not_reloaded.push_back("server.control-socket");
  if (next.server.control_socket_read_only != d.cfg.server.control_socket_read_only)
    not_reloaded.push_back("server.control-socket-read-only");
  if (next.server.hide_identity != d.cfg.server.hide_identity || next.server.hide_version != d.cfg.server.hide_version ||
      next.server.identity != d.cfg.server.identity || next.server.version != d.cfg.server.version)
    not_reloaded.push_back("server.hide-identity/identity/hide-version/version");
  auto metrics_text = [](const config::Config& c) { return c.metrics.listen ? c.metrics.listen->to_string() : ""; };
  if (metrics_text(next) != metrics_text(d.cfg) ||
      next.metrics.max_request_bytes != d.cfg.metrics.max_request_bytes ||
      next.metrics.request_timeout_ms != d.cfg.metrics.request_timeout_ms ||
      next.metrics.max_connections != d.cfg.metrics.max_connections)
    not_reloaded.push_back("[metrics]");
  if (next.server.udp_max_payload != d.cfg.server.udp_max_payload ||
      next.server.tcp_idle_timeout_ms != d.cfg.server.tcp_idle_timeout_ms ||
      next.server.tcp_max_connections != d.cfg.server.tcp_max_connections ||
      next.server.tcp_max_inflight != d.cfg.server.tcp_max_inflight ||
      next.server.tcp_max_write_buffer != d.cfg.server.tcp_max_write_buffer ||
      next.server.tcp_write_budget_mib != d.cfg.server.tcp_write_budget_mib ||
      next.server.tcp_messages_per_iteration != d.cfg.server.tcp_messages_per_iteration)
    not_reloaded.push_back("server.udp-*/tcp-*");
  auto tls_listen_text = [](const config::Config& c) {
    std::string s;
    for (const auto& a : c.server.tls_listen) s += a.to_string() + " ";
    return s;
  };
  if (tls_listen_text(next) != tls_listen_text(d.cfg) ||
      next.server.tls_handshake_timeout_ms != d.cfg.server.tls_handshake_timeout_ms ||
      next.server.tls_max_handshakes != d.cfg.server.tls_max_handshakes ||
      next.server.tls_ticket_key_rotation_s != d.cfg.server.tls_ticket_key_rotation_s)
    not_reloaded.push_back("server.tls-listen/tls-handshake-*/tls-max-*/tls-ticket-*");
  auto https_text = [](const config::Config& c) {
    std::string s;
    for (const auto& a : c.server.https_listen) s += a.to_string() + " ";
    return s + c.server.https_path + " " + std::to_string(c.server.https_max_streams) + " " +
           std::to_string(c.server.https_max_header_bytes) + " " + std::to_string(c.server.https_max_body) +
           " " + std::to_string(c.server.https_stream_timeout_ms);
  };
  if (https_text(next) != https_text(d.cfg)) not_reloaded.push_back("server.https-*");
  const auto& r1 = next.resolver;
  const auto& r0 = d.cfg.resolver;
  if (r1.root_hints_file != r0.root_hints_file || r1.upstream_allow != r0.upstream_allow || r1.upstream_port != r0.upstream_port ||
      r1.qname_minimisation != r0.qname_minimisation || r1.ipv6 != r0.ipv6 ||
      r1.max_cname_chain != r0.max_cname_chain || r1.max_upstream_queries != r0.max_upstream_queries ||
      r1.max_referral_depth != r0.max_referral_depth || r1.resolve_deadline_ms != r0.resolve_deadline_ms ||
      r1.initial_timeout_ms != r0.initial_timeout_ms || r1.infra_cache_min_rtt_ms != r0.infra_cache_min_rtt_ms ||
      r1.infra_cache_max_rtt_ms != r0.infra_cache_max_rtt_ms || r1.timeouts_before_down != r0.timeouts_before_down ||
      r1.infra_backoff_base != r0.infra_backoff_base || r1.infra_backoff_max != r0.infra_backoff_max ||
      r1.infra_lame_ttl != r0.infra_lame_ttl || r1.fetches_per_zone != r0.fetches_per_zone ||
      r1.fetches_per_server != r0.fetches_per_server || r1.failure_cache_min_ttl != r0.failure_cache_min_ttl ||
      r1.failure_cache_max_ttl != r0.failure_cache_max_ttl ||
      r1.max_waiters_per_query != r0.max_waiters_per_query ||
      r1.wait_limit != r0.wait_limit || r1.discard_timeout_ms != r0.discard_timeout_ms)
    not_reloaded.push_back("[resolver]");
  if (r1.case_randomisation != r0.case_randomisation || r1.near_miss_limit != r0.near_miss_limit ||
      r1.unwanted_reply_threshold != r0.unwanted_reply_threshold ||
      r1.outgoing_port_low != r0.outgoing_port_low || r1.outgoing_port_high != r0.outgoing_port_high ||
      r1.outgoing_address != r0.outgoing_address ||
      r1.outgoing_port_bind_attempts != r0.outgoing_port_bind_attempts ||
      r1.case_memory_servers != r0.case_memory_servers)
    not_reloaded.push_back("[resolver] transport");
  const auto& c1 = next.cache;
  const auto& c0 = d.cfg.cache;
  if (c1.size_mib != c0.size_mib || c1.max_ttl != c0.max_ttl || c1.min_ttl != c0.min_ttl ||
      c1.max_negative_ttl != c0.max_negative_ttl || c1.serve_stale != c0.serve_stale ||
      c1.stale_window != c0.stale_window || c1.prefetch != c0.prefetch)
    not_reloaded.push_back("[cache]");
  std::string skipped;
  for (const auto& k : not_reloaded) {
    if (!skipped.empty()) skipped += ", ";
    skipped += k;
  }
  // Keep the running values of what was not applied, so the next reload compares against them.
  d.cfg.log = next.log;
  d.cfg.server.allow = next.server.allow;
  d.cfg.server.no_local_zones = next.server.no_local_zones;
  d.cfg.local = next.local;
  // Response policy zones: changed files are read again in the background (rpz_loader.h).
  if (d.rpz) d.rpz->reload(next.rpz);
  d.cfg.rpz = next.rpz;
  d.cfg.server.proxy_protocol_from = next.server.proxy_protocol_from;
  d.cfg.server.proxy_protocol_maximum_size = next.server.proxy_protocol_maximum_size;
  d.cfg.cache.persist_file = next.cache.persist_file;  // read at shutdown: applies at once
  std::string report = fmt::format(
      "reloaded: log level {}, query log {}, allow ({} networks), local data {}, forward/stub zones {}{}",
      config::to_string(next.log.level),
      next.log.query_log ? next.log.query_log_destination.value_or(next.log.destination).to_string() : "off",
      next.server.allow.size(),
      local_changed ? "changed (packet caches cleared)" : "unchanged",
      zones_changed ? "changed (packet caches cleared)" : "unchanged",
      skipped.empty() ? "" : "; changed but not applied until restart: " + skipped);
  d.log.warn("{}", report);
  notify_ready();
  return "ok " + report + "\n";
}

void probe_engine(const server::BackendFactory& backend, const std::string& hints_source) {
  uv_loop_t probe;
  uv_loop_init(&probe);
  std::string error;
  try {
    auto b = backend(&probe);
  } catch (const std::invalid_argument& e) {
    error = e.what();
  }
  uv_walk(&probe, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
  uv_run(&probe, UV_RUN_DEFAULT);
  uv_loop_close(&probe);
  if (!error.empty()) throw config::ConfigError(hints_source + ": " + error);
}

// Root hints none of whose addresses the engine may query (all loopback or private without an
// upstream-allow naming them, all outside upstream-allow, or all IPv6 with IPv6 off) would make
// every question SERVFAIL after start-up: a configuration error instead.
void check_hints_reachable(const engine::EngineConfig& engine_cfg, const std::string& hints_source) {
  auto hints = engine::parse_root_hints(engine_cfg.root_hints_text.empty()
                                            ? tern::compiled_root_hints()
                                            : std::string_view(engine_cfg.root_hints_text));
  if (!hints) return;  // probe_engine reported it
  auto reach = engine::hint_reach(engine_cfg, *hints);
  if (!reach.allowed.empty()) return;
  std::vector<std::string> refused;
  for (size_t i = 0; i < reach.refused.size() && i < 4; ++i) refused.push_back(reach.refused[i].host_to_string());
  if (reach.refused.size() > 4) refused.push_back("...");
  std::vector<std::string> allow;
  for (const auto& c : engine_cfg.upstream_allow) allow.push_back(c.to_string());
  throw config::ConfigError(fmt::format(
      "{}: none of the {} root server addresses ({}) may be queried: {}{}; add their network to "
      "upstream-allow or use root hints inside it",
      hints_source, reach.refused.size(), fmt::join(refused, " "),
      allow.empty() ? std::string("without upstream-allow, loopback and private addresses are refused")
                    : fmt::format("upstream-allow is [{}]", fmt::join(allow, " ")),
      engine_cfg.ipv6 ? "" : ", and IPv6 is off"));
}

int run(config::CommandLine cmdline) {
  const config::Config& cfg = cmdline.config;
  std::string hints = read_root_hints(cfg);
  engine::EngineConfig engine_cfg = server::engine_config(cfg, hints);

  config::Log log(cfg.log.level);
  log.set_log_servfail(cfg.log.log_servfail);
  log.set_warning_interval(std::chrono::seconds(cfg.log.warning_interval));
  if (auto failed = log.open(cfg.log.destination)) throw config::ConfigError(*failed);
  if (auto failed = config::apply_query_log(log, cfg.log)) throw config::ConfigError(*failed);
  net::TransportConfig transport_cfg = server::transport_config(cfg, log);
  cache::Caches caches(server::cache_limits(cfg));
  size_t threads = cfg.server.threads ? cfg.server.threads : std::max(1u, std::thread::hardware_concurrency());

  server::BackendFactory backend = [&](uv_loop_t* loop) -> std::unique_ptr<server::Backend> {
    return std::make_unique<server::EngineBackend>(make_engine_parts(loop, transport_cfg, &log), engine_cfg, caches,
                                                   server::make_shared_cache(loop, cfg, log));
  };
  server::HitCacheFactory packet_cache = [&] {
    return std::make_unique<server::PacketCacheAdapter>(caches, threads);
  };
  config::Config effective = cfg;
  effective.server.threads = unsigned(threads);
  // What CH TXT id.server and version.bind say when shown and not configured (Unbound's defaults).
  if (effective.server.identity.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) effective.server.identity = host;
  }
  if (effective.server.version.empty()) effective.server.version = "ternd " + build_version();

  // Building one engine parses the root hints: the last thing in the configuration that can be
  // wrong. Done before any worker exists, so a bad file is a configuration error (exit 2).
  const std::string hints_source =
      cfg.resolver.root_hints_file.empty() ? "compiled-in root hints" : cfg.resolver.root_hints_file;
  probe_engine(backend, hints_source);
  check_hints_reachable(engine_cfg, hints_source);
  // Local zones, local data and the hosts file: a bad record is a configuration error too.
  server::LocalPolicyBuild local = server::load_local_policy(cfg);
  if (!local.policy) throw config::ConfigError(local.error);
  for (const auto& w : local.warnings) log.warn("hosts file line skipped: {}", w);
  // Response policy zone files: a bad line is a configuration error at start-up too.
  if (cmdline.check_config) {
    for (const auto& z : cfg.rpz)
      if (z.primary.empty())
        if (auto l = server::load_rpz_file(z); !l.zone) throw config::ConfigError(l.error);
  }
  // The TLS certificate and key load (and match) before anything is bound.
  if (!cfg.server.tls_listen.empty()) {
    auto tls = server::TlsContext::build(server::tls_settings(cfg), std::make_shared<server::TicketKeys>());
    if (!tls.context) throw config::ConfigError(tls.error);
  }
  if (cmdline.check_config) {
    std::printf("configuration OK%s%s\n", cfg.config_file.empty() ? "" : ": ", cfg.config_file.c_str());
    return 0;
  }

  // The cache the last clean stop saved. A missing file is normal (first start); a corrupt one is
  // logged and skipped: the resolver starts with an empty cache rather than not at all.
  if (!cfg.cache.persist_file.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(cfg.cache.persist_file, ec)) {
      auto loaded = server::load_cache_file(caches, cfg.cache.persist_file);
      if (!loaded.error.empty())
        log.error("cache not loaded, starting empty: {}", loaded.error);
      else
        log.info("cache loaded from {}: {} rrsets, {} negative entries ({} expired since the save)",
                 cfg.cache.persist_file, loaded.rrsets, loaded.negative, loaded.expired);
    } else {
      log.info("no cache file {} yet: starting empty", cfg.cache.persist_file);
    }
  }
  server::Server srv(effective, local.policy, log, backend, packet_cache);
  // The Prometheus endpoint runs its own thread; bound before the workers start
  // (a busy port is a start-up error) and stopped before the workers it reads from.
  std::unique_ptr<server::MetricsHttpServer> metrics;
  if (cfg.metrics.listen) {
    server::MetricsHttpSettings ms;
    ms.listen = *cfg.metrics.listen;
    ms.max_request_bytes = cfg.metrics.max_request_bytes;
    ms.request_timeout_ms = cfg.metrics.request_timeout_ms;
    ms.max_connections = cfg.metrics.max_connections;
    metrics = std::make_unique<server::MetricsHttpServer>(
        ms, [&] { return server::to_prometheus(server::collect_metrics(srv, caches)); });
    log.info("metrics on http://{}/metrics", cfg.metrics.listen->to_string());
  }

  // Loaded before the workers start, so no query is answered without the policy; later loads
  // run on the loader's own thread.
  server::RpzLoader rpz(log, srv.rpz_stats(), [&srv](std::shared_ptr<const server::RpzPolicy> p) {
    srv.set_rpz_policy(std::move(p));
  });
  if (std::string e = rpz.start(cfg.rpz); !e.empty()) throw config::ConfigError(e);

  // `control lookup` / `control trace` (control_explain.h): the trace's engine is configured as
  // the workers' are, with a transport of its own.
  server::ExplainContext explain{
      engine_cfg, [&](uv_loop_t* l) { return make_engine_parts(l, transport_cfg, &log); }};
  uv_loop_t loop;
  uv_loop_init(&loop);
  Daemon d{cmdline, cmdline.config, log, caches, srv, local.policy, &rpz, &loop, {}, {}, {}, nullptr, nullptr};
  // The daemon-level commands (control_commands.h) first, then the cache commands (control.h).
  server::ControlContext control_ctx{caches, srv, log, build_version(), std::chrono::steady_clock::now(),
                                     [&d]() -> const config::Config& { return d.cfg; },
                                     [&d] { return d.policy; }, [&d] { return reload(d); }};
  // The daemon-level commands first, then lookup/trace (control_explain.h), then the cache ones.
  auto run_command = [&control_ctx, &caches, &srv, &explain](std::string_view line) {
    if (auto reply = server::run_daemon_command(line, control_ctx)) return *reply;
    if (auto reply = server::run_explain_command(line, caches, explain)) return *reply;
    return server::run_control_command(line, caches, srv);
  };
  // The control socket first, while this is the only thread (it sets the umask for a moment),
  // then the listening sockets. Either may find another ternd in the way and refuse; nothing of
  // this instance is left behind then.
  try {
    if (!cfg.server.control_socket.empty()) {
      d.control = std::make_unique<server::ControlServer>(&loop, cfg.server.control_socket, run_command);
    }
    if (!cfg.server.control_socket_read_only.empty()) {
      d.control_read_only = std::make_unique<server::ControlServer>(
          &loop, cfg.server.control_socket_read_only, [&run_command](std::string_view line) {
            return server::is_read_only_command(line) ? run_command(line) : server::read_only_refusal(line);
          });
    }
    srv.start();
  } catch (...) {
    d.control.reset();
    d.control_read_only.reset();
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    throw;
  }
  for (uv_signal_t* s : {&d.sigterm, &d.sigint, &d.sighup}) {
    uv_signal_init(&loop, s);
    s->data = &d;
  }
  uv_signal_start(&d.sigterm, [](uv_signal_t* s, int) { stop(*static_cast<Daemon*>(s->data), "SIGTERM"); }, SIGTERM);
  uv_signal_start(&d.sigint, [](uv_signal_t* s, int) { stop(*static_cast<Daemon*>(s->data), "SIGINT"); }, SIGINT);
  uv_signal_start(&d.sighup, [](uv_signal_t* s, int) { (void)reload(*static_cast<Daemon*>(s->data)); }, SIGHUP);
  std::string addrs;
  for (const auto& a : cfg.server.listen) {
    addrs += ' ';
    addrs += a.to_string();
  }
  log.info("ternd {} serving on{} with {} threads ({})", build_version(), addrs, threads,
           allocator_description());
  notify_ready();  // every listening socket is bound by now (srv.start() throws otherwise)

  uv_run(&loop, UV_RUN_DEFAULT);
  metrics.reset();
  srv.stop();
  d.control.reset();
  d.control_read_only.reset();
  // A clean stop keeps the cache for the next start (the workers are gone: nothing writes it now).
  if (!d.cfg.cache.persist_file.empty()) {
    auto saved = server::save_cache_file(caches, d.cfg.cache.persist_file);
    if (!saved.error.empty())
      log.error("cache not saved: {}", saved.error);
    else
      log.info("cache saved to {}: {} rrsets, {} negative entries", d.cfg.cache.persist_file, saved.rrsets,
               saved.negative);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  log.info("stopped");
  return 0;
}

}  // namespace
}  // namespace tern::ternd

int main(int argc, char** argv) {
  using namespace tern;
  // A client that resets its TCP connection must not kill the process on our next write.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "control") return ternd::control_main({args.begin() + 1, args.end()});
  config::CommandLine cl;
  try {
    cl = config::parse_command_line(args);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "ternd: %s\n", e.what());
    return 2;
  }
  if (cl.show_help) {
    std::fputs(config::usage().c_str(), stdout);
    return 0;
  }
  if (cl.show_version) {
    std::printf("ternd %s (%s)\n", ternd::build_version().c_str(), ternd::allocator_description().c_str());
    return 0;
  }
  try {
    return ternd::run(std::move(cl));
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "ternd: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ternd: %s\n", e.what());
    return 1;
  }
}
