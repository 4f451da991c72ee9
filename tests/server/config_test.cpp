#include <catch2/catch.hpp>

#include "config_error.h"
#include "resolver/config/config.h"

using namespace tern::config;

namespace {

std::string error_of(const std::string& toml) { return tern::test::config_error_of(toml); }

std::string flags_error(std::vector<std::string> args) {
  try {
    parse_command_line(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("defaults match docs/configuration.md") {
  Config c = default_config();
  REQUIRE(c.server.listen.size() == 2);
  CHECK(c.server.listen[0].to_string() == "127.0.0.1:53");
  CHECK(c.server.listen[1].to_string() == "[::1]:53");
  CHECK(c.server.threads == 0);
  CHECK(c.server.udp_max_payload == 1232);
  CHECK(c.server.tcp_idle_timeout_ms == 10000);
  CHECK(c.cache.size_mib == 64);
  CHECK(c.cache.max_ttl == 86400);
  CHECK(c.cache.max_negative_ttl == 3600);
  CHECK(c.resolver.qname_minimisation);
  CHECK(c.log.level == LogLevel::Info);
}

TEST_CASE("a full file is applied") {
  Config c = default_config();
  apply_toml(c, R"(
[server]
listen = ["127.0.0.7:5300", "[::1]:5300"]
threads = 3
allow = ["10.0.0.0/8"]
tcp-idle-timeout-ms = 2500

[resolver]
root-hints = "/tmp/hints"
upstream-allow = ["127.0.0.0/8"]
upstream-port = 5353
qname-minimisation = false
max-cname-chain = 8

[cache]
size-mib = 128
serve-stale = false
prefetch = false

[log]
level = "debug"
query-log = true
)", "t.toml");
  REQUIRE(c.server.listen.size() == 2);
  CHECK(c.server.listen[0].to_string() == "127.0.0.7:5300");
  CHECK(c.server.threads == 3);
  REQUIRE(c.server.allow.size() == 1);
  CHECK(c.server.allow[0].to_string() == "10.0.0.0/8");
  CHECK(c.server.tcp_idle_timeout_ms == 2500);
  CHECK(c.resolver.root_hints_file == "/tmp/hints");
  CHECK(c.resolver.upstream_allow == std::vector<std::string>{"127.0.0.0/8"});
  CHECK(c.resolver.upstream_port == 5353);
  CHECK_FALSE(c.resolver.qname_minimisation);
  CHECK(c.resolver.max_cname_chain == 8);
  CHECK(c.cache.size_mib == 128);
  CHECK_FALSE(c.cache.serve_stale);
  CHECK_FALSE(c.cache.prefetch);
  CHECK(c.log.level == LogLevel::Debug);
  CHECK(c.log.query_log);
}

TEST_CASE("errors name the file and line") {
  CHECK(error_of("[server]\nthreads = 2\nthread = 3\n") == "t.toml:3: unknown key 'thread' in [server]");
  CHECK(error_of("\n\n[servr]\n").rfind("t.toml:3: unknown section or key 'servr'", 0) == 0);
  CHECK(error_of("[server]\n\nthreads = \"two\"\n") == "t.toml:3: server.threads: expected a whole number");
  CHECK(error_of("[server]\nthreads = -1\n") == "t.toml:2: server.threads: -1 is outside 0..1024");
  CHECK(error_of("[server]\nlisten = [\"127.0.0.1:53\",\n  \"nonsense\"]\n") ==
        "t.toml:3: server.listen: 'nonsense' is not ADDRESS:PORT (e.g. 127.0.0.1:53, [::1]:53)");
  CHECK(error_of("[server]\nallow = [\"10.0.0.0/33\"]\n").rfind("t.toml:2: server.allow: '10.0.0.0/33'", 0) == 0);
  CHECK(error_of("[log]\nlevel = \"loud\"\n").rfind("t.toml:2: log.level: 'loud'", 0) == 0);
  CHECK(error_of("[server]\nno-local-zones = [\"invalid\"]\n") ==
        "t.toml:2: server.no-local-zones: 'invalid' must be an absolute name ending in '.'");
  CHECK(error_of("[cache]\nserve-stale = 1\n") == "t.toml:2: cache.serve-stale: expected true or false");
  CHECK(error_of("[cache]\nmin-ttl = 100\nmax-ttl = 10\n") ==
        "t.toml: cache.min-ttl (100) is above cache.max-ttl (10)");
  // Syntax errors come from toml++ with their line.
  CHECK(error_of("[server]\nthreads = = 2\n").rfind("t.toml:2: ", 0) == 0);
  CHECK(error_of("threads = 2\n").rfind("t.toml:1: unknown section or key 'threads'", 0) == 0);
}

TEST_CASE("a bad file changes nothing") {
  Config c = default_config();
  CHECK_THROWS_AS(apply_toml(c, "[server]\nthreads = 4\nbogus = 1\n", "t.toml"), ConfigError);
  CHECK(c.server.threads == 0);
}

TEST_CASE("flags override the defaults") {
  auto cl = parse_command_line({"--listen", "127.0.0.9:5353", "--listen=[::1]:5353", "--threads", "2",
                                "--allow", "192.168.0.0/16", "--upstream-allow", "127.0.0.0/8",
                                "--cache-size", "32", "--log-level", "warning", "--check-config"});
  REQUIRE(cl.config.server.listen.size() == 2);
  CHECK(cl.config.server.listen[0].to_string() == "127.0.0.9:5353");
  CHECK(cl.config.server.listen[1].to_string() == "[::1]:5353");
  CHECK(cl.config.server.threads == 2);
  CHECK(cl.config.server.allow.size() == 3);  // loopback v4 and v6, plus the flag
  CHECK(cl.config.resolver.upstream_allow.size() == 1);
  CHECK(cl.config.cache.size_mib == 32);
  CHECK(cl.config.log.level == LogLevel::Warning);
  CHECK(cl.check_config);
}

TEST_CASE("bad flags are errors that name the flag") {
  CHECK(flags_error({"--threads", "x"}) == "command line: --threads: expected a whole number, got 'x'");
  CHECK(flags_error({"--listen"}) == "command line: --listen: needs a value");
  CHECK(flags_error({"--frobnicate"}) == "command line: --frobnicate: unknown option (see ternd --help)");
  CHECK(flags_error({"--allow", "banana"}).rfind("command line: --allow: 'banana'", 0) == 0);
  CHECK(flags_error({"--config", "/nonexistent/ternd.toml"}) == "/nonexistent/ternd.toml: cannot open");
  // A directory opens as a stream that reads nothing: it must not pass for an empty file.
  CHECK(flags_error({"--config", "/tmp"}) == "/tmp: is a directory, not a configuration file");
}

TEST_CASE("addresses and networks") {
  CHECK(SocketAddress::parse("127.0.0.1:53")->port() == 53);
  CHECK(SocketAddress::parse("[::1]:5353")->to_string() == "[::1]:5353");
  CHECK(SocketAddress::parse("::1", 53)->to_string() == "[::1]:53");
  CHECK_FALSE(SocketAddress::parse("127.0.0.1:99999"));
  CHECK_FALSE(SocketAddress::parse("[::1"));
  CHECK_FALSE(SocketAddress::parse("example.com:53"));
  CHECK(Network::parse("10.1.2.3/8")->to_string() == "10.0.0.0/8");
  CHECK(Network::parse("fd00::1/8")->to_string() == "fd00::/8");
  CHECK_FALSE(Network::parse("10.0.0.0/"));
  CHECK_FALSE(Network::parse("::/129"));
}

TEST_CASE("[[local-zone]], [[local-data]] and hosts-file are read with their lines") {
  Config c = default_config();
  apply_toml(c,
             "[server]\n"
             "hosts-file = \"/etc/hosts\"\n"
             "[[local-zone]]\n"
             "name = \"corp.example.\"\n"
             "type = \"static\"\n"
             "[[local-data]]\n"
             "rr = [\"printer.corp.example. 300 IN A 192.0.2.7\",\n"
             "      \"corp.example. SOA ns. admin. 1 2 3 4 5\"]\n"
             "[[local-data]]\n"
             "ptr = \"192.0.2.7 printer.corp.example.\"\n",
             "t.toml");
  CHECK(c.local.hosts_file == "/etc/hosts");
  REQUIRE(c.local.zones.size() == 1);
  CHECK(c.local.zones[0].name == "corp.example.");
  CHECK(c.local.zones[0].type == "static");
  REQUIRE(c.local.data.size() == 3);
  CHECK(c.local.data[0].where == "t.toml:7");
  CHECK(c.local.data[1].where == "t.toml:8");
  CHECK(c.local.data[2].ptr);
  CHECK(c.local.data[2].where == "t.toml:10");

  CHECK(error_of("[[local-zone]]\nname = \"corp.example.\"\ntype = \"nope\"\n").find("t.toml:3") == 0);
  CHECK(error_of("[[local-zone]]\nname = \"corp.example\"\ntype = \"static\"\n").find("t.toml:2") == 0);
  CHECK(error_of("[[local-zone]]\nname = \"corp.example.\"\n").find("needs both") != std::string::npos);
  CHECK(error_of("[[local-data]]\nrecord = \"x. A 192.0.2.1\"\n").find("t.toml:2") == 0);
  CHECK(error_of("[local-zone]\nname = \"x.\"\n").find("array of tables") != std::string::npos);
}

TEST_CASE("the hardening keys of [resolver] (issue #13: dead servers, lameness, timeouts)") {
  Config c = default_config();
  // Defaults as docs/configuration.md and engine/limits.h give them.
  CHECK(c.resolver.initial_timeout_ms == 376);
  CHECK(c.resolver.infra_cache_min_rtt_ms == 50);
  CHECK(c.resolver.infra_cache_max_rtt_ms == 3000);
  CHECK(c.resolver.timeouts_before_down == 3);
  CHECK(c.resolver.fetches_per_zone == 1000);
  CHECK(c.resolver.fetches_per_server == 400);
  CHECK(c.resolver.failure_cache_min_ttl == 5);
  CHECK(c.resolver.failure_cache_max_ttl == 300);
  apply_toml(c, R"(
[resolver]
infra-cache-min-rtt = 20
infra-cache-max-rtt = 8000
timeouts-before-down = 5
infra-backoff-base = 2
infra-backoff-max = 60
infra-lame-ttl = 120
fetches-per-zone = 0
fetches-per-server = 50
failure-cache-min-ttl = 1
failure-cache-max-ttl = 30
)", "t.toml");
  CHECK(c.resolver.infra_cache_min_rtt_ms == 20);
  CHECK(c.resolver.infra_cache_max_rtt_ms == 8000);
  CHECK(c.resolver.timeouts_before_down == 5);
  CHECK(c.resolver.infra_backoff_base == 2);
  CHECK(c.resolver.infra_backoff_max == 60);
  CHECK(c.resolver.infra_lame_ttl == 120);
  CHECK(c.resolver.fetches_per_zone == 0);
  CHECK(c.resolver.fetches_per_server == 50);
  CHECK(c.resolver.failure_cache_min_ttl == 1);
  CHECK(c.resolver.failure_cache_max_ttl == 30);
  CHECK(error_of("[resolver]\nfetches-per-zone = -1\n") != "");
}

TEST_CASE("[cache.redis]: off by default, address or socket path, bounded limits") {
  Config d = default_config();
  CHECK(d.cache.redis.server.empty());
  CHECK(d.cache.redis.timeout_ms == 5);
  CHECK(d.cache.redis.max_outstanding == 64);

  Config c = default_config();
  apply_toml(c, "[cache]\nsize-mib = 32\n[cache.redis]\nserver = \"127.0.0.1:6380\"\ntimeout-ms = 20\n"
                "max-outstanding = 8\n", "t.toml");
  CHECK(c.cache.size_mib == 32);
  CHECK(c.cache.redis.server == "127.0.0.1:6380");
  CHECK(c.cache.redis.timeout_ms == 20);
  CHECK(c.cache.redis.max_outstanding == 8);
  apply_toml(c, "[cache.redis]\nserver = \"/run/redis/redis.sock\"\n", "t.toml");
  CHECK(c.cache.redis.server == "/run/redis/redis.sock");
  apply_toml(c, "[cache.redis]\nserver = \"[::1]\"\n", "t.toml");
  CHECK(c.cache.redis.server == "[::1]");

  CHECK(error_of("[cache.redis]\nserver = \"redis.example\"\n").find("t.toml:2: cache.redis.server") == 0);
  CHECK(error_of("[cache.redis]\ntimeout-ms = 0\n").find("cache.redis.timeout-ms") != std::string::npos);
  CHECK(error_of("[cache.redis]\nmax-outstanding = 0\n").find("cache.redis.max-outstanding") != std::string::npos);
  CHECK(error_of("[cache.redis]\nport = 1\n").find("unknown key 'port' in [cache.redis]") != std::string::npos);
  CHECK(error_of("[cache]\nredis = 1\n").find("[cache.redis]") != std::string::npos);
}

TEST_CASE("ede-text-allow and log-servfail (issue 16)") {
  Config d = default_config();
  REQUIRE(d.server.ede_text_allow.size() == 2);  // loopback only by default
  CHECK(d.server.ede_text_allow[0].to_string() == "127.0.0.0/8");
  CHECK(d.server.ede_text_allow[1].to_string() == "::1/128");
  CHECK_FALSE(d.log.log_servfail);
  Config c = default_config();
  apply_toml(c, "[server]\nede-text-allow = [\"10.0.0.0/8\"]\n[log]\nlog-servfail = true\n", "t.toml");
  REQUIRE(c.server.ede_text_allow.size() == 1);
  CHECK(c.server.ede_text_allow[0].to_string() == "10.0.0.0/8");
  CHECK(c.log.log_servfail);
  Config none = default_config();
  apply_toml(none, "[server]\nede-text-allow = []\n", "t.toml");
  CHECK(none.server.ede_text_allow.empty());
  CHECK(error_of("[server]\nede-text-allow = [\"nonsense\"]\n").rfind("t.toml:2: server.ede-text-allow: 'nonsense'", 0) == 0);
  CHECK(error_of("[log]\nlog-servfail = 1\n") == "t.toml:2: log.log-servfail: expected true or false");
}
