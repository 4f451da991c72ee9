#include "resolver/config/config.h"

#include "resolver/engine/world.h"
#include "wire/name.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <toml++/toml.h>

namespace tern::config {
namespace {

// Where a value came from, for messages: "ternd.toml:7" or "--threads".
struct Where {
  std::string_view source;
  uint32_t line;
  std::string str() const { return line ? fmt::format("{}:{}", source, line) : std::string(source); }
};

[[noreturn]] void fail_at(const Where& w, std::string_view what) {
  throw ConfigError(fmt::format("{}: {}", w.str(), what));
}

// --- value readers shared by the TOML file and the flags ------------------------------------

uint64_t parse_uint_text(const Where& w, std::string_view key, std::string_view text, uint64_t lo,
                         uint64_t hi) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    fail_at(w, fmt::format("{}: expected a whole number, got '{}'", key, text));
  if (v < lo || v > hi) fail_at(w, fmt::format("{}: {} is outside {}..{}", key, v, lo, hi));
  return v;
}

SocketAddress parse_listen(const Where& w, std::string_view key, std::string_view text) {
  auto a = SocketAddress::parse(text, 53);
  if (!a) fail_at(w, fmt::format("{}: '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:53, [::1]:53)", key, text));
  return *a;
}

Network parse_network(const Where& w, std::string_view key, std::string_view text) {
  auto n = Network::parse(text);
  if (!n) fail_at(w, fmt::format("{}: '{}' is not a network (e.g. 10.0.0.0/8, fd00::/8)", key, text));
  return *n;
}

LogLevel parse_level(const Where& w, std::string_view key, std::string_view text) {
  auto l = log_level_from_text(text);
  if (!l) fail_at(w, fmt::format("{}: '{}' is not one of debug, info, warning, error, off", key, text));
  return *l;
}

// --- TOML ---------------------------------------------------------------------------------

Where where_of(std::string_view source, const toml::node& n) {
  return Where{source, n.source().begin.line};
}

bool get_bool(std::string_view src, std::string_view key, const toml::node& n) {
  if (auto v = n.value_exact<bool>()) return *v;
  fail_at(where_of(src, n), fmt::format("{}: expected true or false", key));
}

uint64_t get_uint(std::string_view src, std::string_view key, const toml::node& n, uint64_t lo,
                  uint64_t hi) {
  auto v = n.value_exact<int64_t>();
  if (!v) fail_at(where_of(src, n), fmt::format("{}: expected a whole number", key));
  if (*v < 0 || static_cast<uint64_t>(*v) < lo || static_cast<uint64_t>(*v) > hi)
    fail_at(where_of(src, n), fmt::format("{}: {} is outside {}..{}", key, *v, lo, hi));
  return static_cast<uint64_t>(*v);
}

std::string get_string(std::string_view src, std::string_view key, const toml::node& n) {
  if (auto v = n.value_exact<std::string>()) return *v;
  fail_at(where_of(src, n), fmt::format("{}: expected a string", key));
}

// A list of strings; a single string is accepted as a list of one.
std::vector<std::pair<std::string, Where>> get_strings(std::string_view src, std::string_view key,
                                                       const toml::node& n) {
  std::vector<std::pair<std::string, Where>> out;
  if (auto s = n.value_exact<std::string>()) {
    out.emplace_back(*s, where_of(src, n));
    return out;
  }
  const toml::array* arr = n.as_array();
  if (!arr) fail_at(where_of(src, n), fmt::format("{}: expected a list of strings", key));
  for (const toml::node& e : *arr) out.emplace_back(get_string(src, key, e), where_of(src, e));
  return out;
}

using Setter = std::function<void(Config&, std::string_view src, std::string_view key, const toml::node&)>;
struct KeyDef {
  std::string_view section;
  std::string_view name;
  Setter set;
};

template <class T>
Setter uint_key(T ServerConfig::*field, uint64_t lo, uint64_t hi) {
  return [=](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
    c.server.*field = static_cast<T>(get_uint(s, k, n, lo, hi));
  };
}
template <class T>
Setter uint_key(T ResolverConfig::*field, uint64_t lo, uint64_t hi) {
  return [=](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
    c.resolver.*field = static_cast<T>(get_uint(s, k, n, lo, hi));
  };
}
template <class T>
Setter uint_key(T CacheConfig::*field, uint64_t lo, uint64_t hi) {
  return [=](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
    c.cache.*field = static_cast<T>(get_uint(s, k, n, lo, hi));
  };
}

template <class T>
Setter uint_key(T MetricsConfig::*field, uint64_t lo, uint64_t hi) {
  return [=](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
    c.metrics.*field = static_cast<T>(get_uint(s, k, n, lo, hi));
  };
}
template <class T>
Setter uint_key(T LogConfig::*field, uint64_t lo, uint64_t hi) {
  return [=](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
    c.log.*field = static_cast<T>(get_uint(s, k, n, lo, hi));
  };
}

constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();

const std::vector<KeyDef>& key_table() {
  static const std::vector<KeyDef> keys = {
      {"server", "listen",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.listen.clear();
         for (auto& [text, w] : get_strings(s, k, n)) c.server.listen.push_back(parse_listen(w, k, text));
         if (c.server.listen.empty()) fail_at(where_of(s, n), "listen: at least one address is needed");
       }},
      {"server", "threads", uint_key(&ServerConfig::threads, 0, 1024)},
      {"server", "allow",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.allow.clear();
         for (auto& [text, w] : get_strings(s, k, n)) c.server.allow.push_back(parse_network(w, k, text));
       }},
      {"server", "ede-text-allow",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.ede_text_allow.clear();
         for (auto& [text, w] : get_strings(s, k, n))
           c.server.ede_text_allow.push_back(parse_network(w, k, text));
       }},
      {"server", "proxy-protocol-from",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.proxy_protocol_from.clear();
         for (auto& [text, w] : get_strings(s, k, n))
           c.server.proxy_protocol_from.push_back(parse_network(w, k, text));
       }},
      // The whole header, its 16 fixed bytes included; 65551 is the most its length field can say.
      {"server", "proxy-protocol-maximum-size", uint_key(&ServerConfig::proxy_protocol_maximum_size, 16, 65551)},
      {"server", "udp-max-payload", uint_key(&ServerConfig::udp_max_payload, 512, 4096)},
      {"server", "tcp-idle-timeout-ms", uint_key(&ServerConfig::tcp_idle_timeout_ms, 100, 3600000)},
      {"server", "tcp-max-connections", uint_key(&ServerConfig::tcp_max_connections, 1, 1000000)},
      {"server", "tcp-max-inflight", uint_key(&ServerConfig::tcp_max_inflight, 1, 65535)},
      {"server", "tcp-max-write-buffer", uint_key(&ServerConfig::tcp_max_write_buffer, 65538, 64u << 20)},
      {"server", "tcp-write-budget-mib", uint_key(&ServerConfig::tcp_write_budget_mib, 0, 1u << 20)},
      {"server", "tcp-messages-per-iteration", uint_key(&ServerConfig::tcp_messages_per_iteration, 1, 65535)},
      {"server", "https-listen",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.https_listen.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           auto a = SocketAddress::parse(text, 443);
           if (!a) fail_at(w, fmt::format("{}: '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:443)", k, text));
           c.server.https_listen.push_back(*a);
         }
       }},
      {"server", "https-path",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         // Compared byte for byte with the request's path (the part before '?').
         std::string text = get_string(s, k, n);
         if (text.empty() || text[0] != '/' || text.find_first_of("?# ") != std::string::npos)
           fail_at(where_of(s, n), fmt::format("{}: '{}' must be a path starting with '/', without '?', '#' or spaces", k, text));
         c.server.https_path = text;
       }},
      {"server", "https-max-streams", uint_key(&ServerConfig::https_max_streams, 1, 10000)},
      {"server", "https-max-header-bytes", uint_key(&ServerConfig::https_max_header_bytes, 1024, 1u << 20)},
      {"server", "https-max-body", uint_key(&ServerConfig::https_max_body, 512, 65535)},
      {"server", "https-stream-timeout-ms", uint_key(&ServerConfig::https_stream_timeout_ms, 100, 600000)},
      {"server", "control-socket",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.control_socket = get_string(s, k, n);
       }},
      {"server", "hide-identity",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.hide_identity = get_bool(s, k, n);
       }},
      {"server", "hide-version",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.hide_version = get_bool(s, k, n);
       }},
      {"server", "identity",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.identity = get_string(s, k, n);
         if (c.server.identity.size() > 1024) fail_at(where_of(s, n), fmt::format("{}: longer than 1024 octets", k));
       }},
      {"server", "version",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.version = get_string(s, k, n);
         if (c.server.version.size() > 1024) fail_at(where_of(s, n), fmt::format("{}: longer than 1024 octets", k));
       }},
      {"server", "control-socket-read-only",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.control_socket_read_only = get_string(s, k, n);
       }},
      {"server", "tls-listen",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.tls_listen.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           auto a = SocketAddress::parse(text, 853);
           if (!a) fail_at(w, fmt::format("{}: '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:853)", k, text));
           c.server.tls_listen.push_back(*a);
         }
       }},
      {"server", "tls-certificate",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.tls_certificate = get_string(s, k, n);
       }},
      {"server", "tls-key",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.tls_key = get_string(s, k, n);
       }},
      {"server", "tls-handshake-timeout-ms", uint_key(&ServerConfig::tls_handshake_timeout_ms, 100, 60000)},
      {"server", "tls-max-handshakes", uint_key(&ServerConfig::tls_max_handshakes, 1, 1000000)},
      {"server", "tls-ticket-key-rotation-s", uint_key(&ServerConfig::tls_ticket_key_rotation_s, 60, 7 * 86400)},
      {"server", "hosts-file",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.local.hosts_file = get_string(s, k, n);
       }},
      {"server", "no-local-zones",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.server.no_local_zones.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           if (text.empty() || text.back() != '.')
             fail_at(w, fmt::format("{}: '{}' must be an absolute name ending in '.'", k, text));
           c.server.no_local_zones.push_back(text);
         }
       }},
      {"resolver", "root-hints",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.root_hints_file = get_string(s, k, n);
       }},
      {"resolver", "upstream-allow",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.upstream_allow.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           parse_network(w, k, text);
           c.resolver.upstream_allow.push_back(text);
         }
       }},
      {"resolver", "upstream-port", [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.upstream_port = static_cast<uint16_t>(get_uint(s, k, n, 1, 65535));
       }},
      {"resolver", "qname-minimisation",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.qname_minimisation = get_bool(s, k, n);
       }},
      {"resolver", "ipv6",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.ipv6 = get_bool(s, k, n);
       }},
      {"resolver", "max-cname-chain", uint_key(&ResolverConfig::max_cname_chain, 1, 64)},
      {"resolver", "max-upstream-queries", uint_key(&ResolverConfig::max_upstream_queries, 1, 10000)},
      {"resolver", "max-referral-depth", uint_key(&ResolverConfig::max_referral_depth, 1, 128)},
      {"resolver", "resolve-deadline-ms", uint_key(&ResolverConfig::resolve_deadline_ms, 100, 60000)},
      {"resolver", "max-waiters-per-query", uint_key(&ResolverConfig::max_waiters_per_query, 0, 1000000)},
      {"resolver", "wait-limit", uint_key(&ResolverConfig::wait_limit, 0, 1000000)},
      {"resolver", "discard-timeout-ms", uint_key(&ResolverConfig::discard_timeout_ms, 0, 60000)},
      {"resolver", "initial-timeout-ms", uint_key(&ResolverConfig::initial_timeout_ms, 10, 10000)},
      {"resolver", "infra-cache-min-rtt", uint_key(&ResolverConfig::infra_cache_min_rtt_ms, 1, 10000)},
      {"resolver", "infra-cache-max-rtt", uint_key(&ResolverConfig::infra_cache_max_rtt_ms, 10, 120000)},
      {"resolver", "timeouts-before-down", uint_key(&ResolverConfig::timeouts_before_down, 0, 64)},
      {"resolver", "infra-backoff-base", uint_key(&ResolverConfig::infra_backoff_base, 1, 3600)},
      {"resolver", "infra-backoff-max", uint_key(&ResolverConfig::infra_backoff_max, 1, 86400)},
      {"resolver", "infra-lame-ttl", uint_key(&ResolverConfig::infra_lame_ttl, 1, 86400)},
      {"resolver", "fetches-per-zone", uint_key(&ResolverConfig::fetches_per_zone, 0, 1000000)},
      {"resolver", "fetches-per-server", uint_key(&ResolverConfig::fetches_per_server, 0, 1000000)},
      {"resolver", "failure-cache-min-ttl", uint_key(&ResolverConfig::failure_cache_min_ttl, 0, 3600)},
      {"resolver", "failure-cache-max-ttl", uint_key(&ResolverConfig::failure_cache_max_ttl, 0, 86400)},
      {"resolver", "case-randomisation",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.case_randomisation = get_bool(s, k, n);
       }},
      {"resolver", "near-miss-limit", uint_key(&ResolverConfig::near_miss_limit, 0, 65536)},
      {"resolver", "outgoing-port-bind-attempts",
       uint_key(&ResolverConfig::outgoing_port_bind_attempts, 1, 1024)},
      {"resolver", "case-memory-servers", uint_key(&ResolverConfig::case_memory_servers, 1, 1000000)},
      {"resolver", "unwanted-reply-threshold",
       uint_key(&ResolverConfig::unwanted_reply_threshold, 0, uint64_t(1) << 40)},
      {"resolver", "outgoing-port-range",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         // "LOW-HIGH", both within 1024..65535: ports below 1024 belong to services.
         std::string text = get_string(s, k, n);
         unsigned lo = 0, hi = 0;
         char dash = 0, extra = 0;
         if (std::sscanf(text.c_str(), "%u %c %u %c", &lo, &dash, &hi, &extra) != 3 || dash != '-' ||
             lo < 1024 || hi > 65535 || lo > hi)
           fail_at(where_of(s, n), fmt::format("{}: '{}' is not LOW-HIGH within 1024-65535", k, text));
         c.resolver.outgoing_port_low = static_cast<uint16_t>(lo);
         c.resolver.outgoing_port_high = static_cast<uint16_t>(hi);
       }},
      {"resolver", "outgoing-address",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.resolver.outgoing_address.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           auto a = engine::Address::parse(text, 0);
           if (!a || a->port != 0)
             fail_at(w, fmt::format("{}: '{}' is not an IPv4 or IPv6 address (no port)", k, text));
           c.resolver.outgoing_address.push_back(text);
         }
       }},
      {"cache", "size-mib", uint_key(&CacheConfig::size_mib, 1, 1u << 20)},
      {"cache", "max-ttl", uint_key(&CacheConfig::max_ttl, 1, kU32)},
      {"cache", "min-ttl", uint_key(&CacheConfig::min_ttl, 0, kU32)},
      {"cache", "max-negative-ttl", uint_key(&CacheConfig::max_negative_ttl, 0, kU32)},
      {"cache", "serve-stale",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.cache.serve_stale = get_bool(s, k, n);
       }},
      {"cache", "stale-window", uint_key(&CacheConfig::stale_window, 0, kU32)},
      {"cache", "prefetch",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.cache.prefetch = get_bool(s, k, n);
       }},
      {"cache", "persist-file",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.cache.persist_file = get_string(s, k, n);
       }},
      {"cache", "redis",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         const toml::table* t = n.as_table();
         if (!t) fail_at(where_of(s, n), fmt::format("'{}' must be a table ([cache.redis])", k));
         for (auto&& [key, node] : *t) {
           std::string name = fmt::format("{}.{}", k, key.str());
           if (key.str() == "server") {
             std::string text = get_string(s, name, node);
             if (!text.empty() && text[0] != '/' && !SocketAddress::parse(text, 6379))
               fail_at(where_of(s, node), fmt::format("{}: '{}' is not HOST:PORT (an IP address) or a "
                                                      "unix socket path", name, text));
             c.cache.redis.server = text;
           } else if (key.str() == "timeout-ms") {
             c.cache.redis.timeout_ms = static_cast<uint32_t>(get_uint(s, name, node, 1, 1000));
           } else if (key.str() == "max-outstanding") {
             c.cache.redis.max_outstanding = static_cast<uint32_t>(get_uint(s, name, node, 1, 65536));
           } else {
             fail_at(Where{s, key.source().begin.line},
                     fmt::format("unknown key '{}' in [cache.redis]", key.str()));
           }
         }
       }},
      {"dnssec", "validation",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.dnssec.validation = get_bool(s, k, n);
       }},
      {"dnssec", "trust-anchor-files",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.dnssec.trust_anchor_files.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           if (text.empty()) fail_at(w, fmt::format("{}: empty file name", k));
           c.dnssec.trust_anchor_files.push_back(text);
         }
       }},
      {"dnssec", "negative-trust-anchors",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.dnssec.negative_trust_anchors.clear();
         for (auto& [text, w] : get_strings(s, k, n)) {
           if (!wire::Name::from_text(text)) fail_at(w, fmt::format("{}: '{}' is not a domain name", k, text));
           c.dnssec.negative_trust_anchors.push_back(text);
         }
       }},
      {"dnssec", "val-bogus-ttl",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.dnssec.val_bogus_ttl = static_cast<uint32_t>(get_uint(s, k, n, 0, 86400));
       }},
      {"dnssec", "max-signature-validations-per-query",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.dnssec.max_signature_validations_per_query = static_cast<uint32_t>(get_uint(s, k, n, 1, 100000));
       }},
      {"dnssec", "max-nsec3-hash-computations-per-query",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.dnssec.max_nsec3_hash_computations_per_query = static_cast<uint32_t>(get_uint(s, k, n, 1, 100000));
       }},
      {"metrics", "listen",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         std::string text = get_string(s, k, n);
         if (text.empty()) {
           c.metrics.listen.reset();  // "" = off
           return;
         }
         auto a = SocketAddress::parse(text, 9153);
         if (!a) fail_at(where_of(s, n), fmt::format("{}: '{}' is not ADDRESS:PORT (e.g. 127.0.0.1:9153)", k, text));
         c.metrics.listen = *a;
       }},
      {"metrics", "max-request-bytes", uint_key(&MetricsConfig::max_request_bytes, 256, 1u << 20)},
      {"metrics", "request-timeout-ms", uint_key(&MetricsConfig::request_timeout_ms, 100, 600000)},
      {"metrics", "max-connections", uint_key(&MetricsConfig::max_connections, 1, 4096)},
      {"log", "level",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.log.level = parse_level(where_of(s, n), k, get_string(s, k, n));
       }},
      {"log", "query-log",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         // true / false (the main log's destination), or a destination of its own.
         if (n.is_boolean()) {
           c.log.query_log = get_bool(s, k, n);
           c.log.query_log_destination.reset();
           return;
         }
         std::string text = get_string(s, k, n);
         if (text.empty() || text == "off") {
           c.log.query_log = false;
           c.log.query_log_destination.reset();
           return;
         }
         auto d = LogDestination::parse(text);
         if (!d)
           fail_at(where_of(s, n), fmt::format("{}: '{}' is not true, false, \"off\", stderr, syslog or file:PATH", k, text));
         c.log.query_log = true;
         c.log.query_log_destination = *d;
       }},
      {"log", "query-log-buffer-kib", uint_key(&LogConfig::query_log_buffer_kib, 0, 65536)},
      {"log", "query-log-flush-ms", uint_key(&LogConfig::query_log_flush_ms, 10, 60000)},
      {"log", "log-servfail",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.log.log_servfail = get_bool(s, k, n);
       }},
      {"log", "destination",
       [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         std::string text = get_string(s, k, n);
         auto d = LogDestination::parse(text);
         if (!d) fail_at(where_of(s, n), fmt::format("{}: '{}' is not stderr, syslog or file:PATH", k, text));
         c.log.destination = *d;
       }},
      {"log", "warning-interval", [](Config& c, std::string_view s, std::string_view k, const toml::node& n) {
         c.log.warning_interval = static_cast<uint32_t>(get_uint(s, k, n, 1, 86400));
       }},
  };
  return keys;
}

// [[local-zone]] and [[local-data]]: arrays of tables at the top level, unlike the sections above.
constexpr std::string_view kLocalZoneTypes[] = {"static",   "transparent",     "redirect",     "refuse",
                                               "deny",     "always-nxdomain", "always-nodata"};

std::string absolute_name(const Where& w, std::string_view key, std::string text) {
  if (text.empty() || text.back() != '.')
    fail_at(w, fmt::format("{}: '{}' must be an absolute name ending in '.'", key, text));
  return text;
}

bool apply_local_tables(Config& c, std::string_view src, std::string_view section, const toml::node& n) {
  if (section != "local-zone" && section != "local-data") return false;
  const toml::array* arr = n.as_array();
  if (!arr || !arr->is_array_of_tables())
    fail_at(where_of(src, n), fmt::format("'{}' must be an array of tables ([[{}]])", section, section));
  for (const toml::node& e : *arr) {
    const toml::table& t = *e.as_table();
    Where w = where_of(src, e);
    if (section == "local-zone") {
      LocalZoneConfig z;
      z.where = w.str();
      for (auto&& [key, v] : t) {
        std::string k = fmt::format("local-zone.{}", key.str());
        if (key.str() == "name") {
          z.name = absolute_name(where_of(src, v), k, get_string(src, k, v));
        } else if (key.str() == "type") {
          z.type = get_string(src, k, v);
          bool known = false;
          for (auto name : kLocalZoneTypes) known |= z.type == name;
          if (!known)
            fail_at(where_of(src, v), fmt::format("{}: '{}' is not one of static, transparent, redirect, "
                                                  "refuse, deny, always-nxdomain, always-nodata", k, z.type));
        } else {
          fail_at(where_of(src, v), fmt::format("unknown key '{}' in [[local-zone]] (name, type)", key.str()));
        }
      }
      if (z.name.empty() || z.type.empty()) fail_at(w, "[[local-zone]] needs both name and type");
      c.local.zones.push_back(std::move(z));
    } else {
      for (auto&& [key, v] : t) {
        std::string k = fmt::format("local-data.{}", key.str());
        bool ptr = key.str() == "ptr";
        if (key.str() != "rr" && !ptr)
          fail_at(where_of(src, v), fmt::format("unknown key '{}' in [[local-data]] (rr, ptr)", key.str()));
        for (auto& [text, tw] : get_strings(src, k, v)) c.local.data.push_back({text, ptr, tw.str()});
      }
    }
  }
  return true;
}

// [[rpz]]: one table per policy zone, in policy order.
bool apply_rpz_tables(Config& c, std::string_view src, std::string_view section, const toml::node& n) {
  if (section != "rpz") return false;
  const toml::array* arr = n.as_array();
  if (!arr || !arr->is_array_of_tables()) fail_at(where_of(src, n), "'rpz' must be an array of tables ([[rpz]])");
  for (const toml::node& e : *arr) {
    const toml::table& t = *e.as_table();
    RpzConfig z;
    z.where = where_of(src, e).str();
    for (auto&& [key, v] : t) {
      std::string k = fmt::format("rpz.{}", key.str());
      if (key.str() == "name") {
        z.name = absolute_name(where_of(src, v), k, get_string(src, k, v));
      } else if (key.str() == "file") {
        z.file = get_string(src, k, v);
      } else if (key.str() == "primary") {
        z.primary = get_string(src, k, v);
        if (!SocketAddress::parse(z.primary, 53))
          fail_at(where_of(src, v), fmt::format("{}: '{}' is not an address (ADDRESS or ADDRESS:PORT)", k, z.primary));
      } else if (key.str() == "poll-interval") {
        z.poll_interval = static_cast<uint32_t>(get_uint(src, k, v, 0, 86400));
      } else if (key.str() == "max-rules") {
        z.max_rules = get_uint(src, k, v, 1, 100000000);
      } else if (key.str() == "ede") {
        z.ede = get_string(src, k, v);
        if (z.ede != "blocked" && z.ede != "filtered" && z.ede != "censored" && z.ede != "forged" && z.ede != "none")
          fail_at(where_of(src, v), fmt::format("{}: '{}' is not one of blocked, filtered, censored, forged, none", k, z.ede));
      } else {
        fail_at(where_of(src, v), fmt::format("unknown key '{}' in [[rpz]] (name, file, primary, poll-interval, max-rules, ede)", key.str()));
      }
    }
    Where w = where_of(src, e);
    if (z.name.empty() || z.file.empty() == z.primary.empty())
      fail_at(w, "[[rpz]] needs a name and one of file or primary");
    for (const RpzConfig& other : c.rpz)
      if (other.name == z.name) fail_at(w, fmt::format("[[rpz]] {} is configured twice", z.name));
    c.rpz.push_back(std::move(z));
  }
  return true;
}

// [[forward-zone]] and [[stub-zone]]: arrays of tables at the top level, like [[local-zone]].
bool apply_upstream_zone_tables(Config& c, std::string_view src, std::string_view section,
                                const toml::node& n) {
  if (section != "forward-zone" && section != "stub-zone") return false;
  const bool stub = section == "stub-zone";
  const toml::array* arr = n.as_array();
  if (!arr || !arr->is_array_of_tables())
    fail_at(where_of(src, n), fmt::format("'{}' must be an array of tables ([[{}]])", section, section));
  for (const toml::node& e : *arr) {
    const toml::table& t = *e.as_table();
    Where w = where_of(src, e);
    UpstreamZoneConfig z;
    z.stub = stub;
    z.where = w.str();
    for (auto&& [key, v] : t) {
      std::string k = fmt::format("{}.{}", section, key.str());
      const std::string_view name = key.str();
      if (name == "name") {
        z.name = absolute_name(where_of(src, v), k, get_string(src, k, v));
        if (!wire::Name::from_text(z.name)) fail_at(where_of(src, v), fmt::format("{}: '{}' is not a domain name", k, z.name));
      } else if (name == "addresses") {
        for (auto& [text, tw] : get_strings(src, k, v)) {
          if (!engine::Address::parse(text))
            fail_at(tw, fmt::format("{}: '{}' is not an address (10.0.0.53, 10.0.0.53:5353, fd00::53, [fd00::53]:53)", k, text));
          z.addresses.push_back(text);
        }
      } else if (name == "first" && !stub) {
        z.first = get_bool(src, k, v);
      } else if (name == "prime" && stub) {
        z.prime = get_bool(src, k, v);
      } else if (name == "insecure") {
        z.insecure = get_bool(src, k, v);
      } else if (name == "tls" && !stub) {
        z.tls = get_bool(src, k, v);
      } else if (name == "tls-name" && !stub) {
        z.tls_name = get_string(src, k, v);
        if (z.tls_name.empty() || !wire::Name::from_text(z.tls_name))
          fail_at(where_of(src, v), fmt::format("{}: '{}' is not a host name", k, z.tls_name));
      } else if (name == "tls-ca-file" && !stub) {
        z.tls_ca_file = get_string(src, k, v);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(z.tls_ca_file, ec))
          fail_at(where_of(src, v), fmt::format("{}: '{}' is not a readable file", k, z.tls_ca_file));
      } else {
        fail_at(where_of(src, v), fmt::format("unknown key '{}' in [[{}]] ({})", name, section,
                                              stub ? "name, addresses, prime, insecure"
                                                   : "name, addresses, first, insecure, tls, tls-name, tls-ca-file"));
      }
    }
    if (z.name.empty() || z.addresses.empty()) fail_at(w, fmt::format("[[{}]] needs name and addresses", section));
    // Without a name to check, TLS would protect against nothing but a passive listener.
    if (z.tls && z.tls_name.empty()) fail_at(w, fmt::format("[[{}]] {}: tls = true needs tls-name", section, z.name));
    for (const auto& other : c.upstream_zones) {
      if (wire::Name::from_text(other.name).value() == wire::Name::from_text(z.name).value())
        fail_at(w, fmt::format("[[{}]] {}: already configured at {}", section, z.name, other.where));
      // The transport knows a TLS server by its address: one name and CA file per address.
      if (!z.tls || !other.tls || (other.tls_name == z.tls_name && other.tls_ca_file == z.tls_ca_file)) continue;
      for (const auto& a : z.addresses)
        for (const auto& b : other.addresses)
          if (engine::Address::parse(a, 853) == engine::Address::parse(b, 853))
            fail_at(w, fmt::format("[[{}]] {}: {} is a TLS forwarder of {} too, with another tls-name or "
                                   "tls-ca-file", section, z.name, a, other.where));
    }
    c.upstream_zones.push_back(std::move(z));
  }
  return true;
}

void check_consistency(const Config& c, std::string_view source) {
  if (c.cache.min_ttl > c.cache.max_ttl)
    throw ConfigError(fmt::format("{}: cache.min-ttl ({}) is above cache.max-ttl ({})", source,
                                  c.cache.min_ttl, c.cache.max_ttl));
  if (!c.server.tls_listen.empty() && (c.server.tls_certificate.empty() || c.server.tls_key.empty()))
    throw ConfigError(fmt::format("{}: server.tls-listen needs server.tls-certificate and server.tls-key", source));
  if (!c.server.https_listen.empty() && (c.server.tls_certificate.empty() || c.server.tls_key.empty()))
    throw ConfigError(fmt::format("{}: server.https-listen needs server.tls-certificate and server.tls-key", source));
}

std::string read_file(const std::string& path) {
  // An ifstream opens a directory and reads nothing from it, which would pass for an empty
  // (all defaults) configuration.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(fmt::format("{}: is a directory, not a configuration file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "--flag=value" or "--flag value".
struct FlagReader {
  const std::vector<std::string>& args;
  size_t i = 0;
  std::string value(const std::string& flag, std::optional<std::string>& inline_value) {
    if (inline_value) return *std::exchange(inline_value, std::nullopt);
    if (i + 1 >= args.size()) throw ConfigError(fmt::format("command line: {}: needs a value", flag));
    return args[++i];
  }
};

}  // namespace

Config default_config() {
  Config c;
  c.server.listen.push_back(*SocketAddress::parse("127.0.0.1:53"));
  c.server.listen.push_back(*SocketAddress::parse("[::1]:53"));
  c.server.allow.push_back(*Network::parse("127.0.0.0/8"));
  c.server.allow.push_back(*Network::parse("::1/128"));
  c.server.ede_text_allow.push_back(*Network::parse("127.0.0.0/8"));
  c.server.ede_text_allow.push_back(*Network::parse("::1/128"));
  return c;
}

void apply_toml(Config& cfg, std::string_view toml_text, std::string_view source_name) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  Config next = cfg;  // all or nothing
  for (auto&& [section_key, section_node] : doc) {
    std::string_view section = section_key.str();
    if (apply_local_tables(next, source_name, section, section_node)) continue;
    if (apply_rpz_tables(next, source_name, section, section_node)) continue;
    if (apply_upstream_zone_tables(next, source_name, section, section_node)) continue;
    const toml::table* table = section_node.as_table();
    bool known_section = false;
    for (const KeyDef& k : key_table()) known_section |= k.section == section;
    if (!known_section)
      fail_at(Where{source_name, section_key.source().begin.line},
              fmt::format("unknown section or key '{}' (sections: server, resolver, cache, dnssec, log, metrics, [[local-zone]], [[local-data]], [[forward-zone]], [[stub-zone]], [[rpz]])", section));
    if (!table)
      fail_at(Where{source_name, section_key.source().begin.line},
              fmt::format("'{}' must be a table ([{}])", section, section));
    for (auto&& [key, node] : *table) {
      const KeyDef* def = nullptr;
      for (const KeyDef& k : key_table())
        if (k.section == section && k.name == key.str()) def = &k;
      if (!def)
        fail_at(Where{source_name, key.source().begin.line},
                fmt::format("unknown key '{}' in [{}]", key.str(), section));
      def->set(next, source_name, fmt::format("{}.{}", section, key.str()), node);
    }
  }
  check_consistency(next, source_name);
  cfg = std::move(next);
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.args = args;
  cl.config = default_config();

  // The file first (wherever --config appears), then every other flag on top of it.
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--config" || a.rfind("--config=", 0) == 0) {
      std::string path = a == "--config" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(9);
      if (path.empty()) throw ConfigError("command line: --config: needs a file name");
      cl.config.config_file = path;
    }
  }
  if (!cl.config.config_file.empty())
    apply_toml(cl.config, read_file(cl.config.config_file), cl.config.config_file);

  Config& c = cl.config;
  bool listen_from_flags = false;
  FlagReader r{args};
  for (r.i = 0; r.i < args.size(); ++r.i) {
    std::string flag = args[r.i];
    std::optional<std::string> inline_value;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    Where w{"command line", 0};
    if (flag == "--config") {
      r.value(flag, inline_value);
    } else if (flag == "--listen") {
      if (!listen_from_flags) c.server.listen.clear();  // flags replace the file's list
      listen_from_flags = true;
      c.server.listen.push_back(parse_listen(w, flag, r.value(flag, inline_value)));
    } else if (flag == "--threads") {
      c.server.threads = static_cast<unsigned>(parse_uint_text(w, flag, r.value(flag, inline_value), 0, 1024));
    } else if (flag == "--allow") {
      c.server.allow.push_back(parse_network(w, flag, r.value(flag, inline_value)));
    } else if (flag == "--upstream-allow") {
      std::string v = r.value(flag, inline_value);
      parse_network(w, flag, v);
      c.resolver.upstream_allow.push_back(v);
    } else if (flag == "--trust-anchor-file") {
      c.dnssec.trust_anchor_files.push_back(r.value(flag, inline_value));
    } else if (flag == "--root-hints") {
      c.resolver.root_hints_file = r.value(flag, inline_value);
    } else if (flag == "--cache-size") {
      c.cache.size_mib = static_cast<uint32_t>(parse_uint_text(w, flag, r.value(flag, inline_value), 1, 1u << 20));
    } else if (flag == "--log-level") {
      c.log.level = parse_level(w, flag, r.value(flag, inline_value));
    } else if (flag == "--query-log") {
      c.log.query_log = true;
    } else if (flag == "--control") {
      c.server.control_socket = r.value(flag, inline_value);
    } else if (flag == "--version") {
      cl.show_version = true;
    } else if (flag == "--check-config") {
      cl.check_config = true;
    } else if (flag == "--help" || flag == "-h") {
      cl.show_help = true;
    } else {
      throw ConfigError(fmt::format("command line: {}: unknown option (see ternd --help)", flag));
    }
  }
  check_consistency(c, "command line");
  return cl;
}

Config reload(const std::vector<std::string>& args) { return parse_command_line(args).config; }

std::string usage() {
  return "usage: ternd [options]\n"
         "  --config FILE          TOML configuration file (see docs/configuration.md)\n"
         "  --listen ADDR:PORT     listen address, repeatable (default 127.0.0.1:53 and [::1]:53)\n"
         "  --threads N            worker threads (default: one per core)\n"
         "  --root-hints FILE      root hints in zone-file syntax (default: compiled in)\n"
         "  --trust-anchor-file FILE  DNSSEC trust anchors (DS/DNSKEY), repeatable (default: root's)\n"
         "  --upstream-allow CIDR  only send upstream queries into this network, repeatable\n"
         "  --allow CIDR           also serve clients from this network, repeatable (default: loopback)\n"
         "  --cache-size MIB       cache memory budget (default 64)\n"
         "  --log-level LEVEL      debug, info, warning, error, off (default info)\n"
         "  --query-log            log one line per answered query\n"
         "  --control PATH         unix socket for ternd control commands\n"
         "  --check-config         validate the configuration and exit\n"
         "  --version              print the version and exit\n"
         "  ternd control PATH COMMAND...   send a control command (flush, dump, stats)\n";
}

}  // namespace tern::config
