#include "wire/message_rebuild.h"

#include <algorithm>

#include "wire/message_builder.h"
#include "wire/rdata.h"
#include "wire/rdata_format.h"

namespace tern::wire {
namespace {

struct Question {
  Name name;
  RRType type;
  RRClass rclass;
};

// All questions (MessageView exposes only the first); parse() validated them already.
std::vector<Question> questions(const MessageView& msg) {
  std::vector<Question> out;
  auto p = msg.packet();
  size_t pos = kHeaderSize;
  for (size_t i = 0; i < msg.header().qdcount; ++i) {
    NameView v(p, pos);
    pos += *v.validate();
    out.push_back({*v.to_name(), RRType(uint16_t(p[pos] << 8 | p[pos + 1])),
                   RRClass(uint16_t(p[pos + 2] << 8 | p[pos + 3]))});
    pos += 4;
  }
  return out;
}

}  // namespace

std::vector<uint8_t> rdata_case_folded(RRType type, std::span<const uint8_t> rd) {
  std::vector<uint8_t> out(rd.begin(), rd.end());
  if (!rdata_has_compressible_names(type) || validate_rdata(type, rd)) return out;
  const auto fmt = detail::format_of(type);
  size_t pos = 0;
  for (detail::Field f : fmt->list()) {
    switch (f) {
      case detail::Field::Name:
        while (out[pos] != 0) {
          size_t len = out[pos];
          for (size_t i = 1; i <= len; ++i) out[pos + i] = ascii_lower(out[pos + i]);
          pos += 1 + len;
        }
        ++pos;
        break;
      case detail::Field::U16: pos += 2; break;
      case detail::Field::U32: pos += 4; break;
      default: return out;  // not used by the RFC 1035 types
    }
  }
  return out;
}

Result<std::vector<uint8_t>, WireError> rebuild_message(const MessageView& msg, size_t max_size) {
  MessageBuilder b(max_size);
  b.set_header(msg.header());
  if (auto e = msg.edns()) b.set_edns(e->to_edns());
  for (const auto& q : questions(msg)) {
    if (!b.add_question(q.name, q.type, q.rclass)) return fail(WireError::NoSpace);
  }
  const bool tc = msg.header().tc;
  for (Section s : {Section::Answer, Section::Authority, Section::Additional}) {
    for (const auto& r : msg.section(s)) {
      auto rdata = decompress_rdata(msg, r);
      if (!rdata) return fail(rdata.error());
      auto added = b.add_record(s, *r.owner().to_name(), r.type(), r.rclass(), r.ttl(), *rdata);
      if (added == MessageBuilder::Added::BadRdata) return fail(WireError::BadRdata);
      if (added != MessageBuilder::Added::Ok) return fail(WireError::NoSpace);
    }
  }
  // add_record never clears TC, and sets it only on NoRoom, which returned above.
  b.header().tc = tc;
  return b.finish();
}

bool equivalent_messages(const MessageView& a, const MessageView& b) {
  if (!(a.header() == b.header())) return false;
  auto qa = questions(a), qb = questions(b);
  if (qa.size() != qb.size()) return false;
  for (size_t i = 0; i < qa.size(); ++i) {
    // The first question is written first, so its case survives exactly (0x20 case
    // randomisation depends on it); later ones may point at an earlier spelling.
    const bool same_name = i == 0 ? std::ranges::equal(qa[i].name.wire(), qb[i].name.wire())
                                  : qa[i].name == qb[i].name;
    if (!same_name || qa[i].type != qb[i].type || qa[i].rclass != qb[i].rclass) {
      return false;
    }
  }
  for (Section s : {Section::Answer, Section::Authority, Section::Additional}) {
    auto ra = a.section(s), rb = b.section(s);
    if (ra.size() != rb.size()) return false;
    for (size_t i = 0; i < ra.size(); ++i) {
      if (ra[i].type() != rb[i].type() || ra[i].rclass() != rb[i].rclass() ||
          ra[i].ttl() != rb[i].ttl() || !(*ra[i].owner().to_name() == *rb[i].owner().to_name())) {
        return false;
      }
      auto da = decompress_rdata(a, ra[i]), db = decompress_rdata(b, rb[i]);
      if (!da || !db) return false;
      if (rdata_case_folded(ra[i].type(), *da) != rdata_case_folded(rb[i].type(), *db)) {
        return false;
      }
    }
  }
  auto ea = a.edns(), eb = b.edns();
  if (ea.has_value() != eb.has_value()) return false;
  if (ea && !(ea->to_edns() == eb->to_edns())) return false;
  return true;
}

}  // namespace tern::wire
