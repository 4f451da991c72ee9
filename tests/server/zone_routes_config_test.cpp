// [[forward-zone]] and [[stub-zone]]: read with their lines, checked, turned into the engine's
// table (resolver/server/zone_routes_config.cpp).
#include <catch2/catch.hpp>

#include "config_error.h"
#include "resolver/config/config.h"
#include "resolver/server/local_policy_builder.h"
#include "resolver/server/zone_routes_config.h"

using namespace tern;
using namespace tern::config;

namespace {

std::string error_of(const std::string& toml) { return tern::test::config_error_of(toml); }

}  // namespace

TEST_CASE("[[forward-zone]] and [[stub-zone]] are read and become the engine's table") {
  Config c = default_config();
  apply_toml(c,
             "[[forward-zone]]\n"
             "name = \"corp.example.\"\n"
             "addresses = [\"10.0.0.53\", \"10.0.1.53:5353\", \"[fd00::53]:53\", \"fd00::54\"]\n"
             "first = true\n"
             "insecure = true\n"
             "[[stub-zone]]\n"
             "name = \"lab.corp.example.\"\n"
             "addresses = \"10.0.2.1\"\n"
             "prime = true\n",
             "t.toml");
  REQUIRE(c.upstream_zones.size() == 2);
  CHECK(c.upstream_zones[0].where == "t.toml:1");
  CHECK_FALSE(c.upstream_zones[0].stub);
  CHECK(c.upstream_zones[0].first);
  CHECK(c.upstream_zones[1].stub);
  CHECK(c.upstream_zones[1].prime);

  auto routes = server::make_zone_routes(c);
  REQUIRE(routes);
  auto name = [](std::string_view t) { return wire::Name::from_text(t).value(); };
  const auto* fwd = routes->find(name("www.corp.example."));
  REQUIRE(fwd);
  CHECK(fwd->kind == engine::ConfiguredZone::Kind::Forward);
  REQUIRE(fwd->addresses.size() == 4);
  CHECK(fwd->addresses[0].to_string() == "10.0.0.53:53");
  CHECK(fwd->addresses[1].to_string() == "10.0.1.53:5353");
  CHECK(fwd->addresses[3].to_string() == "[fd00::54]:53");
  CHECK(routes->find(name("a.lab.corp.example."))->kind == engine::ConfiguredZone::Kind::Stub);
  CHECK(routes->insecure_at(name("x.corp.example.")));
  CHECK_FALSE(routes->find(name("example.com.")));
  CHECK_FALSE(server::make_zone_routes(default_config()));
}

TEST_CASE("bad forward and stub zones are configuration errors naming the line") {
  CHECK(error_of("[[forward-zone]]\nname = \"corp.example.\"\naddresses = [\"10.0.0.300\"]\n").find("t.toml:3") == 0);
  CHECK(error_of("[[forward-zone]]\nname = \"corp.example\"\naddresses = [\"10.0.0.1\"]\n").find("t.toml:2") == 0);
  CHECK(error_of("[[forward-zone]]\nname = \"corp.example.\"\n").find("needs name and addresses") != std::string::npos);
  CHECK(error_of("[[forward-zone]]\nname = \"c.\"\naddresses = \"10.0.0.1\"\nprime = true\n").find("t.toml:4: unknown key 'prime'") == 0);
  CHECK(error_of("[[stub-zone]]\nname = \"c.\"\naddresses = \"10.0.0.1\"\nfirst = true\n").find("t.toml:4: unknown key 'first'") == 0);
  CHECK(error_of("[[forward-zone]]\nname = \"c.\"\naddresses = \"10.0.0.1\"\n"
                 "[[stub-zone]]\nname = \"C.\"\naddresses = \"10.0.0.2\"\n").find("already configured at t.toml:1") != std::string::npos);
  CHECK(error_of("[forward-zone]\nname = \"x.\"\n").find("array of tables") != std::string::npos);
}

TEST_CASE("a forward or stub zone takes over the built-in local zones at and below it") {
  auto decide = [](const Config& cfg, std::string_view qname) {
    server::LocalPolicyBuild b = server::build_local_policy(cfg, {});
    REQUIRE(b.policy);
    server::ClientQuery q;
    q.has_question = true;
    q.qname = wire::Name::from_text(qname).value();
    q.qtype = wire::RRType::PTR;
    return b.policy->decide(q).kind;
  };
  using Kind = server::LocalDecision::Kind;
  Config c = default_config();
  CHECK(decide(c, "3.2.1.10.in-addr.arpa.") == Kind::Answer);  // the built-in NXDOMAIN
  apply_toml(c, "[[stub-zone]]\nname = \"10.in-addr.arpa.\"\naddresses = \"10.0.0.53\"\n"
                "[[forward-zone]]\nname = \".\"\naddresses = \"10.0.0.54\"\n", "t.toml");
  CHECK(decide(c, "3.2.1.10.in-addr.arpa.") == Kind::Resolve);
  // Forwarding "." keeps the others: private reverse names and localhost never leave.
  CHECK(decide(c, "1.1.168.192.in-addr.arpa.") == Kind::Answer);
}

TEST_CASE("tls keys of [[forward-zone]]: port 853 by default, a name required, one name per address") {
  Config c = default_config();
  apply_toml(c,
             "[[forward-zone]]\n"
             "name = \".\"\n"
             "addresses = [\"192.0.2.53\", \"192.0.2.54:8853\"]\n"
             "tls = true\n"
             "tls-name = \"dns.example.net.\"\n",
             "t.toml");
  auto routes = server::make_zone_routes(c);
  REQUIRE(routes);
  const auto& z = routes->zones().front();
  CHECK(z.tls);
  CHECK(z.tls_name == "dns.example.net");  // certificates and SNI carry no final dot
  CHECK(z.addresses[0].to_string() == "192.0.2.53:853");
  CHECK(z.addresses[1].to_string() == "192.0.2.54:8853");
  auto peers = server::tls_peers(routes);
  REQUIRE(peers.size() == 2);
  CHECK(peers[0].name == "dns.example.net");

  CHECK(error_of("[[forward-zone]]\nname = \".\"\naddresses = \"192.0.2.53\"\ntls = true\n").find("needs tls-name") != std::string::npos);
  CHECK(error_of("[[forward-zone]]\nname = \".\"\naddresses = \"192.0.2.53\"\ntls-ca-file = \"/nonexistent/ca.pem\"\n").find("t.toml:4") == 0);
  CHECK(error_of("[[stub-zone]]\nname = \"c.\"\naddresses = \"10.0.0.1\"\ntls = true\n").find("unknown key 'tls'") != std::string::npos);
  CHECK(error_of("[[forward-zone]]\nname = \"a.\"\naddresses = \"192.0.2.53\"\ntls = true\ntls-name = \"x.\"\n"
                 "[[forward-zone]]\nname = \"b.\"\naddresses = \"192.0.2.53:853\"\ntls = true\ntls-name = \"y.\"\n")
            .find("with another tls-name") != std::string::npos);
}
