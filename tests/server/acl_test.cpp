#include <catch2/catch.hpp>

#include "resolver/config/config.h"
#include "resolver/server/acl.h"
#include "resolver/server/server.h"

using namespace tern;

namespace {
config::SocketAddress addr(const char* t) { return *config::SocketAddress::parse(t, 53); }
}  // namespace

TEST_CASE("by default only loopback clients are served") {
  auto acl = server::make_acl(config::default_config());
  CHECK(acl->allows(addr("127.0.0.1").sa()));
  CHECK(acl->allows(addr("127.53.1.2").sa()));
  CHECK(acl->allows(addr("::1").sa()));
  CHECK(acl->allows(addr("::ffff:127.0.0.1").sa()));
  CHECK_FALSE(acl->allows(addr("10.0.0.1").sa()));
  CHECK_FALSE(acl->allows(addr("::2").sa()));
  CHECK_FALSE(acl->allows(addr("::ffff:10.0.0.1").sa()));
}

TEST_CASE("--allow adds networks; the file's list replaces the default") {
  auto cl = config::parse_command_line({"--allow", "10.0.0.0/8", "--allow", "fd00::/8"});
  auto lan = server::make_acl(cl.config);
  CHECK(lan->allows(addr("127.0.0.1").sa()));
  CHECK(lan->allows(addr("10.255.0.1").sa()));
  CHECK(lan->allows(addr("::ffff:10.0.0.1").sa()));  // v4-mapped clients match v4 networks
  CHECK(lan->allows(addr("fd12::1").sa()));
  CHECK_FALSE(lan->allows(addr("11.0.0.1").sa()));
  CHECK_FALSE(lan->allows(addr("fe80::1").sa()));

  config::Config c = config::default_config();
  config::apply_toml(c, "[server]\nallow = [\"127.0.0.1/32\", \"192.168.1.128/25\"]\n", "t.toml");
  auto narrow = server::make_acl(c);
  CHECK(narrow->allows(addr("127.0.0.1").sa()));
  CHECK_FALSE(narrow->allows(addr("127.0.0.2").sa()));
  CHECK(narrow->allows(addr("192.168.1.200").sa()));
  CHECK_FALSE(narrow->allows(addr("192.168.1.100").sa()));
}
