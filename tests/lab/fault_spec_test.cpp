#include <catch2/catch.hpp>

#include "fault_spec.h"

using tern::lab::Behaviour;
using tern::lab::parse_fault_config;

TEST_CASE("faults.conf lines become specs", "[lab][fault]") {
  auto specs = parse_fault_config(
      "# comment\n"
      "\n"
      "127.53.3.3 delay delay.fault.test. 127.53.201.3 ms=400\n"
      "127.53.3.7 other-port other-port.fault.test. 127.53.201.7 port=5354 bogus=127.53.66.66\n"
      "127.53.3.14 nxns nxns.fault.test. 127.53.201.14 count=40 target=nxns-victim.test.\n");
  REQUIRE(specs);
  REQUIRE(specs->size() == 3);
  const auto& delay = (*specs)[0];
  CHECK(delay.behaviour == Behaviour::Delay);
  CHECK(delay.delay_ms == 400);
  CHECK(delay.address == tern::lab::Ipv4{127, 53, 3, 3});
  CHECK(delay.zone.to_text() == "delay.fault.test.");
  CHECK(delay.answer == tern::lab::Ipv4{127, 53, 201, 3});
  CHECK((*specs)[1].other_port == 5354);
  CHECK((*specs)[1].bogus == tern::lab::Ipv4{127, 53, 66, 66});
  CHECK((*specs)[2].count == 40);
  CHECK((*specs)[2].target.to_text() == "nxns-victim.test.");
}

TEST_CASE("faults.conf errors name the line and the problem", "[lab][fault]") {
  auto error_of = [](const char* text) {
    auto r = parse_fault_config(text);
    REQUIRE_FALSE(r);
    return r.error();
  };
  CHECK(error_of("10.0.0.1 normal a.test. 127.0.0.1\n").message.find("outside 127.0.0.0/8") !=
        std::string::npos);
  auto dup = error_of("127.53.3.1 normal a.test. 127.0.0.1\n127.53.3.1 normal b.test. 127.0.0.1\n");
  CHECK(dup.line == 2);
  CHECK(dup.message.find("twice") != std::string::npos);
  CHECK(error_of("127.53.3.1 dance a.test. 127.0.0.1\n").message.find("unknown behaviour") !=
        std::string::npos);
  CHECK(error_of("127.53.3.1 other-port a.test. 127.0.0.1\n").message.find("port=") != std::string::npos);
  CHECK(error_of("127.53.3.1 delay a.test. 127.0.0.1 ms=x\n").message.find("ms") != std::string::npos);
  CHECK(error_of("127.53.3.1 delay a.test. 127.0.0.1 colour=red\n").message.find("unknown key") !=
        std::string::npos);
  CHECK(error_of("127.53.3.1 normal a.test.\n").line == 1);
  CHECK(error_of("127.53.3 normal a.test. 127.0.0.1\n").message.find("bad address") != std::string::npos);
}

TEST_CASE("ipv4_from_text accepts dotted quads only", "[lab][fault]") {
  CHECK(tern::lab::ipv4_from_text("127.53.0.1") == tern::lab::Ipv4{127, 53, 0, 1});
  CHECK_FALSE(tern::lab::ipv4_from_text("127.53.0"));
  CHECK_FALSE(tern::lab::ipv4_from_text("127.53.0.1.2"));
  CHECK_FALSE(tern::lab::ipv4_from_text("127.53.0.256"));
  CHECK_FALSE(tern::lab::ipv4_from_text("127..0.1"));
  CHECK_FALSE(tern::lab::ipv4_from_text(""));
}
