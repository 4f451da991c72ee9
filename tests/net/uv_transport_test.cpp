// UvTransport over real loopback sockets: acceptance rules (source, ID, question), timeouts,
// TCP framing, and the engine's TC -> TCP fallback end to end.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include "cache/caches.h"
#include "fake_server.h"
#include "resolver/engine/engine.h"
#include "resolver/net/system_clock.h"
#include "resolver/net/uv_transport.h"
#include "wire/message_builder.h"
#include "wire/message_view.h"

using namespace tern;
using namespace tern::nettest;
using engine::Protocol;

namespace {

struct Loop {
  uv_loop_t loop{};
  Loop() { uv_loop_init(&loop); }
  ~Loop() {
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
};

std::vector<uint8_t> query_for(const char* name, uint16_t id) {
  return wire::build_query(id, wire::Name::from_text(name).value(), wire::RRType::A,
                           wire::RRClass::IN, false, wire::Edns{});
}

engine::MonoInstant in_ms(int ms) {
  return net::SystemClock().mono() + std::chrono::milliseconds(ms);
}

struct Outcome {
  std::optional<engine::TransportResult> result;
  std::chrono::steady_clock::duration took{};
};

// Sends one query through a fresh transport and runs the loop until it is answered.
Outcome exchange(Loop& l, FakeServer& server, Protocol protocol, uint16_t id, int deadline_ms,
                 net::TransportStats* stats_out = nullptr) {
  net::UvTransport transport(&l.loop);
  Outcome out;
  auto start = std::chrono::steady_clock::now();
  auto addr = *engine::Address::parse("127.0.0.1", server.port());
  bool called_inside_send = true;
  transport.send(addr, protocol, query_for("www.example.com.", id), in_ms(deadline_ms),
                 [&](engine::TransportResult r) {
                   out.result = std::move(r);
                   out.took = std::chrono::steady_clock::now() - start;
                   server.stop();
                 });
  called_inside_send = out.result.has_value();
  CHECK_FALSE(called_inside_send);
  uv_run(&l.loop, UV_RUN_DEFAULT);
  if (stats_out) *stats_out = transport.stats();
  return out;
}

}  // namespace

TEST_CASE("UDP: the right answer is accepted", "[net][udp]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q)}};
  });
  auto out = exchange(l, server, Protocol::Udp, 0x1234, 2000);
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  auto m = wire::MessageView::parse(out.result->value()).value();
  CHECK(m.header().id == 0x1234);
  CHECK(m.answer().size() == 1);
}

TEST_CASE("UDP: wrong ID, wrong question and wrong port are dropped; the right one still wins",
          "[net][udp][poisoning]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{
        {make_response(q, /*id_delta=*/1)},
        {make_response(q, 0, false, "evil.example.com.")},
        {make_response(q), /*from_other_port=*/true},
        {make_response(q)},
    };
  });
  net::TransportStats stats;
  auto out = exchange(l, server, Protocol::Udp, 0x4321, 2000, &stats);
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  auto m = wire::MessageView::parse(out.result->value()).value();
  CHECK(m.qname().equals(wire::Name::from_text("www.example.com.").value()));
  CHECK(stats.dropped_wrong_id == 1);
  CHECK(stats.dropped_wrong_question == 1);
  CHECK(stats.accepted == 1);
}

TEST_CASE("UDP: only bad answers end in a timeout at the deadline", "[net][udp][timeout]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q, 7)}, {make_response(q), true}};
  });
  auto out = exchange(l, server, Protocol::Udp, 99, 200);
  REQUIRE(out.result);
  REQUIRE_FALSE(out.result->ok());
  CHECK(out.result->error() == engine::TransportError::Timeout);
  CHECK(out.took >= std::chrono::milliseconds(150));
  CHECK(out.took < std::chrono::milliseconds(1500));
}

TEST_CASE("UDP: a closed port is reported as unreachable before the deadline", "[net][udp]") {
  Loop l;
  // Find a free port: bind, note, close.
  uint16_t port;
  {
    FakeServer probe(&l.loop, [](std::span<const uint8_t>, bool) { return std::vector<Reply>{}; });
    port = probe.port();
    probe.stop();
    uv_run(&l.loop, UV_RUN_DEFAULT);
  }
  net::UvTransport transport(&l.loop);
  std::optional<engine::TransportResult> result;
  transport.send(*engine::Address::parse("127.0.0.1", port), Protocol::Udp,
                 query_for("www.example.com.", 1), in_ms(3000),
                 [&](engine::TransportResult r) { result = std::move(r); });
  auto start = std::chrono::steady_clock::now();
  uv_run(&l.loop, UV_RUN_DEFAULT);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  CHECK(result->error() == engine::TransportError::Unreachable);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2000));
}

TEST_CASE("TCP: 2-byte length framing both ways", "[net][tcp]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool tcp) {
    CHECK(tcp);
    return std::vector<Reply>{{make_response(q)}};
  });
  auto out = exchange(l, server, Protocol::Tcp, 0x7777, 2000);
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  CHECK(wire::MessageView::parse(out.result->value()).value().header().id == 0x7777);
  CHECK(server.tcp_queries == 1);
}

TEST_CASE("TCP: a connection refused fails fast", "[net][tcp]") {
  Loop l;
  net::UvTransport transport(&l.loop);
  std::optional<engine::TransportResult> result;
  // Port 1 on loopback: nothing listens there in the test environment.
  transport.send(*engine::Address::parse("127.0.0.1", 1), Protocol::Tcp,
                 query_for("www.example.com.", 1), in_ms(3000),
                 [&](engine::TransportResult r) { result = std::move(r); });
  uv_run(&l.loop, UV_RUN_DEFAULT);
  REQUIRE(result);
  REQUIRE_FALSE(result->ok());
  CHECK(result->error() == engine::TransportError::ConnectionFailed);
}

TEST_CASE("transport teardown with queries in flight calls nothing", "[net]") {
  Loop l;
  bool called = false;
  {
    FakeServer server(&l.loop, [](std::span<const uint8_t>, bool) { return std::vector<Reply>{}; });
    net::UvTransport transport(&l.loop);
    transport.send(*engine::Address::parse("127.0.0.1", server.port()), Protocol::Udp,
                   query_for("a.example.", 1), in_ms(5000), [&](engine::TransportResult) { called = true; });
    server.stop();
  }
  uv_run(&l.loop, UV_RUN_DEFAULT);
  CHECK_FALSE(called);
}

TEST_CASE("engine over real sockets: TC=1 on UDP, then the same server over TCP",
          "[net][engine][tcp]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool tcp) {
    auto m = wire::MessageView::parse(q).value();
    wire::MessageBuilder b(65535);
    wire::Header h;
    h.id = m.header().id;
    h.qr = true;
    h.aa = true;
    auto qname = m.qname().to_name().value();
    if (m.qtype() == wire::RRType::NS && qname.is_root()) {
      b.set_header(h);
      b.add_question(qname, m.qtype(), m.qclass());
      auto ns = wire::Name::from_text("ns.test.").value();
      b.add_record(wire::Section::Answer, qname, wire::RRType::NS, wire::RRClass::IN, 3600,
                   ns.wire());
      std::vector<uint8_t> a{127, 0, 0, 1};
      b.add_record(wire::Section::Additional, ns, wire::RRType::A, wire::RRClass::IN, 3600, a);
      return std::vector<Reply>{{b.finish()}};
    }
    return std::vector<Reply>{{make_response(q, 0, /*tc=*/!tcp)}};
  });
  net::UvTransport transport(&l.loop);
  net::SystemClock clock;
  net::SecureRandom random;
  cache::Caches caches{cache::CacheLimits{}};
  engine::EngineConfig cfg;
  cfg.root_hints_text = ". 3600000 IN NS ns.test.\nns.test. 3600000 IN A 127.0.0.1\n";
  cfg.upstream_allow = {*engine::Cidr::parse("127.0.0.0/8")};
  cfg.upstream_port = server.port();
  cfg.qname_minimisation = false;
  engine::Engine eng(cfg, engine::World{transport, clock, random}, caches);
  std::optional<engine::Answer> answer;
  eng.resolve(engine::Query{wire::Name::from_text("www.example.").value(), wire::RRType::A},
              [&](const engine::Answer& a) {
                answer = a;
                server.stop();
              });
  uv_run(&l.loop, UV_RUN_DEFAULT);
  REQUIRE(answer);
  CHECK(answer->rcode == wire::Rcode::NoError);
  REQUIRE(answer->answer.size() == 1);
  CHECK(server.udp_queries == 2);  // priming + the truncated answer
  CHECK(server.tcp_queries == 1);
}

TEST_CASE("SecureRandom gives varied values", "[net][random]") {
  net::SecureRandom r;
  std::vector<uint32_t> v;
  for (int i = 0; i < 200; ++i) v.push_back(r.next_u32());
  std::sort(v.begin(), v.end());
  CHECK(std::unique(v.begin(), v.end()) - v.begin() > 190);
}
