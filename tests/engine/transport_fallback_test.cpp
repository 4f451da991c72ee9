// TC=1 -> the same server over TCP; FORMERR/NOTIMP to EDNS -> again without EDNS, remembered.
#include <catch2/catch.hpp>

#include "example_tree.h"

using namespace tern;
using namespace tern::testsupport;
using wire::RRType;

TEST_CASE("a truncated UDP answer is retried over TCP to the same server", "[engine][tcp]") {
  Harness h(no_minimisation());
  build_example_tree(h);
  auto& udp = h.net.on(addr(kNs1), "big.example.com.", RRType::TXT, truncated());
  udp.match.protocol = Protocol::Udp;
  auto& tcp = h.net.on(addr(kNs1), "big.example.com.", RRType::TXT,
                       answer({"big.example.com. 3600 IN TXT \"large\""}));
  tcp.match.protocol = Protocol::Tcp;
  auto a = h.resolve("big.example.com.", RRType::TXT);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  CHECK(records_brief(a->answer) == std::vector<std::string>{"big.example.com. TXT \"large\""});
  auto sent = h.net.sent_text();
  REQUIRE(sent.size() >= 2);
  CHECK(sent[sent.size() - 2] == "198.51.100.1:53 udp big.example.com. TXT");
  CHECK(sent[sent.size() - 1] == "198.51.100.1:53 tcp big.example.com. TXT");
}

TEST_CASE("FORMERR to an EDNS query: retried without EDNS, remembered per server",
          "[engine][edns]") {
  auto code = GENERATE(wire::Rcode::FormErr, wire::Rcode::NotImp);
  Harness h(no_minimisation());
  build_example_tree(h);
  auto& with_edns = h.net.on_any(addr(kNs1), rcode(code));
  with_edns.match.edns = true;
  with_edns.reply.edns = false;
  h.net.on(addr(kNs1), "www.example.com.", RRType::A,
           answer({"www.example.com. 3600 IN A 203.0.113.7"}));
  h.net.on(addr(kNs1), "ftp.example.com.", RRType::A,
           answer({"ftp.example.com. 3600 IN A 203.0.113.8"}));
  auto a = h.resolve("www.example.com.", RRType::A);
  REQUIRE(a);
  CHECK(a->rcode == wire::Rcode::NoError);
  auto sent = h.net.sent_text();
  CHECK(std::vector<std::string>(sent.end() - 2, sent.end()) ==
        std::vector<std::string>{"198.51.100.1:53 udp www.example.com. A",
                                 "198.51.100.1:53 udp www.example.com. A noedns"});
  h.net.clear_sent();
  REQUIRE(h.resolve("ftp.example.com.", RRType::A));
  CHECK(h.net.sent_text() ==
        std::vector<std::string>{"198.51.100.1:53 udp ftp.example.com. A noedns"});
}
