// The query log: its line (query_log_line.h), its buffered sink (config/query_log.h) and the
// [log] query-log keys.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/config/query_log.h"
#include "resolver/server/query_log_line.h"

using namespace tern;
using namespace tern::config;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/tern_qlog_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::chrono::system_clock::time_point at_ms(int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace

TEST_CASE("query log line: client, protocol, question, rcode, source, latency, EDE") {
  auto client = SocketAddress::parse("192.0.2.1:5353").value();
  server::ClientQuery q;
  q.has_question = true;
  q.qname = wire::Name::from_text("www.example.com.").value();
  q.qtype = wire::RRType::AAAA;
  server::QueryLogEntry e{&client, false, &q, wire::Rcode::NoError, "packet_cache", 14, std::nullopt};
  CHECK(server::format_query_line(e) == "query: 192.0.2.1:5353 udp www.example.com. AAAA NOERROR packet_cache 0.014ms");
  e.tcp = true;
  e.rcode = wire::Rcode::ServFail;
  e.source = "resolution";
  e.latency_us = 1234567;
  e.ede = 22;
  CHECK(server::format_query_line(e) ==
        "query: 192.0.2.1:5353 tcp www.example.com. AAAA SERVFAIL resolution 1234.567ms ede=22");
  server::ClientQuery unparsed;  // a message that could not be read past its header
  e.query = &unparsed;
  e.ede.reset();
  CHECK(server::format_query_line(e).starts_with("query: 192.0.2.1:5353 tcp - A SERVFAIL"));
}

TEST_CASE("query log sink: buffered per writer, flushed by size, by the flusher and at the end") {
  TempDir dir;
  std::string path = dir.file("queries.log");
  {
    QueryLog sink;
    sink.set_buffer_bytes(200);
    sink.set_flush_interval(std::chrono::milliseconds(60000));  // the flusher stays out of this part
    REQUIRE_FALSE(sink.open(LogDestination::parse("file:" + path)));
    auto w = sink.make_writer();
    w->append("query: one", at_ms(1764774497123));
    CHECK(lines_of(path).empty());  // still buffered
    for (int i = 0; i < 10; ++i) w->append("query: filler line to pass the buffer size", at_ms(1764774498000 + i));
    auto lines = lines_of(path);
    REQUIRE(lines.size() >= 4);  // the buffer went out whole once it held 200 bytes
    CHECK(lines[0] == "2025-12-03T15:08:17.123Z query: one");
    CHECK(lines[1] == "2025-12-03T15:08:18.000Z query: filler line to pass the buffer size");
    CHECK(lines[2] == "2025-12-03T15:08:18.001Z query: filler line to pass the buffer size");
    w->append("query: last", at_ms(1764774499000));
  }  // destroyed: everything buffered is written
  auto lines = lines_of(path);
  REQUIRE(lines.size() == 12);
  CHECK(lines.back() == "2025-12-03T15:08:19.000Z query: last");
  std::regex stamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z query: .*$)");
  for (const auto& l : lines) CHECK(std::regex_match(l, stamped));
}

TEST_CASE("query log sink: a quiet writer's lines appear within the flush interval") {
  TempDir dir;
  std::string path = dir.file("queries.log");
  QueryLog sink;
  sink.set_flush_interval(std::chrono::milliseconds(50));
  REQUIRE_FALSE(sink.open(LogDestination::parse("file:" + path)));
  auto w = sink.make_writer();
  w->append("query: lonely", std::chrono::system_clock::now());
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {  // at most 5 s; normally one interval
    std::this_thread::sleep_for(50ms);
    seen = lines_of(path).size() == 1;
  }
  CHECK(seen);
}

TEST_CASE("query log sink: reopened by name after logrotate; off drops lines") {
  TempDir dir;
  std::string path = dir.file("queries.log");
  QueryLog sink;
  sink.set_buffer_bytes(0);  // a write per line
  REQUIRE_FALSE(sink.open(LogDestination::parse("file:" + path)));
  auto w = sink.make_writer();
  w->append("query: before", std::chrono::system_clock::now());
  std::filesystem::rename(path, path + ".1");
  REQUIRE_FALSE(sink.open(LogDestination::parse("file:" + path)));
  w->append("query: after", std::chrono::system_clock::now());
  REQUIRE_FALSE(sink.open(std::nullopt));
  w->append("query: dropped", std::chrono::system_clock::now());
  REQUIRE(lines_of(path + ".1").size() == 1);
  REQUIRE(lines_of(path).size() == 1);
  CHECK(lines_of(path)[0].ends_with("query: after"));
  CHECK(sink.open(LogDestination::parse("file:" + dir.file("missing/dir.log"))).has_value());
  CHECK_FALSE(sink.destination().has_value());  // a failed open keeps what was there
}

TEST_CASE("[log] query-log: a switch or a destination of its own") {
  Config c = default_config();
  apply_toml(c, "[log]\nquery-log = true\n", "t.toml");
  CHECK(c.log.query_log);
  CHECK_FALSE(c.log.query_log_destination);
  apply_toml(c, "[log]\nquery-log = \"file:/var/log/tern/queries.log\"\nquery-log-buffer-kib = 16\n"
                "query-log-flush-ms = 250\n", "t.toml");
  CHECK(c.log.query_log);
  REQUIRE(c.log.query_log_destination);
  CHECK(c.log.query_log_destination->path == "/var/log/tern/queries.log");
  CHECK(c.log.query_log_buffer_kib == 16);
  CHECK(c.log.query_log_flush_ms == 250);
  apply_toml(c, "[log]\nquery-log = \"off\"\n", "t.toml");
  CHECK_FALSE(c.log.query_log);
  CHECK_THROWS_WITH(apply_toml(c, "[log]\nquery-log = \"loud\"\n", "t.toml"),
                    Catch::Contains("'loud' is not true, false"));
  CHECK_THROWS_WITH(apply_toml(c, "[log]\nquery-log-flush-ms = 1\n", "t.toml"), Catch::Contains("10..60000"));
}

TEST_CASE("apply_query_log: on to the main log's destination, or its own; off") {
  TempDir dir;
  Log log(LogLevel::Info);
  LogConfig cfg;
  cfg.query_log = true;
  cfg.destination = *LogDestination::parse("file:" + dir.file("main.log"));
  REQUIRE_FALSE(apply_query_log(log, cfg));
  CHECK(log.query_log());
  CHECK(log.query_sink().destination() == cfg.destination);
  cfg.query_log_destination = LogDestination::parse("file:" + dir.file("q.log"));
  REQUIRE_FALSE(apply_query_log(log, cfg));
  CHECK(log.query_sink().destination()->path == dir.file("q.log"));
  cfg.query_log = false;
  REQUIRE_FALSE(apply_query_log(log, cfg));
  CHECK_FALSE(log.query_log());
  CHECK_FALSE(log.query_sink().destination());
}
