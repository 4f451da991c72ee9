// Tests of tern_loadgen's parts: the latency histogram, the query encoder and the load loop
// against an in-process responder on loopback (bounded by query count, never by sleeping).

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <thread>

#include "latency_histogram.h"
#include "load_loop.h"
#include "query_set.h"

using tern::bench::LatencyHistogram;

TEST_CASE("histogram: small values are exact, large ones within 1/32 above") {
  LatencyHistogram h;
  REQUIRE(h.quantile(0.99) == 0);
  for (uint64_t v = 1; v <= 20; ++v) h.record(v);
  CHECK(h.quantile(0.5) == 10);
  CHECK(h.quantile(1.0) == 20);
  CHECK(h.mean() == Approx(10.5));

  LatencyHistogram big;
  for (uint64_t v = 1; v <= 100000; ++v) big.record(v * 1000);  // 1 us .. 100 ms
  uint64_t p99 = big.quantile(0.99);
  CHECK(p99 >= 99'000'000);
  CHECK(p99 <= 99'000'000 + 99'000'000 / 32);
  CHECK(big.max() == 100'000'000);
  CHECK(big.quantile(1.0) == 100'000'000);
}

TEST_CASE("encoder: a query in wire format, RD set, no EDNS") {
  std::vector<uint8_t> q;
  REQUIRE(tern::bench::encode_query("www.Example.com.", "aaaa", q));
  const std::vector<uint8_t> expected = {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                         3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e',
                                         3, 'c', 'o', 'm', 0, 0, 28, 0, 1};
  CHECK(q == expected);
  REQUIRE(tern::bench::encode_query("example.org", "TYPE65280", q));
  CHECK(q[q.size() - 4] == 0xff);
  CHECK(q[q.size() - 3] == 0x00);
}

TEST_CASE("encoder: refuses what is not a query it can send") {
  std::vector<uint8_t> q;
  CHECK_FALSE(tern::bench::encode_query("example.com", "NOPE", q));
  CHECK_FALSE(tern::bench::encode_query("a..b", "A", q));
  CHECK_FALSE(tern::bench::encode_query(std::string(64, 'a') + ".com", "A", q));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'x') + ".";
  CHECK_FALSE(tern::bench::encode_query(long_name, "A", q));  // 306 octets
}

TEST_CASE("query set: dnsperf format, comments and blank lines skipped, bad lines counted") {
  char path[] = "/tmp/tern_loadgen_test_XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream f(path);
    f << "# a comment\n\nexample.com A\nexample.net\nbad..name A\nexample.org MX\n";
  }
  tern::bench::QuerySet set;
  std::string error;
  REQUIRE(tern::bench::load_query_set(path, set, error));
  CHECK(set.queries.size() == 3);
  CHECK(set.skipped_lines == 1);
  std::remove(path);
}

namespace {

// A loopback UDP responder: answers (QR set) or stays silent, until stopped.
class Responder {
 public:
  explicit Responder(bool answer) : answer_(answer) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof address_;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address_), &len);
    thread_ = std::thread([this] { serve(); });
  }
  ~Responder() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  const sockaddr_in& address() const { return address_; }

 private:
  void serve() {
    uint8_t buffer[512];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 10) <= 0) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      ssize_t n = recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &len);
      if (n < 12 || !answer_) continue;
      buffer[2] |= 0x80;
      sendto(fd_, buffer, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&peer), len);
    }
  }

  bool answer_;
  int fd_ = -1;
  sockaddr_in address_{};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

tern::bench::QuerySet two_queries() {
  tern::bench::QuerySet set;
  std::vector<uint8_t> q;
  tern::bench::encode_query("a.example", "A", q);
  set.queries.push_back(q);
  tern::bench::encode_query("b.example", "AAAA", q);
  set.queries.push_back(q);
  return set;
}

}  // namespace

TEST_CASE("load loop: every query of a bounded run is answered and timed") {
  Responder responder(true);
  tern::bench::LoadOptions options;
  options.server = responder.address();
  options.sockets = 3;
  options.outstanding = 20;
  options.max_queries = 2000;
  options.duration_s = 30;  // the count ends the run long before
  tern::bench::LoadResult result;
  REQUIRE(tern::bench::run_load(two_queries(), options, result));
  CHECK(result.sent == 2000);
  CHECK(result.answered == 2000);
  CHECK(result.lost == 0);
  CHECK(result.rcodes[0] == 2000);
  CHECK(result.latency.count() == 2000);
  CHECK(result.elapsed_s > 0);
}

TEST_CASE("load loop: --once sends each query of the set once") {
  Responder responder(true);
  tern::bench::LoadOptions options;
  options.server = responder.address();
  options.once = true;
  options.sockets = 1;
  tern::bench::LoadResult result;
  REQUIRE(tern::bench::run_load(two_queries(), options, result));
  CHECK(result.sent == 2);
  CHECK(result.answered == 2);
}

TEST_CASE("load loop: unanswered queries are counted lost after the timeout") {
  Responder responder(false);
  tern::bench::LoadOptions options;
  options.server = responder.address();
  options.sockets = 1;
  options.max_queries = 10;
  options.timeout = std::chrono::milliseconds(50);
  tern::bench::LoadResult result;
  REQUIRE(tern::bench::run_load(two_queries(), options, result));
  CHECK(result.sent == 10);
  CHECK(result.answered == 0);
  CHECK(result.lost == 10);
}
