#include "cache/cache_file.h"

#include <cstring>
#include <string>

#include "cache/caches.h"
#include "cache/name_key.h"
#include "wire/rdata.h"

namespace tern::cache {
namespace {

constexpr size_t kHeaderSize = 8 + 2 + 2 + 8 + 4;
constexpr size_t kTrailerSize = 8;
// Times in the file lie between the epoch and the year 10000: anything else is damage (and would
// overflow the arithmetic on it).
constexpr uint64_t kMaxTimeMs = 253402300800000ULL;

}  // namespace

uint64_t cache_file_checksum(std::span<const uint8_t> bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

uint64_t fnv1a(std::span<const uint8_t> bytes) { return cache_file_checksum(bytes); }

class Writer {
 public:
  std::vector<uint8_t> out;
  void u8(uint8_t v) { out.push_back(v); }
  void u16(uint16_t v) {
    out.push_back(uint8_t(v >> 8));
    out.push_back(uint8_t(v));
  }
  void u32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
  }
  void u64(uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
  }
  void bytes(std::span<const uint8_t> b) {
    // resize + memcpy: GCC 12 at -O3 misreads vector::insert from a span (stringop-overflow).
    if (b.empty()) return;
    size_t at = out.size();
    out.resize(at + b.size());
    std::memcpy(out.data() + at, b.data(), b.size());
  }
};

int64_t ms_of(Instant t) { return t.time_since_epoch().count(); }

// A bounds-checked reader: every read fails (returns false) past the end, never reads past it.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  size_t offset() const { return off_; }
  size_t left() const { return b_.size() - off_; }
  bool u8(uint8_t& v) {
    if (left() < 1) return false;
    v = b_[off_++];
    return true;
  }
  bool u16(uint16_t& v) {
    if (left() < 2) return false;
    v = uint16_t(b_[off_] << 8 | b_[off_ + 1]);
    off_ += 2;
    return true;
  }
  bool u32(uint32_t& v) {
    if (left() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | b_[off_ + size_t(i)];
    off_ += 4;
    return true;
  }
  bool u64(uint64_t& v) {
    if (left() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | b_[off_ + size_t(i)];
    off_ += 8;
    return true;
  }
  bool take(size_t n, std::span<const uint8_t>& out) {
    if (left() < n) return false;
    out = b_.subspan(off_, n);
    off_ += n;
    return true;
  }
  // An uncompressed wire name, validated.
  bool name(wire::Name& out) {
    size_t n = 0;
    while (true) {
      if (n >= left() || n >= wire::Name::kMaxWireSize) return false;
      uint8_t len = b_[off_ + n];
      if (len == 0) {
        ++n;
        break;
      }
      if (len > wire::Name::kMaxLabelSize) return false;
      n += size_t(len) + 1;
    }
    auto parsed = wire::Name::from_wire(b_.subspan(off_, n));
    if (!parsed) return false;
    out = *parsed;
    off_ += n;
    return true;
  }

 private:
  std::span<const uint8_t> b_;
  size_t off_ = 0;
};

void write_record_head(Writer& w, CacheRecordKind kind, Trust trust, Instant expiry,
                       std::span<const uint8_t> name, uint16_t type, uint16_t rclass) {
  w.u8(uint8_t(kind));
  w.u8(uint8_t(trust));
  w.u64(uint64_t(ms_of(expiry)));
  w.bytes(name);
  w.u16(type);
  w.u16(rclass);
}

// One record from `r` into `rec`; an error text on failure.
std::optional<std::string> read_record(Reader& r, CacheRecord& rec) {
  uint8_t kind = 0, trust = 0;
  uint64_t expiry = 0;
  uint16_t type = 0, rclass = 0;
  if (!r.u8(kind) || !r.u8(trust) || !r.u64(expiry)) return "truncated record header";
  if (kind < 1 || kind > 3) return "unknown record kind " + std::to_string(kind);
  if (trust > uint8_t(Trust::Zone)) return "unknown trust " + std::to_string(trust);
  if (expiry > kMaxTimeMs) return "expiry out of range";
  rec.kind = CacheRecordKind(kind);
  rec.trust = Trust(trust);
  rec.expiry = Instant(Millis(int64_t(expiry)));
  if (!r.name(rec.name)) return "bad or truncated name";
  if (!r.u16(type) || !r.u16(rclass)) return "truncated type or class";
  rec.type = wire::RRType(type);
  rec.rclass = wire::RRClass(rclass);
  if (rec.kind == CacheRecordKind::RRset) {
    if (type == uint16_t(wire::RRType::OPT)) return "an OPT record cannot be cached";
    uint16_t count = 0;
    if (!r.u16(count)) return "truncated RDATA count";
    if (count == 0) return "an RRset with no RDATA";
    rec.rrset = wire::RRset(rec.name, rec.type, rec.rclass, 0);
    for (uint16_t i = 0; i < count; ++i) {
      uint16_t len = 0;
      std::span<const uint8_t> rdata;
      if (!r.u16(len) || !r.take(len, rdata)) return "truncated RDATA " + std::to_string(i + 1) + " of " + std::to_string(count);
      if (auto e = wire::validate_rdata(rec.type, rdata))
        return "RDATA " + std::to_string(i + 1) + " of " + std::to_string(count) + " is not valid " +
               wire::type_to_text(rec.type);
      rec.rrset.add(rdata);
    }
    rec.has_soa = false;
    return std::nullopt;
  }
  if (rec.kind == CacheRecordKind::NxDomain && type != 0) return "an NXDOMAIN record with a type";
  uint8_t has_soa = 0;
  if (!r.u8(has_soa) || has_soa > 1) return "bad SOA flag";
  rec.has_soa = has_soa == 1;
  if (rec.kind == CacheRecordKind::NxDomain && !rec.has_soa) return "an NXDOMAIN without SOA";
  if (rec.has_soa) {
    wire::Name soa_owner;
    uint16_t len = 0;
    std::span<const uint8_t> rdata;
    if (!r.name(soa_owner)) return "bad or truncated SOA owner";
    if (!r.u16(len) || !r.take(len, rdata)) return "truncated SOA RDATA";
    if (!wire::parse_soa(rdata)) return "SOA RDATA is not valid";
    rec.rrset = wire::RRset(soa_owner, wire::RRType::SOA, rec.rclass, 0);
    rec.rrset.add(rdata);
  }
  return std::nullopt;
}

}  // namespace

EncodedCache encode_cache_file(const Caches& caches, Instant now) {
  EncodedCache enc;
  Writer w;
  w.bytes({reinterpret_cast<const uint8_t*>(kCacheFileMagic), sizeof kCacheFileMagic});
  w.u16(kCacheFileVersion);
  w.u16(0);
  w.u64(uint64_t(ms_of(now)));
  w.u32(0);  // the record count, written when known
  caches.rrsets().for_each_fresh(now, [&](const RRsetEntry& e) {
    size_t count = 0;
    auto p = e.packed();
    for (size_t off = 0; off + 2 <= p.size(); off += 2 + (size_t(p[off]) << 8 | p[off + 1])) ++count;
    if (count == 0 || count > 0xffff) return;
    write_record_head(w, CacheRecordKind::RRset, e.trust, e.expiry, e.owner(), uint16_t(e.type),
                      uint16_t(e.rclass));
    w.u16(uint16_t(count));
    w.bytes(p);  // [u16 length][bytes]... is the file's layout too
    ++enc.rrsets;
  });
  caches.negative().for_each_fresh(now, [&](const NegativeEntry& e) {
    bool nx = e.kind == NegativeKind::NxDomain;
    if (nx && !e.has_soa()) return;  // never stored so; the reader refuses it
    write_record_head(w, nx ? CacheRecordKind::NxDomain : CacheRecordKind::NoData, e.trust, e.expiry,
                      e.name(), nx ? 0 : uint16_t(e.qtype), uint16_t(e.qclass));
    w.u8(e.has_soa() ? 1 : 0);
    if (e.has_soa()) {
      w.bytes(e.soa_owner());
      w.u16(e.soa_rdata_size);
      w.bytes(e.soa_rdata());
    }
    ++enc.negative;
  });
  uint32_t count = uint32_t(enc.rrsets + enc.negative);
  for (int i = 0; i < 4; ++i) w.out[kHeaderSize - 4 + size_t(i)] = uint8_t(count >> (24 - 8 * i));
  w.u64(fnv1a(w.out));
  enc.bytes = std::move(w.out);
  return enc;
}

std::optional<std::string> read_cache_file(std::span<const uint8_t> bytes,
                                           const std::function<void(const CacheRecord&)>& each,
                                           CacheFileHeader* header) {
  if (bytes.size() < kHeaderSize + kTrailerSize)
    return "not a Tern cache file: " + std::to_string(bytes.size()) + " bytes, shorter than a header";
  if (std::memcmp(bytes.data(), kCacheFileMagic, sizeof kCacheFileMagic) != 0)
    return "not a Tern cache file (no TERNCACH header)";
  Reader r(bytes.first(bytes.size() - kTrailerSize));
  std::span<const uint8_t> magic;
  uint16_t version = 0, flags = 0;
  uint64_t saved = 0;
  uint32_t count = 0;
  r.take(sizeof kCacheFileMagic, magic);
  r.u16(version);
  r.u16(flags);
  r.u64(saved);
  r.u32(count);
  if (version != kCacheFileVersion)
    return "cache file version " + std::to_string(version) + "; this ternd reads version " +
           std::to_string(kCacheFileVersion);
  if (saved > kMaxTimeMs) return "save time out of range";
  if (flags != 0) return "unknown flags " + std::to_string(flags) + " in the header";
  Reader t(bytes.last(kTrailerSize));
  uint64_t sum = 0;
  t.u64(sum);
  if (sum != fnv1a(bytes.first(bytes.size() - kTrailerSize)))
    return "checksum mismatch: the file is corrupt or truncated";
  if (header) *header = CacheFileHeader{version, Instant(Millis(int64_t(saved))), count};
  CacheRecord rec;
  for (uint32_t i = 0; i < count; ++i) {
    size_t at = r.offset();
    if (auto e = read_record(r, rec)) return "record " + std::to_string(i + 1) + " (offset " + std::to_string(at) + "): " + *e;
    if (each) each(rec);
  }
  if (r.left() != 0) return std::to_string(r.left()) + " bytes after the last of " + std::to_string(count) + " records";
  return std::nullopt;
}

LoadedCache load_cache_file(Caches& caches, std::span<const uint8_t> bytes, Instant now) {
  LoadedCache out;
  if (auto e = read_cache_file(bytes)) {
    out.error = *e;
    return out;
  }
  read_cache_file(bytes, [&](const CacheRecord& rec) {
    // Whole seconds left, capped (the caches clamp to max-ttl anyway).
    uint32_t ttl = rec.expiry > now + Seconds(0xffffffffLL) ? 0xffffffffU : seconds_left(rec.expiry, now);
    if (ttl == 0) {
      ++out.expired;
      return;
    }
    bool stored = false;
    if (rec.kind == CacheRecordKind::RRset) {
      wire::RRset s = rec.rrset;
      s.ttl = ttl;
      stored = caches.store_rrset(s, rec.trust, now);
      out.rrsets += stored;
    } else {
      NegativeCache& neg = caches.negative();
      if (rec.has_soa) {
        wire::RRset soa = rec.rrset;
        soa.ttl = ttl;  // the entry's TTL is min(SOA TTL, MINIMUM): at most what is left
        stored = rec.kind == CacheRecordKind::NxDomain
                     ? neg.insert_nxdomain(rec.name, rec.rclass, soa, rec.trust, now)
                     : neg.insert_nodata(rec.name, rec.type, rec.rclass, soa, rec.trust, now);
      } else {
        stored = neg.insert_nodata_without_soa(rec.name, rec.type, rec.rclass, rec.trust, now);
      }
      out.negative += stored;
    }
    if (!stored) ++out.refused;
  });
  return out;
}

}  // namespace tern::cache
