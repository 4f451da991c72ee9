// ternd: the Tern resolver daemon. Reads the configuration, starts the worker threads, and runs
// the main thread's loop: signals (SIGTERM/SIGINT stop, SIGHUP reloads) and the control socket.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cache/caches.h"
#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/server/control.h"
#include "resolver/server/engine_backend.h"
#include "resolver/server/packet_cache_adapter.h"
#include "resolver/server/server.h"
#include "resolver/ternd/allocator.h"
#include "resolver/ternd/build_info.h"
#include "resolver/ternd/engine_parts.h"
#include "resolver/ternd/service_notify.h"

namespace tern::ternd {
namespace {

std::string read_root_hints(const config::Config& cfg) {
  if (cfg.resolver.root_hints_file.empty()) return {};  // the engine uses the compiled-in hints
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
  uv_loop_t* loop;
  uv_signal_t sigterm{}, sigint{}, sighup{};
  std::unique_ptr<server::ControlServer> control;
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
}

// SIGHUP: re-read the file with the same flags. Log level, query log, log destination and the
// ACL change at once; everything else needs a restart, and the log says which keys those were.
void reload(Daemon& d) {
  notify_reloading();
  config::Config next;
  try {
    next = config::reload(d.cmdline.args);
  } catch (const config::ConfigError& e) {
    d.log.error("reload failed, keeping the running configuration: {}", e.what());
    notify_ready();
    return;
  }
  // A "file:" log is reopened by name on every SIGHUP, so logrotate can move it away first; a
  // changed destination is switched to at once.
  auto log_failed = next.log.destination == d.log.destination() ? d.log.reopen()
                                                                 : d.log.open(next.log.destination);
  if (log_failed) d.log.error("{}; still logging to {}", *log_failed, d.log.destination().to_string());
  d.log.set_warning_interval(std::chrono::seconds(next.log.warning_interval));
  d.log.set_level(next.log.level);
  d.log.set_query_log(next.log.query_log);
  d.server.set_acl(server::make_acl(next));
  std::vector<std::string> not_reloaded;
  auto listen_text = [](const config::Config& c) {
    std::string s;
    for (const auto& a : c.server.listen) s += a.to_string() + " ";
    return s;
  };
  if (listen_text(next) != listen_text(d.cfg)) not_reloaded.push_back("server.listen");
  if (next.server.threads != d.cfg.server.threads) not_reloaded.push_back("server.threads");
  if (next.server.control_socket != d.cfg.server.control_socket) not_reloaded.push_back("server.control-socket");
  if (next.server.no_local_zones != d.cfg.server.no_local_zones) not_reloaded.push_back("server.no-local-zones");
  if (next.server.udp_max_payload != d.cfg.server.udp_max_payload ||
      next.server.tcp_idle_timeout_ms != d.cfg.server.tcp_idle_timeout_ms ||
      next.server.tcp_max_connections != d.cfg.server.tcp_max_connections ||
      next.server.tcp_max_inflight != d.cfg.server.tcp_max_inflight ||
      next.server.tcp_max_write_buffer != d.cfg.server.tcp_max_write_buffer)
    not_reloaded.push_back("server.udp-*/tcp-*");
  const auto& r1 = next.resolver;
  const auto& r0 = d.cfg.resolver;
  if (r1.root_hints_file != r0.root_hints_file || r1.upstream_allow != r0.upstream_allow || r1.upstream_port != r0.upstream_port ||
      r1.qname_minimisation != r0.qname_minimisation || r1.ipv6 != r0.ipv6 ||
      r1.max_cname_chain != r0.max_cname_chain || r1.max_upstream_queries != r0.max_upstream_queries ||
      r1.max_referral_depth != r0.max_referral_depth || r1.resolve_deadline_ms != r0.resolve_deadline_ms ||
      r1.initial_timeout_ms != r0.initial_timeout_ms)
    not_reloaded.push_back("[resolver]");
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
  d.log.warn("reloaded: log level {}, query log {}, allow ({} networks){}",
             config::to_string(next.log.level), next.log.query_log ? "on" : "off",
             next.server.allow.size(),
             skipped.empty() ? "" : "; changed but not applied until restart: " + skipped);
  notify_ready();
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

int run(config::CommandLine cmdline) {
  const config::Config& cfg = cmdline.config;
  std::string hints = read_root_hints(cfg);
  engine::EngineConfig engine_cfg = server::engine_config(cfg, hints);

  config::Log log(cfg.log.level);
  log.set_query_log(cfg.log.query_log);
  log.set_warning_interval(std::chrono::seconds(cfg.log.warning_interval));
  if (auto failed = log.open(cfg.log.destination)) throw config::ConfigError(*failed);
  cache::Caches caches(server::cache_limits(cfg));
  size_t threads = cfg.server.threads ? cfg.server.threads : std::max(1u, std::thread::hardware_concurrency());

  server::BackendFactory backend = [&](uv_loop_t* loop) -> std::unique_ptr<server::Backend> {
    return std::make_unique<server::EngineBackend>(make_engine_parts(loop, engine_cfg), engine_cfg, caches);
  };
  server::HitCacheFactory packet_cache = [&] {
    return std::make_unique<server::PacketCacheAdapter>(caches, threads);
  };
  config::Config effective = cfg;
  effective.server.threads = unsigned(threads);

  // Building one engine parses the root hints: the last thing in the configuration that can be
  // wrong. Done before any worker exists, so a bad file is a configuration error (exit 2).
  probe_engine(backend, cfg.resolver.root_hints_file.empty() ? "compiled-in root hints"
                                                             : cfg.resolver.root_hints_file);
  if (cmdline.check_config) {
    std::printf("configuration OK%s%s\n", cfg.config_file.empty() ? "" : ": ", cfg.config_file.c_str());
    return 0;
  }

  server::Server srv(effective, log, backend, packet_cache);
  srv.start();

  uv_loop_t loop;
  uv_loop_init(&loop);
  Daemon d{cmdline, cmdline.config, log, caches, srv, &loop, {}, {}, {}, nullptr};
  for (uv_signal_t* s : {&d.sigterm, &d.sigint, &d.sighup}) {
    uv_signal_init(&loop, s);
    s->data = &d;
  }
  uv_signal_start(&d.sigterm, [](uv_signal_t* s, int) { stop(*static_cast<Daemon*>(s->data), "SIGTERM"); }, SIGTERM);
  uv_signal_start(&d.sigint, [](uv_signal_t* s, int) { stop(*static_cast<Daemon*>(s->data), "SIGINT"); }, SIGINT);
  uv_signal_start(&d.sighup, [](uv_signal_t* s, int) { reload(*static_cast<Daemon*>(s->data)); }, SIGHUP);
  if (!cfg.server.control_socket.empty()) {
    d.control = std::make_unique<server::ControlServer>(&loop, cfg.server.control_socket,
        [&](std::string_view line) { return server::run_control_command(line, caches, srv); });
  }
  std::string addrs;
  for (const auto& a : cfg.server.listen) {
    addrs += ' ';
    addrs += a.to_string();
  }
  log.info("ternd {} serving on{} with {} threads ({})", build_version(), addrs, threads,
           allocator_description());
  notify_ready();  // every listening socket is bound by now (srv.start() throws otherwise)

  uv_run(&loop, UV_RUN_DEFAULT);
  srv.stop();
  d.control.reset();
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
  if (!args.empty() && args[0] == "control") {
    if (args.size() < 3) {
      std::fprintf(stderr, "usage: ternd control SOCKET COMMAND...\n");
      return 2;
    }
    std::string command;
    for (size_t i = 2; i < args.size(); ++i) {
      if (i > 2) command += ' ';
      command += args[i];
    }
    return server::control_client(args[1], command);
  }
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
