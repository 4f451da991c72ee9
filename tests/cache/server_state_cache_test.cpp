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
  CHECK(info.timeout == kInitialServerTimeout);
  CHECK(info.edns == EdnsSupport::Unknown);
  CHECK_FALSE(info.backed_off);
}

TEST_CASE("ServerStateCache: RTT is smoothed as RFC 6298", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_rtt(kA, milliseconds(100), mono_at(0));
  auto first = c.info(kA, mono_at(0));
  CHECK(first.known);
  CHECK(first.srtt == milliseconds(100));
  CHECK(first.rttvar == milliseconds(50));
  CHECK(first.timeout == milliseconds(300));

  c.record_rtt(kA, milliseconds(20), mono_at(1));
  auto second = c.info(kA, mono_at(1));
  CHECK(second.srtt == milliseconds(90));    // 100 + (20 - 100) / 8
  CHECK(second.rttvar == milliseconds(57));  // 50 + (80 - 50) / 4
  CHECK(second.timeout == milliseconds(90 + 4 * 57));
  CHECK(c.info(kB, mono_at(1)).srtt == kUnknownServerRtt);  // per server
}

TEST_CASE("ServerStateCache: timeouts double the timeout and back the server off", "[server]") {
  ServerStateCache c(1 << 20);
  c.record_rtt(kA, milliseconds(100), mono_at(0));
  c.record_timeout(kA, mono_at(1));
  CHECK(c.info(kA, mono_at(1)).timeout == milliseconds(600));
  CHECK_FALSE(c.info(kA, mono_at(1)).backed_off);
  c.record_timeout(kA, mono_at(2));
  c.record_timeout(kA, mono_at(3));  // third in a row
  auto info = c.info(kA, mono_at(3));
  CHECK(info.consecutive_timeouts == 3);
  CHECK(info.backed_off);
  CHECK(c.info(kA, mono_at(3 + 4.999)).backed_off);
  CHECK_FALSE(c.info(kA, mono_at(3 + 5)).backed_off);
  c.record_timeout(kA, mono_at(10));
  CHECK(c.info(kA, mono_at(10 + 9.999)).backed_off);  // doubled
  CHECK_FALSE(c.info(kA, mono_at(20)).backed_off);
  for (int i = 0; i < 20; ++i) c.record_timeout(kA, mono_at(30 + i));
  CHECK(c.info(kA, mono_at(49)).timeout == kMaxTimeout);
  CHECK(c.info(kA, mono_at(49 + 119)).backed_off);
  CHECK_FALSE(c.info(kA, mono_at(49 + 120)).backed_off);  // capped at kMaxBackoff

  c.record_rtt(kA, milliseconds(40), mono_at(200));  // an answer clears it all
  auto ok = c.info(kA, mono_at(200));
  CHECK(ok.consecutive_timeouts == 0);
  CHECK_FALSE(ok.backed_off);
  CHECK(ok.timeout < milliseconds(1000));
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

  c.mark_lame(kA, name("Example.COM."), mono_at(0), Seconds(600));
  CHECK(c.is_lame(kA, name("example.com."), mono_at(599)));
  CHECK_FALSE(c.is_lame(kA, name("example.org."), mono_at(1)));
  CHECK_FALSE(c.is_lame(kB, name("example.com."), mono_at(1)));
  CHECK_FALSE(c.is_lame(kA, name("example.com."), mono_at(600)));
}

TEST_CASE("ServerStateCache: bounded in bytes", "[server]") {
  const size_t budget = 64 << 10;
  ServerStateCache c(budget);
  for (uint32_t i = 0; i < 20000; ++i) {
    auto key = ServerKey::ipv4({10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)});
    c.record_rtt(key, milliseconds(10), mono_at(0));
    c.mark_lame(key, name("example.com."), mono_at(0));
  }
  CHECK(c.memory_bytes() <= budget);
  CHECK(c.size() > 100);
  CHECK(c.lame_size() > 100);
}

}  // namespace tern::cache
