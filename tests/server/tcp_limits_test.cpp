// The TCP front end's resource policy (resolver/server/tcp_limits.h), without sockets.
#include "resolver/server/tcp_limits.h"

#include <catch2/catch.hpp>

using namespace tern::server;

TEST_CASE("the idle timeout shrinks as connection slots fill, never below the floor") {
  const uint32_t configured = 30000;
  CHECK(tcp_idle_timeout_ms(configured, 1, 1000) == 30000);
  CHECK(tcp_idle_timeout_ms(configured, 500, 1000) == 30000);  // half full: not yet
  CHECK(tcp_idle_timeout_ms(configured, 501, 1000) == 300);    // 1%
  CHECK(tcp_idle_timeout_ms(configured, 651, 1000) == kTcpMinIdleTimeoutMs);  // 0.2% = 60 -> floor
  CHECK(tcp_idle_timeout_ms(configured, 801, 1000) == kTcpMinIdleTimeoutMs);  // 0 -> floor
  CHECK(tcp_idle_timeout_ms(600000, 651, 1000) == 1200);
  // A configured value under the floor is kept as it is.
  CHECK(tcp_idle_timeout_ms(100, 900, 1000) == 100);
}

TEST_CASE("a connection's share of the write budget: split over the open ones, within bounds") {
  TcpWriteBudget b(16u << 20, 256 * 1024);
  CHECK(b.share(1) == 256 * 1024);       // the per-connection cap
  CHECK(b.share(100) == (16u << 20) / 100);
  CHECK(b.share(1000) == kTcpMinWriteShare);  // never less than one largest message
  CHECK(b.may_queue(0, 60000, 1000));
  CHECK_FALSE(b.may_queue(10000, 60000, 1000));
  CHECK_FALSE(b.over(kTcpMinWriteShare - 1, 1000));
  CHECK(b.over(kTcpMinWriteShare, 1000));
}

TEST_CASE("the worker's write budget bounds the sum over connections") {
  TcpWriteBudget b(200000, 256 * 1024);
  b.take(150000);
  CHECK(b.may_queue(0, 50000, 4));
  CHECK_FALSE(b.may_queue(0, 50001, 4));
  b.give_back(100000);
  CHECK(b.used() == 50000);
  CHECK(b.may_queue(0, 50001, 4));
  b.give_back(1u << 30);  // never wraps
  CHECK(b.used() == 0);
}

TEST_CASE("TCP messages per loop iteration are bounded, and the bound renews each iteration") {
  TcpIterationBudget it(3);
  CHECK(it.take());
  CHECK(it.take());
  CHECK(it.take());
  CHECK_FALSE(it.take());
  CHECK(it.spent());
  it.new_iteration();
  CHECK_FALSE(it.spent());
  CHECK(it.take());
}
