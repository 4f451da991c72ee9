// The transport's defences against forged answers, over real loopback sockets with a scripted
// server (fake_server.h): 0x20, near misses moving a query to TCP, the per-server case memory,
// the unwanted-reply warning, source ports and outgoing addresses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

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

// 30 letters: a random case that happens to equal the engine's has odds 2^-30.
constexpr const char* kName = "WWW.Example.abcdefghijklmnop.Test.";

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

std::vector<uint8_t> name_bytes(std::span<const uint8_t> message) {
  auto m = wire::MessageView::parse(message).value();
  auto n = m.qname().to_name().value();
  return {message.begin() + 12, message.begin() + 12 + long(n.wire_size())};
}

std::vector<uint8_t> flip_case(std::vector<uint8_t> message) {
  size_t len = name_bytes(message).size();
  for (size_t i = 12; i < 12 + len; ++i)
    if (std::isalpha(message[i])) message[i] ^= 0x20;
  return message;
}

std::vector<uint8_t> lower_case(std::vector<uint8_t> message) {
  size_t len = name_bytes(message).size();
  for (size_t i = 12; i < 12 + len; ++i) message[i] = uint8_t(std::tolower(message[i]));
  return message;
}

// The A record's address is the last 4 bytes of make_response's answer.
std::vector<uint8_t> with_address(std::vector<uint8_t> message, uint8_t last) {
  message.back() = last;
  return message;
}

engine::MonoInstant in_ms(int ms) { return net::SystemClock().mono() + std::chrono::milliseconds(ms); }

struct Sent {
  std::optional<engine::TransportResult> result;
};

// Sends `name` through `transport` and runs the loop until the answer.
Sent ask(Loop& l, net::UvTransport& transport, FakeServer& server, const char* name, uint16_t id,
         Protocol protocol = Protocol::Udp, int deadline_ms = 2000) {
  Sent out;
  transport.send(*engine::Address::parse("127.0.0.1", server.port()), protocol, query_for(name, id),
                 in_ms(deadline_ms), [&](engine::TransportResult r) { out.result = std::move(r); });
  while (!out.result && uv_run(&l.loop, UV_RUN_ONCE)) {
  }
  return out;
}

uint8_t answer_address(const engine::TransportResult& r) {
  return r.value().back();
}

}  // namespace

TEST_CASE("0x20: the query leaves in a random case and the answer comes back in the engine's",
          "[net][0x20]") {
  Loop l;
  std::vector<std::vector<uint8_t>> seen;
  FakeServer server(&l.loop, [&](std::span<const uint8_t> q, bool) {
    seen.push_back(name_bytes(q));
    return std::vector<Reply>{{make_response(q)}};
  });
  net::UvTransport transport(&l.loop);
  auto engine_name = name_bytes(query_for(kName, 1));
  for (uint16_t i = 0; i < 4; ++i) {
    auto out = ask(l, transport, server, kName, uint16_t(100 + i));
    REQUIRE(out.result);
    REQUIRE(out.result->ok());
    CHECK(name_bytes(out.result->value()) == engine_name);
  }
  server.stop();
  REQUIRE(seen.size() == 4);
  for (const auto& s : seen) CHECK(s != engine_name);
  CHECK(seen[0] != seen[1]);
  CHECK(transport.stats().udp_sent == 4);
  CHECK(transport.stats().tcp_sent == 0);
}

TEST_CASE("0x20: a FORMERR without a question (and with OPT) is passed on byte for byte",
          "[net][0x20]") {
  Loop l;
  std::vector<uint8_t> sent;
  FakeServer server(&l.loop, [&](std::span<const uint8_t> q, bool) {
    // Header: the query's ID, QR + FORMERR, no question, one additional: OPT (1232) with 40
    // bytes of padding (option 12), so the message is longer than the name 0x20 would restore.
    sent = {q[0], q[1], 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 44,
            0, 12, 0, 40};
    sent.resize(sent.size() + 40, 0);
    return std::vector<Reply>{{sent}};
  });
  net::UvTransport transport(&l.loop);
  auto out = ask(l, transport, server, kName, 0x1212);
  server.stop();
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  CHECK(out.result->value() == sent);
}

TEST_CASE("0x20: an owner name spelled out (not compressed) gets the engine's case back too",
          "[net][0x20]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    // Header (1 question, 1 answer), the question as asked, then the answer with its owner
    // written out in the query's (random) case: A 192.0.2.1.
    auto name = name_bytes(q);
    std::vector<uint8_t> r{q[0], q[1], 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0};
    r.insert(r.end(), name.begin(), name.end());
    r.insert(r.end(), {0, 1, 0, 1});
    r.insert(r.end(), name.begin(), name.end());
    r.insert(r.end(), {0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1});
    return std::vector<Reply>{{r}};
  });
  net::UvTransport transport(&l.loop);
  auto out = ask(l, transport, server, kName, 0x1313);
  server.stop();
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  auto m = wire::MessageView::parse(out.result->value()).value();
  REQUIRE(m.answer().size() == 1);
  auto owner = (*m.answer().begin()).owner().to_name().value();
  CHECK(std::vector<uint8_t>(owner.wire().begin(), owner.wire().end()) ==
        name_bytes(query_for(kName, 1)));
}

TEST_CASE("0x20 off: the query leaves as the engine wrote it", "[net][0x20]") {
  Loop l;
  std::vector<std::vector<uint8_t>> seen;
  FakeServer server(&l.loop, [&](std::span<const uint8_t> q, bool) {
    seen.push_back(name_bytes(q));
    return std::vector<Reply>{{lower_case(make_response(q))}};
  });
  net::TransportConfig cfg;
  cfg.case_randomisation = false;
  net::UvTransport transport(&l.loop, cfg);
  auto out = ask(l, transport, server, kName, 5);
  server.stop();
  REQUIRE(out.result);
  REQUIRE(out.result->ok());  // a lower-cased echo is fine without 0x20
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == name_bytes(query_for(kName, 1)));
}

TEST_CASE("near misses: past the limit the UDP exchange ends Spoofed and refuses the answer",
          "[net][poisoning][near-miss]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    // Two forgeries with wrong IDs, then one that would pass every check.
    return std::vector<Reply>{{with_address(make_response(q, 1), 66)},
                              {with_address(make_response(q, 2), 66)},
                              {with_address(make_response(q), 66)}};
  });
  net::UvTransport transport(&l.loop);
  auto out = ask(l, transport, server, kName, 0x2222);
  server.stop();
  REQUIRE(out.result);
  REQUIRE_FALSE(out.result->ok());
  CHECK(out.result->error() == engine::TransportError::Spoofed);
  CHECK(transport.stats().dropped_wrong_id == 2);
  CHECK(transport.stats().near_miss_tcp_retries == 1);
  CHECK(transport.stats().accepted == 0);
}

TEST_CASE("near misses: one wrong ID (the limit) stays on UDP", "[net][near-miss]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q, 1)}, {make_response(q)}};
  });
  net::UvTransport transport(&l.loop);
  auto out = ask(l, transport, server, kName, 0x3333);
  server.stop();
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  CHECK(server.tcp_queries == 0);
  CHECK(transport.stats().near_miss_tcp_retries == 0);
}

TEST_CASE("near-miss-limit = 0 turns the TCP retry off", "[net][near-miss]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q, 1)}, {make_response(q, 2)}, {make_response(q, 3)},
                              {make_response(q)}};
  });
  net::TransportConfig cfg;
  cfg.near_miss_limit = 0;
  net::UvTransport transport(&l.loop, cfg);
  auto out = ask(l, transport, server, kName, 0x4444);
  server.stop();
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  CHECK(server.tcp_queries == 0);
  CHECK(transport.stats().dropped_wrong_id == 3);
}

TEST_CASE("right ID in the wrong case ends the UDP exchange at once; TCP then answers",
          "[net][0x20][poisoning][near-miss]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool tcp) {
    if (tcp) return std::vector<Reply>{{make_response(q)}};
    return std::vector<Reply>{{with_address(flip_case(make_response(q)), 66)}};
  });
  net::UvTransport transport(&l.loop);
  auto udp = ask(l, transport, server, kName, 0x5555);
  REQUIRE(udp.result);
  REQUIRE_FALSE(udp.result->ok());
  CHECK(udp.result->error() == engine::TransportError::Spoofed);
  CHECK(transport.stats().dropped_wrong_case == 1);
  CHECK(transport.stats().near_miss_tcp_retries == 1);
  auto tcp = ask(l, transport, server, kName, 0x5556, Protocol::Tcp);
  server.stop();
  REQUIRE(tcp.result);
  REQUIRE(tcp.result->ok());
  CHECK(answer_address(*tcp.result) == 1);
  CHECK(transport.stats().case_insensitive_servers == 0);  // it kept the case over TCP
  CHECK(transport.case_memory().size() == 0);
}

TEST_CASE("a server that does not keep case is learned over TCP and then asked without 0x20",
          "[net][0x20]") {
  Loop l;
  std::vector<std::vector<uint8_t>> udp_seen;
  FakeServer server(&l.loop, [&](std::span<const uint8_t> q, bool tcp) {
    if (!tcp) udp_seen.push_back(name_bytes(q));
    return std::vector<Reply>{{lower_case(make_response(q))}};
  });
  net::UvTransport transport(&l.loop);
  auto engine_name = name_bytes(query_for(kName, 1));

  auto udp = ask(l, transport, server, kName, 0x6666);
  REQUIRE(udp.result);
  CHECK_FALSE(udp.result->ok());  // indistinguishable from a forgery over UDP
  auto tcp = ask(l, transport, server, kName, 0x6667, Protocol::Tcp);
  REQUIRE(tcp.result);
  REQUIRE(tcp.result->ok());
  CHECK(name_bytes(tcp.result->value()) == engine_name);  // the engine's case, not the server's
  CHECK(transport.stats().case_insensitive_servers == 1);

  auto again = ask(l, transport, server, kName, 0x6668);
  server.stop();
  REQUIRE(again.result);
  REQUIRE(again.result->ok());
  REQUIRE(udp_seen.size() == 2);
  CHECK(udp_seen[1] == engine_name);  // no random case for this server any more
}

TEST_CASE("engine over real sockets: a spray of forgeries moves the query to TCP and the real "
          "answer wins", "[net][engine][poisoning]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool tcp) {
    auto m = wire::MessageView::parse(q).value();
    auto qname = m.qname().to_name().value();
    if (m.qtype() == wire::RRType::NS && qname.is_root()) {
      wire::MessageBuilder b(65535);
      wire::Header h;
      h.id = m.header().id;
      h.qr = true;
      h.aa = true;
      b.set_header(h);
      b.add_question(qname, m.qtype(), m.qclass());
      auto ns = wire::Name::from_text("ns.test.").value();
      b.add_record(wire::Section::Answer, qname, wire::RRType::NS, wire::RRClass::IN, 3600,
                   ns.wire());
      std::vector<uint8_t> a{127, 0, 0, 1};
      b.add_record(wire::Section::Additional, ns, wire::RRType::A, wire::RRClass::IN, 3600, a);
      return std::vector<Reply>{{b.finish()}};
    }
    if (tcp) return std::vector<Reply>{{make_response(q)}};
    // What a sprayer sends: every ID it can, the name in the case the client used.
    std::vector<Reply> spray;
    for (int d = 1; d <= 8; ++d) spray.push_back({with_address(lower_case(make_response(q, d)), 66)});
    spray.push_back({with_address(lower_case(make_response(q)), 66)});
    return spray;
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
  eng.resolve(engine::Query{wire::Name::from_text(kName).value(), wire::RRType::A},
              [&](const engine::Answer& a) {
                answer = a;
                server.stop();
              });
  uv_run(&l.loop, UV_RUN_DEFAULT);
  REQUIRE(answer);
  CHECK(answer->rcode == wire::Rcode::NoError);
  REQUIRE(answer->answer.size() == 1);
  REQUIRE(answer->answer[0].size() == 1);
  auto rdata = *answer->answer[0].begin();
  CHECK(std::vector<uint8_t>(rdata.begin(), rdata.end()) == std::vector<uint8_t>{192, 0, 2, 1});
  // The engine's case, not the random one the query left with.
  CHECK(answer->answer[0].owner.to_text() == wire::Name::from_text(kName).value().to_text());
  CHECK(server.tcp_queries == 1);
  CHECK(transport.stats().near_miss_tcp_retries == 1);
}

TEST_CASE("unwanted replies past the threshold log a warning", "[net][poisoning]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    // (A reply from another port never reaches the transport: the kernel drops it for the
    // connected socket.)
    return std::vector<Reply>{{make_response(q, 1)},
                              {make_response(q, 2)},
                              {make_response(q, 0, false, "evil.example.")},
                              {make_response(q)}};
  });
  std::vector<std::string> warnings;
  net::TransportConfig cfg;
  cfg.near_miss_limit = 0;
  cfg.unwanted_reply_threshold = 3;
  cfg.warn = [&](const std::string& w) { warnings.push_back(w); };
  net::UvTransport transport(&l.loop, cfg);
  auto out = ask(l, transport, server, kName, 0x7777);
  server.stop();
  REQUIRE(out.result);
  REQUIRE(out.result->ok());
  CHECK(transport.stats().unwanted_reply_warnings == 1);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("unwanted-reply-threshold") != std::string::npos);
}

TEST_CASE("source ports are drawn from the whole configured range", "[net][ports]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q)}};
  });
  net::UvTransport transport(&l.loop);
  constexpr int kQueries = 64;
  for (int i = 0; i < kQueries; ++i) REQUIRE(ask(l, transport, server, kName, uint16_t(i)).result->ok());
  server.stop();
  REQUIRE(server.peers.size() == size_t(kQueries));
  int outside_kernel_range = 0;
  for (const auto& p : server.peers) {
    CHECK(p.port >= 1024);
    outside_kernel_range += p.port < 32768 || p.port > 60999;
  }
  // Uniform over 1024-65535, 56% of ports lie outside the kernel's range: all 64 inside would
  // happen with odds below 1e-22.
  CHECK(outside_kernel_range > 0);
}

TEST_CASE("outgoing-port-range bounds the source ports", "[net][ports]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q)}};
  });
  net::TransportConfig cfg;
  cfg.port_low = 40100;
  cfg.port_high = 40163;
  net::UvTransport transport(&l.loop, cfg);
  for (int i = 0; i < 16; ++i) REQUIRE(ask(l, transport, server, kName, uint16_t(i)).result->ok());
  server.stop();
  REQUIRE(server.peers.size() == 16);
  for (const auto& p : server.peers) {
    CHECK(p.port >= 40100);
    CHECK(p.port <= 40163);
  }
}

TEST_CASE("outgoing-address: UDP and TCP queries leave from the configured address",
          "[net][outgoing-address]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q)}};
  });
  net::TransportConfig cfg;
  cfg.outgoing.push_back(*engine::Address::parse("127.0.0.77", 0));
  cfg.outgoing.push_back(*engine::Address::parse("::1", 0));  // not used for an IPv4 server
  net::UvTransport transport(&l.loop, cfg);
  REQUIRE(ask(l, transport, server, kName, 1, Protocol::Udp).result->ok());
  REQUIRE(ask(l, transport, server, kName, 2, Protocol::Tcp).result->ok());
  server.stop();
  REQUIRE(server.peers.size() == 2);
  CHECK(server.peers[0].host == "127.0.0.77");
  CHECK_FALSE(server.peers[0].tcp);
  CHECK(server.peers[1].host == "127.0.0.77");
  CHECK(server.peers[1].tcp);
}

TEST_CASE("without outgoing-address the kernel picks the source", "[net][outgoing-address]") {
  Loop l;
  FakeServer server(&l.loop, [](std::span<const uint8_t> q, bool) {
    return std::vector<Reply>{{make_response(q)}};
  });
  net::UvTransport transport(&l.loop);
  REQUIRE(ask(l, transport, server, kName, 1).result->ok());
  server.stop();
  REQUIRE(server.peers.size() == 1);
  CHECK(server.peers[0].host == "127.0.0.1");
}
