#include "wire/rrset.h"

#include <algorithm>
#include <cstring>

#include "wire/rdata.h"

namespace tern::wire {

bool RRset::add(std::span<const uint8_t> rdata) {
  if (rdata.size() > 65535) return false;
  for (auto existing : *this) {
    if (existing.size() == rdata.size() &&
        std::equal(existing.begin(), existing.end(), rdata.begin())) {
      return false;
    }
  }
  // One allocation for a typical set: push_back/insert on a small vector would reallocate
  // two or three times per RDATA (perf: RRset::add made 12 of ~67 allocations per resolution).
  const size_t need = packed_.size() + 2 + rdata.size();
  if (need > packed_.capacity()) packed_.reserve(std::max(need, packed_.capacity() * 2));
  packed_.push_back(uint8_t(rdata.size() >> 8));
  packed_.push_back(uint8_t(rdata.size()));
  packed_.insert(packed_.end(), rdata.begin(), rdata.end());
  ++count_;
  return true;
}

bool RRset::same_data(const RRset& other) const {
  if (!(owner == other.owner) || type != other.type || rclass != other.rclass ||
      count_ != other.count_ || packed_.size() != other.packed_.size()) {
    return false;
  }
  // Both sets are duplicate-free, so equal counts + every one of ours present = same set.
  for (auto mine : *this) {
    bool found = false;
    for (auto theirs : other) {
      if (theirs.size() == mine.size() && std::equal(mine.begin(), mine.end(), theirs.begin())) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

Result<std::vector<RRset>, WireError> collect_rrsets(const MessageView& msg, Section section) {
  std::vector<RRset> sets;
  for (const RecordView& rec : msg.section(section)) {
    auto rdata = decompress_rdata(msg, rec);
    if (!rdata) return fail(rdata.error());
    RRset* target = nullptr;
    for (auto& s : sets) {
      if (s.type == rec.type() && s.rclass == rec.rclass() && rec.owner().equals(s.owner)) {
        target = &s;
        break;
      }
    }
    if (!target) {
      auto owner = rec.owner().to_name();
      if (!owner) return fail(owner.error());
      sets.emplace_back(*owner, rec.type(), rec.rclass(), 0x7fffffffu);
      target = &sets.back();
    }
    // RFC 2181 §8: a TTL with the top bit set is treated as zero.
    uint32_t ttl = rec.ttl() > 0x7fffffffu ? 0 : rec.ttl();
    target->ttl = std::min(target->ttl, ttl);
    target->add(*rdata);
  }
  return sets;
}

}  // namespace tern::wire
