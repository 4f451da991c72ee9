// TransportError::Spoofed (the production transport saw near misses on UDP, resolver/net/
// exchange.cpp): the engine asks the same server again over TCP, and does not count it against
// the server.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("a UDP exchange ended by near misses is asked again over TCP, same server",
          "[engine][tcp][poisoning]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  SimReply spoofed;
  spoofed.error = engine::TransportError::Spoofed;
  auto& udp = h.net.on(addr(kNs1), "www.example.com.", RRType::A, spoofed);
  udp.match.protocol = Protocol::Udp;
  auto& tcp = h.net.on(addr(kNs1), "www.example.com.", RRType::A,
                       answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  tcp.match.protocol = Protocol::Tcp;
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"www.example.com. A 203.0.113.7"});
  auto sent = h.net.sent_text();
  REQUIRE(sent.size() >= 2);
  CHECK(sent[sent.size() - 2] == "198.51.100.1:53 udp www.example.com. A");
  CHECK(sent[sent.size() - 1] == "198.51.100.1:53 tcp www.example.com. A");
  CHECK(udp.uses == 1);
  CHECK(tcp.uses == 1);
}
