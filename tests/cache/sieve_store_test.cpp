#include "cache/sieve_store.h"

#include <catch2/catch.hpp>
#include <vector>

namespace tern::cache {
namespace {

struct TestEntry : SieveNode {
  int key = 0;
  bool dead = false;
  static void destroy(TestEntry* e) { delete e; }
};

TestEntry* make(int key, uint64_t hash, uint32_t bytes = 100) {
  auto* e = new TestEntry();
  e->key = key;
  e->hash = hash;
  e->bytes = bytes;
  return e;
}

TestEntry* find(SieveStore<TestEntry>& s, int key, uint64_t hash) {
  return s.find(hash, [&](const TestEntry& e) { return e.key == key; });
}

auto never_dead = [](const TestEntry&) { return false; };

}  // namespace

TEST_CASE("SieveStore: entries sharing one hash are told apart by the key", "[sieve]") {
  SieveStore<TestEntry> s(1 << 20);
  for (int k = 0; k < 50; ++k) REQUIRE(s.insert(make(k, 7), never_dead));
  for (int k = 0; k < 50; ++k) {
    auto* e = find(s, k, 7);
    REQUIRE(e != nullptr);
    CHECK(e->key == k);
  }
  CHECK(find(s, 99, 7) == nullptr);
  s.erase(find(s, 25, 7));
  CHECK(find(s, 25, 7) == nullptr);
  CHECK(find(s, 24, 7) != nullptr);
  CHECK(s.count() == 49);
}

TEST_CASE("SieveStore: bytes count entries and the bucket array, and stay within budget", "[sieve]") {
  SieveStore<TestEntry> s(10'000);
  for (int k = 0; k < 1000; ++k) {
    s.insert(make(k, uint64_t(k) * 0x9e3779b97f4a7c15ull), never_dead);
    REQUIRE(s.bytes() <= 10'000);
  }
  CHECK(s.count() > 50);
  CHECK(s.evictions() == 1000 - s.count());
  size_t entries = s.count() * 100;
  CHECK(s.bytes() > entries);  // the bucket array is counted too
}

TEST_CASE("SieveStore: visited entries survive a stream of one-hit wonders", "[sieve]") {
  // 20 entries fit; keys 0..4 are hot and asked for between every insertion of new keys.
  SieveStore<TestEntry> s(20 * 100 + allocation_bytes(32 * sizeof(void*)));
  auto hash = [](int k) { return uint64_t(k) * 0x9e3779b97f4a7c15ull; };
  for (int k = 0; k < 5; ++k) s.insert(make(k, hash(k)), never_dead);
  for (int k = 100; k < 2000; ++k) {
    for (int h = 0; h < 5; ++h) {
      auto* e = find(s, h, hash(h));
      REQUIRE(e != nullptr);
      e->visited = true;
    }
    s.insert(make(k, hash(k)), never_dead);
  }
  for (int h = 0; h < 5; ++h) CHECK(find(s, h, hash(h)) != nullptr);
}

TEST_CASE("SieveStore: dead entries go first even when visited", "[sieve]") {
  SieveStore<TestEntry> s(3 * 100 + SieveStore<TestEntry>::index_bytes(SieveStore<TestEntry>::kMinSlots));
  auto is_dead = [](const TestEntry& e) { return e.dead; };
  auto* a = make(1, 1);
  auto* b = make(2, 2);
  auto* c = make(3, 3);
  s.insert(a, is_dead);
  s.insert(b, is_dead);
  s.insert(c, is_dead);
  a->visited = true;
  b->visited = true;
  b->dead = true;
  c->visited = true;
  s.insert(make(4, 4), is_dead);
  CHECK(find(s, 2, 2) == nullptr);
  CHECK(find(s, 1, 1) != nullptr);
  CHECK(find(s, 3, 3) != nullptr);
  CHECK(find(s, 4, 4) != nullptr);
}

TEST_CASE("SieveStore: an entry bigger than the budget is refused", "[sieve]") {
  SieveStore<TestEntry> s(500);
  CHECK_FALSE(s.insert(make(1, 1, 600), never_dead));
  CHECK(s.count() == 0);
  CHECK(s.bytes() == 0);
}

TEST_CASE("SieveStore: moves leave the source empty", "[sieve]") {
  SieveStore<TestEntry> a(1 << 20);
  for (int k = 0; k < 10; ++k) a.insert(make(k, uint64_t(k)), never_dead);
  SieveStore<TestEntry> b(std::move(a));
  CHECK(b.count() == 10);
  CHECK(find(b, 3, 3) != nullptr);
  CHECK(a.count() == 0);  // NOLINT: checking the moved-from state on purpose
  CHECK(a.bytes() == 0);
  SieveStore<TestEntry> c(100);
  c.insert(make(99, 99, 50), never_dead);
  c = std::move(b);
  CHECK(c.count() == 10);
  CHECK(find(c, 99, 99) == nullptr);
  CHECK(c.budget() == size_t(1) << 20);
}

TEST_CASE("SieveStore: erase_if and clear", "[sieve]") {
  SieveStore<TestEntry> s(1 << 20);
  for (int k = 0; k < 10; ++k) s.insert(make(k, uint64_t(k)), never_dead);
  CHECK(s.erase_if([](const TestEntry& e) { return e.key % 2 == 0; }) == 5);
  int seen = 0;
  s.for_each([&](const TestEntry& e) {
    CHECK(e.key % 2 == 1);
    ++seen;
  });
  CHECK(seen == 5);
  s.clear();
  CHECK(s.count() == 0);
  CHECK(s.bytes() == 0);
}

}  // namespace tern::cache

namespace tern::cache {

// The index is open addressing: erasing from the middle of a probe cluster (including one that
// wraps past the last slot) must keep every other entry reachable, and leave no stale slot behind.
TEST_CASE("SieveStore: erasing inside crowded probe clusters keeps the rest reachable", "[sieve]") {
  SieveStore<TestEntry> s(1 << 24);
  // Few distinct home slots (low bits), some at the top of the table so clusters wrap; tags
  // (bits 32..47) equal for many keys, so the key compare has to decide.
  auto hash = [](int k) { return (uint64_t(k % 4) << 32) | uint64_t(k % 3 == 0 ? 0x3ff : k % 5); };
  for (int k = 0; k < 600; ++k) REQUIRE(s.insert(make(k, hash(k)), never_dead));
  std::vector<bool> erased(600, false);
  for (int k = 0; k < 600; k += 7) {
    s.erase(find(s, k, hash(k)));
    erased[k] = true;
  }
  for (int k = 0; k < 600; ++k) {
    if (erased[k]) {
      CHECK(find(s, k, hash(k)) == nullptr);
    } else {
      auto* e = find(s, k, hash(k));
      REQUIRE(e != nullptr);
      CHECK(e->key == k);
    }
  }
  CHECK(s.count() == 600 - (600 + 6) / 7);
  // Re-inserting the erased keys finds free slots again.
  for (int k = 0; k < 600; k += 7) REQUIRE(s.insert(make(k, hash(k)), never_dead));
  for (int k = 0; k < 600; ++k) CHECK(find(s, k, hash(k)) != nullptr);
}

}  // namespace tern::cache
