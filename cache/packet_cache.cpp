#include "cache/packet_cache.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "cache/name_key.h"
#include "wire/message_view.h"

namespace tern::cache {
namespace {

constexpr size_t kHeader = 12;

uint32_t read32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
void write32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

}  // namespace

void PacketEntry::destroy(PacketEntry* e) {
  e->~PacketEntry();
  ::operator delete(e);
}

PacketCache::PacketCache(size_t budget_bytes, uint32_t max_ttl,
                         const std::atomic<uint64_t>* flush_epoch, PacketHashFn hash)
    : store_(budget_bytes > sizeof(PacketCache) ? budget_bytes - sizeof(PacketCache) : 0),
      max_ttl_(max_ttl),
      flush_epoch_(flush_epoch),
      seen_epoch_(flush_epoch != nullptr ? flush_epoch->load(std::memory_order_acquire) : 0),
      hash_(hash != nullptr ? hash : &hash_name_key) {}

uint64_t PacketCache::hash_key(const PacketKey& key) const {
  return hash_(key.qname(), uint64_t(key.flags) << 32 | uint64_t(key.qtype) << 16 | key.qclass);
}

void PacketCache::check_epoch() {
  if (flush_epoch_ == nullptr) return;
  uint64_t epoch = flush_epoch_->load(std::memory_order_acquire);
  if (epoch != seen_epoch_) {
    store_.clear();
    seen_epoch_ = epoch;
  }
}

PacketEntry* PacketCache::find(const PacketKey& key, uint64_t hash) {
  auto qname = key.qname();
  return store_.find(hash, [&](const PacketEntry& e) {
    if (e.flags != key.flags || e.qname_size != qname.size()) return false;
    const uint8_t* q = e.response() + kHeader;
    const uint8_t* tc = q + e.qname_size;  // stored qtype, qclass
    return (uint16_t(tc[0] << 8 | tc[1]) == key.qtype) && (uint16_t(tc[2] << 8 | tc[3]) == key.qclass) &&
           wire_equal_ci({q, e.qname_size}, qname);
  });
}

bool PacketCache::lookup(std::span<const uint8_t> query, Instant now, std::vector<uint8_t>& out,
                         bool tcp, bool* prefetch_due) {
  if (prefetch_due != nullptr) *prefetch_due = false;
  auto key = packet_key(query, tcp);
  if (!key) {
    ++misses_;
    return false;
  }
  return lookup(*key, now, out, prefetch_due);
}

bool PacketCache::lookup(const PacketKey& key, Instant now, std::vector<uint8_t>& out,
                         bool* prefetch_due) {
  if (prefetch_due != nullptr) *prefetch_due = false;
  check_epoch();
  uint64_t hash = hash_key(key);
  PacketEntry* e = find(key, hash);
  if (e == nullptr) {
    ++misses_;
    return false;
  }
  if (now >= e->expiry) {
    store_.erase(e);
    ++misses_;
    return false;
  }
  e->visited = true;
  ++hits_;
  // Milliseconds, as stored: the entry's lifetime is its smallest TTL, so this is the same 10%
  // rule the RRset cache applies to one RRset.
  if (prefetch_due != nullptr && !e->prefetch_asked &&
      (e->expiry - now) * 10 <= e->expiry - e->inserted) {
    e->prefetch_asked = true;
    *prefetch_due = true;
  }
  out.resize(e->response_size);
  uint8_t* o = out.data();
  std::memcpy(o, e->response(), e->response_size);
  o[0] = uint8_t(key.id >> 8);
  o[1] = uint8_t(key.id);
  std::memcpy(o + kHeader, key.qname().data(), e->qname_size);  // the client's spelling
  uint32_t elapsed = seconds_since(e->inserted, now);
  const uint8_t* offsets = e->ttl_offsets();
  for (size_t i = 0; i < e->ttl_count; ++i) {
    size_t off = size_t(offsets[2 * i]) << 8 | offsets[2 * i + 1];
    uint32_t ttl = read32(e->response() + off);
    write32(o + off, ttl > elapsed ? ttl - elapsed : 0);
  }
  return true;
}

bool PacketCache::insert(std::span<const uint8_t> query, std::span<const uint8_t> response,
                         Instant now, bool tcp, std::optional<uint32_t> ttl_if_no_records) {
  check_epoch();
  auto key = packet_key(query, tcp);
  if (!key || response.size() > 65535) return false;
  auto msg = wire::MessageView::parse(response);
  if (!msg) return false;
  const auto& h = msg->header();
  if (!h.qr || h.qdcount != 1 || h.opcode != wire::Opcode::Query) return false;
  if (msg->rcode() != wire::Rcode::NoError && msg->rcode() != wire::Rcode::NXDomain) return false;
  // The stored question must be the query's, uncompressed at offset 12 (the hit path copies the
  // query's name over it byte for byte).
  if (msg->question_end() != size_t(key->qname_end) + 4 ||
      !wire_equal_ci(response.subspan(kHeader, key->qname_end - kHeader), key->qname()) ||
      uint16_t(msg->qtype()) != key->qtype || uint16_t(msg->qclass()) != key->qclass) {
    return false;
  }

  std::vector<uint16_t> offsets;
  uint32_t min_ttl = max_ttl_;
  bool any = false;
  for (auto section : {msg->answer(), msg->authority(), msg->additional()}) {
    for (const auto& rec : section) {
      offsets.push_back(uint16_t(rec.rdata_offset() - 6));  // TTL(4) + RDLENGTH(2) before RDATA
      min_ttl = std::min(min_ttl, rec.ttl());
      any = true;
    }
  }
  if (!any) {
    if (!ttl_if_no_records) return false;
    min_ttl = std::min(min_ttl, *ttl_if_no_records);
  }
  if (min_ttl == 0) return false;

  uint64_t hash = hash_key(*key);
  if (PacketEntry* old = find(*key, hash)) store_.erase(old);

  size_t size = sizeof(PacketEntry) + response.size() + 2 * offsets.size();
  auto* e = new (::operator new(size)) PacketEntry();
  e->hash = hash;
  e->bytes = uint32_t(allocation_bytes(size));
  e->inserted = now;
  e->expiry = expiry_after(now, min_ttl);
  e->flags = key->flags;
  e->response_size = uint16_t(response.size());
  e->ttl_count = uint16_t(offsets.size());
  e->qname_size = uint8_t(key->qname_end - kHeader);
  auto* data = reinterpret_cast<uint8_t*>(e + 1);
  std::memcpy(data, response.data(), response.size());
  uint8_t* off_out = data + response.size();
  for (size_t i = 0; i < offsets.size(); ++i) {
    // Stored TTLs obey the same ceiling as the entry, so a client never sees more than max_ttl.
    if (read32(data + offsets[i]) > max_ttl_) write32(data + offsets[i], max_ttl_);
    off_out[2 * i] = uint8_t(offsets[i] >> 8);
    off_out[2 * i + 1] = uint8_t(offsets[i]);
  }
  return store_.insert(e, [&](const PacketEntry& x) { return now >= x.expiry; });
}

void PacketCache::clear() { store_.clear(); }

}  // namespace tern::cache
