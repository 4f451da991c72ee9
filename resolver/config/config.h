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
  // Load balancers that put a PROXY v2 header before every query (server/proxy_policy.h).
  std::vector<Network> proxy_protocol_from;
  uint32_t proxy_protocol_maximum_size = 512;  // server::kProxyProtocolMaximumSize
  uint16_t udp_max_payload = 1232;       // cap on the client's EDNS buffer size
  uint32_t tcp_idle_timeout_ms = 10000;  // RFC 7766 §6.2.3
  uint32_t tcp_max_connections = 1024;   // per worker thread
  uint32_t tcp_max_inflight = 32;        // queries in flight per TCP connection
  uint32_t tcp_max_write_buffer = 256 * 1024;  // bytes queued to one slow reader before closing
  // Replies queued to TCP clients and not yet read, all connections of all workers together.
  // 0 = a quarter of cache.size-mib, at least 4 (server::kTcpWriteBudgetCacheDivisor).
  uint32_t tcp_write_budget_mib = 0;
  uint32_t tcp_messages_per_iteration = 256;  // server::kTcpMessagesPerIteration
  // DNS over HTTPS (RFC 8484; server/doh_session.h, limits in server/doh_limits.h): HTTP/2 over the
  // TLS layer with the TLS certificate and key; no listener unless https_listen is set.
  std::vector<SocketAddress> https_listen;
  std::string https_path = "/dns-query";        // server::kDohDefaultPath
  uint32_t https_max_streams = 100;             // server::kDohMaxStreams, per connection
  uint32_t https_max_header_bytes = 16 * 1024;  // server::kDohMaxHeaderBytes, per request
  uint32_t https_max_body = 65535;              // server::kDohMaxBody
  uint32_t https_stream_timeout_ms = 5000;      // server::kDohStreamTimeoutMs
  std::string control_socket;            // unix socket for `ternd control`; empty = none
  std::string control_socket_read_only;  // a second socket taking only read-only commands
  // DNS over TLS (RFC 7858): addresses (default port 853), PEM certificate chain and key, both
  // re-read on SIGHUP; limits in server/tls_context.h.
  std::vector<SocketAddress> tls_listen;
  std::string tls_certificate;
  std::string tls_key;
  uint32_t tls_handshake_timeout_ms = 5000;    // server::kTlsHandshakeTimeoutMs
  uint32_t tls_max_handshakes = 256;           // per worker; server::kTlsMaxHandshakes
  uint32_t tls_ticket_key_rotation_s = 3600;   // server::kTlsTicketKeyRotationS
  std::vector<std::string> no_local_zones;  // built-in local zones to resolve normally instead
  // CH TXT id.server / hostname.bind and version.bind / version.server (server/identity.h).
  bool hide_identity = true;
  bool hide_version = true;
  std::string identity;  // "" = the host name
  std::string version;   // "" = "ternd VERSION"
  // Clients given the EXTRA-TEXT of Extended DNS Errors (zone and server names); default loopback.
  std::vector<Network> ede_text_allow;
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
  uint32_t max_waiters_per_query = 1000;  // engine::kMaxWaitersPerQuery
  uint32_t wait_limit = 1000;             // engine::kWaitLimit (Unbound wait-limit)
  uint32_t discard_timeout_ms = 1900;     // engine::kDiscardTimeout (Unbound discard-timeout)
  uint32_t initial_timeout_ms = 376;
  // Timeout policy, dead servers, lameness, quotas and the failure cache (engine/limits.h).
  uint32_t infra_cache_min_rtt_ms = 50;
  uint32_t infra_cache_max_rtt_ms = 3000;
  uint32_t timeouts_before_down = 3;
  uint32_t infra_backoff_base = 5;    // seconds
  uint32_t infra_backoff_max = 120;   // seconds
  uint32_t infra_lame_ttl = 900;      // seconds, the longest a lame mark lasts
  uint32_t fetches_per_zone = 1000;
  uint32_t fetches_per_server = 400;
  uint32_t failure_cache_min_ttl = 5;   // seconds; 0 = no failure cache
  uint32_t failure_cache_max_ttl = 300;  // seconds
  // Forged-answer defences and the upstream source (resolver/net/transport_config.h).
  bool case_randomisation = true;                // 0x20 on upstream UDP query names
  uint32_t near_miss_limit = 1;                  // wrong-ID/case replies before TCP; 0 = off
  uint64_t unwanted_reply_threshold = 10000000;  // dropped replies per warning; 0 = off
  uint16_t outgoing_port_low = 1024;             // upstream UDP source ports drawn from here
  uint16_t outgoing_port_high = 65535;
  uint32_t outgoing_port_bind_attempts = 16;     // ports drawn before the kernel chooses
  uint32_t case_memory_servers = 4096;           // servers remembered as not preserving case
  std::vector<std::string> outgoing_address;     // source addresses; empty = kernel's choice
};

// [cache.redis]: the shared second-level cache (resolver/server/shared_cache.h); off unless
// `server` is set.
struct RedisConfig {
  std::string server;             // "127.0.0.1:6379", "[::1]:6379" or a unix socket path
  uint32_t timeout_ms = 5;        // a lookup not answered by then resolves normally
  uint32_t max_outstanding = 64;  // Redis commands in flight per worker; more skip Redis
};

struct CacheConfig {
  uint32_t size_mib = 64;
  uint32_t max_ttl = 86400;
  uint32_t min_ttl = 0;
  uint32_t max_negative_ttl = 3600;
  bool serve_stale = true;
  uint32_t stale_window = 86400;
  bool prefetch = true;
  std::string persist_file;  // saved on clean shutdown, loaded at start; empty = none
  RedisConfig redis;
};

// DNSSEC validation (docs/dnssec.md); the engine's side is engine::DnssecConfig.
struct DnssecConfig {
  bool validation = true;                        // false: no DO upstream, nothing validated
  std::vector<std::string> trust_anchor_files;   // empty = the compiled-in root anchors
  std::vector<std::string> negative_trust_anchors;  // RFC 7646 zones, absolute names
  uint32_t val_bogus_ttl = 60;                   // seconds (engine::kValBogusTtl)
  uint32_t max_signature_validations_per_query = 30;     // KeyTrap (validation_budget.h)
  uint32_t max_nsec3_hash_computations_per_query = 600;  // CVE-2023-50868
};

// The Prometheus endpoint (resolver/server/metrics_http.h); off unless `listen` is set.
struct MetricsConfig {
  std::optional<SocketAddress> listen;   // e.g. 127.0.0.1:9153
  uint32_t max_request_bytes = 8192;     // a longer request gets 400
  uint32_t request_timeout_ms = 5000;    // a client slower than this is dropped
  uint32_t max_connections = 16;         // scrapers connected at once; more are closed
};

// Local data (issue #15): [[local-zone]] tables, [[local-data]] records and the hosts file, kept
// as text with where each came from; resolver/server/local_policy.cpp turns them into the policy
// (and reports a bad record by this file and line).
struct LocalZoneConfig {
  std::string name;   // absolute, ends in '.'
  std::string type;   // static, transparent, redirect, refuse, deny, always-nxdomain, always-nodata
  std::string where;  // "ternd.toml:12"
};
struct LocalDataConfig {
  std::string text;   // "printer.corp.example. 300 IN A 192.0.2.7" or, for ptr, "192.0.2.7 printer.corp.example."
  bool ptr = false;   // the local-data-ptr shorthand
  std::string where;
};
struct LocalConfig {
  std::vector<LocalZoneConfig> zones;
  std::vector<LocalDataConfig> data;
  std::string hosts_file;  // empty = none
};

// Response policy zones (issue #15): [[rpz]] tables in configuration order, which is the policy
// order (resolver/server/rpz_policy.h). The files are read by resolver/server/rpz_loader.cpp.
struct RpzConfig {
  std::string name;              // the policy zone's name, absolute ("rpz.example.")
  std::string file;              // the zone file in RPZ format (or:)
  std::string primary;           // transfer the zone from this server over TCP (AXFR), "addr[:port]"
  uint32_t poll_interval = 5;    // seconds between checks of the file's mtime; 0 = only on reload
  uint64_t max_rules = 10000000;  // server::kRpzDefaultMaxRules
  std::string ede = "blocked";   // EDE on policy answers: blocked, filtered, censored, forged, none
  std::string where;             // "ternd.toml:12"
};

// Forward and stub zones (issue #15): [[forward-zone]] and [[stub-zone]] tables. Addresses are
// checked here (file and line in the error); resolver/server/zone_routes_config.cpp makes the
// engine's table from them.
struct UpstreamZoneConfig {
  bool stub = false;                   // [[stub-zone]]; else [[forward-zone]]
  std::string name;                    // absolute, ends in '.'
  std::vector<std::string> addresses;  // "10.0.0.53", "10.0.0.53:5353", "fd00::53", "[fd00::53]:53"
  bool first = false;     // forward-zone: iterate when every forwarder fails
  bool prime = false;     // stub-zone: ask the servers for the zone's NS set first
  bool insecure = false;  // no DNSSEC validation at or below the zone
  bool tls = false;         // forward-zone: DNS over TLS (port 853 unless written)
  std::string tls_name;     // the name the forwarders' certificates must carry (needed with tls)
  std::string tls_ca_file;  // CA certificates (PEM) to check them with; "" = the system store
  std::string where;      // "ternd.toml:12"
};

struct LogConfig {
  LogLevel level = LogLevel::Info;
  bool query_log = false;
  // The query log's own destination; nullopt = the same as `destination`.
  std::optional<LogDestination> query_log_destination;
  uint32_t query_log_buffer_kib = 64;   // config::kQueryLogBufferBytes; 0 = a write per line
  uint32_t query_log_flush_ms = 1000;   // config::kQueryLogFlushInterval
  bool log_servfail = false;  // one line per SERVFAIL with the reason (Unbound's log-servfail)
  LogDestination destination;  // stderr (the journal under systemd), syslog, or file:PATH
  uint32_t warning_interval = static_cast<uint32_t>(kDefaultWarningInterval.count());  // seconds
};

struct Config {
  std::string config_file;  // empty = none
  ServerConfig server;
  ResolverConfig resolver;
  CacheConfig cache;
  LogConfig log;
  MetricsConfig metrics;
  LocalConfig local;
  std::vector<RpzConfig> rpz;
  std::vector<UpstreamZoneConfig> upstream_zones;
  DnssecConfig dnssec;
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
