#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "cache/caches.h"
#include "resolver/server/control.h"
#include "resolver/server/server.h"
#include "resolver/server/socket_open.h"
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
  // Every counter of the front end, the engine and the transport is in the one collection, so in
  // both `stats` and /metrics (the ones whose owners have no other way out are named here).
  std::string stats = run_control_command("stats", caches, srv);
  for (const char* line : {
           "tern_queries_dropped_total{reason=\"waiter_limit\"} 0\n",
           "tern_queries_rejected_total{rcode=\"FORMERR\"} 0\n",
           "tern_tcp_connections_closed_total{reason=\"evicted\"} 0\n",
           "tern_tcp_connections_closed_total{reason=\"over_budget\"} 0\n",
           "tern_tcp_reads_deferred_total 0\n",
           "tern_queries_total{transport=\"tls\"} 0\n",
           "tern_tls_handshakes_total{result=\"timeout\"} 0\n",
           "tern_tls_connections_closed_total{reason=\"renegotiation\"} 0\n",
           "tern_proxy_headers_accepted_total 0\n",
           "tern_proxy_dropped_total{reason=\"missing\"} 0\n",
           "tern_waiters_dropped_total{limit=\"wait_limit\"} 0\n",
           "tern_upstream_skipped_total{reason=\"servers_down\"} 0\n",
           "tern_failure_cache_answers_total 0\n",
           "tern_lame_marks_total 0\n",
           "tern_upstream_probes_total 0\n",
           "tern_engine_upstream_queries_total 0\n",
           "tern_upstream_near_misses_total{reason=\"wrong_case\"} 0\n",
           "tern_upstream_near_miss_tcp_retries_total 0\n",
           "tern_upstream_case_insensitive_servers_total 0\n",
           "tern_upstream_unwanted_reply_warnings_total 0\n",
           "tern_upstream_port_bind_retries_total 0\n",
       })
    CHECK(stats.find(line) != std::string::npos);
  CHECK(run_control_command("flush", caches, srv).rfind("error", 0) == 0);
  CHECK(run_control_command("flush x..y.", caches, srv).rfind("error: not a domain name", 0) == 0);
  CHECK(run_control_command("flush a. NOTATYPE", caches, srv).rfind("error: not a type", 0) == 0);
  CHECK(run_control_command("", caches, srv) == "error: empty command\n");
}

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/tern-control-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string bind_error(const std::string& path) {
  try {
    BoundSocket b = bind_control_socket(path);
    ::close(b.fd);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// Runs a loop until `done` or a bound on the iterations.
void spin(uv_loop_t* loop) {
  for (int i = 0; i < 10; ++i) uv_run(loop, UV_RUN_NOWAIT);
}

ControlServer::Handler echo() {
  return [](std::string_view line) { return std::string(line) + "\n"; };
}

}  // namespace

TEST_CASE("control socket: a missing directory is named as such, not 'permission denied'") {
  TempDir dir;
  std::string err = bind_error(dir.path + "/no/such/dir/control.sock");
  CHECK(err.find("does not exist") != std::string::npos);
  CHECK(err.find(dir.path + "/no/such/dir") != std::string::npos);
  CHECK(err.find("ermission") == std::string::npos);
}

TEST_CASE("control socket: mode 0660 whatever the umask") {
  TempDir dir;
  std::string path = dir.path + "/c.sock";
  mode_t old = ::umask(0);  // the most permissive umask: the socket must still be 0660
  BoundSocket b = bind_control_socket(path);
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0660);
  ::close(b.fd);
}

TEST_CASE("control socket: a live one is refused and left alone, a stale one replaced") {
  TempDir dir;
  std::string path = dir.path + "/c.sock";
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    ControlServer first(&loop, path, echo());
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);
    std::string err = bind_error(path);
    CHECK(err.find("another running ternd") != std::string::npos);
    CHECK(err.find(path) != std::string::npos);
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);  // not replaced
  }
  spin(&loop);
  CHECK_FALSE(std::filesystem::exists(path));  // removed by its owner on close

  // A socket file whose server is gone (nobody accepts): replaced without complaint.
  BoundSocket stale = bind_control_socket(path);
  ::close(stale.fd);
  REQUIRE(std::filesystem::exists(path));
  {
    ControlServer next(&loop, path, echo());
    CHECK(std::filesystem::exists(path));
  }
  spin(&loop);
  REQUIRE(uv_loop_close(&loop) == 0);
}

TEST_CASE("control socket: a file that is not a socket is never replaced") {
  TempDir dir;
  std::string path = dir.path + "/c.sock";
  { std::ofstream(path) << "precious\n"; }
  CHECK(bind_error(path).find("not a socket") != std::string::npos);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  CHECK(line == "precious");
}

TEST_CASE("control socket: on close only our own file is removed") {
  TempDir dir;
  std::string path = dir.path + "/c.sock";
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    ControlServer ours(&loop, path, echo());
    // Someone else takes the path over (say a second instance after this one's file was removed
    // by hand): closing must not delete their socket.
    REQUIRE(::unlink(path.c_str()) == 0);
    BoundSocket theirs = bind_control_socket(path);
    ::close(theirs.fd);
  }
  spin(&loop);
  CHECK(std::filesystem::exists(path));
  REQUIRE(uv_loop_close(&loop) == 0);
}

TEST_CASE("an address another socket serves is refused before any worker binds") {
  // A SO_REUSEPORT UDP + TCP pair, as a running ternd holds them. The port is the kernel's pick
  // for UDP; the same number can be taken for TCP by another process (other tests run in
  // parallel), so a pair is drawn until both bind.
  auto any = *config::SocketAddress::parse("127.0.0.1:0");
  int udp = -1, tcp = -1;
  config::SocketAddress taken = any;
  for (int attempt = 0; attempt < 20 && tcp < 0; ++attempt) {
    udp = open_reuseport_socket(any, SOCK_DGRAM);
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    REQUIRE(::getsockname(udp, reinterpret_cast<sockaddr*>(&bound), &len) == 0);
    uint16_t port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    taken = *config::SocketAddress::parse(std::string("127.0.0.1:").append(std::to_string(port)));
    try {
      tcp = open_reuseport_socket(taken, SOCK_STREAM);  // bound, not listening: no TCP server yet
    } catch (const std::exception&) {
      ::close(udp);
      udp = -1;
    }
  }
  REQUIRE(tcp >= 0);
  std::string err;
  try {
    refuse_if_served(taken);
  } catch (const std::runtime_error& e) {
    err = e.what();
  }
  CHECK(err.find(taken.to_string()) != std::string::npos);
  CHECK(err.find("already in use") != std::string::npos);
  ::close(udp);

  // TCP: a listener counts, and only a listener.
  CHECK_NOTHROW(refuse_if_served(taken));  // bound but not listening (as in TIME_WAIT): no server
  REQUIRE(::listen(tcp, 4) == 0);
  CHECK_THROWS_WITH(refuse_if_served(taken), Catch::Contains("(TCP)"));
  ::close(tcp);
  CHECK_NOTHROW(refuse_if_served(taken));
}
