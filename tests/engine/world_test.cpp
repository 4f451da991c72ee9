// Address and Cidr: parsing, printing, the loopback/private rules of the allow-list.
#include <catch2/catch.hpp>

#include "resolver/engine/failure.h"
#include "resolver/engine/world.h"

using namespace tern::engine;

TEST_CASE("addresses parse and print", "[engine][world]") {
  CHECK(Address::parse("127.53.0.1")->to_string() == "127.53.0.1:53");
  CHECK(Address::parse("127.0.0.1:5353")->to_string() == "127.0.0.1:5353");
  CHECK(Address::parse("::1")->to_string() == "[::1]:53");
  CHECK(Address::parse("[2001:db8::1]:853")->to_string() == "[2001:db8::1]:853");
  CHECK(Address::parse("2001:db8::1", 5300)->port == 5300);
  CHECK_FALSE(Address::parse(""));
  CHECK_FALSE(Address::parse("1.2.3"));
  CHECK_FALSE(Address::parse("1.2.3.4:99999"));
  CHECK_FALSE(Address::parse("[1.2.3.4]:53"));
  CHECK_FALSE(Address::parse("[::1"));
  CHECK_FALSE(Address::parse("example.com"));
}

TEST_CASE("loopback and private ranges", "[engine][world]") {
  CHECK(Address::parse("127.0.0.1")->is_loopback());
  CHECK(Address::parse("::1")->is_loopback());
  CHECK_FALSE(Address::parse("128.0.0.1")->is_loopback());
  for (auto p : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
                 "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "fc00::1", "fe80::1",
                 "::", "::ffff:10.0.0.1"})
    CHECK(Address::parse(p)->is_private());
  for (auto p : {"172.32.0.1", "192.0.2.1", "8.8.8.8", "2001:db8::1", "100.128.0.1"})
    CHECK_FALSE(Address::parse(p)->is_private());
}

TEST_CASE("networks", "[engine][world]") {
  auto lab = Cidr::parse("127.0.0.0/8");
  REQUIRE(lab);
  CHECK(lab->contains(*Address::parse("127.53.0.1")));
  CHECK_FALSE(lab->contains(*Address::parse("128.0.0.1")));
  CHECK_FALSE(lab->contains(*Address::parse("::1")));
  CHECK(Cidr::parse("10.0.0.0/12")->contains(*Address::parse("10.15.255.255")));
  CHECK_FALSE(Cidr::parse("10.0.0.0/12")->contains(*Address::parse("10.16.0.0")));
  CHECK(Cidr::parse("2001:db8::/32")->contains(*Address::parse("2001:db8:ffff::1")));
  CHECK(Cidr::parse("1.2.3.4")->prefix == 32);
  CHECK(Cidr::parse("0.0.0.0/0")->contains(*Address::parse("9.9.9.9")));
  CHECK_FALSE(Cidr::parse("1.2.3.4/33"));
  CHECK_FALSE(Cidr::parse("1.2.3.4/"));
  CHECK_FALSE(Cidr::parse("nonsense/8"));
  CHECK(Cidr::parse("127.0.0.0/8")->to_string() == "127.0.0.0/8");
}

TEST_CASE("an address with a written port", "[engine][world]") {
  CHECK(Address::parse_with_port("127.0.0.1:5353")->port == 5353);
  CHECK(Address::parse_with_port("[::1]:53")->to_string() == "[::1]:53");
  CHECK_FALSE(Address::parse_with_port("127.0.0.1"));
  CHECK_FALSE(Address::parse_with_port("::1"));
  CHECK_FALSE(Address::parse_with_port("[::1]"));
  CHECK_FALSE(Address::parse_with_port("[::1]:"));
  CHECK_FALSE(Address::parse_with_port("example.com:53"));
}

TEST_CASE("v4-mapped clients match IPv4 networks; upstreams do not", "[engine][world]") {
  auto lan = *Cidr::parse("10.0.0.0/8");
  auto mapped = *Address::parse("::ffff:10.1.2.3");
  CHECK(lan.contains_client(mapped));
  CHECK_FALSE(lan.contains(mapped));  // --upstream-allow keeps refusing v4-mapped upstreams
  CHECK(lan.contains_client(*Address::parse("10.255.0.1")));
  CHECK_FALSE(lan.contains_client(*Address::parse("::ffff:11.0.0.1")));
  CHECK_FALSE(lan.contains_client(*Address::parse("::10.1.2.3")));  // v4-compatible is not mapped
  auto v6 = *Cidr::parse("::ffff:0:0/96");  // an IPv6 network matches only as IPv6
  CHECK(v6.contains_client(mapped));
  CHECK_FALSE(v6.contains_client(*Address::parse("10.1.2.3")));
}

TEST_CASE("failures map to one client rcode", "[engine][failure]") {
  // Exactly one function decides; every internal failure is SERVFAIL today.
  for (int f = 0; f <= int(tern::engine::Failure::Internal); ++f)
    CHECK(client_rcode(tern::engine::Failure(f)) == tern::wire::Rcode::ServFail);
}
