#include "resolver/engine/cache_report.h"

#include <array>

#include "cache/caches.h"
#include "resolver/engine/cache_access.h"
#include "resolver/engine/delegation.h"
#include "resolver/engine/server_selection.h"
#include "resolver/engine/trace.h"
#include "wire/rdata.h"
#include "wire/text.h"

namespace tern::engine {

namespace {

constexpr std::array kCommonTypes = {
    wire::RRType::A,  wire::RRType::AAAA, wire::RRType::CNAME, wire::RRType::DNAME,
    wire::RRType::NS, wire::RRType::SOA,  wire::RRType::MX,    wire::RRType::TXT,
    wire::RRType::PTR, wire::RRType::SRV, wire::RRType::DS,    wire::RRType::HTTPS,
};

std::string indent(const std::string& lines) {
  std::string out;
  size_t start = 0;
  while (start < lines.size()) {
    size_t end = lines.find('\n', start);
    if (end == std::string::npos) end = lines.size();
    out += cat("    ", lines.substr(start, end - start), "\n");
    start = end + 1;
  }
  return out;
}

std::string ms(std::chrono::milliseconds d) { return cat(std::to_string(d.count()), "ms"); }

cache::ServerKey key_of(const Address& a) {
  cache::ServerKey k;
  k.addr = a.bytes;
  k.port = a.port;
  k.v6 = a.v6;
  return k;
}

std::string server_state(cache::Caches& caches, CacheAccess& access, const EngineConfig& cfg,
                         const Address& a, const wire::Name& zone, MonoInstant mono) {
  cache::ServerInfo info = access.server(a, mono);
  std::string out = a.to_string();
  if (!info.known) {
    out += cat(" unknown (no answer or timeout yet: selection RTT ", ms(info.selection_rtt), ")");
  } else {
    if (info.has_rtt)
      out += cat(" srtt=", ms(info.srtt), " rttvar=", ms(info.rttvar), " samples=",
                 std::to_string(info.samples), " selection-rtt=", ms(info.selection_rtt));
    else
      out += " no RTT sample";
    out += cat(" timeouts=", std::to_string(info.consecutive_timeouts));
    out += cat(" timeout=", ms(server_timeout(info, cfg)));
    if (server_down(info, cfg, mono))
      out += " DOWN";
    else if (server_probe_due(info, cfg, mono))
      out += " down, probe due";
    else
      out += " up";
    if (info.edns == cache::EdnsSupport::Unsupported) out += " no-edns";
  }
  if (caches.servers().is_lame(key_of(a), zone, mono)) out += cat(" LAME for ", zone.to_text());
  return out;
}

void report_delegation(std::string& out, cache::Caches& caches, CacheAccess& access,
                       const EngineConfig& cfg, const wire::Name& name, wire::RRType type,
                       Instant now, MonoInstant mono) {
  wire::Name zone = name;
  if (type == wire::RRType::DS && !zone.is_root()) zone = zone.parent();
  for (;;) {
    auto ns = access.rrset(zone, wire::RRType::NS, wire::RRClass::IN, now);
    if (ns && !ns->rrset.empty()) {
      out += cat("delegation ", zone.to_text(), " ttl-left=", std::to_string(ns->rrset.ttl),
                 " trust=", cache::to_string(ns->trust), "\n");
      for (const auto& target : ns_targets(ns->rrset)) {
        out += cat("  ns ", target.to_text(), "\n");
        bool any = false;
        for (auto t : {wire::RRType::A, wire::RRType::AAAA}) {
          if (t == wire::RRType::AAAA && !cfg.ipv6) break;
          auto set = access.rrset(target, t, wire::RRClass::IN, now);
          if (set)
            for (const auto& a : addresses_of(set->rrset, cfg.upstream_port)) {
              any = true;
              out += cat("    ", server_state(caches, access, cfg, a, zone, mono), "\n");
            }
          if (auto glue = access.parent_glue(target, t, wire::RRClass::IN, now))
            for (const auto& a : addresses_of(*glue, cfg.upstream_port)) {
              any = true;
              out += cat("    parent-side ", server_state(caches, access, cfg, a, zone, mono), "\n");
            }
        }
        if (!any) out += "    no address cached (a resolution would look it up)\n";
      }
      return;
    }
    if (zone.is_root()) break;
    zone = zone.parent();
  }
  out += "delegation none cached: a resolution would start from the root hints (priming)\n";
}

}  // namespace

std::string cache_report(cache::Caches& caches, const EngineConfig& cfg, const wire::Name& name,
                         std::optional<wire::RRType> type, Instant now, MonoInstant mono) {
  CacheAccess access(caches);
  std::string out;
  std::vector<wire::RRType> types;
  if (type) {
    types.push_back(*type);
    for (auto t : {wire::RRType::CNAME, wire::RRType::DNAME})
      if (t != *type) types.push_back(t);
  } else {
    types.assign(kCommonTypes.begin(), kCommonTypes.end());
  }
  bool found = false;
  for (auto t : types) {
    auto hit = access.rrset_stale(name, t, wire::RRClass::IN, now);
    if (!hit) continue;
    found = true;
    out += cat("rrset ", name.to_text(), " ", wire::type_to_text(t),
               hit->stale ? " STALE" : " ttl-left=", hit->stale ? "" : std::to_string(hit->rrset.ttl),
               " trust=", cache::to_string(hit->trust), "\n");
    out += indent(wire::rrset_to_text(hit->rrset));
  }
  for (auto t : types) {
    auto neg = access.negative(name, t, wire::RRClass::IN, now);
    if (!neg) continue;
    found = true;
    out += cat("negative ", name.to_text(), " ", neg->nxdomain ? "NXDOMAIN" : wire::type_to_text(t),
               neg->nxdomain ? "" : " NODATA", neg->soa ? " ttl-left=" : " (no SOA)",
               neg->soa ? std::to_string(neg->soa->ttl) : std::string(), "\n");
    if (neg->nxdomain) break;  // covers every type
  }
  if (!found) out += cat("rrset none cached for ", name.to_text(), "\n");
  for (auto t : types) {
    auto failed = caches.failures().why(name, t, wire::RRClass::IN, mono);
    if (!failed) continue;
    out += cat("failure ", name.to_text(), " ", wire::type_to_text(t), " stands ",
               std::to_string(failed->left.count()), "s more");
    if (failed->why.reason <= uint8_t(Failure::Internal))
      out += cat(": ", to_string(Failure(failed->why.reason)), " zone ", failed->why.zone.to_text());
    out += "\n";
  }
  report_delegation(out, caches, access, cfg, name, type.value_or(wire::RRType::A), now, mono);
  return out;
}

}  // namespace tern::engine
