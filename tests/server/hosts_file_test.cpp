#include <catch2/catch.hpp>

#include "resolver/server/hosts_file.h"

using namespace tern::server;

TEST_CASE("hosts file: addresses, names, aliases, comments") {
  HostsFile h = parse_hosts(
      "# comment line\n"
      "127.0.0.1\tlocalhost\n"
      "192.0.2.7 printer.corp.example printer  # trailing comment\n"
      "\n"
      "2001:db8::7 printer.corp.example\r\n");
  REQUIRE(h.entries.size() == 3);
  CHECK(h.skipped.empty());
  CHECK_FALSE(h.entries[1].v6);
  CHECK(h.entries[1].address[3] == 7);
  REQUIRE(h.entries[1].names.size() == 2);
  CHECK(h.entries[1].names[0].to_text() == "printer.corp.example.");
  CHECK(h.entries[1].names[1].to_text() == "printer.");
  CHECK(h.entries[1].line == 3);
  CHECK(h.entries[2].v6);
  CHECK(h.entries[2].address[15] == 7);
}

TEST_CASE("hosts file: bad lines are skipped and reported with their number") {
  HostsFile h = parse_hosts(
      "300.1.1.1 bad-address\n"
      "192.0.2.1\n"
      "192.0.2.2 " + std::string(70, 'a') + ".example\n"  // label over 63 octets
      "192.0.2.3 good\n");
  REQUIRE(h.entries.size() == 1);
  CHECK(h.entries[0].names[0].to_text() == "good.");
  REQUIRE(h.skipped.size() == 3);
  CHECK(h.skipped[0].rfind("1:", 0) == 0);
  CHECK(h.skipped[1].rfind("2:", 0) == 0);
  CHECK(h.skipped[2].rfind("3:", 0) == 0);
}

TEST_CASE("reverse names for IPv4 and IPv6") {
  std::array<uint8_t, 16> v4{192, 0, 2, 7};
  CHECK(reverse_name(false, v4).to_text() == "7.2.0.192.in-addr.arpa.");
  std::array<uint8_t, 16> v6{0x20, 0x01, 0x0d, 0xb8};
  v6[15] = 0x7a;
  CHECK(reverse_name(true, v6).to_text() ==
        "a.7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
}
