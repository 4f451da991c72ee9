// The query pipeline with a response policy (query_pipeline.cpp): where each trigger is asked,
// what reaches the backend, what reaches the packet cache, and EDE on policy answers. A scripted
// backend answers synchronously; a map stands in for the packet cache.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <map>

#include "resolver/config/log.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/rpz_parser.h"
#include "test_util.h"

using namespace tern;
using namespace tern::server;
using tern::server::test::make_query;
using tern::server::test::name;
using wire::Rcode;
using wire::RRType;

namespace {

// Answers every question with an A record from `addresses` (by name), else NXDOMAIN.
class FakeBackend : public Backend {
 public:
  std::map<std::string, std::string> addresses;
  std::vector<std::string> asked;
  void resolve(const ClientQuery& q, const sockaddr*, Done done) override {
    asked.push_back(q.qname.to_text());
    Sections s;
    auto it = addresses.find(q.qname.to_text());
    if (it == addresses.end()) {
      s.rcode = Rcode::NXDomain;
    } else {
      wire::RRset set(q.qname, RRType::A, wire::RRClass::IN, 300);
      uint8_t b[4];
      inet_pton(AF_INET, it->second.c_str(), b);
      set.add({b, 4});
      s.answer.push_back(set);
    }
    done(s, true);
  }
  void prefetch(const ClientQuery&, Done) override {}
  std::map<std::string, std::string> servers;  // zone name server per answer owner
  NameServers name_servers(const wire::Name& n) override {
    NameServers ns;
    if (auto it = servers.find(n.to_text()); it != servers.end()) ns.names.push_back(name(it->second));
    return ns;
  }
  size_t in_flight() const override { return 0; }
};

// The packet cache keyed by the query's bytes after the ID.
class MapCache : public HitCache {
 public:
  std::map<std::string, std::vector<uint8_t>> entries;
  static std::string key(std::span<const uint8_t> query) { return std::string(query.begin() + 2, query.end()); }
  bool lookup(std::span<const uint8_t> query, bool, std::vector<uint8_t>& out, bool*) override {
    auto it = entries.find(key(query));
    if (it == entries.end()) return false;
    out = it->second;
    out[0] = query[0];
    out[1] = query[1];
    return true;
  }
  void insert(std::span<const uint8_t> query, std::span<const uint8_t> response, bool, uint32_t) override {
    entries[key(query)] = std::vector<uint8_t>(response.begin(), response.end());
  }
  void clear() override { entries.clear(); }
};

std::shared_ptr<const RpzPolicy> rpz(std::vector<std::string> bodies) {
  std::vector<RpzPolicyZone> zones;
  for (size_t i = 0; i < bodies.size(); ++i) {
    std::string text = "@ SOA ns. admin. 1 2 3 4 60\n";
    text += bodies[i];
    RpzParseResult r = parse_rpz(text, name("rpz.example."));
    INFO(r.error);
    REQUIRE(r.zone);
    RpzPolicyZone z;
    z.name = std::string("z").append(std::to_string(i));
    z.data = std::make_shared<const RpzZone>(std::move(*r.zone));
    z.counters = std::make_shared<RpzCounters>();
    zones.push_back(std::move(z));
  }
  return std::make_shared<const RpzPolicy>(std::move(zones));
}

sockaddr_storage v4(const char* text) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, text, &in->sin_addr);
  return ss;
}

struct Rig {
  FakeBackend backend;
  MapCache cache;
  Stats stats;
  config::Log log{config::LogLevel::Off};
  QueryPipeline pipeline{PipelineSettings{}, std::make_shared<LocalPolicy>(), backend, &cache, stats, log};
  sockaddr_storage client = v4("127.0.0.1");
  Rig() { pipeline.set_acl(std::make_shared<Acl>(std::vector<config::Network>{*config::Network::parse("0.0.0.0/0")})); }

  struct Reply {
    Outcome outcome;
    std::vector<uint8_t> bytes;
  };
  Reply ask(const std::string& qname, bool tcp = false, std::optional<wire::Edns> edns = std::nullopt,
            const char* from = nullptr) {
    sockaddr_storage src = from ? v4(from) : client;
    auto q = make_query(qname, RRType::A, edns);
    Reply r;
    std::vector<uint8_t> later_bytes;
    bool later_called = false;
    r.outcome = pipeline.handle(q, reinterpret_cast<const sockaddr*>(&src), tcp, r.bytes, [&] {
      return [&](std::vector<uint8_t> b) {
        later_called = true;
        later_bytes = std::move(b);
      };
    });
    if (r.outcome == Outcome::Later) {
      REQUIRE(later_called);  // the fake backend answers at once
      r.bytes = std::move(later_bytes);
    }
    return r;
  }
};

wire::Header header_of(const std::vector<uint8_t>& bytes) {
  auto h = wire::parse_header(bytes);
  REQUIRE(h);
  return *h;
}

}  // namespace

TEST_CASE("pipeline rpz: a QNAME trigger answers without the backend, with EDE Blocked over EDNS") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"bad.example CNAME .\n"}));
  auto r = rig.ask("bad.example.", false, wire::Edns{});
  CHECK(r.outcome == Outcome::Now);
  CHECK(rig.backend.asked.empty());
  auto msg = wire::MessageView::parse(r.bytes);
  REQUIRE(msg);
  CHECK(msg->rcode() == Rcode::NXDomain);
  REQUIRE(msg->edns());
  auto ede = msg->edns()->ede();
  REQUIRE(ede);
  CHECK(ede->info_code == kEdeBlocked);
  // Without EDNS there is no OPT to carry it, and the answer is the same.
  r = rig.ask("bad.example.");
  CHECK(header_of(r.bytes).rcode == uint8_t(Rcode::NXDomain));
  CHECK(header_of(r.bytes).arcount == 0);
  // Other names are resolved.
  rig.backend.addresses["good.example."] = "198.51.100.1";
  CHECK(header_of(rig.ask("good.example.").bytes).rcode == 0);
  CHECK(rig.backend.asked.size() == 1);
}

TEST_CASE("pipeline rpz: a response-IP trigger rewrites the answer, which is not cached") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"24.0.2.0.192.rpz-ip CNAME .\n"}));
  rig.backend.addresses["x.example."] = "192.0.2.7";
  rig.backend.addresses["y.example."] = "198.51.100.7";
  auto r = rig.ask("x.example.");
  CHECK(header_of(r.bytes).rcode == uint8_t(Rcode::NXDomain));
  CHECK(rig.cache.entries.empty());
  r = rig.ask("y.example.");
  CHECK(header_of(r.bytes).rcode == 0);
  CHECK(header_of(r.bytes).ancount == 1);
  CHECK(rig.cache.entries.size() == 1);  // untouched by the policy: cached as usual
}

TEST_CASE("pipeline rpz: a QNAME hit in a later zone waits for an earlier zone's response-IP trigger") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"24.0.2.0.192.rpz-ip CNAME rpz-drop.\n", "*.example CNAME .\n"}));
  rig.backend.addresses["x.example."] = "192.0.2.7";
  rig.backend.addresses["y.example."] = "198.51.100.7";
  // The answer matches zone 0: zone 0's DROP wins over zone 1's NXDOMAIN.
  auto r = rig.ask("x.example.");
  CHECK(r.outcome == Outcome::Later);
  CHECK(r.bytes.empty());
  // It does not: zone 1's QNAME rule applies, after resolving.
  r = rig.ask("y.example.");
  CHECK(header_of(r.bytes).rcode == uint8_t(Rcode::NXDomain));
  CHECK(rig.backend.asked.size() == 2);
  CHECK(rig.cache.entries.empty());
}

TEST_CASE("pipeline rpz: PASSTHRU in an earlier zone ends the search, response triggers included") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"x.example CNAME rpz-passthru.\n", "24.0.2.0.192.rpz-ip CNAME .\n"}));
  rig.backend.addresses["x.example."] = "192.0.2.7";
  rig.backend.addresses["z.example."] = "192.0.2.8";
  auto r = rig.ask("x.example.");
  CHECK(header_of(r.bytes).rcode == 0);
  CHECK(header_of(r.bytes).ancount == 1);
  CHECK(rig.cache.entries.empty());  // passed for this query only
  CHECK(header_of(rig.ask("z.example.").bytes).rcode == uint8_t(Rcode::NXDomain));
}

TEST_CASE("pipeline rpz: client-IP triggers are asked before the packet cache") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"32.9.0.0.10.rpz-client-ip CNAME .\n"}));
  rig.backend.addresses["x.example."] = "198.51.100.7";
  auto r = rig.ask("x.example.", false, std::nullopt, "10.0.0.1");
  CHECK(header_of(r.bytes).ancount == 1);
  CHECK(rig.cache.entries.size() == 1);
  // The same question from the blocked client: the cached answer must not reach it.
  r = rig.ask("x.example.", false, std::nullopt, "10.0.0.9");
  CHECK(r.outcome == Outcome::Now);
  CHECK(header_of(r.bytes).rcode == uint8_t(Rcode::NXDomain));
  // And others still get the cached answer.
  size_t asked = rig.backend.asked.size();
  r = rig.ask("x.example.", false, std::nullopt, "10.0.0.2");
  CHECK(header_of(r.bytes).ancount == 1);
  CHECK(rig.backend.asked.size() == asked);
}

TEST_CASE("pipeline rpz: TCP-only truncates over UDP and resolves over TCP; DROP sends nothing") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"t.example CNAME rpz-tcp-only.\nd.example CNAME rpz-drop.\n"}));
  rig.backend.addresses["t.example."] = "198.51.100.7";
  auto r = rig.ask("t.example.");
  CHECK(header_of(r.bytes).tc);
  CHECK(header_of(r.bytes).ancount == 0);
  r = rig.ask("t.example.", true);
  CHECK_FALSE(header_of(r.bytes).tc);
  CHECK(header_of(r.bytes).ancount == 1);
  CHECK(rig.ask("d.example.").outcome == Outcome::Drop);
}

TEST_CASE("pipeline rpz: a CNAME to a walled garden is followed by the garden's answer") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"ads.example CNAME garden.example.net.\n"}));
  rig.backend.addresses["garden.example.net."] = "203.0.113.10";
  auto r = rig.ask("ads.example.");
  REQUIRE(rig.backend.asked.size() == 1);
  CHECK(rig.backend.asked[0] == "garden.example.net.");
  auto msg = wire::MessageView::parse(r.bytes);
  REQUIRE(msg);
  REQUIRE(msg->answer().size() == 2);
  CHECK(msg->answer()[0].type() == RRType::CNAME);
  CHECK(msg->answer()[1].type() == RRType::A);
  CHECK(rig.cache.entries.empty());
}

TEST_CASE("pipeline rpz: a new policy takes effect at once and the generation keeps old answers out") {
  Rig rig;
  rig.backend.addresses["x.example."] = "198.51.100.7";
  CHECK(header_of(rig.ask("x.example.").bytes).ancount == 1);
  CHECK(rig.cache.entries.size() == 1);
  rig.cache.clear();  // what Worker::set_rpz_policy does with the swap
  rig.pipeline.set_rpz_policy(rpz({"x.example CNAME .\n"}));
  CHECK(header_of(rig.ask("x.example.").bytes).rcode == uint8_t(Rcode::NXDomain));
  rig.pipeline.set_rpz_policy(nullptr);
  CHECK(header_of(rig.ask("x.example.").bytes).ancount == 1);
}

TEST_CASE("pipeline rpz: an NSDNAME trigger rewrites answers from zones served by that server") {
  Rig rig;
  rig.pipeline.set_rpz_policy(rpz({"ns.evil.example.rpz-nsdname CNAME .\n"}));
  rig.backend.addresses["x.example."] = "198.51.100.7";
  rig.backend.addresses["y.example."] = "198.51.100.8";
  rig.backend.servers["x.example."] = "ns.evil.example.";
  rig.backend.servers["y.example."] = "ns.good.example.";
  CHECK(header_of(rig.ask("x.example.").bytes).rcode == uint8_t(Rcode::NXDomain));
  CHECK(header_of(rig.ask("y.example.").bytes).ancount == 1);
}
