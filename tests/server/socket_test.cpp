// The front end on real sockets with a scripted backend (scripted_backend.h): everything the
// engine does not decide. The real ternd against the lab is tested in tests/e2e/.
#include <ares.h>
#include <arpa/nameser.h>
#include <catch2/catch.hpp>
#include <sys/select.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "cache/packet_cache.h"
#include "dns_client.h"
#include "resolver/server/local_policy_builder.h"
#include "resolver/server/packet_cache_adapter.h"
#include "resolver/server/proxy_header.h"
#include "resolver/server/server.h"
#include "scripted_backend.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;
using tern::test::TcpClient;
using tern::test::UdpClient;
using wire::RRType;

namespace {

const std::string kIp = "127.0.0.1";

struct Running {
  config::Log log{config::LogLevel::Off};
  config::Config cfg = config::default_config();
  // The packet cache's clock, in ms since the epoch, set by the test's thread (manual time).
  std::shared_ptr<std::atomic<int64_t>> clock_ms = std::make_shared<std::atomic<int64_t>>(1'000'000'000);
  std::shared_ptr<std::atomic<uint64_t>> prefetch_calls = std::make_shared<std::atomic<uint64_t>>(0);
  std::unique_ptr<Server> server;
  uint16_t port = 0;

  explicit Running(std::function<void(config::Config&)> tweak = {}, bool packet_cache = false,
                   const std::string& listen_ip = kIp) {
    cfg.server.threads = 1;
    cfg.server.tcp_idle_timeout_ms = 3000;
    if (tweak) tweak(cfg);
    std::mt19937 rng(std::random_device{}());
    HitCacheFactory cache;
    if (packet_cache)
      cache = [clock = clock_ms] {
        return std::make_unique<PacketCacheAdapter>(size_t(1) << 20, [clock] {
          return cache::Instant(cache::Millis(clock->load(std::memory_order_relaxed)));
        });
      };
    for (int attempt = 0; attempt < 20 && !server; ++attempt) {
      port = uint16_t(20000 + rng() % 40000);
      cfg.server.listen = {*config::SocketAddress::parse(listen_ip + ":" + std::to_string(port))};
      server = std::make_unique<Server>(
          cfg, log,
          [calls = prefetch_calls.get()](uv_loop_t* l) {
            return std::make_unique<ScriptedBackend>(l, calls);
          },
          cache);
      try {
        server->start();
      } catch (const std::runtime_error&) {
        server.reset();  // port taken: try another
      }
    }
    REQUIRE(server);
  }
  // One front-end counter summed over the workers, as the metrics read it (Server::collect).
  uint64_t stat(std::atomic<uint64_t> Stats::*counter) const {
    ServerSnapshot snap;
    server->collect(snap);
    return (snap.front.*counter).load(std::memory_order_relaxed);
  }
  void advance(double seconds) { clock_ms->fetch_add(int64_t(seconds * 1000)); }
};

// A received message and the bytes its view points into.
class Parsed {
 public:
  explicit Parsed(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {
    auto m = wire::MessageView::parse(bytes_);
    REQUIRE(m);
    view_ = *m;
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;
  const wire::Header& header() const { return view_->header(); }
  wire::Rcode rcode() const { return view_->rcode(); }
  size_t answers() const { return view_->answer().size(); }
  uint32_t first_ttl() const {
    for (const auto& rec : view_->answer()) return rec.ttl();
    return 0;
  }
  std::string qname() const { return view_->qname().to_name()->to_text(); }
  size_t size() const { return bytes_.size(); }

 private:
  std::vector<uint8_t> bytes_;
  std::optional<wire::MessageView> view_;
};

Parsed parse(const std::optional<std::vector<uint8_t>>& bytes) {
  REQUIRE(bytes);
  return Parsed(*bytes);
}

// c-ares: one query, driven to completion (bounded by c-ares' own timeout).
struct AresResult {
  int status = -1;
  std::vector<uint8_t> answer;
};

AresResult ares_ask(uint16_t port, const char* qname, int type) {
  ares_library_init(ARES_LIB_INIT_ALL);
  ares_channel ch;
  ares_options opts{};
  opts.timeout = 2000;
  opts.tries = 1;
  REQUIRE(ares_init_options(&ch, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) == ARES_SUCCESS);
  std::string servers = kIp + ":" + std::to_string(port);
  REQUIRE(ares_set_servers_ports_csv(ch, servers.c_str()) == ARES_SUCCESS);
  AresResult r;
  ares_query(ch, qname, ns_c_in, type, [](void* arg, int status, int, unsigned char* abuf, int alen) {
    auto* res = static_cast<AresResult*>(arg);
    res->status = status;
    if (abuf) res->answer.assign(abuf, abuf + alen);
  }, &r);
  for (;;) {
    fd_set rfds, wfds;
    FD_ZERO(&rfds);
    FD_ZERO(&wfds);
    int nfds = ares_fds(ch, &rfds, &wfds);
    if (nfds == 0) break;
    timeval tv, *tvp = ares_timeout(ch, nullptr, &tv);
    select(nfds, &rfds, &wfds, nullptr, tvp);
    ares_process(ch, &rfds, &wfds);
  }
  ares_destroy(ch);
  ares_library_cleanup();
  return r;
}

}  // namespace

TEST_CASE("UDP: an answer from the backend, errors from the checks") {
  Running r;
  UdpClient c;
  const Parsed& m = parse(c.exchange(kIp, r.port, make_query("www.example.", RRType::A)));
  CHECK(m.header().id == 0x1234);
  CHECK(m.rcode() == wire::Rcode::NoError);
  CHECK(m.answers() == 1);
  CHECK(parse(c.exchange(kIp, r.port, make_query("fail.test.", RRType::A))).rcode() == wire::Rcode::ServFail);
  CHECK(parse(c.exchange(kIp, r.port, make_query("x.invalid.", RRType::A))).rcode() == wire::Rcode::NXDomain);
  CHECK(parse(c.exchange(kIp, r.port, make_query("example.", RRType::AXFR))).rcode() == wire::Rcode::Refused);
  // Garbage and responses are dropped: nothing comes back, and the next query still works.
  CHECK_FALSE(c.exchange(kIp, r.port, from_hex("0102 03"), 200));
  auto resp = make_query("www.example.", RRType::A);
  resp[2] |= 0x80;
  CHECK_FALSE(c.exchange(kIp, r.port, resp, 200));
  CHECK(parse(c.exchange(kIp, r.port, make_query("again.example.", RRType::A))).answers() == 1);
  CHECK(r.stat(&Stats::dropped_unparseable) == 1);
  CHECK(r.stat(&Stats::dropped_responses) == 1);
}

TEST_CASE("UDP: a datagram longer than a receive slot is dropped and counted, nothing else lost") {
  Running r;
  UdpClient c;
  // A valid query padded far past the listener's 4 KiB receive slot: it arrives cut (MSG_TRUNC)
  // and must not be answered from the partial bytes.
  auto big = make_query("www.example.", RRType::A);
  big.resize(9000, 0);
  CHECK_FALSE(c.exchange(kIp, r.port, big, 200));
  CHECK(r.stat(&Stats::dropped_unparseable) == 1);
  // A burst of more datagrams than one recvmmsg batch takes: every one is answered.
  for (int i = 0; i < 100; ++i) {
    // Built with append: GCC 12 at -O3 warns (-Werror=restrict) on "q" + to_string(i) + "...".
    std::string name = "q";
    name.append(std::to_string(i)).append(".example.");
    auto q = make_query(name, RRType::A);
    q[0] = uint8_t(i >> 8);
    q[1] = uint8_t(i);
    c.send(kIp, r.port, q);
  }
  std::set<int> ids;
  while (auto a = c.receive(2000)) {
    REQUIRE(a->size() >= 12);
    ids.insert((*a)[0] << 8 | (*a)[1]);
    if (ids.size() == 100) break;
  }
  CHECK(ids.size() == 100);
}

// A socket connect()ed to ip:port: the kernel passes it only datagrams from exactly that address
// and port, as a stub resolver expects of its server.
static std::optional<std::vector<uint8_t>> connected_exchange(const std::string& ip, uint16_t port,
                                                       const std::vector<uint8_t>& query) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in to = tern::test::v4(ip, port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  ::send(fd, query.data(), query.size(), 0);
  std::optional<std::vector<uint8_t>> out;
  if (tern::test::wait_readable(fd, 2000)) {
    std::vector<uint8_t> buf(65535);
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n > 0) {
      buf.resize(size_t(n));
      out = std::move(buf);
    }
  }
  ::close(fd);
  return out;
}

TEST_CASE("UDP on 0.0.0.0: each reply leaves from the address its query was sent to") {
  Running r({}, false, "0.0.0.0");
  // Every 127/8 address is local: one wildcard socket receives all three. Without the reply's
  // source set from the query's destination, the kernel would answer from 127.0.0.1 and the
  // connected sockets for .2 and .3 would never see it.
  for (const char* ip : {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
    INFO(ip);
    auto a = connected_exchange(ip, r.port, make_query("www.example.", RRType::A));
    REQUIRE(a);
    CHECK(parse(a).answers() == 1);
    // An answer the backend completes later (on a timer) goes through the queue path.
    auto slow = connected_exchange(ip, r.port, make_query("slow-50.test.", RRType::A));
    REQUIRE(slow);
    CHECK(parse(slow).answers() == 1);
    // An error from the checks, answered at once.
    auto refused = connected_exchange(ip, r.port, make_query("example.", RRType::AXFR));
    REQUIRE(refused);
    CHECK(parse(refused).rcode() == wire::Rcode::Refused);
  }
}

TEST_CASE("RD=0: refused (no cache snooping), except the locally served zones") {
  Running r({}, /*packet_cache=*/true);
  UdpClient c;
  // Resolve it once with RD=1, so the packet cache holds it: RD=0 must still not reveal that.
  CHECK(parse(c.exchange(kIp, r.port, make_query("www.example.", RRType::A))).answers() == 1);
  auto norec = make_query("www.example.", RRType::A);
  norec[2] &= uint8_t(~0x01);  // clear RD
  const Parsed& refused = parse(c.exchange(kIp, r.port, norec));
  CHECK(refused.rcode() == wire::Rcode::Refused);
  CHECK(refused.answers() == 0);
  CHECK_FALSE(refused.header().rd);  // RD is echoed as the client sent it
  auto local = make_query("localhost.", RRType::A);
  local[2] &= uint8_t(~0x01);
  const Parsed& answered = parse(c.exchange(kIp, r.port, local));
  CHECK(answered.rcode() == wire::Rcode::NoError);
  CHECK(answered.answers() == 1);
}

TEST_CASE("UDP: an answer completed by a timer leaves at once, not at the next wake-up") {
  Running r;
  UdpClient c;
  auto start = std::chrono::steady_clock::now();
  CHECK(parse(c.exchange(kIp, r.port, make_query("slow-100.test.", RRType::A), 2000)).answers() == 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
}

TEST_CASE("a cache hit is answered from the packet cache without the backend") {
  Running r({}, true);
  UdpClient c;
  const Parsed& first = parse(c.exchange(kIp, r.port, make_query("Cached.example.", RRType::A, std::nullopt, 1)));
  CHECK(first.answers() == 1);
  const Parsed& second = parse(c.exchange(kIp, r.port, make_query("cACHED.example.", RRType::A, std::nullopt, 2)));
  CHECK(second.header().id == 2);
  CHECK(second.qname() == "cACHED.example.");
  CHECK(second.answers() == 1);
  CHECK(r.stat(&Stats::backend_queries) == 1);
  CHECK(r.stat(&Stats::cache_hits) == 1);
}

TEST_CASE("a new local policy is answered at once, not hidden by the packet cache") {
  Running r({}, true);
  UdpClient c;
  // Resolved by the backend and held in the packet cache.
  for (uint16_t id : {1, 2}) {
    const Parsed& p = parse(c.exchange(kIp, r.port, make_query("printer.corp.example.", RRType::A, std::nullopt, id)));
    CHECK(p.answers() == 1);
    CHECK_FALSE(p.header().aa);
  }
  REQUIRE(r.stat(&Stats::cache_hits) == 1);
  // Reload: the name is local data now. The swap reaches the worker through its queue.
  config::Config cfg = config::default_config();
  cfg.local.data = {{"printer.corp.example. 60 IN A 192.0.2.7", false, "t.toml:1"}};
  LocalPolicyBuild b = build_local_policy(cfg, "");
  REQUIRE(b.policy);
  r.server->set_local_policy(b.policy);
  bool local = false;
  for (uint16_t id = 3; id < 200 && !local; ++id) {
    const Parsed& p = parse(c.exchange(kIp, r.port, make_query("printer.corp.example.", RRType::A, std::nullopt, id)));
    local = p.header().aa;
    if (!local) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(local);
  CHECK(r.stat(&Stats::local_answers) >= 1);
  CHECK(r.stat(&Stats::backend_queries) == 1);
}

TEST_CASE("prefetch: a hit at 91% of the TTL is served from the cache and refreshed once") {
  Running r({}, true);
  UdpClient c;
  // The scripted answer has TTL 300. pf-1000: the backend's prefetch answers after 1 s (real time).
  auto q = make_query("pf-1000.hot.example.", RRType::A);
  CHECK(parse(c.exchange(kIp, r.port, q)).first_ttl() == 300);
  r.advance(200);
  CHECK(parse(c.exchange(kIp, r.port, q)).first_ttl() == 100);
  CHECK(*r.prefetch_calls == 0);
  r.advance(73);  // 273 s: 91% of the TTL
  // A flood of hits while the refresh is in flight: every one answered from the cache, one refresh.
  for (int i = 0; i < 20; ++i) CHECK(parse(c.exchange(kIp, r.port, q)).first_ttl() == 27);
  CHECK(*r.prefetch_calls == 1);
  CHECK(r.stat(&Stats::prefetches) == 1);
  CHECK(r.stat(&Stats::prefetches_dropped) == 0);
  CHECK(r.stat(&Stats::backend_queries) == 1);
  CHECK(r.stat(&Stats::cache_hits) == 21);
  // The refreshed answer replaces the entry: the next hits see the fresh TTL.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  uint32_t ttl = 27;
  while (ttl == 27 && std::chrono::steady_clock::now() < deadline) {
    ttl = parse(c.exchange(kIp, r.port, q)).first_ttl();
    if (ttl == 27) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(ttl == 300);
  CHECK(r.stat(&Stats::backend_queries) == 1);
  CHECK(*r.prefetch_calls == 1);
  // The fresh copy asks again in its own last 10%.
  r.advance(271);
  CHECK(parse(c.exchange(kIp, r.port, q)).first_ttl() == 29);
  CHECK(*r.prefetch_calls == 2);
}

TEST_CASE("prefetch: at most max_prefetches in flight per worker, the rest dropped and counted") {
  Running r({}, true);
  UdpClient c;
  size_t bound = PipelineSettings{}.max_prefetches;
  size_t names = bound + 4;
  auto q = [](size_t i) {
    return make_query("pf-1000.n" + std::to_string(i) + ".example.", RRType::A);
  };
  for (size_t i = 0; i < names; ++i) REQUIRE(parse(c.exchange(kIp, r.port, q(i))).answers() == 1);
  r.advance(280);
  for (size_t i = 0; i < names; ++i) CHECK(parse(c.exchange(kIp, r.port, q(i))).first_ttl() == 20);
  CHECK(*r.prefetch_calls == bound);
  CHECK(r.stat(&Stats::prefetches) == bound);
  CHECK(r.stat(&Stats::prefetches_dropped) == 4);
  CHECK(r.stat(&Stats::backend_queries) == names);
}

TEST_CASE("prefetch: off in the configuration, a hit never asks the backend") {
  Running r([](config::Config& cfg) { cfg.cache.prefetch = false; }, true);
  UdpClient c;
  auto q = make_query("hot.example.", RRType::A);
  REQUIRE(parse(c.exchange(kIp, r.port, q)).answers() == 1);
  r.advance(290);
  CHECK(parse(c.exchange(kIp, r.port, q)).first_ttl() == 10);
  CHECK(*r.prefetch_calls == 0);
  CHECK(r.stat(&Stats::prefetches) == 0);
}

TEST_CASE("truncation over UDP, then c-ares retries over TCP and gets everything") {
  Running r;
  UdpClient c;
  const Parsed& udp = parse(c.exchange(kIp, r.port, make_query("big.test.", RRType::TXT)));
  CHECK(udp.header().tc);
  CHECK(udp.size() <= 512);
  AresResult res = ares_ask(r.port, "big.test", ns_t_txt);
  REQUIRE(res.status == ARES_SUCCESS);
  ares_txt_reply* txt = nullptr;
  REQUIRE(ares_parse_txt_reply(res.answer.data(), int(res.answer.size()), &txt) == ARES_SUCCESS);
  int n = 0;
  for (auto* t = txt; t; t = t->next) ++n;
  ares_free_data(txt);
  CHECK(n == 20);
  CHECK(r.stat(&Stats::tcp_queries) >= 1);
}

TEST_CASE("TCP: pipelined queries are answered as each finishes, out of order") {
  Running r;
  TcpClient t(kIp, r.port);
  REQUIRE(t.connected());
  REQUIRE(t.send_frame(make_query("slow-400.test.", RRType::A, std::nullopt, 1)));
  REQUIRE(t.send_frame(make_query("slow-150.test.", RRType::A, std::nullopt, 2)));
  REQUIRE(t.send_frame(make_query("fast.test.", RRType::A, std::nullopt, 3)));
  std::vector<uint16_t> order;
  for (int i = 0; i < 3; ++i) order.push_back(parse(t.read_frame()).header().id);
  CHECK(order == std::vector<uint16_t>{3, 2, 1});
}

TEST_CASE("TCP: the in-flight cap holds queries back without losing them") {
  Running r([](config::Config& c) { c.server.tcp_max_inflight = 2; });
  TcpClient t(kIp, r.port);
  for (uint16_t id = 1; id <= 6; ++id)
    REQUIRE(t.send_frame(make_query("slow-50.test.", RRType::A, std::nullopt, id)));
  std::vector<bool> seen(7);
  for (int i = 0; i < 6; ++i) seen[parse(t.read_frame()).header().id] = true;
  for (int id = 1; id <= 6; ++id) CHECK(seen[size_t(id)]);
}

TEST_CASE("TCP: an idle connection is closed after the idle timeout") {
  Running r([](config::Config& c) { c.server.tcp_idle_timeout_ms = 300; });
  TcpClient idle(kIp, r.port);
  auto start = std::chrono::steady_clock::now();
  CHECK(idle.closed_by_peer(3000));
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= std::chrono::milliseconds(250));
  // A query in flight keeps the connection open past the timeout.
  TcpClient busy(kIp, r.port);
  REQUIRE(busy.send_frame(make_query("slow-600.test.", RRType::A)));
  CHECK(parse(busy.read_frame(3000)).answers() == 1);
  CHECK(r.stat(&Stats::tcp_closed_idle) >= 1);
}

TEST_CASE("TCP: when every slot is busy, a new connection is closed at once") {
  Running r([](config::Config& c) { c.server.tcp_max_connections = 2; });
  TcpClient a(kIp, r.port), b(kIp, r.port);
  REQUIRE(a.send_frame(make_query("slow-1500.test.", RRType::A)));
  REQUIRE(b.send_frame(make_query("slow-1500.test.", RRType::A)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both queries in flight
  TcpClient third(kIp, r.port);
  CHECK(third.closed_by_peer(1000));
  CHECK(r.stat(&Stats::tcp_rejected_cap) == 1);
  CHECK(r.stat(&Stats::tcp_closed_evicted) == 0);
  // The busy two still get their answers.
  CHECK(parse(a.read_frame(3000)).answers() == 1);
  CHECK(parse(b.read_frame(3000)).answers() == 1);
}

TEST_CASE("TCP: when every slot is taken, the oldest idle connection makes room") {
  Running r([](config::Config& c) { c.server.tcp_max_connections = 2; });
  TcpClient a(kIp, r.port);
  REQUIRE(a.send_frame(make_query("a.test.", RRType::A)));
  CHECK(parse(a.read_frame()).answers() == 1);
  TcpClient b(kIp, r.port);
  REQUIRE(b.send_frame(make_query("b.test.", RRType::A)));
  CHECK(parse(b.read_frame()).answers() == 1);
  // Both idle, a the longest: a new client is served, and a is closed for it.
  TcpClient third(kIp, r.port);
  REQUIRE(third.send_frame(make_query("c.test.", RRType::A)));
  CHECK(parse(third.read_frame()).answers() == 1);
  CHECK(a.closed_by_peer(2000));
  CHECK(r.stat(&Stats::tcp_closed_evicted) == 1);
  CHECK(r.stat(&Stats::tcp_rejected_cap) == 0);
  REQUIRE(b.send_frame(make_query("d.test.", RRType::A)));
  CHECK(parse(b.read_frame()).answers() == 1);
}

TEST_CASE("TCP: the idle timeout shrinks as the slots fill") {
  // 10 s configured; the third of four slots is past 65%: 0.2% of it, floored at 200 ms.
  Running r([](config::Config& c) {
    c.server.tcp_max_connections = 4;
    c.server.tcp_idle_timeout_ms = 10000;
  });
  TcpClient a(kIp, r.port), b(kIp, r.port);
  REQUIRE(a.connected());
  REQUIRE(b.connected());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // accepted in order
  TcpClient c(kIp, r.port);
  auto start = std::chrono::steady_clock::now();
  CHECK(c.closed_by_peer(3000));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2500));
  CHECK(r.stat(&Stats::tcp_closed_idle) >= 1);
  // The first one, accepted with the slots a quarter full, keeps the configured timeout.
  REQUIRE(a.send_frame(make_query("a.test.", RRType::A)));
  CHECK(parse(a.read_frame()).answers() == 1);
}

TEST_CASE("TCP: a deep pipeline is taken a bounded number of messages per loop iteration") {
  Running r([](config::Config& c) { c.server.tcp_max_inflight = 65535; });
  TcpClient t(kIp, r.port);
  // 1,000 queries in one write, answered synchronously by the scripted backend: without the
  // bound they would all be handled in one read callback.
  std::vector<uint8_t> batch;
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    auto q = make_query("fast.test.", RRType::A, std::nullopt, uint16_t(i));
    batch.push_back(uint8_t(q.size() >> 8));
    batch.push_back(uint8_t(q.size()));
    batch.insert(batch.end(), q.begin(), q.end());
  }
  REQUIRE(t.send_raw(batch));
  std::set<uint16_t> ids;
  for (int i = 0; i < n; ++i) {
    auto f = t.read_frame(3000);
    REQUIRE(f);
    ids.insert(Parsed(std::move(*f)).header().id);
  }
  CHECK(ids.size() == size_t(n));
  CHECK(r.stat(&Stats::tcp_deferred) >= 1);
}

TEST_CASE("TCP: broken framing closes the connection cleanly") {
  Running r;
  TcpClient zero(kIp, r.port);
  REQUIRE(zero.send_raw({0, 0}));
  CHECK(zero.closed_by_peer(2000));
  // Half a message, then the client's end closes: nothing can complete it.
  TcpClient half(kIp, r.port);
  REQUIRE(half.send_raw({0, 40, 1, 2, 3}));
  half.shutdown_write();
  CHECK(half.closed_by_peer(2000));
  CHECK(r.stat(&Stats::tcp_closed_framing) == 2);
  // A half-closed client still gets the answers to what it asked.
  TcpClient polite(kIp, r.port);
  REQUIRE(polite.send_frame(make_query("slow-100.test.", RRType::A)));
  polite.shutdown_write();
  CHECK(parse(polite.read_frame()).answers() == 1);
  CHECK(polite.closed_by_peer(2000));
}

TEST_CASE("TCP: a client that does not read cannot make the server buffer without bound") {
  Running r([](config::Config& c) { c.server.tcp_max_write_buffer = 65538; });
  TcpClient t(kIp, r.port, 4096);
  std::vector<uint8_t> batch;
  auto q = make_query("big.test.", RRType::TXT);
  for (int i = 0; i < 200; ++i) {
    batch.push_back(uint8_t(q.size() >> 8));
    batch.push_back(uint8_t(q.size()));
    batch.insert(batch.end(), q.begin(), q.end());
  }
  // Each answer is ~4 KB; a few thousand fill the kernel buffers and then ours.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (r.stat(&Stats::tcp_closed_slow_reader) == 0 && std::chrono::steady_clock::now() < deadline) {
    if (!t.send_raw(batch)) break;  // the server closed on us
  }
  for (int i = 0; i < 100 && r.stat(&Stats::tcp_closed_slow_reader) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(r.stat(&Stats::tcp_closed_slow_reader) == 1);
}

TEST_CASE("stop answers queries in flight, then returns") {
  Running r;
  UdpClient c;
  c.send(kIp, r.port, make_query("slow-300.test.", RRType::A));
  TcpClient t(kIp, r.port);
  REQUIRE(t.send_frame(make_query("slow-300.test.", RRType::A, std::nullopt, 9)));
  // Stop only once both questions are in the server's hands.
  for (int i = 0; i < 200 && (r.stat(&Stats::udp_queries) < 1 || r.stat(&Stats::tcp_queries) < 1); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto start = std::chrono::steady_clock::now();
  r.server->stop();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(parse(c.receive(1000)).answers() == 1);
  CHECK(parse(t.read_frame(1000)).header().id == 9);
}

TEST_CASE("a cached answer goes only to queries the checks would let through") {
  Running r([](config::Config& c) { c.server.allow = {*config::Network::parse("127.0.0.1/32")}; },
            /*packet_cache=*/true);
  UdpClient inside("127.0.0.1"), outside("127.0.0.2");
  auto q = make_query("www.example.", RRType::A);
  CHECK(parse(inside.exchange(kIp, r.port, q)).answers() == 1);
  CHECK(parse(inside.exchange(kIp, r.port, q)).answers() == 1);
  CHECK(r.stat(&Stats::cache_hits) == 1);
  // Same bytes from outside the ACL: REFUSED, although the answer is cached.
  CHECK(parse(outside.exchange(kIp, r.port, q)).rcode() == wire::Rcode::Refused);
  // Same question with another opcode (NOTIFY) or EDNS version 1: the checks answer, not the cache.
  auto notify = q;
  notify[2] = uint8_t((notify[2] & 0x87) | (4 << 3));
  CHECK(parse(inside.exchange(kIp, r.port, notify)).rcode() == wire::Rcode::NotImp);
  wire::Edns v1;
  v1.version = 1;
  CHECK(parse(inside.exchange(kIp, r.port, make_query("www.example.", RRType::A, v1))).rcode() ==
        wire::Rcode::BadVers);
  CHECK(r.stat(&Stats::cache_hits) == 1);
}

TEST_CASE("clients outside the ACL are refused") {
  Running r([](config::Config& c) { c.server.allow = {*config::Network::parse("127.0.0.1/32")}; });
  UdpClient inside("127.0.0.1"), outside("127.0.0.2");
  CHECK(parse(inside.exchange(kIp, r.port, make_query("a.test.", RRType::A))).rcode() == wire::Rcode::NoError);
  CHECK(parse(outside.exchange(kIp, r.port, make_query("a.test.", RRType::A))).rcode() == wire::Rcode::Refused);
  // The ACL is replaced at run time (SIGHUP's path).
  r.server->set_acl(std::make_shared<Acl>(std::vector<config::Network>{*config::Network::parse("127.0.0.0/8")}));
  // The new ACL reaches the worker through its loop: ask until it applies (bounded).
  wire::Rcode rcode = wire::Rcode::Refused;
  for (int i = 0; i < 100 && rcode == wire::Rcode::Refused; ++i)
    rcode = parse(outside.exchange(kIp, r.port, make_query("a.test.", RRType::A))).rcode();
  CHECK(rcode == wire::Rcode::NoError);
}

namespace {

// A PROXY v2 header (proxy_header.h) for an IPv4 client, then `msg`.
std::vector<uint8_t> proxied(std::array<uint8_t, 4> client, uint8_t protocol,
                             const std::vector<uint8_t>& msg = {}) {
  // push_back only: GCC 12 at -O3 warns (array-bounds) on inserting into a vector built from the
  // signature array.
  const uint8_t rest[] = {0x21, protocol, 0x00, 0x0C, client[0], client[1], client[2], client[3],
                          127, 0, 0, 1, 0x13, 0x88, 0x00, 0x35};
  std::vector<uint8_t> out;
  out.reserve(kProxySignature.size() + sizeof rest + msg.size());
  for (uint8_t b : kProxySignature) out.push_back(b);
  for (uint8_t b : rest) out.push_back(b);
  for (uint8_t b : msg) out.push_back(b);
  return out;
}

}  // namespace

TEST_CASE("PROXY v2: the ACL and the packet cache's ACL check see the client inside the header") {
  // The balancer is 127.0.0.1; only 192.0.2.0/24 may query, so the balancer itself may not.
  Running r([](config::Config& c) {
    c.server.allow = {*config::Network::parse("192.0.2.0/24")};
    c.server.proxy_protocol_from = {*config::Network::parse("127.0.0.1/32")};
  }, /*packet_cache=*/true);
  UdpClient balancer("127.0.0.1");
  auto q = make_query("cached.example.", RRType::A);
  CHECK(parse(balancer.exchange(kIp, r.port, proxied({192, 0, 2, 10}, 0x12, q))).answers() == 1);
  CHECK(parse(balancer.exchange(kIp, r.port, proxied({192, 0, 2, 11}, 0x12, q))).answers() == 1);
  CHECK(r.stat(&Stats::cache_hits) == 1);
  // The same question from an inner client outside the ACL: REFUSED, not the cached answer.
  CHECK(parse(balancer.exchange(kIp, r.port, proxied({198, 51, 100, 9}, 0x12, q))).rcode() ==
        wire::Rcode::Refused);
  CHECK(r.stat(&Stats::cache_hits) == 1);
  // No header from the balancer: dropped. A header from 127.0.0.2 (not listed): dropped.
  CHECK_FALSE(balancer.exchange(kIp, r.port, q, 300));
  UdpClient other("127.0.0.2");
  CHECK_FALSE(other.exchange(kIp, r.port, proxied({192, 0, 2, 10}, 0x12, q), 300));
  CHECK(r.stat(&Stats::proxy_accepted) == 3);
  CHECK(r.stat(&Stats::proxy_missing) == 1);
  CHECK(r.stat(&Stats::proxy_not_allowed) == 1);

  // TCP: the header once, cut in two, then two pipelined queries.
  TcpClient t(kIp, r.port);
  REQUIRE(t.connected());
  auto header = proxied({192, 0, 2, 10}, 0x11);
  REQUIRE(t.send_raw(std::vector<uint8_t>(header.begin(), header.begin() + 7)));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(t.send_raw(std::vector<uint8_t>(header.begin() + 7, header.end())));
  REQUIRE(t.send_frame(q));
  REQUIRE(t.send_frame(q));
  CHECK(parse(t.read_frame()).answers() == 1);
  CHECK(parse(t.read_frame()).answers() == 1);
  CHECK(r.stat(&Stats::proxy_accepted) == 4);
}
