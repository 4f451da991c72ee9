// Deckard's matchpart semantics, re-expressed over wire/ values: sections are compared as lists of
// single RRs (every expected RR present, every received RR expected, equal counts), names without
// case, TTLs only when asked.
#include "replay_message.h"

#include <algorithm>

#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::replay {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(wire::ascii_lower(uint8_t(c)));
  return s;
}

// Types whose RDATA holds only names and numbers: dnspython compares these in canonical (lower)
// case, so a resolver may change the case of an NS target without failing a check.
bool rdata_case_insensitive(wire::RRType t) {
  using wire::RRType;
  return t == RRType::NS || t == RRType::CNAME || t == RRType::SOA || t == RRType::PTR ||
         t == RRType::MX || t == RRType::DNAME || t == RRType::SRV;
}

CompareRR make_rr(const wire::Name& owner, wire::RRType type, wire::RRClass rclass, uint32_t ttl,
                  std::span<const uint8_t> rdata) {
  CompareRR rr;
  rr.owner = lower(owner.to_text());
  rr.type = type;
  rr.rclass = rclass;
  rr.ttl = ttl;
  rr.rdata = wire::rdata_to_text(type, rdata);
  if (rdata_case_insensitive(type)) rr.rdata = lower(rr.rdata);
  return rr;
}

bool same_rr(const CompareRR& a, const CompareRR& b, bool ttl) {
  return a.owner == b.owner && a.type == b.type && a.rclass == b.rclass && a.rdata == b.rdata &&
         (!ttl || a.ttl == b.ttl);
}

std::string rrs_to_text(const std::vector<CompareRR>& rrs) {
  if (rrs.empty()) return "(empty)";
  std::string out;
  for (const auto& rr : rrs) out += "\n    " + rr.text();
  return out;
}

std::optional<std::string> compare_rrs(const char* section, const std::vector<CompareRR>& exp,
                                       const std::vector<CompareRR>& got, bool ttl) {
  auto contains = [ttl](const std::vector<CompareRR>& list, const CompareRR& rr) {
    return std::any_of(list.begin(), list.end(),
                       [&](const CompareRR& x) { return same_rr(x, rr, ttl); });
  };
  bool ok = exp.size() == got.size();
  for (const auto& rr : exp) ok = ok && contains(got, rr);
  for (const auto& rr : got) ok = ok && contains(exp, rr);
  if (ok) return std::nullopt;
  return std::string(section) + ": expected " + rrs_to_text(exp) + "\n  got " + rrs_to_text(got);
}

std::optional<std::string> mismatch(const char* what, const std::string& exp,
                                    const std::string& got) {
  if (exp == got) return std::nullopt;
  return std::string(what) + ": expected \"" + exp + "\" got \"" + got + "\"";
}

}  // namespace

std::string CompareRR::text() const {
  return owner + " " + std::to_string(ttl) + " " + wire::class_to_text(rclass) + " " +
         wire::type_to_text(type) + " " + rdata;
}

std::string flags_to_text(const wire::Header& h) {
  std::string out;
  auto add = [&out](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(h.qr, "QR");
  add(h.aa, "AA");
  add(h.tc, "TC");
  add(h.rd, "RD");
  add(h.ra, "RA");
  add(h.ad, "AD");
  add(h.cd, "CD");
  return out;
}

std::string question_to_text(const std::vector<Question>& q) {
  if (q.empty()) return "<empty question>";
  return q[0].qname.to_text() + " " + wire::class_to_text(q[0].qclass) + " " +
         wire::type_to_text(q[0].qtype);
}

CompareMessage from_entry(const Entry& entry) {
  CompareMessage m;
  const ReplyFlags& f = entry.flags;
  m.header.qr = f.qr;
  m.header.aa = f.aa;
  m.header.tc = f.tc;
  m.header.rd = f.rd;
  m.header.ra = f.ra;
  m.header.ad = f.ad;
  m.header.cd = f.cd;
  m.header.opcode = f.opcode;
  m.header.rcode = uint8_t(uint16_t(f.rcode) & 0x0f);
  m.rcode = f.rcode;
  m.do_bit = f.do_bit;
  m.edns = true;  // Deckard's templates always carry EDNS
  m.question = entry.question;
  auto convert = [](const std::vector<wire::ParsedRR>& in, std::vector<CompareRR>& out) {
    for (const auto& rr : in) out.push_back(make_rr(rr.owner, rr.type, rr.rclass, rr.ttl, rr.rdata));
  };
  convert(entry.answer, m.answer);
  convert(entry.authority, m.authority);
  convert(entry.additional, m.additional);
  return m;
}

std::optional<CompareMessage> from_wire(std::span<const uint8_t> packet) {
  auto parsed = wire::MessageView::parse(packet);
  if (!parsed) return std::nullopt;
  const wire::MessageView& v = *parsed;
  CompareMessage m;
  m.header = v.header();
  m.rcode = v.rcode();
  if (v.has_question()) {
    auto name = v.qname().to_name();
    if (!name) return std::nullopt;
    m.question.push_back(Question{*name, v.qtype(), v.qclass()});
  }
  if (auto e = v.edns()) {
    m.edns = true;
    m.do_bit = e->do_bit();
  }
  auto convert = [&v](std::span<const wire::RecordView> in,
                      std::vector<CompareRR>& out) -> bool {
    for (const auto& rec : in) {
      auto owner = rec.owner().to_name();
      auto rdata = wire::decompress_rdata(v, rec);
      if (!owner || !rdata) return false;
      out.push_back(make_rr(*owner, rec.type(), rec.rclass(), rec.ttl(), *rdata));
    }
    return true;
  };
  if (!convert(v.answer(), m.answer) || !convert(v.authority(), m.authority) ||
      !convert(v.additional(), m.additional)) {
    return std::nullopt;
  }
  return m;
}

std::optional<std::string> compare(const MatchRules& rules, const CompareMessage& expected,
                                   const CompareMessage& got) {
  if (rules.opcode) {
    if (auto d = mismatch("opcode", wire::opcode_to_text(expected.header.opcode),
                          wire::opcode_to_text(got.header.opcode))) {
      return d;
    }
  }
  if (rules.qtype || rules.qname || rules.qcase) {
    const bool e = expected.question.empty(), g = got.question.empty();
    if (e != g) return mismatch("question", question_to_text(expected.question),
                                question_to_text(got.question));
    if (!e) {
      const Question& eq = expected.question[0];
      const Question& gq = got.question[0];
      if (rules.qtype) {
        if (auto d = mismatch("qtype", wire::type_to_text(eq.qtype), wire::type_to_text(gq.qtype))) {
          return d;
        }
      }
      if (rules.qname && !(eq.qname == gq.qname)) {
        return mismatch("qname", eq.qname.to_text(), gq.qname.to_text());
      }
      if (rules.qcase) {
        if (auto d = mismatch("qcase", eq.qname.to_text(), gq.qname.to_text())) return d;
      }
    }
  }
  if (rules.subdomain && !expected.question.empty()) {
    const wire::Name qname = got.question.empty() ? wire::Name() : got.question[0].qname;
    if (!qname.is_subdomain_of(expected.question[0].qname)) {
      return "subdomain: " + qname.to_text() + " is not at or below " +
             expected.question[0].qname.to_text();
    }
  }
  if (rules.flags) {
    if (auto d = mismatch("flags", flags_to_text(expected.header), flags_to_text(got.header))) {
      return d;
    }
  }
  if (rules.rcode) {
    if (auto d = mismatch("rcode", wire::rcode_to_text(expected.rcode), wire::rcode_to_text(got.rcode))) {
      return d;
    }
  }
  if (rules.answer) {
    if (auto d = compare_rrs("answer", expected.answer, got.answer, rules.ttl)) return d;
  }
  if (rules.authority) {
    if (auto d = compare_rrs("authority", expected.authority, got.authority, rules.ttl)) return d;
  }
  if (rules.additional) {
    if (auto d = compare_rrs("additional", expected.additional, got.additional, rules.ttl)) return d;
  }
  return std::nullopt;
}

}  // namespace tern::replay
