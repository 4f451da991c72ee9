// The daemon-level control commands (control_commands.h) against real caches and a server whose
// workers are built but not started, and the read-only socket's filter.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cache/caches.h"
#include "resolver/server/control_commands.h"
#include "resolver/server/local_policy.h"
#include "resolver/server/server.h"
#include "scripted_backend.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using tern::server::test::name;

namespace {

cache::Instant now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

wire::RRset soa_set() {
  wire::RRset s(name("example.com."), wire::RRType::SOA, wire::RRClass::IN, 300);
  std::vector<uint8_t> r;
  for (auto n : {name("ns.example.com."), name("admin.example.com.")}) r.insert(r.end(), n.wire().begin(), n.wire().end());
  for (int i = 0; i < 5; ++i) r.insert(r.end(), {0, 0, 1, 44});
  s.add(r);
  return s;
}

struct Fixture {
  config::Log log{config::LogLevel::Info};
  config::Config cfg = config::default_config();
  cache::Caches caches{cache::CacheLimits{}};
  std::unique_ptr<Server> srv;
  std::shared_ptr<LocalPolicy> policy = std::make_shared<LocalPolicy>();
  int reloads = 0;
  std::unique_ptr<ControlContext> ctx;
  Fixture() {
    cfg.server.threads = 1;
    cfg.config_file = "/etc/tern/ternd.toml";
    srv = std::make_unique<Server>(cfg, log, [](uv_loop_t* l) { return std::make_unique<test::ScriptedBackend>(l); },
                                   HitCacheFactory{});
    policy->add_zone(name("corp.example."), LocalZoneType::Static);
    policy->add_record(name("printer.corp.example."), wire::RRType::A, 300, std::vector<uint8_t>{192, 0, 2, 7});
    ctx = std::make_unique<ControlContext>(ControlContext{
        caches, *srv, log, "9.9.9 (test)", std::chrono::steady_clock::now() - std::chrono::seconds(3725),
        [this]() -> const config::Config& { return cfg; }, [this] { return std::shared_ptr<const LocalPolicy>(policy); },
        [this] { ++reloads; return std::string("ok reloaded: test\n"); }});
  }
  std::string run(std::string_view line) {
    auto r = run_daemon_command(line, *ctx);
    return r ? *r : std::string("(not a daemon command)");
  }
};

}  // namespace

TEST_CASE("status names the version, uptime, threads, config file and cache use") {
  Fixture f;
  std::string s = f.run("status");
  CHECK(s.find("version: ternd 9.9.9 (test)\n") != std::string::npos);
  CHECK(s.find("uptime: 0d 01:02:05 (3725 s)\n") != std::string::npos);
  CHECK(s.find("threads: 1\n") != std::string::npos);
  CHECK(s.find("config-file: /etc/tern/ternd.toml\n") != std::string::npos);
  CHECK(s.find("cache-size: 67108864 bytes (64 MiB)\n") != std::string::npos);
  CHECK(s.find("cache-used: ") != std::string::npos);
  CHECK(f.run("status now") == "error: usage: status\n");
}

TEST_CASE("set-log-level, reload, flush-negative, flush-bogus") {
  Fixture f;
  CHECK(f.run("set-log-level debug").starts_with("ok log level debug"));
  CHECK(f.log.level() == config::LogLevel::Debug);
  CHECK(f.run("set-log-level chatty").starts_with("error: not a log level: 'chatty'"));
  CHECK(f.log.level() == config::LogLevel::Debug);

  CHECK(f.run("reload") == "ok reloaded: test\n");
  CHECK(f.reloads == 1);

  auto t = now();
  REQUIRE(f.caches.negative().insert_nxdomain(name("gone.example.com."), wire::RRClass::IN, soa_set(),
                                              cache::Trust::AuthorityAuth, t));
  wire::RRset a(name("www.example.com."), wire::RRType::A, wire::RRClass::IN, 300);
  a.add(std::vector<uint8_t>{192, 0, 2, 1});
  REQUIRE(f.caches.store_rrset(a, cache::Trust::AnswerAuth, t));
  CHECK(f.run("flush-negative") == "ok flushed 1 negative entries\n");
  CHECK(f.caches.negative().size() == 0);
  CHECK(f.caches.rrsets().size() == 1);  // positive data stays

  auto mono = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now());
  f.caches.failures().record(name("broken.example."), wire::RRType::A, wire::RRClass::IN,
                             cache::MonoInstant(mono.time_since_epoch()), cache::Seconds(5), cache::Seconds(300));
  CHECK(f.run("flush-bogus") == "ok flushed 1 failure entries\n");
  CHECK(f.caches.failures().size() == 0);
}

TEST_CASE("list-local-zones, list-forwards, help") {
  Fixture f;
  CHECK(f.run("list-local-zones") == "corp.example. static 1 record\n");
  CHECK(f.run("list-forwards") == "none configured\n");
  config::UpstreamZoneConfig fwd;
  fwd.name = "corp.example.";
  fwd.addresses = {"10.0.0.53", "10.0.1.53:5353"};
  fwd.first = true;
  config::UpstreamZoneConfig stub;
  stub.stub = true;
  stub.name = "lab.example.";
  stub.addresses = {"10.0.2.1"};
  stub.prime = true;
  stub.insecure = true;
  f.cfg.upstream_zones = {fwd, stub};
  CHECK(f.run("list-forwards") ==
        "corp.example. forward 10.0.0.53 10.0.1.53:5353 first\nlab.example. stub 10.0.2.1 prime insecure\n");
  std::string help = f.run("help");
  for (auto cmd : {"status", "reload", "set-log-level", "flush-negative", "flush-bogus", "cache-save",
                   "cache-load", "list-local-zones", "list-forwards", "help", "stats", "dump"})
    CHECK(help.find(cmd) != std::string::npos);
  CHECK(f.run("flush-all") == "(not a daemon command)");  // control.cpp's
}

TEST_CASE("cache-save and cache-load through the control commands") {
  Fixture f;
  char tmpl[] = "/tmp/tern_control_cmd_XXXXXX";
  std::filesystem::path dir = mkdtemp(tmpl);
  std::string file = (dir / "cache.bin").string();
  wire::RRset a(name("www.example.com."), wire::RRType::A, wire::RRClass::IN, 300);
  a.add(std::vector<uint8_t>{192, 0, 2, 1});
  REQUIRE(f.caches.store_rrset(a, cache::Trust::AnswerAuth, now()));
  CHECK(f.run("cache-save " + file) == "ok saved 1 rrsets, 0 negative entries to " + file + "\n");
  CHECK(std::filesystem::status(file).permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  f.caches.flush_all();
  CHECK(f.run("cache-load " + file).starts_with("ok loaded 1 rrsets, 0 negative entries"));
  CHECK(f.caches.rrsets().lookup(name("www.example.com."), wire::RRType::A, wire::RRClass::IN, now()));
  CHECK(f.run("cache-load " + (dir / "none").string()).find("cannot open") != std::string::npos);
  CHECK(f.run("cache-save " + (dir / "no/such/dir/x").string()).starts_with("error: "));
  CHECK(f.run("cache-save") == "error: usage: cache-save FILE\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("the read-only socket takes only commands that change nothing") {
  for (auto cmd : {"help", "status", "stats", "dump", "lookup example.com.", "list-local-zones", "list-forwards"})
    CHECK(is_read_only_command(cmd));
  for (auto cmd : {"flush x.", "flush-all", "flush-subtree x.", "flush-negative", "flush-bogus", "reload",
                   "set-log-level debug", "cache-save /tmp/x", "cache-load /tmp/x", "", "frobnicate"})
    CHECK_FALSE(is_read_only_command(cmd));
  CHECK(read_only_refusal("flush-all") ==
        "error: 'flush-all' is not allowed on the read-only control socket (allowed: help status stats dump "
        "lookup list-local-zones list-forwards)\n");
  CHECK(read_only_refusal(std::string(200, 'x')).find(std::string(64, 'x') + "...") != std::string::npos);
}
