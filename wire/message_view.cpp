#include "wire/message_view.h"

#include <algorithm>

#include "wire/rdata_format.h"

namespace tern::wire {
namespace {

uint16_t rd16(std::span<const uint8_t> p, size_t at) { return uint16_t(p[at] << 8 | p[at + 1]); }
uint32_t rd32(std::span<const uint8_t> p, size_t at) {
  return uint32_t(p[at]) << 24 | uint32_t(p[at + 1]) << 16 | uint32_t(p[at + 2]) << 8 | p[at + 3];
}

// Names already validated in this packet, by start offset. Most owners are a single pointer to
// one of them (the question or an earlier owner), which is then valid without walking it again:
// the pointer goes backwards and the target's own chain was checked.
class KnownNames {
 public:
  Result<size_t, WireError> validate(std::span<const uint8_t> p, size_t pos) {
    if (pos + 1 < p.size() && (p[pos] & 0xc0) == 0xc0) {
      size_t target = (size_t(p[pos] & 0x3f) << 8) | p[pos + 1];
      for (size_t i = 0; i < count_; ++i) {
        if (known_[i].offset == target && target < pos &&
            known_[i].hops < NameView::kMaxPointerHops) {
          return size_t(2);
        }
      }
    }
    size_t hops = 0;
    auto len = NameView(p, pos).validate(&hops);
    if (len && count_ < known_.size()) known_[count_++] = {uint16_t(pos), uint8_t(hops)};
    return len;
  }

 private:
  struct Known {
    uint16_t offset;
    uint8_t hops;
  };
  std::array<Known, 8> known_;
  size_t count_ = 0;
};

}  // namespace

Result<Header, WireError> parse_header(std::span<const uint8_t> p) {
  if (p.size() < kHeaderSize) return fail(WireError::Truncated);
  Header h;
  h.id = rd16(p, 0);
  uint8_t f1 = p[2], f2 = p[3];
  h.qr = f1 & 0x80;
  h.opcode = Opcode((f1 >> 3) & 0x0f);
  h.aa = f1 & 0x04;
  h.tc = f1 & 0x02;
  h.rd = f1 & 0x01;
  h.ra = f2 & 0x80;
  h.z = f2 & 0x40;
  h.ad = f2 & 0x20;
  h.cd = f2 & 0x10;
  h.rcode = f2 & 0x0f;
  h.qdcount = rd16(p, 4);
  h.ancount = rd16(p, 6);
  h.nscount = rd16(p, 8);
  h.arcount = rd16(p, 10);
  return h;
}

Result<MessageView, WireError> MessageView::parse(std::span<const uint8_t> p) {
  auto h = parse_header(p);
  if (!h) return fail(h.error());
  // Messages longer than 65535 cannot exist on any transport, and offsets are kept in 16 bits.
  if (p.size() > 65535) return fail(WireError::TrailingGarbage);
  MessageView m;
  KnownNames known;
  m.packet_ = p;
  m.header_ = *h;
  size_t pos = kHeaderSize;
  for (size_t i = 0; i < h->qdcount; ++i) {
    if (pos >= p.size()) return fail(WireError::CountExceedsPacket);
    auto len = known.validate(p, pos);
    if (!len) return fail(len.error());
    pos += *len;
    if (pos + 4 > p.size()) return fail(WireError::Truncated);
    if (i == 0) {
      m.qtype_ = RRType(rd16(p, pos));
      m.qclass_ = RRClass(rd16(p, pos + 2));
    }
    pos += 4;
  }
  m.question_end_ = uint16_t(pos);

  const size_t total = size_t(h->ancount) + h->nscount + h->arcount;
  // Every record takes at least 11 octets (root owner + fixed fields): a count that cannot fit is
  // rejected before any work or allocation.
  if (total * 11 > p.size() - pos) return fail(WireError::CountExceedsPacket);
  RecordView* out = m.inline_.r;
  if (total > kInlineRecords) {
    m.heap_.resize(total);
    out = m.heap_.data();
  }
  const std::array<uint16_t, 3> counts{h->ancount, h->nscount, h->arcount};
  size_t stored = 0;
  for (size_t s = 0; s < 3; ++s) {
    const Section section = Section(s + 1);
    for (size_t i = 0; i < counts[s]; ++i) {
      if (pos >= p.size()) return fail(WireError::CountExceedsPacket);
      RecordView r;
      r.packet_ = p;
      r.owner_offset_ = uint16_t(pos);
      auto len = known.validate(p, pos);
      if (!len) return fail(len.error());
      pos += *len;
      if (pos + 10 > p.size()) return fail(WireError::Truncated);
      r.type_ = RRType(rd16(p, pos));
      r.rclass_ = RRClass(rd16(p, pos + 2));
      r.ttl_ = rd32(p, pos + 4);
      r.rdlength_ = rd16(p, pos + 8);
      pos += 10;
      r.rdata_offset_ = uint16_t(pos);
      r.section_ = section;
      if (pos + r.rdlength_ > p.size()) return fail(WireError::Truncated);
      // Addresses are the bulk of most answers: checked here without the general walker.
      if (r.type_ == RRType::A || r.type_ == RRType::AAAA) {
        if (r.rdlength_ != (r.type_ == RRType::A ? 4 : 16)) return fail(WireError::RdlengthMismatch);
      } else if (auto e = detail::walk_rdata(p, pos, r.rdlength_, r.type_,
                                             rdata_decompress_on_receipt(r.type_), nullptr)) {
        return fail(*e);
      }
      pos += r.rdlength_;
      if (r.type_ == RRType::OPT) {
        if (section != Section::Additional) return fail(WireError::OptNotInAdditional);
        if (m.has_opt_) return fail(WireError::MultipleOpt);
        if (p[r.owner_offset_] != 0) return fail(WireError::BadOpt);  // owner must be root
        m.has_opt_ = true;
        m.opt_ = r;
        continue;
      }
      out[stored++] = r;
      ++m.counts_[s];
    }
  }
  if (pos != p.size()) return fail(WireError::TrailingGarbage);
  m.total_ = uint16_t(stored);
  if (!m.heap_.empty()) m.heap_.resize(stored);
  return m;
}

MessageView& MessageView::operator=(const MessageView& o) {
  if (this == &o) return *this;
  packet_ = o.packet_;
  header_ = o.header_;
  qtype_ = o.qtype_;
  qclass_ = o.qclass_;
  question_end_ = o.question_end_;
  counts_ = o.counts_;
  total_ = o.total_;
  has_opt_ = o.has_opt_;
  opt_ = o.opt_;
  heap_ = o.heap_;
  if (heap_.empty()) std::copy(o.inline_.r, o.inline_.r + total_, inline_.r);
  return *this;
}

std::span<const RecordView> MessageView::section(Section s) const {
  switch (s) {
    case Section::Question: return {};
    case Section::Answer: return answer();
    case Section::Authority: return authority();
    case Section::Additional: return additional();
  }
  return {};
}

std::optional<EdnsView> MessageView::edns() const {
  if (!has_opt_) return std::nullopt;
  return EdnsView(opt_.rdata(), uint16_t(opt_.rclass()), opt_.ttl());
}

Rcode MessageView::rcode() const {
  uint16_t r = header_.rcode;
  if (has_opt_) r |= uint16_t(uint16_t(opt_.ttl() >> 24) << 4);
  return Rcode(r);
}

std::vector<EdnsOptionView> EdnsView::options() const {
  std::vector<EdnsOptionView> out;
  for (size_t pos = 0; pos + 4 <= rdata_.size();) {
    size_t n = size_t(rdata_[pos + 2]) << 8 | rdata_[pos + 3];
    out.push_back({uint16_t(rdata_[pos] << 8 | rdata_[pos + 1]), rdata_.subspan(pos + 4, n)});
    pos += 4 + n;
  }
  return out;
}

std::optional<std::span<const uint8_t>> EdnsView::option(uint16_t code) const {
  for (size_t pos = 0; pos + 4 <= rdata_.size();) {
    size_t n = size_t(rdata_[pos + 2]) << 8 | rdata_[pos + 3];
    if ((rdata_[pos] << 8 | rdata_[pos + 1]) == code) return rdata_.subspan(pos + 4, n);
    pos += 4 + n;
  }
  return std::nullopt;
}

std::optional<EdeView> EdnsView::ede() const {
  auto data = option(kEdnsEde);
  if (!data || data->size() < 2) return std::nullopt;
  EdeView e;
  e.info_code = uint16_t((*data)[0] << 8 | (*data)[1]);
  e.extra_text = std::string_view(reinterpret_cast<const char*>(data->data() + 2), data->size() - 2);
  return e;
}

Edns EdnsView::to_edns() const {
  Edns e;
  e.udp_size = udp_size();
  e.ext_rcode_high = ext_rcode_high();
  e.version = version();
  e.do_bit = do_bit();
  e.z = z();
  for (const auto& o : options()) e.options.push_back({o.code, {o.data.begin(), o.data.end()}});
  return e;
}

}  // namespace tern::wire
