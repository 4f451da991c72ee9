#include "resolver/validator/trust_anchor.h"

#include <string>

#include "resolver/validator/dnssec_rdata.h"
#include "wire/text.h"

namespace tern::validator {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Appends `line` without its comment to `out` and updates the parenthesis depth. Quotes are
// honoured so a ';' or '(' inside a quoted string counts for nothing. False on a ')' too many.
bool append_line(std::string_view line, std::string& out, int& depth) {
  bool quoted = false, escaped = false;
  for (char c : line) {
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ';') {
      break;
    } else if (!quoted && c == '(') {
      ++depth;
      c = ' ';
    } else if (!quoted && c == ')') {
      if (--depth < 0) return false;
      c = ' ';
    }
    out.push_back(c);
  }
  out.push_back(' ');
  return true;
}

std::optional<uint32_t> parse_ttl(std::string_view v) {
  if (v.empty() || v.size() > 10) return std::nullopt;
  uint64_t ttl = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    ttl = ttl * 10 + uint64_t(c - '0');
  }
  if (ttl > 0xffffffffu) return std::nullopt;
  return uint32_t(ttl);
}

TrustAnchor& anchor_for(std::vector<TrustAnchor>& anchors, const wire::Name& zone) {
  for (auto& a : anchors) {
    if (a.zone == zone) return a;
  }
  anchors.push_back({zone, wire::RRset(zone, wire::RRType::DS, wire::RRClass::IN, 0),
                     wire::RRset(zone, wire::RRType::DNSKEY, wire::RRClass::IN, 0)});
  return anchors.back();
}

}  // namespace

std::string_view to_string(TrustAnchorError e) {
  switch (e) {
    case TrustAnchorError::BadRecord: return "bad-record";
    case TrustAnchorError::UnexpectedType: return "unexpected-type";
    case TrustAnchorError::UnexpectedClass: return "unexpected-class";
    case TrustAnchorError::BadDirective: return "bad-directive";
    case TrustAnchorError::Unbalanced: return "unbalanced-parentheses";
    case TrustAnchorError::TooLarge: return "too-large";
    case TrustAnchorError::Empty: return "empty";
  }
  return "unknown";
}

Result<std::vector<TrustAnchor>, TrustAnchorParseError> parse_trust_anchors(std::string_view text) {
  std::vector<TrustAnchor> anchors;
  wire::Name origin;
  uint32_t default_ttl = 3600;
  size_t line_no = 0, records = 0, start_line = 0;
  std::string record;
  int depth = 0;
  auto error = [&](TrustAnchorError e) { return fail(TrustAnchorParseError{e, start_line}); };
  while (!text.empty()) {
    if (++line_no > kMaxTrustAnchorLines) return fail(TrustAnchorParseError{TrustAnchorError::TooLarge, line_no});
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (depth == 0) {
      record.clear();
      start_line = line_no;
    }
    if (!append_line(line, record, depth)) return error(TrustAnchorError::Unbalanced);
    if (record.size() > kMaxTrustAnchorRecordChars) return error(TrustAnchorError::Unbalanced);
    if (depth > 0) continue;
    auto body = trim(record);
    if (body.empty()) continue;
    if (body.front() == '$') {
      auto space = body.find_first_of(" \t");
      auto directive = body.substr(0, space);
      auto arg = space == std::string_view::npos ? std::string_view{} : trim(body.substr(space));
      if (directive == "$ORIGIN") {
        auto o = wire::Name::from_text(arg);
        if (!o || arg.empty()) return error(TrustAnchorError::BadDirective);
        origin = *o;
      } else if (directive == "$TTL") {
        auto ttl = parse_ttl(arg);
        if (!ttl) return error(TrustAnchorError::BadDirective);
        default_ttl = *ttl;
      } else {
        return error(TrustAnchorError::BadDirective);
      }
      continue;
    }
    if (++records > kMaxTrustAnchorRecords) return error(TrustAnchorError::TooLarge);
    auto rr = wire::rr_from_text(body, origin, default_ttl);
    if (!rr) return error(TrustAnchorError::BadRecord);
    if (rr->rclass != wire::RRClass::IN) return error(TrustAnchorError::UnexpectedClass);
    TrustAnchor& a = anchor_for(anchors, rr->owner);
    if (rr->type == wire::RRType::DS) {
      if (!parse_ds(rr->rdata)) return error(TrustAnchorError::BadRecord);
      a.ds.add(rr->rdata);
    } else if (rr->type == wire::RRType::DNSKEY) {
      if (!parse_dnskey(rr->rdata)) return error(TrustAnchorError::BadRecord);
      a.dnskey.add(rr->rdata);
    } else {
      return error(TrustAnchorError::UnexpectedType);
    }
  }
  if (depth != 0) return error(TrustAnchorError::Unbalanced);
  if (anchors.empty()) return fail(TrustAnchorParseError{TrustAnchorError::Empty, line_no});
  return anchors;
}

const TrustAnchor* closest_trust_anchor(const std::vector<TrustAnchor>& anchors,
                                        const wire::Name& name) {
  const TrustAnchor* best = nullptr;
  for (const auto& a : anchors) {
    if (name.is_subdomain_of(a.zone) &&
        (!best || a.zone.label_count() > best->zone.label_count())) {
      best = &a;
    }
  }
  return best;
}

}  // namespace tern::validator
