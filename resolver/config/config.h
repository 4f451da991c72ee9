// ternd's configuration: one TOML file plus command-line flags for the common keys. Every key,
// its default and its meaning is listed in docs/configuration.md; keep the two in step.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/config/log.h"

namespace tern::config {

// A configuration error: the message names the file and line where there is one.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerConfig {
  std::vector<SocketAddress> listen;     // default 127.0.0.1:53 and [::1]:53
  unsigned threads = 0;                  // 0 = one per core
  std::vector<Network> allow;            // clients served; default 127.0.0.0/8 and ::1/128
  uint16_t udp_max_payload = 1232;       // cap on the client's EDNS buffer size
  uint32_t tcp_idle_timeout_ms = 10000;  // RFC 7766 §6.2.3
  uint32_t tcp_max_connections = 1024;   // per worker thread
  uint32_t tcp_max_inflight = 32;        // queries in flight per TCP connection
  uint32_t tcp_max_write_buffer = 256 * 1024;  // bytes queued to one slow reader before closing
  std::string control_socket;            // unix socket for `ternd control`; empty = none
  std::vector<std::string> no_local_zones;  // built-in local zones to resolve normally instead
};

struct ResolverConfig {
  std::string root_hints_file;           // empty = compiled-in root hints
  std::vector<std::string> upstream_allow;  // CIDR text; empty = every address
  uint16_t upstream_port = 53;           // port of every upstream server (test labs only)
  bool qname_minimisation = true;
  bool ipv6 = true;
  uint32_t max_cname_chain = 11;
  uint32_t max_upstream_queries = 100;
  uint32_t max_referral_depth = 30;
  uint32_t resolve_deadline_ms = 5000;
  uint32_t initial_timeout_ms = 400;
};

struct CacheConfig {
  uint32_t size_mib = 64;
  uint32_t max_ttl = 86400;
  uint32_t min_ttl = 0;
  uint32_t max_negative_ttl = 3600;
  bool serve_stale = true;
  uint32_t stale_window = 86400;
  bool prefetch = true;
};

struct LogConfig {
  LogLevel level = LogLevel::Info;
  bool query_log = false;
  LogDestination destination;  // stderr (the journal under systemd), syslog, or file:PATH
  uint32_t warning_interval = static_cast<uint32_t>(kDefaultWarningInterval.count());  // seconds
};

struct Config {
  std::string config_file;  // empty = none
  ServerConfig server;
  ResolverConfig resolver;
  CacheConfig cache;
  LogConfig log;
};

// What the command line asked for besides configuration.
struct CommandLine {
  Config config;
  bool show_version = false;
  bool check_config = false;
  bool show_help = false;
  std::vector<std::string> args;  // argv[1..], kept so SIGHUP can re-apply the flags on reload
};

Config default_config();

// Applies a TOML document on top of `cfg`. `source_name` is used in error messages
// ("ternd.toml:7: unknown key 'thread'"). Throws ConfigError.
void apply_toml(Config& cfg, std::string_view toml_text, std::string_view source_name);

// Reads the file named by --config (if any), then applies the flags on top. Throws ConfigError.
CommandLine parse_command_line(const std::vector<std::string>& args);

// Re-reads the configuration the same way the process started (file + same flags).
Config reload(const std::vector<std::string>& args);

std::string usage();

}  // namespace tern::config
