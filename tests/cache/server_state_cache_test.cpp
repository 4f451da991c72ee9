#include "cache/server_state_cache.h"

#include <catch2/catch.hpp>

#include "fixtures.h"

namespace tern::cache {
namespace {

using namespace test;
using std::chrono::milliseconds;

const ServerKey kA = ServerKey::ipv4({127, 53, 0, 1});
const ServerKey kB = ServerKey::ipv4({127, 53, 0, 2});

}  // namespace

TEST_CASE("ServerStateCache: unknown servers get the defaults", "[server]") {
  ServerStateCache c(1 << 20);
  auto info = c.info(kA, mono_at(0));
  CHECK_FALSE(info.known);
  CHECK(info.srtt == kUnknownServerRtt);
  CHECK(info.consecutive_timeouts == 0);
  CHECK(info.edns == EdnsSupport::Unknown);
}

TEST_CASE("ServerStateCache: RTT is smoothed as RFC 6298", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_rtt(kA, milliseconds(100), mono_at(0));
  auto first = c.info(kA, mono_at(0));
  CHECK(first.known);
  CHECK(first.srtt == milliseconds(100));
  CHECK(first.rttvar == milliseconds(50));
  CHECK(first.samples == 1);

  c.record_rtt(kA, milliseconds(20), mono_at(1));
  auto second = c.info(kA, mono_at(1));
  CHECK(second.srtt == milliseconds(90));    // 100 + (20 - 100) / 8
  CHECK(second.rttvar == milliseconds(57));  // 50 + (80 - 50) / 4
  CHECK(second.samples == 2);
  CHECK(c.info(kB, mono_at(1)).srtt == kUnknownServerRtt);  // per server
}

TEST_CASE("ServerStateCache: a timeout counts once per backoff exponent", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_rtt(kA, milliseconds(100), mono_at(0));
  // Three queries sent at exponent 0 time out together: one piece of evidence.
  c.record_timeout(kA, 0, mono_at(1));
  c.record_timeout(kA, 0, mono_at(1));
  c.record_timeout(kA, 0, mono_at(1.01));
  CHECK(c.info(kA, mono_at(1)).consecutive_timeouts == 1);
  CHECK(c.info(kA, mono_at(1)).last_timeout == mono_at(1));
  c.record_timeout(kA, 1, mono_at(2));  // the retry, sent after the first counted
  CHECK(c.info(kA, mono_at(2)).consecutive_timeouts == 2);
  CHECK(c.info(kA, mono_at(2)).selection_rtt == milliseconds(100));

  c.record_rtt(kA, milliseconds(40), mono_at(3));  // an answer clears it
  CHECK(c.info(kA, mono_at(3)).consecutive_timeouts == 0);
  CHECK(c.info(kA, mono_at(3)).last_timeout == MonoInstant{});
}

TEST_CASE("ServerStateCache: one probe claim per backoff period", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_timeout(kA, 0, mono_at(0));
  auto seen = c.info(kA, mono_at(10)).last_timeout;
  CHECK(c.claim_probe(kA, seen, mono_at(10)));
  CHECK_FALSE(c.claim_probe(kA, seen, mono_at(10)));  // another query saw the same state
  CHECK(c.info(kA, mono_at(10)).last_timeout == mono_at(10));
  CHECK(c.info(kA, mono_at(10)).consecutive_timeouts == 1);
  // Never answered: its selection cost is the unknown RTT doubled per timeout.
  CHECK(c.info(kA, mono_at(10)).selection_rtt == 2 * kUnknownServerRtt);
}

TEST_CASE("ServerStateCache: the selection RTT decays while a server is not heard from", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_rtt(kA, milliseconds(800), mono_at(0));
  CHECK(c.info(kA, mono_at(59)).selection_rtt == milliseconds(800));
  CHECK(c.info(kA, mono_at(60)).selection_rtt == milliseconds(400));
  CHECK(c.info(kA, mono_at(180)).selection_rtt == milliseconds(100));
  CHECK(c.info(kA, mono_at(180)).srtt == milliseconds(800));  // the estimate itself is kept
  CHECK_FALSE(c.info(kA, mono_at(900)).known);                 // forgotten after kServerStateTtl
}

TEST_CASE("ServerStateCache: EDNS support and lame marks per (server, zone)", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_edns(kA, EdnsSupport::Unsupported, mono_at(0));
  CHECK(c.info(kA, mono_at(1)).edns == EdnsSupport::Unsupported);
  CHECK(c.info(kB, mono_at(1)).edns == EdnsSupport::Unknown);

  // One lame reply is no evidence; the second within the window is.
  CHECK_FALSE(c.record_lame(kA, name("Example.COM."), mono_at(0)));
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(1)));
  CHECK(c.record_lame(kA, name("example.com."), mono_at(1)));
  CHECK(c.is_lame(kA, name("example.com."), mono_at(1 + 29)));
  CHECK_FALSE(c.is_lame(kA, name("example.org."), mono_at(2)));
  CHECK_FALSE(c.is_lame(kB, name("example.com."), mono_at(2)));
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(1 + 30)));  // kLameTtlBase
}

TEST_CASE("ServerStateCache: lame strikes far apart are no evidence", "[server]") {
  ServerStateCache c(1 << 20);
  CHECK_FALSE(c.record_lame(kA, name("example.com."), mono_at(0)));
  CHECK_FALSE(c.record_lame(kA, name("example.com."), mono_at(61)));  // window passed
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(62)));
}

TEST_CASE("ServerStateCache: the lame mark grows only with repetition", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_lame(kA, name("example.com."), mono_at(0));
  CHECK(c.record_lame(kA, name("example.com."), mono_at(0)));  // lame 30 s
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(30)));
  c.record_lame(kA, name("example.com."), mono_at(31));
  CHECK(c.record_lame(kA, name("example.com."), mono_at(31)));  // again soon: 60 s
  CHECK(c.is_lame(kA, name("example.com."), mono_at(31 + 59)));
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(31 + 60)));
  // Long after, the repetitions are forgotten: back to the base.
  c.record_lame(kA, name("example.com."), mono_at(1000));
  CHECK(c.record_lame(kA, name("example.com."), mono_at(1000)));
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(1030)));
  // Capped by the caller's maximum.
  for (int i = 0; i < 40; ++i) c.record_lame(kA, name("example.net."), mono_at(2000 + i), Seconds(45));
  CHECK_FALSE(c.is_lame(kA, name("example.net."), mono_at(2039 + 45)));
}

TEST_CASE("ServerStateCache: bounded in bytes", "[server]") {
  const size_t budget = 64 << 10;
  ServerStateCache c(budget);
  for (uint32_t i = 0; i < 20000; ++i) {
    auto key = ServerKey::ipv4({10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)});
    c.record_rtt(key, milliseconds(10), mono_at(0));
    c.record_lame(key, name("example.com."), mono_at(0));
  }
  CHECK(c.memory_bytes() <= budget);
  CHECK(c.size() > 100);
  CHECK(c.lame_size() > 100);
}

}  // namespace tern::cache
