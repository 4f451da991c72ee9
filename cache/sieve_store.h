// SieveStore: a hash table of intrusive entries bounded in bytes, evicting with SIEVE
// (Zhang et al., NSDI '24: "SIEVE is simpler than LRU").
//
// Why SIEVE: a DNS cache under a flood of unique names (random-subdomain attacks, scanners) sees
// mostly one-hit wonders. LRU moves every new name to the front, so a flood pushes out the whole
// popular set. SIEVE keeps a FIFO queue with one "visited" bit per entry and a hand that sweeps
// from the oldest entry towards the newest: visited entries get their bit cleared and stay where
// they are; the first unvisited entry is evicted. New names that are never asked for again are
// evicted on the hand's first pass, while any entry hit since the hand last passed survives. A hit
// only sets a bit (no list surgery), which keeps the hit path short. Compared with S3-FIFO it needs
// no ghost queue, and with CLOCK-Pro no hot/cold/test bookkeeping; its miss ratio on web and CDN
// traces is as good or better than both.
//
// Entries whose data is dead (expired beyond the serve-stale window) are evicted first when the
// hand meets them, whatever their bit.
//
// Index: open addressing with linear probing over two parallel arrays, a 16-bit tag per slot
// (hash bits that neither the slot index nor the shard choice uses) and the entry pointer. A
// lookup reads tags until it meets an empty slot, and dereferences an entry only when its tag
// matches. Why: on the cache-miss path most lookups are for names that are not there (the
// answer, CNAME, DNAME at each ancestor, NS at each ancestor); with chained buckets each of those
// touched a cold entry in RAM, which perf showed as most of the lookup time. The tag array is 2
// bytes a slot, so the probe of an absent key is usually one cache line. Deletion shifts the
// cluster back (no tombstones), so probe lengths do not decay under churn.
//
// Accounting: every entry reports its real allocation size (allocation_bytes() of its one block,
// trailing key and data included) in SieveNode::bytes, and both index arrays are counted too.
// Not thread-safe: Sharded wraps one store per mutex; PacketCache owns one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "cache/name_key.h"

namespace tern::cache {

struct SieveNode {
  SieveNode* newer = nullptr;  // towards the head (most recently inserted)
  SieveNode* older = nullptr;  // towards the tail (oldest)
  uint64_t hash = 0;
  uint32_t bytes = 0;  // accounted size of the entry's allocation
  bool visited = false;
};

// Entry must derive from SieveNode and provide `static void destroy(Entry*)`.
template <class Entry>
class SieveStore {
 public:
  explicit SieveStore(size_t budget_bytes) : budget_(budget_bytes) {}
  ~SieveStore() { clear(); }
  SieveStore(const SieveStore&) = delete;
  SieveStore& operator=(const SieveStore&) = delete;
  // Movable, so a per-thread PacketCache can live in a container; the source is left empty.
  SieveStore(SieveStore&& other) noexcept { take(other); }
  SieveStore& operator=(SieveStore&& other) noexcept {
    if (this != &other) {
      clear();
      take(other);
    }
    return *this;
  }

  // The entry with this hash for which eq(entry) holds, or nullptr. Does not mark it visited.
  template <class Eq>
  Entry* find(uint64_t hash, Eq&& eq) const {
    if (slots_.empty()) return nullptr;
    const uint16_t t = tag_of(hash);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask; tags_[i] != 0; i = (i + 1) & mask) {
      if (tags_[i] != t) continue;
      SieveNode* n = slots_[i];
      if (n->hash == hash && eq(static_cast<const Entry&>(*n))) return static_cast<Entry*>(n);
    }
    return nullptr;
  }

  // Takes ownership of e (whose key the caller has made unique), then evicts until the store fits
  // its budget: entries for which dead(entry) holds as the hand meets them, else by SIEVE. Returns
  // false, destroying e, when e alone could never fit.
  template <class Dead>
  bool insert(Entry* e, Dead&& dead) {
    static_assert(std::is_base_of_v<SieveNode, Entry>);
    if (e->bytes + index_bytes(kMinSlots) > budget_) {
      Entry::destroy(e);
      return false;
    }
    if ((count_ + 1) * 4 > slots_.size() * 3) grow();  // load factor <= 3/4
    place(e);
    e->visited = false;
    e->older = head_;
    e->newer = nullptr;
    if (head_ != nullptr) head_->newer = e;
    head_ = e;
    if (tail_ == nullptr) tail_ = e;
    ++count_;
    entry_bytes_ += e->bytes;
    while (bytes() > budget_ && count_ > 0) evict_one(dead);
    return true;
  }

  void erase(Entry* e) {
    unlink(e);
    Entry::destroy(e);
  }

  // Erases every entry for which pred(entry) holds; returns how many.
  template <class Pred>
  size_t erase_if(Pred&& pred) {
    size_t erased = 0;
    for (SieveNode* n = head_; n != nullptr;) {
      SieveNode* next = n->older;
      if (pred(static_cast<const Entry&>(*n))) {
        erase(static_cast<Entry*>(n));
        ++erased;
      }
      n = next;
    }
    return erased;
  }

  // Visits every entry, newest first.
  template <class F>
  void for_each(F&& f) const {
    for (SieveNode* n = head_; n != nullptr; n = n->older) f(static_cast<const Entry&>(*n));
  }

  void clear() {
    for (SieveNode* n = head_; n != nullptr;) {
      SieveNode* next = n->older;
      Entry::destroy(static_cast<Entry*>(n));
      n = next;
    }
    head_ = tail_ = hand_ = nullptr;
    count_ = 0;
    entry_bytes_ = 0;
    tags_.clear();
    tags_.shrink_to_fit();
    slots_.clear();
    slots_.shrink_to_fit();
  }

  size_t bytes() const {
    return entry_bytes_ + (slots_.empty() ? 0 : index_bytes(slots_.size()));
  }
  size_t count() const { return count_; }
  // What an index of `slots` slots costs (both arrays), as bytes() counts it.
  static constexpr size_t index_bytes(size_t slots) {
    return allocation_bytes(slots * sizeof(SieveNode*)) + allocation_bytes(slots * sizeof(uint16_t));
  }
  static constexpr size_t kMinSlots = 16;
  size_t budget() const { return budget_; }
  uint64_t evictions() const { return evictions_; }

 private:
  template <class Dead>
  void evict_one(Dead&& dead) {
    SieveNode* n = hand_ != nullptr ? hand_ : tail_;
    while (n->visited && !dead(static_cast<const Entry&>(*n))) {
      n->visited = false;
      n = n->newer != nullptr ? n->newer : tail_;
    }
    hand_ = n->newer;
    ++evictions_;
    erase(static_cast<Entry*>(n));
  }

  void take(SieveStore& o) {
    budget_ = o.budget_;
    count_ = o.count_;
    entry_bytes_ = o.entry_bytes_;
    evictions_ = o.evictions_;
    head_ = o.head_;
    tail_ = o.tail_;
    hand_ = o.hand_;
    tags_ = std::move(o.tags_);
    slots_ = std::move(o.slots_);
    o.tags_.clear();
    o.slots_.clear();
    o.count_ = 0;
    o.entry_bytes_ = 0;
    o.head_ = o.tail_ = o.hand_ = nullptr;
  }

  void unlink(SieveNode* n) {
    remove_slot(n);
    if (hand_ == n) hand_ = n->newer;
    if (n->newer != nullptr) n->newer->older = n->older; else head_ = n->older;
    if (n->older != nullptr) n->older->newer = n->newer; else tail_ = n->newer;
    --count_;
    entry_bytes_ -= n->bytes;
  }

  // Bits 32..47 of the hash: the slot index uses the low bits and Sharded picks the shard by the
  // top ones. Tag 0 marks an empty slot, so a hash whose tag bits are zero gets tag 1.
  static uint16_t tag_of(uint64_t hash) {
    uint16_t t = uint16_t(hash >> 32);
    return t != 0 ? t : 1;
  }

  void place(SieveNode* n) {
    const size_t mask = slots_.size() - 1;
    size_t i = n->hash & mask;
    while (tags_[i] != 0) i = (i + 1) & mask;
    tags_[i] = tag_of(n->hash);
    slots_[i] = n;
  }

  // Backward-shift deletion: every later entry of the cluster that may move closer to its home
  // slot does, so no lookup ever needs to skip a hole.
  void remove_slot(SieveNode* n) {
    const size_t mask = slots_.size() - 1;
    size_t hole = n->hash & mask;
    while (slots_[hole] != n) hole = (hole + 1) & mask;
    for (size_t j = (hole + 1) & mask; tags_[j] != 0; j = (j + 1) & mask) {
      size_t home = slots_[j]->hash & mask;
      // The entry at j stays when its home lies cyclically in (hole, j].
      bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      tags_[hole] = tags_[j];
      slots_[hole] = slots_[j];
      hole = j;
    }
    tags_[hole] = 0;
    slots_[hole] = nullptr;
  }

  // Doubles the index and places every entry again. It walks the old slot array rather than the
  // FIFO list: the loads of each entry's hash are then independent and overlap, where following
  // `older` pointers waits for one cold entry after another (perf: grow was 3% of a miss run).
  void grow() {
    size_t size = slots_.empty() ? kMinSlots : slots_.size() * 2;
    std::vector<SieveNode*> old = std::move(slots_);
    tags_.assign(size, 0);
    slots_.assign(size, nullptr);
    for (SieveNode* n : old)
      if (n != nullptr) place(n);
  }

  size_t budget_;
  size_t count_ = 0;
  size_t entry_bytes_ = 0;
  uint64_t evictions_ = 0;
  SieveNode* head_ = nullptr;
  SieveNode* tail_ = nullptr;
  SieveNode* hand_ = nullptr;
  std::vector<uint16_t> tags_;     // 0: empty slot
  std::vector<SieveNode*> slots_;  // same size as tags_, a power of two
};

}  // namespace tern::cache
