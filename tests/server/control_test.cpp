#include <catch2/catch.hpp>

#include <chrono>

#include "cache/caches.h"
#include "resolver/server/control.h"
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

void put(cache::Caches& caches, const std::string& owner, wire::RRType type) {
  wire::RRset s(name(owner), type, wire::RRClass::IN, 3600);
  if (type == wire::RRType::A)
    s.add(std::vector<uint8_t>{192, 0, 2, 7});
  else
    s.add(std::vector<uint8_t>{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7});
  REQUIRE(caches.rrsets().insert(s, cache::Trust::AnswerAuth, now()));
}

bool cached(cache::Caches& caches, const std::string& owner, wire::RRType type) {
  return caches.rrsets().lookup(name(owner), type, wire::RRClass::IN, now()).has_value();
}

}  // namespace

TEST_CASE("control commands flush, dump and count") {
  config::Log log(config::LogLevel::Off);
  config::Config cfg = config::default_config();
  cfg.server.threads = 1;
  cache::Caches caches(cache::CacheLimits{});
  // Workers are built but never started: the commands only post to them.
  Server srv(cfg, log, [](uv_loop_t* l) { return std::make_unique<test::ScriptedBackend>(l); }, {});

  put(caches, "www.example.com.", wire::RRType::A);
  put(caches, "www.example.com.", wire::RRType::AAAA);
  put(caches, "a.b.example.com.", wire::RRType::A);
  put(caches, "other.org.", wire::RRType::A);

  std::string dump = run_control_command("dump", caches, srv);
  CHECK(dump.find("www.example.com.") != std::string::npos);
  CHECK(dump.find("192.0.2.7") != std::string::npos);
  CHECK(dump.rfind("; end of dump\n") == dump.size() - 14);

  CHECK(run_control_command("flush www.example.com. AAAA", caches, srv).rfind("ok flushed 1 rrsets", 0) == 0);
  CHECK(cached(caches, "www.example.com.", wire::RRType::A));
  CHECK_FALSE(cached(caches, "www.example.com.", wire::RRType::AAAA));

  CHECK(run_control_command("flush-subtree example.com.", caches, srv).rfind("ok flushed 2 rrsets", 0) == 0);
  CHECK_FALSE(cached(caches, "a.b.example.com.", wire::RRType::A));
  CHECK(cached(caches, "other.org.", wire::RRType::A));

  CHECK(run_control_command("flush other.org.", caches, srv).rfind("ok flushed 1 rrsets", 0) == 0);
  CHECK_FALSE(cached(caches, "other.org.", wire::RRType::A));

  CHECK(run_control_command("stats", caches, srv).find("tern_queries_total{transport=\"udp\"} 0\n") != std::string::npos);
  CHECK(run_control_command("flush", caches, srv).rfind("error", 0) == 0);
  CHECK(run_control_command("flush x..y.", caches, srv).rfind("error: not a domain name", 0) == 0);
  CHECK(run_control_command("flush a. NOTATYPE", caches, srv).rfind("error: not a type", 0) == 0);
  CHECK(run_control_command("", caches, srv) == "error: empty command\n");
}
