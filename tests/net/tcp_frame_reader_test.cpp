// TcpFrameReader: 2-byte length framing over arbitrary pieces.
#include <catch2/catch.hpp>

#include "resolver/net/tcp_frame_reader.h"

using tern::net::TcpFrameReader;

TEST_CASE("TCP framing: a message split byte by byte, then two in one piece", "[net][tcp]") {
  TcpFrameReader r;
  const std::vector<uint8_t> framed{0, 3, 'a', 'b', 'c'};
  for (size_t i = 0; i + 1 < framed.size(); ++i) {
    r.feed({&framed[i], 1});
    CHECK_FALSE(r.next());
  }
  r.feed({&framed.back(), 1});
  auto m = r.next();
  REQUIRE(m);
  CHECK(std::vector<uint8_t>(m->begin(), m->end()) == std::vector<uint8_t>{'a', 'b', 'c'});
  CHECK_FALSE(r.next());
  CHECK(r.buffered() == 0);

  const std::vector<uint8_t> two{0, 1, 'x', 0, 0, 0, 2};
  r.feed(two);
  auto first = r.next();
  REQUIRE(first);
  CHECK(first->size() == 1);
  auto empty = r.next();
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK_FALSE(r.next());      // 2 bytes announced, none there yet
  CHECK(r.buffered() == 2);   // only the partial message stays
}
