#include "cache/caches.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "fixtures.h"

namespace tern::cache {
namespace {

using namespace test;
using wire::RRClass;
using wire::RRType;

CacheLimits small(size_t bytes) {
  CacheLimits l;
  l.bytes = bytes;
  return l;
}

}  // namespace

TEST_CASE("Caches: one budget split between the caches", "[caches]") {
  Caches c(small(10 << 20));
  CHECK(c.packet_cache_budget(2) == share_of(10 << 20, kPacketSharePercent) / 2);
  size_t flood = 0;
  auto soa = soa_rrset("example.", 3600, 3600);
  for (int n = 0; n < 60000; ++n) {
    std::string owner = std::string("n").append(std::to_string(n)).append(".example.");
    c.rrsets().insert(a_rrset(owner, 3600, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
    c.negative().insert_nxdomain(name("x" + owner), RRClass::IN, soa, Trust::AnswerAuth, at(0));
    c.servers().record_rtt(ServerKey::ipv4({10, 0, uint8_t(n >> 8), uint8_t(n)}),
                           std::chrono::milliseconds(5), mono_at(0));
    ++flood;
  }
  CHECK(c.rrsets().memory_bytes() <= share_of(10 << 20, kRRsetSharePercent));
  CHECK(c.negative().memory_bytes() <= share_of(10 << 20, kNegativeSharePercent));
  CHECK(c.servers().memory_bytes() <= share_of(10 << 20, kServerSharePercent));
  CHECK(c.memory_bytes() + c.packet_cache_budget(1) <= size_t(10 << 20));
  CHECK(c.rrsets().size() > 20000);  // ~100 bytes per A entry: tens of thousands fit
}

TEST_CASE("Caches: flushes reach every cache and the packet caches", "[caches]") {
  Caches c(small(8 << 20));
  PacketCache pc = c.make_packet_cache(1);
  auto q = query("www.example.com.", 1);
  REQUIRE(pc.insert(q, response(q, 0, {{"www.example.com.", 1, 300, ipv4(192, 0, 2, 1)}}), at(0)));
  c.rrsets().insert(a_rrset("www.example.com.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth, at(0));
  c.negative().insert_nodata(name("www.example.com."), RRType::AAAA, RRClass::IN,
                             soa_rrset("example.com.", 300, 300), Trust::AnswerAuth, at(0));
  c.rrsets().insert(a_rrset("other.example.org.", 300, {ipv4(192, 0, 2, 2)}), Trust::AnswerAuth, at(0));

  std::ostringstream out;
  c.dump(out, at(0));
  CHECK(out.str().find("; negative NODATA www.example.com. IN AAAA") != std::string::npos);

  auto count = c.flush_subtree(name("example.com."));
  CHECK(count.rrsets == 1);
  CHECK(count.negative == 1);
  std::vector<uint8_t> buf;
  CHECK_FALSE(pc.lookup(q, at(1), buf));
  CHECK(c.rrsets().lookup(name("other.example.org."), RRType::A, RRClass::IN, at(1)));

  c.flush_all();
  CHECK(c.rrsets().size() == 0);
  CHECK(c.negative().size() == 0);
}

TEST_CASE("Caches: threads inserting and looking up concurrently", "[caches][threads]") {
  Caches c(small(4 << 20));
  auto worker = [&](int id) {
    PacketCache pc = c.make_packet_cache(2);
    std::vector<uint8_t> buf;
    for (int i = 0; i < 4000; ++i) {
      std::string owner =
          std::string("t").append(std::to_string(id)).append("-").append(std::to_string(i % 500)).append(".example.");
      auto now = at(i * 0.01);
      if (!c.rrsets().lookup(name(owner), RRType::A, RRClass::IN, now)) {
        c.rrsets().insert(a_rrset(owner, 60, {ipv4(192, 0, 2, uint8_t(i))}), Trust::AnswerAuth, now);
      }
      c.negative().insert_nodata(name(owner), RRType::AAAA, RRClass::IN,
                                 soa_rrset("example.", 60, 60), Trust::AnswerAuth, now);
      c.negative().lookup(name(owner), RRType::AAAA, RRClass::IN, now);
      c.servers().record_rtt(ServerKey::ipv4({127, 53, 0, uint8_t(i % 7)}),
                             std::chrono::milliseconds(i % 50), mono_at(0));
      auto q = query(owner, 1);
      if (!pc.lookup(q, now, buf)) pc.insert(q, response(q, 0, {{owner, 1, 60, ipv4(192, 0, 2, 1)}}), now);
      if (i % 1000 == 999) c.flush_name(name(owner));
    }
  };
  std::thread a(worker, 1), b(worker, 2);
  a.join();
  b.join();
  for (int id : {1, 2}) {
    std::string owner = std::string("t").append(std::to_string(id)).append("-100.example.");
    CHECK(c.rrsets().lookup(name(owner), RRType::A, RRClass::IN, at(39.99)));
  }
  CHECK(c.memory_bytes() <= size_t(4 << 20));
}

}  // namespace tern::cache

namespace tern::cache {

TEST_CASE("Caches: store_rrset stores positive data and drops the denials it contradicts",
          "[caches]") {
  using namespace test;
  Caches c(CacheLimits{});
  auto soa = soa_rrset("example.", 300, 300);
  c.negative().insert_nodata(name("www.example."), wire::RRType::A, wire::RRClass::IN, soa,
                             Trust::AuthorityAuth, at(0));
  c.negative().insert_nxdomain(name("example."), wire::RRClass::IN, soa, Trust::AuthorityAuth,
                               at(0));
  REQUIRE(c.store_rrset(a_rrset("www.example.", 300, {ipv4(192, 0, 2, 1)}), Trust::AnswerAuth,
                        at(10)));
  CHECK(c.rrsets().lookup(name("www.example."), wire::RRType::A, wire::RRClass::IN, at(11)));
  CHECK_FALSE(c.negative().lookup(name("www.example."), wire::RRType::A, wire::RRClass::IN, at(11)));
  CHECK_FALSE(c.negative().lookup(name("example."), wire::RRType::A, wire::RRClass::IN, at(11)));

  SECTION("a TTL-0 RRset is not stored but still proves the name exists") {
    c.negative().insert_nodata(name("zero.example."), wire::RRType::A, wire::RRClass::IN, soa,
                               Trust::AuthorityAuth, at(20));
    c.store_rrset(a_rrset("zero.example.", 0, {ipv4(192, 0, 2, 9)}), Trust::AnswerAuth, at(21));
    CHECK_FALSE(c.rrsets().lookup(name("zero.example."), wire::RRType::A, wire::RRClass::IN, at(21)));
    CHECK_FALSE(c.negative().lookup(name("zero.example."), wire::RRType::A, wire::RRClass::IN, at(21)));
  }
  SECTION("glue does not lift an authoritative NXDOMAIN") {
    c.negative().insert_nxdomain(name("ns.gone.example."), wire::RRClass::IN, soa,
                                 Trust::AuthorityAuth, at(20));
    c.store_rrset(a_rrset("ns.gone.example.", 300, {ipv4(192, 0, 2, 9)}), Trust::Glue, at(21));
    CHECK(c.negative().lookup(name("ns.gone.example."), wire::RRType::A, wire::RRClass::IN, at(21)));
  }
}

}  // namespace tern::cache

namespace tern::cache {

TEST_CASE("Caches: parent-side glue survives the child's authoritative data", "[caches]") {
  using namespace test;
  Caches c(CacheLimits{});
  const auto ns = name("ns.example.net.");
  c.parent_glue().insert(a_rrset("ns.example.net.", 300, {ipv4(192, 0, 2, 44)}), Trust::Glue, at(0));
  c.store_rrset(a_rrset("ns.example.net.", 300, {ipv4(192, 0, 2, 44)}), Trust::Glue, at(0));
  c.store_rrset(a_rrset("ns.example.net.", 300, {ipv4(192, 0, 2, 55)}), Trust::AnswerAuth, at(1));

  auto child = c.rrsets().lookup(ns, RRType::A, RRClass::IN, at(2));
  REQUIRE(child);
  CHECK(child->rrset.same_data(a_rrset("ns.example.net.", 300, {ipv4(192, 0, 2, 55)})));
  auto parent = c.parent_glue().lookup(ns, RRType::A, RRClass::IN, at(2));
  REQUIRE(parent);
  CHECK(parent->trust == Trust::Glue);
  CHECK(parent->rrset.same_data(a_rrset("ns.example.net.", 300, {ipv4(192, 0, 2, 44)})));
  CHECK(c.memory_bytes() >= c.parent_glue().memory_bytes());

  SECTION("operator flushes reach it") {
    c.flush_name(ns);
    CHECK_FALSE(c.parent_glue().lookup(ns, RRType::A, RRClass::IN, at(3)));
  }
  SECTION("flush_all reaches it") {
    c.flush_all();
    CHECK(c.parent_glue().size() == 0);
  }
}

}  // namespace tern::cache
