// Sharded<Entry>: a SieveStore per shard, each behind its own mutex, so worker threads that touch
// different names rarely wait for each other. The shard is picked by the hash's high bits (the
// store's buckets use the low bits) and each shard gets an equal slice of the byte budget.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "cache/sieve_store.h"

namespace tern::cache {

template <class Entry>
class Sharded {
 public:
  struct Shard {
    explicit Shard(size_t budget) : store(budget) {}
    mutable std::mutex mu;
    SieveStore<Entry> store;
    // A counter for entries that need a per-key unique stamp (RRset generations); guarded by mu.
    // A key always maps to the same shard, so a per-shard sequence is unique per key.
    uint64_t sequence = 0;
  };

  Sharded(size_t shards, size_t budget_bytes)
      : count_(std::bit_ceil(shards == 0 ? size_t(1) : shards)),
        shift_(64 - std::countr_zero(count_)),
        shards_(std::make_unique<std::unique_ptr<Shard>[]>(count_)) {
    size_t fixed = overhead_bytes();
    size_t per_shard = budget_bytes > fixed ? (budget_bytes - fixed) / count_ : 0;
    for (size_t i = 0; i < count_; ++i) shards_[i] = std::make_unique<Shard>(per_shard);
  }

  Shard& shard_for(uint64_t hash) const { return *shards_[count_ == 1 ? 0 : hash >> shift_]; }
  size_t shard_count() const { return count_; }
  Shard& shard(size_t i) const { return *shards_[i]; }

  // Accounted bytes: every shard's store plus the shard structures themselves.
  size_t bytes() const {
    size_t total = overhead_bytes();
    for (size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i]->mu);
      total += shards_[i]->store.bytes();
    }
    return total;
  }
  size_t count() const {
    size_t total = 0;
    for (size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i]->mu);
      total += shards_[i]->store.count();
    }
    return total;
  }
  uint64_t evictions() const {
    uint64_t total = 0;
    for (size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i]->mu);
      total += shards_[i]->store.evictions();
    }
    return total;
  }

  // Erases matching entries in every shard, one shard locked at a time.
  template <class Pred>
  size_t erase_if(Pred&& pred) {
    size_t erased = 0;
    for (size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i]->mu);
      erased += shards_[i]->store.erase_if(pred);
    }
    return erased;
  }
  void clear() {
    for (size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i]->mu);
      shards_[i]->store.clear();
    }
  }
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i]->mu);
      shards_[i]->store.for_each(f);
    }
  }

 private:
  size_t overhead_bytes() const {
    return allocation_bytes(sizeof(std::unique_ptr<Shard>) * count_) +
           count_ * allocation_bytes(sizeof(Shard));
  }

  size_t count_;
  int shift_;
  std::unique_ptr<std::unique_ptr<Shard>[]> shards_;
};

}  // namespace tern::cache
