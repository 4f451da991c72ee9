#include "wire/text.h"

#include "wire/rdata.h"
#include "wire/text_tokens.h"

namespace tern::wire {
namespace {

// dig (BIND's master-file style) aligns fields with tabs: TTL at column 24, class at 32, type
// at 40, RDATA at 48. A field already past its column gets one separator, which BIND writes as a
// tab when the next column is a tab stop and as a space otherwise.
class Columns {
 public:
  explicit Columns(std::string& out) : out_(out) {}
  void text(std::string_view t) {
    out_ += t;
    col_ += t.size();
  }
  void pad_to(size_t column) {
    if (col_ >= column) {
      out_ += (col_ % 8 == 7) ? '\t' : ' ';
      ++col_;
      return;
    }
    while (col_ < column) {
      out_ += '\t';
      col_ = (col_ / 8 + 1) * 8;
    }
  }

 private:
  std::string& out_;
  size_t col_ = 0;
};

void append_rr(std::string& out, const Name& owner, uint32_t ttl, RRClass rclass, RRType type,
               std::span<const uint8_t> rdata) {
  Columns line(out);
  line.text(owner.to_text());
  line.pad_to(24);
  line.text(std::to_string(ttl));
  line.pad_to(32);
  line.text(class_to_text(rclass));
  line.pad_to(40);
  line.text(type_to_text(type));
  line.pad_to(48);
  line.text(rdata_to_text(type, rdata));
}

// TTL as a number or with BIND units: 1w2d3h4m5s.
std::optional<uint32_t> parse_ttl(std::string_view t) {
  if (auto v = detail::parse_number(t, 0xffffffffu)) return uint32_t(*v);
  uint64_t total = 0, cur = 0;
  bool digits = false;
  for (char c : t) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + uint64_t(c - '0');
      digits = true;
      if (cur > 0xffffffffu) return std::nullopt;
      continue;
    }
    uint64_t mult = 0;
    switch (c | 0x20) {
      case 's': mult = 1; break;
      case 'm': mult = 60; break;
      case 'h': mult = 3600; break;
      case 'd': mult = 86400; break;
      case 'w': mult = 604800; break;
      default: return std::nullopt;
    }
    if (!digits) return std::nullopt;
    total += cur * mult;
    cur = 0;
    digits = false;
  }
  if (digits || total > 0xffffffffu) return std::nullopt;
  return uint32_t(total);
}

bool starts_with_digit(std::string_view t) { return !t.empty() && t[0] >= '0' && t[0] <= '9'; }

}  // namespace

std::string rr_to_text(const Name& owner, uint32_t ttl, RRClass rclass, RRType type,
                       std::span<const uint8_t> rdata) {
  std::string out;
  append_rr(out, owner, ttl, rclass, type, rdata);
  return out;
}

std::string rrset_to_text(const RRset& rrset) {
  std::string out;
  for (auto rdata : rrset) {
    append_rr(out, rrset.owner, rrset.ttl, rrset.rclass, rrset.type, rdata);
    out += '\n';
  }
  return out;
}

std::string message_to_text(const MessageView& msg) {
  const Header& h = msg.header();
  const auto edns = msg.edns();
  std::string out = ";; ->>HEADER<<- opcode: " + opcode_to_text(h.opcode) +
                    ", status: " + rcode_to_text(msg.rcode()) + ", id: " + std::to_string(h.id) +
                    "\n;; flags:";
  const std::pair<bool, const char*> flags[] = {{h.qr, " qr"}, {h.aa, " aa"}, {h.tc, " tc"},
                                                {h.rd, " rd"}, {h.ra, " ra"}, {h.z, " z"},
                                                {h.ad, " ad"}, {h.cd, " cd"}};
  for (const auto& [on, name] : flags) {
    if (on) out += name;
  }
  out += "; QUERY: " + std::to_string(h.qdcount) + ", ANSWER: " + std::to_string(h.ancount) +
         ", AUTHORITY: " + std::to_string(h.nscount) +
         ", ADDITIONAL: " + std::to_string(h.arcount) + "\n";
  if (h.qr && h.rd && !h.ra) out += ";; WARNING: recursion requested but not available\n";
  out += '\n';
  if (edns) {
    out += ";; OPT PSEUDOSECTION:\n; EDNS: version: " + std::to_string(edns->version()) +
           ", flags:" + (edns->do_bit() ? " do" : "") + "; udp: " + std::to_string(edns->udp_size()) +
           "\n";
    for (const auto& o : edns->options()) {
      if (o.code == kEdnsCookie) {
        out += "; COOKIE: ";
        for (uint8_t b : o.data) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += kHex[b >> 4];
          out += kHex[b & 15];
        }
        out += '\n';
      } else if (o.code == kEdnsEde && o.data.size() >= 2) {
        out += "; EDE: " + std::to_string(o.data[0] << 8 | o.data[1]);
        if (o.data.size() > 2) {
          out += " (";
          out.append(reinterpret_cast<const char*>(o.data.data() + 2), o.data.size() - 2);
          out += ')';
        }
        out += '\n';
      } else {
        out += "; OPT=" + std::to_string(o.code) + ": " + std::to_string(o.data.size()) +
               " bytes\n";
      }
    }
  }
  if (msg.has_question()) {
    out += ";; QUESTION SECTION:\n";
    // BIND prints the ';' outside its column count, so the columns shift by one here.
    out += ';';
    Columns line(out);
    line.text(msg.qname().to_name()->to_text());
    line.pad_to(32);
    line.text(class_to_text(msg.qclass()));
    line.pad_to(40);
    line.text(type_to_text(msg.qtype()));
    out += "\n\n";
  }
  const std::pair<Section, const char*> sections[] = {{Section::Answer, "ANSWER"},
                                                      {Section::Authority, "AUTHORITY"},
                                                      {Section::Additional, "ADDITIONAL"}};
  for (const auto& [section, title] : sections) {
    auto records = msg.section(section);
    if (records.empty()) continue;
    out += ";; ";
    out += title;
    out += " SECTION:\n";
    for (const auto& r : records) {
      // Parse validated everything, so decompression cannot fail here.
      auto rdata = decompress_rdata(msg, r);
      append_rr(out, *r.owner().to_name(), r.ttl(), r.rclass(), r.type(), *rdata);
      out += '\n';
    }
    out += '\n';
  }
  return out;
}

Result<ParsedRR, WireError> rr_from_text(std::string_view line, const Name& origin,
                                         uint32_t default_ttl) {
  auto toks = detail::tokenize(line);
  if (!toks) return fail(toks.error());
  const auto& t = *toks;
  if (t.size() < 2) return fail(WireError::BadText);
  ParsedRR rr;
  auto owner = Name::from_text(t[0].text, origin);
  if (!owner) return fail(owner.error());
  rr.owner = *owner;
  rr.ttl = default_ttl;
  size_t i = 1;
  bool have_ttl = false, have_class = false;
  while (i + 1 < t.size()) {
    std::string_view x = t[i].text;
    if (!have_ttl && starts_with_digit(x)) {
      auto ttl = parse_ttl(x);
      if (!ttl) return fail(WireError::BadNumber);
      rr.ttl = *ttl;
      have_ttl = true;
      ++i;
      continue;
    }
    // "ANY" is a class only when a type follows it.
    auto cls = have_class ? std::nullopt : class_from_text(x);
    if (cls && (*cls != RRClass::ANY || type_from_text(t[i + 1].text))) {
      rr.rclass = *cls;
      have_class = true;
      ++i;
      continue;
    }
    break;
  }
  auto type = type_from_text(t[i].text);
  if (!type) return fail(WireError::UnknownType);
  rr.type = *type;
  // The RDATA is the rest of the line after the type token.
  const char* rest = t[i].text.data() + t[i].text.size();
  std::string_view rdata_text(rest, size_t(line.data() + line.size() - rest));
  auto rdata = rdata_from_text(rr.type, rdata_text, origin);
  if (!rdata) return fail(rdata.error());
  rr.rdata = std::move(*rdata);
  return rr;
}

}  // namespace tern::wire
