#include "resolver/server/local_policy_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "resolver/server/hosts_file.h"
#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::server {
namespace {

using wire::Name;
using wire::RRType;

// Same values Unbound uses for its built-in local zones.
constexpr uint32_t kBuiltinTtl = 10800;
// TTL of records from the hosts file, which has none (Unbound's local-data default).
constexpr uint32_t kHostsTtl = 3600;

Name name(std::string_view text) { return *Name::from_text(text); }

std::vector<uint8_t> rdata(RRType type, std::string_view text) {
  return *wire::rdata_from_text(type, text, Name());
}

struct Builtin {
  Name apex;
  LocalZoneType type;
};

std::vector<Builtin> builtin_zones() {
  std::vector<std::string> statics = {
      // Loopback reverse zones.
      "127.in-addr.arpa.",
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
      // RFC 6303 §4.1: RFC 1918 networks.
      "10.in-addr.arpa.", "168.192.in-addr.arpa.",
      // RFC 6303 §4.2-4.5: this network, link local, test networks, broadcast.
      "0.in-addr.arpa.", "254.169.in-addr.arpa.", "2.0.192.in-addr.arpa.",
      "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.", "255.255.255.255.in-addr.arpa.",
      // RFC 6303 §4.6-4.9: the unspecified address, ULA, link local, site local, documentation.
      "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
      "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.", "b.e.f.ip6.arpa.",
      "8.b.d.0.1.0.0.2.ip6.arpa.",
  };
  for (int i = 16; i <= 31; ++i) statics.push_back(std::to_string(i) + ".172.in-addr.arpa.");
  // RFC 7793: the RFC 6598 shared address space 100.64.0.0/10.
  for (int i = 64; i <= 127; ++i) statics.push_back(std::to_string(i) + ".100.in-addr.arpa.");
  std::vector<Builtin> out = {
      // RFC 6761 §6.3: every name at or below localhost. is the loopback address.
      {name("localhost."), LocalZoneType::Redirect},
      // RFC 6761 §6.4: no invalid. name exists, the apex included.
      {name("invalid."), LocalZoneType::AlwaysNxdomain},
  };
  for (const auto& t : statics) out.push_back({name(t), LocalZoneType::Static});
  return out;
}

void add_builtin_data(LocalPolicy& p, const Name& apex) {
  // "apex. SOA localhost. nobody.invalid. 1 3600 1200 604800 10800" (RFC 6303 §3).
  p.add_record_to(apex, apex, RRType::SOA, kBuiltinTtl,
                  rdata(RRType::SOA, "localhost. nobody.invalid. 1 3600 1200 604800 10800"));
  p.add_record_to(apex, apex, RRType::NS, kBuiltinTtl, rdata(RRType::NS, "localhost."));
  if (apex == name("localhost.")) {
    p.add_record_to(apex, apex, RRType::A, kBuiltinTtl, rdata(RRType::A, "127.0.0.1"));
    p.add_record_to(apex, apex, RRType::AAAA, kBuiltinTtl, rdata(RRType::AAAA, "::1"));
  } else if (apex == name("127.in-addr.arpa.")) {
    p.add_record_to(apex, name("1.0.0.127.in-addr.arpa."), RRType::PTR, kBuiltinTtl,
                    rdata(RRType::PTR, "localhost."));
  } else if (apex.label_count() == 34) {  // ::1's reverse name, the loopback zone's apex
    p.add_record_to(apex, apex, RRType::PTR, kBuiltinTtl, rdata(RRType::PTR, "localhost."));
  }
}

// "192.0.2.7 printer.corp.example." or "192.0.2.7 300 printer.corp.example." (Unbound's
// local-data-ptr): the PTR at the address's reverse name.
std::optional<std::string> ptr_line(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string addr, second, third, extra;
  in >> addr >> second >> third >> extra;
  if (addr.empty() || second.empty() || !extra.empty()) return std::nullopt;
  std::string ttl = third.empty() ? "" : second;
  std::string target = third.empty() ? second : third;
  std::string hosts_line = addr + " x";
  HostsFile h = parse_hosts(hosts_line);
  if (h.entries.size() != 1) return std::nullopt;
  const HostsEntry& e = h.entries[0];
  return fmt::format("{} {} IN PTR {}", reverse_name(e.v6, e.address).to_text(), ttl, target);
}

}  // namespace

LocalPolicyBuild build_local_policy(const config::Config& cfg, std::string_view hosts_text) {
  LocalPolicyBuild out;
  auto p = std::make_shared<LocalPolicy>();
  std::vector<Name> builtins;
  for (const Builtin& b : builtin_zones()) {
    bool disabled = false;
    for (const auto& text : cfg.server.no_local_zones) {
      auto n = Name::from_text(text);
      disabled |= n && *n == b.apex;
    }
    // A forward or stub zone takes over the built-in zones at and below it (a private reverse
    // zone sent to the internal servers instead of the built-in NXDOMAIN). Forwarding "." keeps
    // them: localhost and the private reverse names still never leave the machine.
    for (const auto& z : cfg.upstream_zones) {
      auto n = Name::from_text(z.name);
      disabled |= n && (*n == b.apex || (!n->is_root() && b.apex.is_subdomain_of(*n)));
    }
    if (disabled) continue;
    p->add_zone(b.apex, b.type);
    builtins.push_back(b.apex);
  }
  for (const auto& z : cfg.local.zones) {
    auto apex = Name::from_text(z.name);
    auto type = local_zone_type_from_text(z.type);
    if (!apex || !type) {
      out.error = fmt::format("{}: local-zone: '{}' type '{}' is not valid", z.where, z.name, z.type);
      return out;
    }
    p->add_zone(*apex, *type);
    std::erase_if(builtins, [&](const Name& b) { return b == *apex; });
  }
  // The built-in data only where the built-in zone was not replaced.
  for (const Name& apex : builtins) add_builtin_data(*p, apex);

  for (const auto& d : cfg.local.data) {
    std::string text = d.text;
    if (d.ptr) {
      auto line = ptr_line(d.text);
      if (!line) {
        out.error = fmt::format("{}: local-data ptr: '{}' is not 'ADDRESS [TTL] NAME'", d.where, d.text);
        return out;
      }
      text = *line;
    }
    auto rr = wire::rr_from_text(text, Name());
    if (!rr) {
      out.error = fmt::format("{}: local-data: '{}': {}", d.where, d.text, wire::to_string(rr.error()));
      return out;
    }
    if (rr->rclass != wire::RRClass::IN) {
      out.error = fmt::format("{}: local-data: '{}': only class IN is served", d.where, d.text);
      return out;
    }
    p->add_record(rr->owner, rr->type, rr->ttl, rr->rdata);
  }

  if (!hosts_text.empty()) {
    HostsFile h = parse_hosts(hosts_text);
    for (const auto& s : h.skipped) out.warnings.push_back(fmt::format("{}:{}", cfg.local.hosts_file, s));
    std::vector<Name> reversed;
    for (const HostsEntry& e : h.entries) {
      std::span<const uint8_t> addr(e.address.data(), e.v6 ? 16 : 4);
      for (const Name& n : e.names) p->add_record(n, e.v6 ? RRType::AAAA : RRType::A, kHostsTtl, addr);
      // One PTR per address, to the first name it was listed with (as the C library's
      // gethostbyaddr answers from a hosts file).
      Name rev = reverse_name(e.v6, e.address);
      if (std::find(reversed.begin(), reversed.end(), rev) != reversed.end()) continue;
      reversed.push_back(rev);
      p->add_record(rev, RRType::PTR, kHostsTtl, e.names.front().wire());
    }
  }
  out.policy = std::move(p);
  return out;
}

LocalPolicyBuild load_local_policy(const config::Config& cfg) {
  std::string hosts;
  if (!cfg.local.hosts_file.empty()) {
    std::ifstream in(cfg.local.hosts_file, std::ios::binary);
    if (!in) {
      LocalPolicyBuild out;
      out.error = fmt::format("{}: cannot open the hosts file", cfg.local.hosts_file);
      return out;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    hosts = ss.str();
  }
  return build_local_policy(cfg, hosts);
}

}  // namespace tern::server
