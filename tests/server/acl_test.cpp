#include <catch2/catch.hpp>

#include "resolver/server/acl.h"

using namespace tern;

namespace {
config::SocketAddress addr(const char* t) { return *config::SocketAddress::parse(t, 53); }
}  // namespace

TEST_CASE("loopback is always allowed, others only when listed") {
  server::Acl def;
  CHECK(def.allows(addr("127.0.0.1").sa()));
  CHECK(def.allows(addr("127.53.1.2").sa()));
  CHECK(def.allows(addr("::1").sa()));
  CHECK(def.allows(addr("::ffff:127.0.0.1").sa()));
  CHECK_FALSE(def.allows(addr("10.0.0.1").sa()));
  CHECK_FALSE(def.allows(addr("::2").sa()));
  CHECK_FALSE(def.allows(addr("::ffff:10.0.0.1").sa()));

  server::Acl lan({*config::Network::parse("10.0.0.0/8"), *config::Network::parse("fd00::/8")});
  CHECK(lan.allows(addr("10.255.0.1").sa()));
  CHECK(lan.allows(addr("::ffff:10.0.0.1").sa()));  // v4-mapped clients match v4 networks
  CHECK(lan.allows(addr("fd12::1").sa()));
  CHECK_FALSE(lan.allows(addr("11.0.0.1").sa()));
  CHECK_FALSE(lan.allows(addr("fe80::1").sa()));

  server::Acl narrow({*config::Network::parse("192.168.1.128/25")});
  CHECK(narrow.allows(addr("192.168.1.200").sa()));
  CHECK_FALSE(narrow.allows(addr("192.168.1.100").sa()));
}
