#include "resolver/server/rpz_parser.h"

#include <fmt/format.h>

#include <cstring>

#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::server {
namespace {

using wire::Name;
using wire::RRType;

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (wire::ascii_lower(uint8_t(a[i])) != wire::ascii_lower(uint8_t(b[i]))) return false;
  return true;
}

// The line up to an unquoted ';', and the change in parenthesis depth it makes.
std::string_view strip_comment(std::string_view line, int& depth) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ';') {
      return line.substr(0, i);
    } else if (!quoted && c == '(') {
      ++depth;
    } else if (!quoted && c == ')') {
      --depth;
    }
  }
  return line;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<unsigned> decimal(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + unsigned(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

std::optional<unsigned> hex_group(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') d = unsigned(c - '0');
    else if (c >= 'a' && c <= 'f') d = unsigned(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = unsigned(c - 'A' + 10);
    else return std::nullopt;
    v = v * 16 + d;
  }
  return v;
}

// The labels of an IP trigger before its rpz-ip / rpz-client-ip / rpz-nsip label: prefix length
// first, then the address's parts from the last to the first.
struct IpTrigger {
  RpzIp ip;
  unsigned prefix = 0;  // over the 16-byte key
};
std::optional<IpTrigger> parse_ip_trigger(const std::vector<std::string_view>& labels) {
  if (labels.size() < 2) return std::nullopt;
  IpTrigger t;
  bool all_decimal = labels.size() == 5;
  for (size_t i = 1; i < labels.size() && all_decimal; ++i) all_decimal = decimal(labels[i], 255).has_value();
  if (all_decimal) {
    auto p = decimal(labels[0], 32);
    if (!p || *p == 0) return std::nullopt;
    t.ip.v4 = true;
    t.ip.bytes[10] = t.ip.bytes[11] = 0xff;
    for (size_t i = 0; i < 4; ++i) t.ip.bytes[12 + i] = uint8_t(*decimal(labels[4 - i], 255));
    t.prefix = 96 + *p;
    return t;
  }
  auto p = decimal(labels[0], 128);
  if (!p || *p == 0) return std::nullopt;
  t.prefix = *p;
  // Groups in address order; one "zz" stands for the run of zero groups (::).
  std::vector<std::string_view> groups(labels.rbegin(), labels.rend() - 1);
  size_t zz = groups.size();
  for (size_t i = 0; i < groups.size(); ++i)
    if (ieq(groups[i], "zz")) {
      if (zz != groups.size()) return std::nullopt;
      zz = i;
    }
  size_t explicit_groups = groups.size() - (zz != groups.size() ? 1 : 0);
  if (explicit_groups > 8 || (zz == groups.size() && explicit_groups != 8)) return std::nullopt;
  std::vector<unsigned> full;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i == zz) {
      for (size_t k = 0; k < 8 - explicit_groups; ++k) full.push_back(0);
      continue;
    }
    auto g = hex_group(groups[i]);
    if (!g) return std::nullopt;
    full.push_back(*g);
  }
  if (full.size() != 8) return std::nullopt;
  for (size_t i = 0; i < 8; ++i) {
    t.ip.bytes[2 * i] = uint8_t(full[i] >> 8);
    t.ip.bytes[2 * i + 1] = uint8_t(full[i]);
  }
  return t;
}

// What a CNAME's target says, for a trigger named `trigger` (relative part, as absolute).
std::optional<RpzAction> cname_action(const Name& target, const Name& trigger, bool qname_trigger) {
  if (target.is_root()) return RpzAction::Nxdomain;
  if (target.label_count() == 1) {
    std::string_view l = target.label(0);
    if (l == "*") return RpzAction::Nodata;
    if (ieq(l, "rpz-passthru")) return RpzAction::Passthru;
    if (ieq(l, "rpz-drop")) return RpzAction::Drop;
    if (ieq(l, "rpz-tcp-only")) return RpzAction::TcpOnly;
  }
  // The older spelling of PASSTHRU: a QNAME trigger aliased to the name itself.
  if (qname_trigger && target == trigger) return RpzAction::Passthru;
  return std::nullopt;
}

}  // namespace

class RpzBuilder::Impl {
 public:
  Impl(const Name& origin, size_t max_rules) : max_rules_(max_rules) {
    zone_.origin = origin;
  }

  // Returns the error for this record, or "".
  std::string add(const wire::ParsedRR& rr) {
    const Name& origin = zone_.origin;
    if (rr.owner == origin) {
      if (rr.type == RRType::SOA) {
        if (!zone_.soa) zone_.soa.emplace(origin, RRType::SOA, rr.rclass, rr.ttl);
        zone_.soa->add(rr.rdata);
      }
      return "";  // NS and anything else at the apex is the zone's, not a rule
    }
    if (!rr.owner.is_subdomain_of(origin))
      return fmt::format("owner {} is outside the policy zone {}", rr.owner.to_text(), origin.to_text());
    if (rr.type == RRType::SOA || rr.type == RRType::NS) return "";  // below the apex: ignored, as BIND does
    size_t n = rr.owner.label_count() - origin.label_count();
    std::vector<std::string_view> labels;
    for (size_t i = 0; i < n; ++i) labels.push_back(rr.owner.label(i));
    std::string_view kind_label = labels.back();

    // The trigger's relative part as its own (absolute) name, lower-cased wire form.
    uint8_t key[Name::kMaxWireSize];
    size_t key_len = 0;
    auto append_labels = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        key[key_len++] = uint8_t(labels[i].size());
        for (char c : labels[i]) key[key_len++] = wire::ascii_lower(uint8_t(c));
      }
      key[key_len++] = 0;
    };

    RpzTrigger trigger = RpzTrigger::Qname;
    if (ieq(kind_label, "rpz-client-ip")) trigger = RpzTrigger::ClientIp;
    else if (ieq(kind_label, "rpz-ip")) trigger = RpzTrigger::ResponseIp;
    else if (ieq(kind_label, "rpz-nsip")) trigger = RpzTrigger::Nsip;
    else if (ieq(kind_label, "rpz-nsdname")) trigger = RpzTrigger::Nsdname;

    // The action.
    RpzRule rule;
    bool data_record = true;
    if (rr.type == RRType::CNAME) {
      auto target = wire::rdata_target(RRType::CNAME, rr.rdata);
      if (!target) return "bad CNAME target";
      // The trigger's own name, for the older PASSTHRU spelling (a CNAME to itself).
      Name self;
      if (trigger == RpzTrigger::Qname) {
        append_labels(0, n);
        if (auto s = Name::from_wire({key, key_len})) self = *s;
        key_len = 0;
      }
      if (auto a = cname_action(*target, self, trigger == RpzTrigger::Qname)) {
        rule.action = *a;
        data_record = false;
      }
    }
    if (data_record) rule.action = RpzAction::LocalData;

    RpzRule* existing = nullptr;
    if (trigger == RpzTrigger::Qname || trigger == RpzTrigger::Nsdname) {
      size_t end = trigger == RpzTrigger::Qname ? n : n - 1;
      if (end == 0) return fmt::format("{} trigger without a name", kind_label);
      bool wildcard = labels[0] == "*";
      for (size_t i = wildcard ? 1 : 0; i < end; ++i)
        if (labels[i] == "*") return "'*' is only allowed as the leftmost label";
      append_labels(wildcard ? 1 : 0, end);
      RpzNameTable& table = trigger == RpzTrigger::Qname
                                ? (wildcard ? zone_.qname_wildcard : zone_.qname)
                                : (wildcard ? zone_.nsdname_wildcard : zone_.nsdname);
      if (data_record) rule.data = uint32_t(zone_.local_data.size());
      existing = table.insert({key, key_len}, rule);
    } else {
      std::vector<std::string_view> ip_labels(labels.begin(), labels.end() - 1);
      auto t = parse_ip_trigger(ip_labels);
      if (!t) return fmt::format("{}: not a valid IP trigger (prefix.reversed-address)", rr.owner.to_text());
      RpzIpTable& table = trigger == RpzTrigger::ClientIp     ? zone_.client_ip
                          : trigger == RpzTrigger::ResponseIp ? zone_.response_ip
                                                              : zone_.nsip;
      if (data_record) rule.data = uint32_t(zone_.local_data.size());
      existing = table.insert(t->ip, t->prefix, rule);
    }

    if (!existing) {
      if (zone_.rule_count() > max_rules_)
        return fmt::format("more than {} rules (max-rules)", max_rules_);
      if (data_record) zone_.local_data.emplace_back();
    } else if (!data_record || existing->action != RpzAction::LocalData) {
      // Two policy actions for one trigger, or an action beside local data: BIND refuses the
      // zone (a CNAME cannot share its owner), so do we.
      if (*existing == rule) return "";
      return fmt::format("{}: conflicting actions for one trigger", rr.owner.to_text());
    } else {
      rule = *existing;
    }
    if (data_record) return add_local(rule.data, rr);
    return "";
  }

  RpzZone take() { return std::move(zone_); }

 private:
  std::string add_local(uint32_t index, const wire::ParsedRR& rr) {
    std::vector<wire::RRset>& sets = zone_.local_data[index];
    for (wire::RRset& s : sets) {
      if (s.type == rr.type) {
        if (s.type == RRType::CNAME) return fmt::format("{}: more than one CNAME", rr.owner.to_text());
        s.add(rr.rdata);
        s.ttl = std::min(s.ttl, rr.ttl);
        return "";
      }
    }
    bool has_cname = false;
    for (const wire::RRset& s : sets) has_cname |= s.type == RRType::CNAME;
    if (has_cname || (rr.type == RRType::CNAME && !sets.empty()))
      return fmt::format("{}: CNAME and other data", rr.owner.to_text());
    wire::RRset s(Name(), rr.type, rr.rclass, rr.ttl);
    s.add(rr.rdata);
    sets.push_back(std::move(s));
    return "";
  }

  size_t max_rules_;
  RpzZone zone_;
};


RpzBuilder::RpzBuilder(const Name& origin, size_t max_rules) : impl_(std::make_unique<Impl>(origin, max_rules)) {}
RpzBuilder::~RpzBuilder() = default;
std::string RpzBuilder::add(const wire::ParsedRR& rr) { return impl_->add(rr); }
RpzZone RpzBuilder::take() { return impl_->take(); }

RpzParseResult parse_rpz(std::string_view text, const Name& origin, size_t max_rules) {
  RpzParseResult result;
  RpzBuilder reader(origin, max_rules);
  Name current_origin = origin;
  uint32_t default_ttl = 3600;
  std::optional<Name> previous_owner;
  size_t line_no = 0;
  auto fail = [&](size_t line, std::string message) {
    result.error_line = line;
    result.error = std::move(message);
    return result;
  };
  std::string joined;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    size_t first_line = line_no;
    int depth = 0;
    std::string_view body = strip_comment(raw, depth);
    if (depth != 0) {
      // Parentheses join lines (an SOA over several lines); comments are cut from each part.
      joined.assign(body);
      while (depth > 0 && !text.empty()) {
        nl = text.find('\n');
        std::string_view more = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        joined += ' ';
        joined += strip_comment(more, depth);
        if (joined.size() > kRpzMaxLineBytes) return fail(first_line, "record too long");
      }
      if (depth != 0) return fail(first_line, "unbalanced parentheses");
      body = joined;
    }
    if (body.size() > kRpzMaxLineBytes) return fail(first_line, "line too long");
    bool owner_omitted = !body.empty() && (body.front() == ' ' || body.front() == '\t');
    std::string_view t = trim(body);
    if (t.empty()) continue;
    if (t.front() == '$') {
      size_t sp = t.find_first_of(" \t");
      std::string_view directive = t.substr(0, sp);
      std::string_view arg = sp == std::string_view::npos ? std::string_view() : trim(t.substr(sp));
      if (ieq(directive, "$ORIGIN")) {
        auto o = Name::from_text(arg, current_origin);
        if (arg.empty() || !o) return fail(first_line, "$ORIGIN: not a name");
        current_origin = *o;
      } else if (ieq(directive, "$TTL")) {
        uint64_t v = 0;
        if (arg.empty() || arg.size() > 10) return fail(first_line, "$TTL: not a number");
        for (char c : arg) {
          if (c < '0' || c > '9') return fail(first_line, "$TTL: not a number");
          v = v * 10 + uint64_t(c - '0');
        }
        if (v > 0x7fffffff) return fail(first_line, "$TTL: too large");
        default_ttl = uint32_t(v);
      } else {
        return fail(first_line, fmt::format("{}: not supported", directive));
      }
      continue;
    }
    std::string with_owner;
    if (owner_omitted) {
      if (!previous_owner) return fail(first_line, "record without an owner");
      with_owner = previous_owner->to_text() + " " + std::string(t);
      t = with_owner;
    }
    auto rr = wire::rr_from_text(t, current_origin, default_ttl);
    if (!rr) return fail(first_line, fmt::format("not a valid record ({})", wire::to_string(rr.error())));
    if (rr->rclass != wire::RRClass::IN) return fail(first_line, "class must be IN");
    previous_owner = rr->owner;
    if (std::string e = reader.add(*rr); !e.empty()) return fail(first_line, std::move(e));
  }
  result.zone = reader.take();
  return result;
}

}  // namespace tern::server
