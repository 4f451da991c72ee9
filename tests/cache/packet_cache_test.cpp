#include "cache/packet_cache.h"

#include <catch2/catch.hpp>

#include "cache/name_key.h"
#include "fixtures.h"

namespace tern::cache {
namespace {

using namespace test;

constexpr uint16_t kA = 1;
constexpr uint16_t kSoa = 6;

// A: 12 header + qname(www.example.com. = 17) + 4 = offset 33 is where the answer starts; its owner
// is 17 bytes, then type(2) class(2): the first TTL sits at 33 + 21 = 54.
constexpr size_t kFirstTtl = 54;

uint64_t constant_hash(std::span<const uint8_t>, uint64_t) { return 42; }

}  // namespace

TEST_CASE("PacketCache: a hit patches ID, qname spelling and TTLs", "[packet]") {
  PacketCache c(1 << 20);
  auto q = query("www.example.com.", kA);
  auto r = response(q, 0,
                    {{"www.example.com.", kA, 300, ipv4(192, 0, 2, 1)},
                     {"www.example.com.", kA, 600, ipv4(192, 0, 2, 2)}});
  REQUIRE(c.insert(q, r, at(0)));

  QueryOpts o;
  o.id = 0xabcd;
  auto q2 = query("wWw.ExAmple.COM.", kA, o);
  std::vector<uint8_t> out;
  REQUIRE(c.lookup(q2, at(100.7), out));
  REQUIRE(out.size() == r.size());
  CHECK(out[0] == 0xab);
  CHECK(out[1] == 0xcd);
  CHECK(std::equal(q2.begin() + 12, q2.begin() + 29, out.begin() + 12));  // client's spelling
  CHECK(read32_at(out, kFirstTtl) == 200);
  CHECK(read32_at(out, kFirstTtl + 4 + 2 + 4 + 17 + 4) == 500);
  // Everything else is the stored response.
  auto expect = r;
  std::copy(out.begin(), out.begin() + 2, expect.begin());
  std::copy(q2.begin() + 12, q2.begin() + 29, expect.begin() + 12);
  std::copy(out.begin() + kFirstTtl, out.begin() + kFirstTtl + 4, expect.begin() + kFirstTtl);
  std::copy(out.begin() + kFirstTtl + 31, out.begin() + kFirstTtl + 35, expect.begin() + kFirstTtl + 31);
  CHECK(out == expect);

  REQUIRE(c.lookup(q2, at(299.9), out));
  CHECK(read32_at(out, kFirstTtl) == 1);
  CHECK_FALSE(c.lookup(q2, at(300), out));  // lives as long as the smallest TTL
  CHECK(c.size() == 0);
  CHECK(c.hits() == 2);
  CHECK(c.misses() == 1);
}

TEST_CASE("PacketCache: the flags that change an answer are part of the key", "[packet]") {
  PacketCache c(1 << 20);
  auto q = query("www.example.com.", kA);
  REQUIRE(c.insert(q, response(q, 0, {{"www.example.com.", kA, 300, ipv4(192, 0, 2, 1)}}), at(0)));
  std::vector<uint8_t> out;
  CHECK(c.lookup(q, at(1), out));
  CHECK_FALSE(c.lookup(q, at(1), out, /*tcp=*/true));
  CHECK_FALSE(c.lookup(query("www.example.com.", kA, opts([](QueryOpts& o) { o.cd = true; })), at(1), out));
  CHECK_FALSE(c.lookup(query("www.example.com.", kA, opts([](QueryOpts& o) { o.do_bit = true; })), at(1), out));
  CHECK_FALSE(c.lookup(query("www.example.com.", kA, opts([](QueryOpts& o) { o.rd = false; })), at(1), out));
  CHECK_FALSE(c.lookup(query("www.example.com.", kA, opts([](QueryOpts& o) { o.edns = false; })), at(1), out));
  CHECK_FALSE(c.lookup(query("www.example.com.", kA, opts([](QueryOpts& o) { o.udp_size = 4096; })), at(1), out));
  CHECK(c.lookup(query("www.example.com.", kA, opts([](QueryOpts& o) { o.udp_size = 1400; })), at(1), out));
  CHECK_FALSE(c.lookup(query("www.example.com.", 28), at(1), out));
  CHECK_FALSE(c.lookup(query("ww.example.com.", kA), at(1), out));
}

TEST_CASE("PacketCache: colliding hashes are told apart by the full question", "[packet]") {
  PacketCache c(1 << 20, 86400, nullptr, &constant_hash);
  std::vector<std::string> names = {"a.example.", "b.example.", "A.example.com.", "c.example."};
  for (size_t i = 0; i < names.size(); ++i) {
    auto q = query(names[i], kA);
    REQUIRE(c.insert(q, response(q, 0, {{names[i], kA, 300, ipv4(192, 0, 2, uint8_t(i))}}), at(0)));
  }
  auto qaaaa = query("a.example.", 28);
  REQUIRE(c.insert(qaaaa, response(qaaaa, 0, {{"a.example.", 28, 300, std::vector<uint8_t>(16, 7)}}), at(0)));
  CHECK(c.size() == 5);
  std::vector<uint8_t> out;
  for (size_t i = 0; i < names.size(); ++i) {
    REQUIRE(c.lookup(query(names[i], kA), at(1), out));
    CHECK(out[out.size() - 11 - 1] == uint8_t(i));  // last A octet before the OPT record
  }
  REQUIRE(c.lookup(qaaaa, at(1), out));
  CHECK(out.size() == qaaaa.size() + 11 + 10 + 16);
  CHECK_FALSE(c.lookup(query("d.example.", kA), at(1), out));
  // Re-insert replaces the colliding entry with the same question only.
  auto qb = query("b.example.", kA);
  REQUIRE(c.insert(qb, response(qb, 0, {{"b.example.", kA, 60, ipv4(203, 0, 113, 9)}}), at(2)));
  CHECK(c.size() == 5);
  REQUIRE(c.lookup(qb, at(3), out));
  CHECK(out[out.size() - 12] == 9);
}

TEST_CASE("PacketCache: one per worker thread, kept in a vector", "[packet]") {
  std::vector<PacketCache> per_thread;
  for (int i = 0; i < 4; ++i) per_thread.emplace_back(1 << 20);
  auto q = query("www.example.com.", kA);
  REQUIRE(per_thread[2].insert(q, response(q, 0, {{"www.example.com.", kA, 300, ipv4(192, 0, 2, 1)}}), at(0)));
  per_thread.emplace_back(1 << 20);  // reallocation moves the caches
  std::vector<uint8_t> out;
  CHECK(per_thread[2].lookup(q, at(1), out));
  CHECK_FALSE(per_thread[0].lookup(q, at(1), out));
}

TEST_CASE("PacketCache: what is never stored", "[packet]") {
  PacketCache c(1 << 20);
  auto q = query("www.example.com.", kA);
  CHECK_FALSE(c.insert(q, response(q, 0, {{"www.example.com.", kA, 0, ipv4(192, 0, 2, 1)}}), at(0)));
  CHECK_FALSE(c.insert(q, response(q, 2 /* SERVFAIL */, {}), at(0), false, 30));
  auto other = query("other.example.com.", kA);
  CHECK_FALSE(c.insert(q, response(other, 0, {{"other.example.com.", kA, 300, ipv4(192, 0, 2, 1)}}), at(0)));
  CHECK_FALSE(c.insert(q, std::vector<uint8_t>{1, 2, 3}, at(0)));
  CHECK_FALSE(c.insert(q, response(q, 0, {}), at(0)));  // no records, no TTL given
  CHECK(c.size() == 0);
  CHECK(c.insert(q, response(q, 0, {}), at(0), false, 30));
}

TEST_CASE("PacketCache: NXDOMAIN lives for the SOA TTL in the response", "[packet]") {
  PacketCache c(1 << 20);
  auto q = query("nx.example.com.", kA);
  REQUIRE(c.insert(q, response(q, 3, {}, {{"example.com.", kSoa, 120, soa_rdata("example.com.", 120)}}), at(0)));
  std::vector<uint8_t> out;
  REQUIRE(c.lookup(q, at(119), out));
  CHECK((out[3] & 0x0f) == 3);
  CHECK_FALSE(c.lookup(q, at(120), out));
}

TEST_CASE("PacketCache: prefetch is due once, in the last 10% of the entry's lifetime", "[packet]") {
  PacketCache c(1 << 20);
  auto q = query("www.example.com.", kA);
  // The entry lives 100 s (its smallest TTL): the last 10% starts at 90 s.
  auto r = response(q, 0,
                    {{"www.example.com.", kA, 100, ipv4(192, 0, 2, 1)},
                     {"www.example.com.", kA, 600, ipv4(192, 0, 2, 2)}});
  REQUIRE(c.insert(q, r, at(0)));
  std::vector<uint8_t> out;
  bool due = true;
  REQUIRE(c.lookup(q, at(1), out, false, &due));
  CHECK_FALSE(due);
  REQUIRE(c.lookup(q, at(89.999), out, false, &due));
  CHECK_FALSE(due);
  // Without the out-parameter nothing is reported and the flag stays unset.
  REQUIRE(c.lookup(q, at(90), out));
  REQUIRE(c.lookup(q, at(90), out, false, &due));
  CHECK(due);
  CHECK(read32_at(out, kFirstTtl) == 10);  // still served from the cache
  // A flood of later hits asks once per stored entry.
  for (int i = 0; i < 100; ++i) {
    REQUIRE(c.lookup(q, at(91 + i * 0.05), out, false, &due));
    CHECK_FALSE(due);
  }
  // A miss reports nothing.
  CHECK_FALSE(c.lookup(q, at(100), out, false, &due));
  CHECK_FALSE(due);

  // The refreshed response replaces the entry: a fresh flag, a fresh lifetime.
  REQUIRE(c.insert(q, r, at(95)));
  REQUIRE(c.lookup(q, at(96), out, false, &due));
  CHECK_FALSE(due);
  CHECK(read32_at(out, kFirstTtl) == 99);
  REQUIRE(c.lookup(q, at(185.5), out, false, &due));
  CHECK(due);

  // The same rule through the PacketKey overload, on an entry with a 10 s lifetime.
  auto q2 = query("short.example.com.", kA);
  REQUIRE(c.insert(q2, response(q2, 0, {{"short.example.com.", kA, 10, ipv4(192, 0, 2, 3)}}), at(0)));
  auto key = packet_key(q2, false);
  REQUIRE(key);
  REQUIRE(c.lookup(*key, at(8.999), out, &due));
  CHECK_FALSE(due);
  REQUIRE(c.lookup(*key, at(9), out, &due));
  CHECK(due);
  REQUIRE(c.lookup(*key, at(9.5), out, &due));
  CHECK_FALSE(due);
}

TEST_CASE("PacketCache: TTLs above max_ttl are capped", "[packet]") {
  PacketCache c(1 << 20, 3600);
  auto q = query("www.example.com.", kA);
  REQUIRE(c.insert(q, response(q, 0, {{"www.example.com.", kA, 86400, ipv4(192, 0, 2, 1)}}), at(0)));
  std::vector<uint8_t> out;
  REQUIRE(c.lookup(q, at(10), out));
  CHECK(read32_at(out, kFirstTtl) == 3590);
  CHECK_FALSE(c.lookup(q, at(3600), out));
}

TEST_CASE("PacketCache: bounded in bytes, flushed by the epoch", "[packet]") {
  std::atomic<uint64_t> epoch{0};
  const size_t budget = 64 << 10;
  PacketCache c(budget, 86400, &epoch);
  for (int i = 0; i < 5000; ++i) {
    std::string n = std::string("n").append(std::to_string(i)).append(".example.");
    auto q = query(n, kA);
    c.insert(q, response(q, 0, {{n, kA, 300, ipv4(192, 0, 2, 1)}}), at(0));
    REQUIRE(c.memory_bytes() <= budget);
  }
  CHECK(c.size() > 100);
  std::vector<uint8_t> out;
  CHECK(c.lookup(query("n4999.example.", kA), at(1), out));
  epoch.fetch_add(1);
  CHECK_FALSE(c.lookup(query("n4999.example.", kA), at(1), out));
  CHECK(c.size() == 0);
}

}  // namespace tern::cache

namespace tern::cache {

TEST_CASE("PacketCache: mutated queries and responses never crash or answer wrongly", "[packet]") {
  using namespace test;
  PacketCache c(1 << 20);
  auto q = query("www.example.com.", 1);
  auto r = response(q, 0, {{"www.example.com.", 1, 300, ipv4(192, 0, 2, 1)}});
  REQUIRE(c.insert(q, r, at(0)));
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(seed >> 33);
  };
  std::vector<uint8_t> out;
  auto mutate = [&](std::vector<uint8_t> p) {
    for (int k = 0; k < 3; ++k) p[next() % p.size()] = uint8_t(next());
    return p;
  };
  // Lookups of mutated queries against the one stored answer: a hit only for the same key.
  auto b = packet_key(q);
  for (int i = 0; i < 20000; ++i) {
    auto mq = mutate(q);
    if (c.lookup(mq, at(1), out)) {
      auto a = packet_key(mq);
      REQUIRE(a);
      CHECK(a->flags == b->flags);
      CHECK(a->qtype == b->qtype);
      CHECK(a->qclass == b->qclass);
      CHECK(wire_equal_ci(a->qname(), b->qname()));
      CHECK(out.size() == r.size());
    }
  }
  // Inserting mutated pairs: never a crash, never past the budget.
  PacketCache d(16 << 10);
  for (int i = 0; i < 20000; ++i) {
    d.insert(mutate(q), mutate(r), at(1));
    REQUIRE(d.memory_bytes() <= size_t(16 << 10));
    d.lookup(mutate(q), at(2), out);
  }
}

}  // namespace tern::cache
