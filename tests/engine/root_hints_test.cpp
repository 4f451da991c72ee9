// Root hints parsing: IANA's file, an operator's file, and the ways a file can be wrong.
#include <catch2/catch.hpp>

#include "resolver/engine/root_hints.h"
#include "root-hints/compiled_root_hints.h"

using namespace tern;
using namespace tern::engine;

TEST_CASE("the compiled-in IANA hints parse: 13 servers, IPv4 and IPv6", "[engine][hints]") {
  auto h = parse_root_hints(tern::compiled_root_hints());
  REQUIRE(h);
  CHECK(h->ns.size() == 13);
  CHECK(h->ns.owner.is_root());
  size_t v4 = 0, v6 = 0;
  for (const auto& s : h->addrs) (s.type == wire::RRType::A ? v4 : v6) += s.size();
  CHECK(v4 == 13);
  CHECK(v6 == 13);
  auto a = hint_addresses(*h, wire::Name::from_text("a.root-servers.net.").value(), 53);
  REQUIRE(a.size() == 2);
  CHECK(a[0].to_string() == "198.41.0.4:53");
}

TEST_CASE("a lab hints file with directives and comments", "[engine][hints]") {
  auto h = parse_root_hints(
      "; lab root\n$ORIGIN .\n$TTL 3600\n.  NS a.root.lab.\n"
      "a.root.lab. A 127.53.0.1 ; the only one\n"
      "unrelated.lab. A 127.53.0.99\n\n");
  REQUIRE(h);
  CHECK(h->ns.size() == 1);
  REQUIRE(h->addrs.size() == 1);  // the unrelated address is ignored
  CHECK(h->ns.ttl == 3600);
}

TEST_CASE("bad hints files are rejected with a reason", "[engine][hints]") {
  CHECK(parse_root_hints("").error() == RootHintsError::NoNameServers);
  CHECK(parse_root_hints("a.root. A 1.2.3.4\n").error() == RootHintsError::NoNameServers);
  CHECK(parse_root_hints(". NS a.root.\n").error() == RootHintsError::NoAddresses);
  CHECK(parse_root_hints("com. NS a.root.\n").error() == RootHintsError::NotRoot);
  CHECK(parse_root_hints(". MX 10 a.root.\n").error() == RootHintsError::UnexpectedType);
  CHECK(parse_root_hints(". NS\n").error() == RootHintsError::BadLine);
  CHECK(parse_root_hints("$ORIGIN com.\n").error() == RootHintsError::BadLine);
  CHECK(parse_root_hints("$TTL x\n").error() == RootHintsError::BadLine);
  std::string many;
  for (int i = 0; i < 2000; ++i) many += ". NS a.root.\n";
  CHECK(parse_root_hints(many).error() == RootHintsError::TooLarge);
}
