#include "resolver/engine/root_hints.h"

#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::engine {

namespace {

constexpr size_t kMaxLines = 10000;
constexpr size_t kMaxRecords = 1000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(RootHintsError e) {
  switch (e) {
    case RootHintsError::BadLine: return "bad-line";
    case RootHintsError::NotRoot: return "not-root";
    case RootHintsError::UnexpectedType: return "unexpected-type";
    case RootHintsError::NoNameServers: return "no-name-servers";
    case RootHintsError::NoAddresses: return "no-addresses";
    case RootHintsError::TooLarge: return "too-large";
  }
  return "unknown";
}

Result<RootHints, RootHintsError> parse_root_hints(std::string_view text) {
  RootHints hints;
  hints.ns = wire::RRset(wire::Name(), wire::RRType::NS, wire::RRClass::IN, 0);
  std::vector<wire::ParsedRR> addr_records;
  size_t lines = 0, records = 0;
  uint32_t default_ttl = 3600000;
  while (!text.empty()) {
    if (++lines > kMaxLines) return fail(RootHintsError::TooLarge);
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    auto body = trim(line.substr(0, line.find(';')));
    if (body.empty()) continue;
    if (body.starts_with("$TTL")) {
      auto v = trim(body.substr(4));
      uint32_t ttl = 0;
      for (char c : v) {
        if (c < '0' || c > '9' || ttl > 429496728) return fail(RootHintsError::BadLine);
        ttl = ttl * 10 + uint32_t(c - '0');
      }
      if (v.empty()) return fail(RootHintsError::BadLine);
      default_ttl = ttl;
      continue;
    }
    if (body.starts_with("$ORIGIN")) {
      auto origin = wire::Name::from_text(trim(body.substr(7)));
      if (!origin || !origin->is_root()) return fail(RootHintsError::BadLine);
      continue;
    }
    if (++records > kMaxRecords) return fail(RootHintsError::TooLarge);
    auto rr = wire::rr_from_text(body, wire::Name(), default_ttl);
    if (!rr) return fail(RootHintsError::BadLine);
    if (rr->rclass != wire::RRClass::IN) return fail(RootHintsError::UnexpectedType);
    switch (rr->type) {
      case wire::RRType::NS:
        if (!rr->owner.is_root()) return fail(RootHintsError::NotRoot);
        hints.ns.add(rr->rdata);
        hints.ns.ttl = hints.ns.size() == 1 ? rr->ttl : std::min(hints.ns.ttl, rr->ttl);
        break;
      case wire::RRType::A:
      case wire::RRType::AAAA:
        addr_records.push_back(std::move(*rr));
        break;
      default:
        return fail(RootHintsError::UnexpectedType);
    }
  }
  if (hints.ns.empty()) return fail(RootHintsError::NoNameServers);
  for (auto& rr : addr_records) {
    bool is_target = false;
    for (auto rdata : hints.ns) {
      auto target = wire::rdata_target(wire::RRType::NS, rdata);
      if (target && *target == rr.owner) is_target = true;
    }
    if (!is_target) continue;
    wire::RRset* set = nullptr;
    for (auto& s : hints.addrs)
      if (s.owner == rr.owner && s.type == rr.type) set = &s;
    if (!set) set = &hints.addrs.emplace_back(rr.owner, rr.type, wire::RRClass::IN, rr.ttl);
    set->add(rr.rdata);
  }
  if (hints.addrs.empty()) return fail(RootHintsError::NoAddresses);
  return hints;
}

std::vector<Address> hint_addresses(const RootHints& hints, const wire::Name& ns_name,
                                    uint16_t port) {
  std::vector<Address> out;
  for (const auto& set : hints.addrs) {
    if (!(set.owner == ns_name)) continue;
    for (auto rdata : set) {
      if (set.type == wire::RRType::A) {
        if (auto a = wire::rdata_a(rdata)) out.push_back(Address::v4(*a, port));
      } else if (auto a6 = wire::rdata_aaaa(rdata)) {
        out.push_back(Address::v6_from(*a6, port));
      }
    }
  }
  return out;
}

}  // namespace tern::engine
