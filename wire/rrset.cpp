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

std::optional<RRType> rrsig_type_covered(std::span<const uint8_t> rdata) {
  if (rdata.size() < 2) return std::nullopt;
  return RRType(uint16_t(rdata[0] << 8 | rdata[1]));
}

void attach_rrsigs(std::vector<RRset>& sets) {
  std::vector<RRset> out;
  out.reserve(sets.size());
  std::vector<RRset> sigs;
  for (auto& s : sets) (s.type == RRType::RRSIG ? sigs : out).push_back(std::move(s));
  if (sigs.empty()) {
    sets = std::move(out);
    return;
  }
  for (auto& sig : sigs) {
    RRset rest(sig.owner, RRType::RRSIG, sig.rclass, sig.ttl);
    // Per covered set, the RRSIGs found for it (a set may get RRSIGs from several RRSIG sets only
    // if the section repeats an owner with different spelling; each is merged in).
    std::vector<std::pair<RRset*, RRset>> found;
    for (auto rdata : sig) {
      auto covered = rrsig_type_covered(rdata);
      RRset* target = nullptr;
      if (covered && *covered != RRType::RRSIG) {
        for (auto& s : out)
          if (s.type == *covered && s.rclass == sig.rclass && s.owner == sig.owner) target = &s;
      }
      if (!target) {
        rest.add(rdata);
        continue;
      }
      auto it = std::find_if(found.begin(), found.end(), [&](auto& f) { return f.first == target; });
      if (it == found.end()) {
        RRset fresh(sig.owner, RRType::RRSIG, sig.rclass, sig.ttl);
        if (target->rrsigs)
          for (auto r : *target->rrsigs) fresh.add(r);
        found.emplace_back(target, std::move(fresh));
        it = found.end() - 1;
      }
      it->second.add(rdata);
    }
    for (auto& [target, set] : found) target->rrsigs = std::make_shared<const RRset>(std::move(set));
    if (!rest.empty()) out.push_back(std::move(rest));
  }
  sets = std::move(out);
}

}  // namespace tern::wire
