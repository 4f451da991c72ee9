#include "wire/message_builder.h"

#include <algorithm>
#include <cstring>

#include "wire/rdata_format.h"

namespace tern::wire {
namespace {

constexpr size_t kMaxPointerTarget = 0x3fff;  // 14-bit pointer offsets (RFC 1035 §4.1.4)
constexpr size_t kNoPointer = SIZE_MAX;

void put16_at(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
void put32_at(uint8_t* p, uint32_t v) {
  put16_at(p, uint16_t(v >> 16));
  put16_at(p + 2, uint16_t(v));
}
void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}

// The OPT pseudo-record (RFC 6891 §6.1.2), appended to `out`.
void append_opt(const Edns& edns, std::vector<uint8_t>& out) {
  out.reserve(out.size() + edns.wire_size());
  out.push_back(0);  // root owner
  put16(out, uint16_t(RRType::OPT));
  put16(out, edns.udp_size);
  const uint32_t ttl = uint32_t(edns.ext_rcode_high) << 24 | uint32_t(edns.version) << 16 |
                       (edns.do_bit ? 0x8000u : 0u) | (edns.z & 0x7fffu);
  put16(out, uint16_t(ttl >> 16));
  put16(out, uint16_t(ttl));
  put16(out, uint16_t(edns.wire_size() - 11));
  for (const auto& o : edns.options) {
    put16(out, o.code);
    put16(out, uint16_t(o.data.size()));
    out.insert(out.end(), o.data.begin(), o.data.end());
  }
}

uint32_t suffix_hash(std::span<const uint8_t> wire) {
  size_t h = kNameHashSeed;
  for (uint8_t c : wire) h = name_hash_step(h, c);
  return uint32_t(h ^ (h >> 32));
}

}  // namespace

MessageBuilder::MessageBuilder(size_t max_size) {
  // Room for the suffixes of a typical response's names, so the table grows at most rarely.
  table_.reserve(32);
  reset(max_size);
}

void MessageBuilder::reset(size_t max_size) {
  max_size_ = std::clamp<size_t>(max_size, kHeaderSize, 65535);
  header_ = Header{};
  // buf_ only grows; len_ is the write position. Reuse avoids allocation and zero-filling.
  if (buf_.size() < std::min<size_t>(max_size_, 512)) buf_.resize(std::min<size_t>(max_size_, 512));
  len_ = kHeaderSize;
  table_.clear();
  counts_ = {};
  current_ = Section::Question;
  edns_ = false;
  ext_rcode_.reset();
  opt_size_ = 0;
  literal_count_ = 0;
}

void MessageBuilder::grow(size_t n) { buf_.resize(std::max(len_ + n, buf_.size() * 2)); }

void MessageBuilder::set_header(const Header& h) { header_ = h; }

void MessageBuilder::set_edns(const Edns& edns) {
  edns_ = true;
  opt_wire_.clear();
  append_opt(edns, opt_wire_);
  opt_size_ = opt_wire_.size();
}

void MessageBuilder::set_rcode(Rcode rcode) {
  header_.rcode = uint8_t(uint16_t(rcode) & 0x0f);
  ext_rcode_ = uint8_t(uint16_t(rcode) >> 4);
}

size_t MessageBuilder::size() const { return len_ + opt_size_; }

bool MessageBuilder::suffix_equals(size_t offset, std::span<const uint8_t> want) const {
  // Names in buf_ were written by us: well formed, pointers only backwards.
  size_t pos = 0;
  while (true) {
    uint8_t len = buf_[offset];
    if ((len & 0xc0) == 0xc0) {
      offset = (size_t(len & 0x3f) << 8) | buf_[offset + 1];
      continue;
    }
    if (pos >= want.size() || want[pos] != len) return false;
    if (len == 0) return pos + 1 == want.size();
    for (size_t i = 1; i <= len; ++i) {
      if (ascii_lower(buf_[offset + i]) != ascii_lower(want[pos + i])) return false;
    }
    pos += 1 + size_t(len);
    offset += 1 + size_t(len);
  }
}

size_t MessageBuilder::write_name(const Name& name, bool compress, bool* ok) {
  const auto wire = name.wire();
  const size_t labels = name.label_count();
  // Fast path: the same spelling as a name written out in full before (typically an owner
  // repeating the question name) is one pointer to it.
  if (compress && labels > 0) {
    for (size_t i = 0; i < literal_count_; ++i) {
      const size_t at = literals_[i];
      if (at + wire.size() <= len_ && std::memcmp(buf_.data() + at, wire.data(), wire.size()) == 0) {
        if (!fits(2)) {
          *ok = false;
          return kNoPointer;
        }
        put16_at(claim(2), uint16_t(0xc000 | at));
        *ok = true;
        return at;
      }
    }
  }
  std::array<uint8_t, 128> starts;  // offset of each label in wire
  std::array<uint32_t, 128> hashes;
  for (size_t i = 0, pos = 0; i < labels; ++i) {
    starts[i] = uint8_t(pos);
    pos += size_t(wire[pos]) + 1;
  }
  // Longest already-written suffix: try suffixes from the whole name down to one label.
  size_t match_label = labels;  // first label not written out (labels = no match)
  size_t match_offset = 0;
  for (size_t i = 0; i < labels; ++i) {
    hashes[i] = suffix_hash(wire.subspan(starts[i]));
    if (!compress) continue;
    const uint8_t want_labels = uint8_t(labels - i);
    for (const auto& e : table_) {
      if (e.hash == hashes[i] && e.labels == want_labels &&
          suffix_equals(e.offset, wire.subspan(starts[i]))) {
        match_label = i;
        match_offset = e.offset;
        break;
      }
    }
    if (match_label != labels) break;
  }
  const bool matched = match_label != labels;
  const size_t literal = matched ? starts[match_label] : wire.size();
  if (!fits(literal + (matched ? 2 : 0))) {
    *ok = false;
    return kNoPointer;
  }
  const size_t base = len_;
  std::memcpy(claim(literal), wire.data(), literal);
  if (matched) put16_at(claim(2), uint16_t(0xc000 | match_offset));
  for (size_t i = 0; i < match_label; ++i) {
    size_t at = base + starts[i];
    if (at > kMaxPointerTarget) break;
    table_.push_back({hashes[i], uint16_t(at), uint8_t(labels - i)});
  }
  if (!matched && labels > 0 && base <= kMaxPointerTarget && literal_count_ < literals_.size()) {
    literals_[literal_count_++] = uint16_t(base);
  }
  *ok = true;
  // Where a later copy of this very name can point. The root is one octet: nothing to point at.
  if (labels == 0) return kNoPointer;
  if (matched && match_label == 0) return match_offset;
  return base <= kMaxPointerTarget ? base : kNoPointer;
}

bool MessageBuilder::write_rdata(RRType type, std::span<const uint8_t> rdata) {
  // Only the RFC 1035 types have names that may be compressed (RFC 3597 §4).
  if (!rdata_has_compressible_names(type)) {
    if (!fits(rdata.size())) return false;
    if (!rdata.empty()) std::memcpy(claim(rdata.size()), rdata.data(), rdata.size());
    return true;
  }
  size_t pos = 0;
  for (detail::Field f : detail::format_of(type)->list()) {
    size_t n = 0;
    switch (f) {
      case detail::Field::Name: {
        size_t start = pos, count = 0;
        while (pos < rdata.size() && rdata[pos] != 0 && !(rdata[pos] & 0xc0)) {
          pos += 1 + size_t(rdata[pos]);
          ++count;
        }
        if (pos >= rdata.size() || rdata[pos] != 0 || pos + 1 - start > Name::kMaxWireSize) {
          bad_rdata_ = true;
          return false;
        }
        ++pos;
        auto name = Name::from_wire_unchecked(rdata.subspan(start, pos - start), count);
        bool ok = false;
        write_name(name, true, &ok);
        if (!ok) return false;
        continue;
      }
      case detail::Field::U16: n = 2; break;
      case detail::Field::U32: n = 4; break;
      default: bad_rdata_ = true; return false;  // not used by the RFC 1035 types
    }
    if (pos + n > rdata.size()) {
      bad_rdata_ = true;
      return false;
    }
    if (!fits(n)) return false;
    std::memcpy(claim(n), rdata.data() + pos, n);
    pos += n;
  }
  if (pos != rdata.size()) {
    bad_rdata_ = true;
    return false;
  }
  return true;
}

bool MessageBuilder::begin_section(Section section) {
  if (section < current_) return false;
  current_ = section;
  return true;
}

bool MessageBuilder::add_question(const Name& name, RRType type, RRClass rclass) {
  if (current_ != Section::Question) return false;
  const size_t mark = len_, table_mark = table_.size();
  bool ok = false;
  write_name(name, true, &ok);
  if (!ok || !fits(4)) {
    truncate_to(mark, table_mark);
    return false;
  }
  uint8_t* p = claim(4);
  put16_at(p, uint16_t(type));
  put16_at(p + 2, uint16_t(rclass));
  ++counts_[0];
  return true;
}

void MessageBuilder::truncate_to(size_t mark, size_t table_mark) {
  len_ = mark;
  table_.resize(table_mark);
  // Names written after the mark are gone: they must not be pointer targets any more.
  while (literal_count_ > 0 && literals_[literal_count_ - 1] >= mark) --literal_count_;
}

MessageBuilder::Added MessageBuilder::rollback(Section section, size_t mark, size_t table_mark) {
  truncate_to(mark, table_mark);
  if (bad_rdata_) return Added::BadRdata;
  if (section != Section::Additional) header_.tc = true;
  return Added::NoRoom;
}

MessageBuilder::Added MessageBuilder::add_rrset(Section section, const RRset& rrset) {
  if (section == Section::Question || !begin_section(section)) return Added::OutOfOrder;
  const size_t mark = len_, table_mark = table_.size();
  bad_rdata_ = false;
  if (counts_[size_t(section)] + rrset.size() > 65535) return rollback(section, mark, table_mark);
  size_t owner_pointer = kNoPointer;  // after the first record, the owner is one pointer
  for (auto rdata : rrset) {
    if (!write_record(rrset.owner, rrset.type, rrset.rclass, rrset.ttl, rdata, owner_pointer)) {
      return rollback(section, mark, table_mark);
    }
  }
  counts_[size_t(section)] = uint16_t(counts_[size_t(section)] + rrset.size());
  return Added::Ok;
}

MessageBuilder::Added MessageBuilder::add_record(Section section, const Name& owner, RRType type,
                                                 RRClass rclass, uint32_t ttl,
                                                 std::span<const uint8_t> rdata) {
  if (section == Section::Question || !begin_section(section)) return Added::OutOfOrder;
  const size_t mark = len_, table_mark = table_.size();
  bad_rdata_ = false;
  size_t owner_pointer = kNoPointer;
  if (counts_[size_t(section)] == 65535 ||
      !write_record(owner, type, rclass, ttl, rdata, owner_pointer)) {
    return rollback(section, mark, table_mark);
  }
  ++counts_[size_t(section)];
  return Added::Ok;
}

bool MessageBuilder::write_record(const Name& owner, RRType type, RRClass rclass, uint32_t ttl,
                                  std::span<const uint8_t> rdata, size_t& owner_pointer) {
  if (owner_pointer != kNoPointer) {
    if (!fits(2)) return false;
    put16_at(claim(2), uint16_t(0xc000 | owner_pointer));
  } else {
    bool ok = false;
    owner_pointer = write_name(owner, true, &ok);
    if (!ok) return false;
  }
  if (!fits(10)) return false;
  uint8_t* p = claim(10);
  put16_at(p, uint16_t(type));
  put16_at(p + 2, uint16_t(rclass));
  put32_at(p + 4, ttl);
  const size_t rdlength_at = len_ - 2;
  if (!write_rdata(type, rdata)) return false;
  const size_t rdlength = len_ - rdlength_at - 2;
  if (rdlength > 65535) return false;
  put16_at(buf_.data() + rdlength_at, uint16_t(rdlength));
  return true;
}


void MessageBuilder::finish_into(std::vector<uint8_t>& out) {
  uint8_t* h = buf_.data();
  put16_at(h, header_.id);
  h[2] = uint8_t((header_.qr ? 0x80 : 0) | (uint8_t(header_.opcode) & 0x0f) << 3 |
                 (header_.aa ? 0x04 : 0) | (header_.tc ? 0x02 : 0) | (header_.rd ? 0x01 : 0));
  h[3] = uint8_t((header_.ra ? 0x80 : 0) | (header_.z ? 0x40 : 0) | (header_.ad ? 0x20 : 0) |
                 (header_.cd ? 0x10 : 0) | (header_.rcode & 0x0f));
  put16_at(h + 4, counts_[0]);
  put16_at(h + 6, counts_[1]);
  put16_at(h + 8, counts_[2]);
  put16_at(h + 10, uint16_t(counts_[3] + (edns_ ? 1 : 0)));
  out.resize(size());
  std::memcpy(out.data(), buf_.data(), len_);
  if (edns_) {
    std::memcpy(out.data() + len_, opt_wire_.data(), opt_size_);
    if (ext_rcode_) out[len_ + 5] = *ext_rcode_;  // the OPT TTL's first octet
  }
}

std::vector<uint8_t> MessageBuilder::finish() {
  std::vector<uint8_t> out;
  finish_into(out);
  return out;
}

std::vector<uint8_t> build_query(uint16_t id, const Name& name, RRType type, RRClass rclass,
                                 bool rd, const std::optional<Edns>& edns) {
  // One question and at most an OPT record: nothing to compress, so the bytes are written
  // straight into one allocation (a MessageBuilder here cost ~8 allocations per upstream query).
  auto qname = name.wire();
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + qname.size() + 4 + (edns ? edns->wire_size() : 0));
  out.resize(kHeaderSize + qname.size() + 4);
  uint8_t* p = out.data();
  put16_at(p, id);
  p[2] = rd ? 0x01 : 0x00;  // QR=0, opcode QUERY, AA/TC=0
  p[3] = 0;                 // RA, Z, AD, CD, rcode all zero
  put16_at(p + 4, 1);       // QDCOUNT
  put16_at(p + 10, edns ? 1 : 0);  // ARCOUNT
  std::memcpy(p + kHeaderSize, qname.data(), qname.size());
  put16_at(p + kHeaderSize + qname.size(), uint16_t(type));
  put16_at(p + kHeaderSize + qname.size() + 2, uint16_t(rclass));
  if (edns) append_opt(*edns, out);
  return out;
}

}  // namespace tern::wire
