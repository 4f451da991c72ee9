// The log module: line formats per destination, the journal detection, whole lines from many
// threads, reopening a file after logrotate moved it, and the per-cause warning limiter.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "resolver/config/config.h"
#include "resolver/config/log.h"

using namespace tern::config;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// A fresh directory under the build's temp dir, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/tern_log_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

const std::regex kTimestamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(debug|info|warning|error)\] .*$)");

}  // namespace

TEST_CASE("log lines: RFC 3339 UTC timestamp, journal priority prefix, bare for syslog") {
  auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764774497123));  // 2025-12-03T15:08:17.123Z
  CHECK(format_log_line(LineStyle::Timestamped, LogLevel::Info, "[info] up", when) ==
        "2025-12-03T15:08:17.123Z [info] up\n");
  CHECK(format_log_line(LineStyle::Timestamped, LogLevel::Info, "x", std::chrono::system_clock::time_point{}) ==
        "1970-01-01T00:00:00.000Z x\n");
  // journald reads <N> as the syslog priority and strips it; it timestamps the line itself.
  CHECK(format_log_line(LineStyle::Journal, LogLevel::Warning, "[warning] w", when) == "<4>[warning] w\n");
  CHECK(format_log_line(LineStyle::Journal, LogLevel::Error, "e", when) == "<3>e\n");
  CHECK(format_log_line(LineStyle::Journal, LogLevel::Debug, "d", when) == "<7>d\n");
  CHECK(format_log_line(LineStyle::Bare, LogLevel::Info, "[info] b", when) == "[info] b\n");
}

TEST_CASE("JOURNAL_STREAM counts only when it names the file descriptor's own file") {
  TempDir dir;
  std::string path = dir.file("stream");
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f);
  struct stat st {};
  REQUIRE(fstat(fileno(f), &st) == 0);
  std::string same = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  CHECK(fd_is_journal_stream(fileno(f), same.c_str()));
  CHECK_FALSE(fd_is_journal_stream(fileno(f), other.c_str()));
  CHECK_FALSE(fd_is_journal_stream(fileno(f), nullptr));
  CHECK_FALSE(fd_is_journal_stream(fileno(f), ""));
  CHECK_FALSE(fd_is_journal_stream(fileno(f), "garbage"));
  std::fclose(f);
}

TEST_CASE("log destinations parse from the config text") {
  CHECK(LogDestination::parse("stderr") == LogDestination{LogDestination::Kind::Stderr, ""});
  CHECK(LogDestination::parse("syslog") == LogDestination{LogDestination::Kind::Syslog, ""});
  CHECK(LogDestination::parse("file:/var/log/tern/ternd.log") ==
        LogDestination{LogDestination::Kind::File, "/var/log/tern/ternd.log"});
  CHECK(LogDestination::parse("file:")  == std::nullopt);
  CHECK(LogDestination::parse("journal") == std::nullopt);
  CHECK(LogDestination::parse("file:/x")->to_string() == "file:/x");
}

TEST_CASE("[log] destination and warning-interval keys") {
  Config c = default_config();
  CHECK(c.log.destination.kind == LogDestination::Kind::Stderr);
  CHECK(c.log.warning_interval == 60);
  apply_toml(c, "[log]\ndestination = \"file:/tmp/t.log\"\nwarning-interval = 300\n", "t.toml");
  CHECK(c.log.destination == LogDestination{LogDestination::Kind::File, "/tmp/t.log"});
  CHECK(c.log.warning_interval == 300);
  Config d = default_config();
  CHECK_THROWS_WITH(apply_toml(d, "[log]\ndestination = \"journal\"\n", "t.toml"),
                    Catch::StartsWith("t.toml:2: log.destination: 'journal' is not stderr, syslog or file:PATH"));
  CHECK_THROWS_WITH(apply_toml(d, "[log]\nwarning-interval = 0\n", "t.toml"),
                    Catch::StartsWith("t.toml:2: log.warning-interval: 0 is outside 1..86400"));
}

TEST_CASE("file destination: timestamped lines, reopened by name after logrotate moved it") {
  TempDir dir;
  std::string path = dir.file("ternd.log");
  Log log(LogLevel::Info);
  REQUIRE_FALSE(log.open(*LogDestination::parse("file:" + path)));
  log.info("first {}", 1);
  log.debug("not at info level");
  log.set_query_log(true);
  log.query("127.0.0.1 example. A NOERROR cache");
  std::filesystem::rename(path, path + ".1");  // what logrotate does before sending SIGHUP
  log.warn("still the old file");
  REQUIRE_FALSE(log.reopen());
  log.error("in the new file");

  auto old_lines = lines_of(path + ".1");
  REQUIRE(old_lines.size() == 3);
  CHECK(std::regex_match(old_lines[0], kTimestamped));
  CHECK(old_lines[0].ends_with(" [info] first 1"));
  CHECK(old_lines[1].ends_with("Z query: 127.0.0.1 example. A NOERROR cache"));
  CHECK(old_lines[2].ends_with(" [warning] still the old file"));
  auto new_lines = lines_of(path);
  REQUIRE(new_lines.size() == 1);
  CHECK(std::regex_match(new_lines[0], kTimestamped));
  CHECK(new_lines[0].ends_with(" [error] in the new file"));
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);  // the log names clients: not world-readable
}

TEST_CASE("a file that cannot be opened is an error and the old destination stays") {
  TempDir dir;
  std::string good = dir.file("good.log");
  Log log(LogLevel::Info);
  REQUIRE_FALSE(log.open(*LogDestination::parse("file:" + good)));
  auto failed = log.open(*LogDestination::parse("file:" + dir.file("no/such/dir/x.log")));
  REQUIRE(failed);
  CHECK(failed->find("cannot open") != std::string::npos);
  log.info("after the failure");
  CHECK(log.destination().path == good);
  CHECK(lines_of(good).size() == 1);
}

TEST_CASE("lines from many threads are written whole") {
  TempDir dir;
  std::string path = dir.file("threads.log");
  Log log(LogLevel::Info);
  REQUIRE_FALSE(log.open(*LogDestination::parse("file:" + path)));
  constexpr int kThreads = 4, kLines = 500;
  std::string payload(300, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) log.info("thread {} line {} {}", t, i, payload);
    });
  for (auto& th : threads) th.join();
  auto lines = lines_of(path);
  REQUIRE(lines.size() == size_t(kThreads * kLines));
  const std::regex whole(R"(^\S+Z \[info\] thread \d line \d+ x{300}$)");
  size_t broken = 0;
  for (const auto& l : lines) broken += !std::regex_match(l, whole);
  CHECK(broken == 0);
}

TEST_CASE("warning limiter: the first at once, then one per interval with the count held back") {
  WarningLimiter lim;
  auto t0 = std::chrono::steady_clock::time_point(100s);
  CHECK(lim.admit(t0, 60s) == std::optional<uint64_t>(0));
  CHECK(lim.admit(t0 + 1s, 60s) == std::nullopt);
  CHECK(lim.admit(t0 + 59s, 60s) == std::nullopt);
  CHECK(lim.admit(t0 + 60s, 60s) == std::optional<uint64_t>(2));
  CHECK(lim.admit(t0 + 61s, 60s) == std::nullopt);
  CHECK(lim.admit(t0 + 200s, 60s) == std::optional<uint64_t>(1));
  // Each cause has its own limiter: another cause is not held back by the first.
  WarningLimiter other;
  CHECK(other.admit(t0 + 201s, 60s) == std::optional<uint64_t>(0));
}

TEST_CASE("warn_limited writes one line per cause and interval") {
  TempDir dir;
  std::string path = dir.file("warn.log");
  Log log(LogLevel::Info);
  REQUIRE_FALSE(log.open(*LogDestination::parse("file:" + path)));
  log.set_warning_interval(3600s);
  WarningLimiter fds, disk;
  int written = 0;
  for (int i = 0; i < 1000; ++i) written += log.warn_limited(fds, "out of file descriptors: raise LimitNOFILE");
  written += log.warn_limited(disk, "cache directory full");
  CHECK(written == 2);
  auto lines = lines_of(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].ends_with("[warning] out of file descriptors: raise LimitNOFILE"));
  CHECK(lines[1].ends_with("[warning] cache directory full"));
  Log quiet(LogLevel::Error);
  WarningLimiter q;
  CHECK_FALSE(quiet.warn_limited(q, "below the level"));
}
