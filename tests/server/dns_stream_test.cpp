// DnsStream (resolver/server/dns_stream.h) over a fake transport: the RFC 7766 behaviour every
// stream transport shares, without sockets (stream_rig.h).
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "stream_rig.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using namespace tern::server::test;

namespace {

std::vector<uint8_t> framed(const std::vector<uint8_t>& msg) {
  std::vector<uint8_t> out(2 + msg.size());
  out[0] = uint8_t(msg.size() >> 8);
  out[1] = uint8_t(msg.size());
  std::copy(msg.begin(), msg.end(), out.begin() + 2);
  return out;
}

void send(FakeStreamState& s, const std::vector<uint8_t>& bytes) {
  s.pending_in.insert(s.pending_in.end(), bytes.begin(), bytes.end());
  s.pump();
}

uint16_t id_of(const std::vector<uint8_t>& msg) { return uint16_t(msg[0] << 8 | msg[1]); }

std::vector<uint16_t> answered_ids(const FakeStreamState& s) {
  std::vector<uint16_t> ids;
  for (const auto& m : frames_of(s.written)) ids.push_back(id_of(m));
  return ids;
}

// Runs the loop (real timers) until `done` or about a second has passed.
template <class F>
bool run_until(StreamRig& rig, F done) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!done() && std::chrono::steady_clock::now() < end) {
    rig.turn();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace

TEST_CASE("dns stream: pipelined queries are answered as each finishes, out of order") {
  StreamRig rig;
  auto s = rig.connect();
  send(*s, framed(make_query("a.example.", wire::RRType::A, std::nullopt, 1)));
  send(*s, framed(make_query("b.example.", wire::RRType::A, std::nullopt, 2)));
  send(*s, framed(make_query("c.example.", wire::RRType::A, std::nullopt, 3)));
  REQUIRE(rig.backend.waiting.size() == 3);
  CHECK(s->written.empty());
  rig.backend.release(2);  // c
  rig.backend.release(0);  // a
  rig.backend.release(0);  // b
  CHECK(answered_ids(*s) == std::vector<uint16_t>{3, 1, 2});
  CHECK_FALSE(s->closed);
}

TEST_CASE("dns stream: a message split over many reads, and several in one read") {
  StreamRig rig;
  auto s = rig.connect();
  auto q1 = framed(make_query("localhost.", wire::RRType::A, std::nullopt, 7));
  auto q2 = framed(make_query("localhost.", wire::RRType::AAAA, std::nullopt, 8));
  std::vector<uint8_t> both = q1;
  both.insert(both.end(), q2.begin(), q2.end());
  s->pending_in = both;
  while (s->pump(1)) {}  // one byte per read
  CHECK(answered_ids(*s) == std::vector<uint16_t>{7, 8});
  send(*s, both);  // both in one read
  CHECK(answered_ids(*s) == std::vector<uint16_t>{7, 8, 7, 8});
}

TEST_CASE("dns stream: a zero length frame closes the connection") {
  StreamRig rig;
  auto s = rig.connect();
  send(*s, {0, 0});
  CHECK(s->closed);
  CHECK(rig.stats.tcp_closed_framing.load() == 1);
}

TEST_CASE("dns stream: after the client's FIN, the query in flight is answered, then the close") {
  StreamRig rig;
  auto s = rig.connect();
  send(*s, framed(make_query("a.example.", wire::RRType::A, std::nullopt, 5)));
  s->eof = true;
  s->pump();
  CHECK_FALSE(s->closed);
  rig.backend.release(0);
  CHECK(answered_ids(*s) == std::vector<uint16_t>{5});
  CHECK(s->closed);
}

TEST_CASE("dns stream: a client that does not read is closed at its share; the budget comes back") {
  TcpSettings settings;
  settings.max_write_buffer = 100;  // the share: about three answers
  settings.max_inflight = 64;
  StreamRig rig(settings);
  auto s = rig.connect();
  s->kernel_full = true;
  std::vector<uint8_t> burst;
  for (uint16_t i = 0; i < 20; ++i) {
    auto q = framed(make_query("localhost.", wire::RRType::A, std::nullopt, i));
    burst.insert(burst.end(), q.begin(), q.end());
  }
  send(*s, burst);
  CHECK(s->closed);
  CHECK(rig.stats.tcp_closed_slow_reader.load() == 1);
  CHECK(frames_of(s->written).size() < 20);
  CHECK(rig.server->write_budget_used() == 0);
}

TEST_CASE("dns stream: messages beyond the per-iteration budget wait for the next iteration") {
  TcpSettings settings;
  settings.messages_per_iteration = 2;
  StreamRig rig(settings);
  auto s = rig.connect();
  std::vector<uint8_t> burst;
  for (uint16_t i = 0; i < 5; ++i) {
    auto q = framed(make_query("localhost.", wire::RRType::A, std::nullopt, i));
    burst.insert(burst.end(), q.begin(), q.end());
  }
  send(*s, burst);
  CHECK(frames_of(s->written).size() == 2);
  CHECK(rig.stats.tcp_deferred.load() >= 1);
  CHECK(run_until(rig, [&] { return frames_of(s->written).size() == 5; }));
  CHECK(answered_ids(*s) == std::vector<uint16_t>{0, 1, 2, 3, 4});
}

TEST_CASE("dns stream: an idle connection is closed after the idle timeout") {
  TcpSettings settings;
  settings.idle_timeout_ms = 100;
  StreamRig rig(settings);
  auto s = rig.connect();
  send(*s, framed(make_query("localhost.", wire::RRType::A, std::nullopt, 1)));
  CHECK(run_until(rig, [&] { return s->closed; }));
  CHECK(rig.stats.tcp_closed_idle.load() == 1);
}

TEST_CASE("dns stream: a handshake that does not finish is closed at the handshake timeout") {
  TcpSettings settings;
  settings.tls_handshake_timeout_ms = 100;
  settings.idle_timeout_ms = 60000;
  StreamRig rig(settings);
  auto s = rig.connect(false, StreamKind::Tls);
  CHECK(rig.server->handshakes() == 1);
  CHECK(run_until(rig, [&] { return s->closed; }));
  CHECK(rig.stats.tls_handshake_timeouts.load() == 1);
  CHECK(rig.server->handshakes() == 0);
}

TEST_CASE("dns stream: TLS clients past the cap on handshakes in progress are turned away") {
  TcpSettings settings;
  settings.tls_max_handshakes = 2;
  StreamRig rig(settings);
  auto a = rig.connect(false, StreamKind::Tls);
  auto b = rig.connect(false, StreamKind::Tls);
  auto c = rig.connect(false, StreamKind::Tls);
  CHECK_FALSE(a->closed);
  CHECK_FALSE(b->closed);
  CHECK(c->closed);
  CHECK(rig.stats.tls_rejected_handshakes.load() == 1);
  // A plain TCP client is not a handshake: still served.
  auto t = rig.connect();
  CHECK_FALSE(t->closed);
}
