#include "cache/caches.h"

namespace tern::cache {

Caches::Caches(const CacheLimits& limits)
    : limits_(limits),
      rrsets_(limits, share_of(limits.bytes, kRRsetSharePercent) / 16 * 15),
      parent_glue_(limits, share_of(limits.bytes, kRRsetSharePercent) / 16),
      negative_(limits, share_of(limits.bytes, kNegativeSharePercent)),
      answers_(limits, share_of(limits.bytes, kAnswerSharePercent), rrsets_, negative_),
      servers_(share_of(limits.bytes, kServerSharePercent) / 5 * 4, limits.shards < 4 ? limits.shards : 4),
      failures_(share_of(limits.bytes, kServerSharePercent) / 5, limits.shards < 4 ? limits.shards : 4) {}

size_t Caches::packet_cache_budget(size_t worker_threads) const {
  return share_of(limits_.bytes, kPacketSharePercent) / (worker_threads == 0 ? 1 : worker_threads);
}

PacketCache Caches::make_packet_cache(size_t worker_threads) const {
  return PacketCache(packet_cache_budget(worker_threads), limits_.max_ttl, &flush_epoch_);
}

bool Caches::store_rrset(const wire::RRset& rrset, Trust trust, Instant now) {
  if (rrset.empty()) return false;
  bool stored = rrsets_.insert(rrset, trust, now);
  // Even when the insert was refused (better data is cached) or the TTL was 0 (not stored), the
  // owner and type exist: the denial is wrong either way.
  negative_.remove_superseded(rrset.owner, rrset.type, rrset.rclass, trust);
  return stored;
}

FlushCount Caches::flush_name(const wire::Name& name) {
  FlushCount c{rrsets_.flush_name(name), negative_.flush_name(name), answers_.flush_name(name)};
  parent_glue_.flush_name(name);
  flush_epoch_.fetch_add(1, std::memory_order_release);
  return c;
}

FlushCount Caches::flush_name_type(const wire::Name& name, wire::RRType type, wire::RRClass rclass) {
  FlushCount c{rrsets_.flush_name_type(name, type, rclass),
               negative_.flush_name_type(name, type, rclass),
               answers_.flush_name_type(name, type, rclass)};
  parent_glue_.flush_name_type(name, type, rclass);
  flush_epoch_.fetch_add(1, std::memory_order_release);
  return c;
}

FlushCount Caches::flush_subtree(const wire::Name& apex) {
  FlushCount c{rrsets_.flush_subtree(apex), negative_.flush_subtree(apex),
               answers_.flush_subtree(apex)};
  parent_glue_.flush_subtree(apex);
  flush_epoch_.fetch_add(1, std::memory_order_release);
  return c;
}

void Caches::flush_all() {
  answers_.clear();
  rrsets_.clear();
  parent_glue_.clear();
  negative_.clear();
  failures_.clear();  // the operator wants the next question resolved again
  flush_epoch_.fetch_add(1, std::memory_order_release);
}

void Caches::dump(std::ostream& out, Instant now) const {
  out << "; tern cache dump\n";
  rrsets_.dump(out, now);
  negative_.dump(out, now);
  answers_.dump(out, now);
}

size_t Caches::memory_bytes() const {
  return rrsets_.memory_bytes() + parent_glue_.memory_bytes() + answers_.memory_bytes() + negative_.memory_bytes() +
         servers_.memory_bytes() + failures_.memory_bytes();
}

}  // namespace tern::cache
