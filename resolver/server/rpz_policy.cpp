#include "resolver/server/rpz_policy.h"

#include <netinet/in.h>

#include <cstring>

#include "wire/rdata.h"

namespace tern::server {
namespace {

using wire::Name;
using wire::RRset;
using wire::RRType;

std::optional<RpzIp> client_ip(const sockaddr* sa) {
  RpzIp ip;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ip.v4 = true;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], &in->sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

// Offsets of each label in a wire name (the suffix with k labels starts at offsets[n - k]).
size_t label_offsets(const uint8_t* w, size_t size, std::array<uint8_t, 128>& offsets) {
  size_t n = 0;
  for (size_t pos = 0; pos < size && w[pos] != 0 && n < offsets.size(); pos += 1 + w[pos]) offsets[n++] = uint8_t(pos);
  return n;
}

// Exact name, then wildcards from the longest (BIND: exact before wildcard, longest wildcard).
const RpzRule* match_name(const RpzNameTable& exact, const RpzNameTable& wildcard, const Name& name) {
  if (exact.empty() && wildcard.empty()) return nullptr;
  uint8_t buf[Name::kMaxWireSize];
  size_t size = rpz_lower_wire(name, buf);
  if (const RpzRule* r = exact.find({buf, size})) return r;
  if (wildcard.empty()) return nullptr;
  std::array<uint8_t, 128> offsets{};
  size_t n = label_offsets(buf, size, offsets);
  // "*.example.com" matches names strictly below example.com; "*" at the zone's top, everything.
  for (size_t i = 1; i <= n; ++i) {
    size_t off = i < n ? offsets[i] : size - 1;
    if (const RpzRule* r = wildcard.find({buf + off, size - off})) return r;
  }
  return nullptr;
}

RRset with_owner(const RRset& s, const Name& owner) {
  RRset out = s;
  out.owner = owner;
  return out;
}

}  // namespace

bool rpz_ede_from_text(std::string_view text, std::optional<uint16_t>& out) {
  if (text == "none") out.reset();
  else if (text == "blocked") out = kEdeBlocked;
  else if (text == "filtered") out = kEdeFiltered;
  else if (text == "censored") out = kEdeCensored;
  else if (text == "forged") out = kEdeForgedAnswer;
  else return false;
  return true;
}

std::shared_ptr<RpzCounters> RpzStats::counters_for(const std::string& zone) {
  std::lock_guard lock(mu_);
  for (auto& [name, c] : zones_)
    if (name == zone) return c;
  zones_.emplace_back(zone, std::make_shared<RpzCounters>());
  return zones_.back().second;
}

std::vector<std::pair<std::string, std::shared_ptr<const RpzCounters>>> RpzStats::all() const {
  std::lock_guard lock(mu_);
  return {zones_.begin(), zones_.end()};
}

RpzPolicy::RpzPolicy(std::vector<RpzPolicyZone> zones) : zones_(std::move(zones)) {
  for (size_t i = 0; i < zones_.size(); ++i) {
    const RpzZone& z = *zones_[i].data;
    client_dependent_ |= !z.client_ip.empty();
    if (first_response_zone_ == SIZE_MAX && (!z.response_ip.empty() || !z.nsdname.empty() ||
                                             !z.nsdname_wildcard.empty() || !z.nsip.empty()))
      first_response_zone_ = i;
    if (first_ns_zone_ == SIZE_MAX && (!z.nsdname.empty() || !z.nsdname_wildcard.empty() || !z.nsip.empty()))
      first_ns_zone_ = i;
  }
}

bool RpzPolicy::response_triggers_before(size_t before) const { return first_response_zone_ < before; }

std::optional<RpzHit> RpzPolicy::match_query(const Name& qname, const sockaddr* client) const {
  std::optional<RpzIp> ip;
  if (client_dependent_ && client) ip = client_ip(client);
  for (size_t i = 0; i < zones_.size(); ++i) {
    const RpzZone& z = *zones_[i].data;
    if (ip && !z.client_ip.empty())
      if (auto m = z.client_ip.find(*ip)) return RpzHit{i, RpzTrigger::ClientIp, m->second};
    if (const RpzRule* r = match_name(z.qname, z.qname_wildcard, qname)) return RpzHit{i, RpzTrigger::Qname, *r};
  }
  return std::nullopt;
}

std::optional<RpzHit> RpzPolicy::match_response(const Sections& s, size_t before) const {
  before = std::min(before, zones_.size());
  for (size_t i = first_response_zone_; i < before; ++i) {
    const RpzZone& z = *zones_[i].data;
    if (z.response_ip.empty()) continue;
    std::optional<std::pair<unsigned, RpzRule>> best;
    for (const RRset& set : s.answer) {
      if (set.type != RRType::A && set.type != RRType::AAAA) continue;
      for (auto rdata : set) {
        auto ip = rpz_ip_of_rdata(set.type, rdata);
        if (!ip) continue;
        if (auto m = z.response_ip.find(*ip); m && (!best || m->first > best->first)) best = m;
      }
    }
    if (best) return RpzHit{i, RpzTrigger::ResponseIp, best->second};
  }
  return std::nullopt;
}

std::optional<RpzHit> RpzPolicy::match_ns(const std::vector<Name>& ns_names,
                                          const std::vector<RRset>& ns_addresses, size_t before) const {
  before = std::min(before, zones_.size());
  for (size_t i = first_ns_zone_; i < before; ++i) {
    const RpzZone& z = *zones_[i].data;
    // NSDNAME before NSIP; among names the first listed server that matches.
    for (const Name& ns : ns_names)
      if (const RpzRule* r = match_name(z.nsdname, z.nsdname_wildcard, ns)) return RpzHit{i, RpzTrigger::Nsdname, *r};
    std::optional<std::pair<unsigned, RpzRule>> best;
    if (!z.nsip.empty())
      for (const RRset& set : ns_addresses)
        for (auto rdata : set)
          if (auto ip = rpz_ip_of_rdata(set.type, rdata))
            if (auto m = z.nsip.find(*ip); m && (!best || m->first > best->first)) best = m;
    if (best) return RpzHit{i, RpzTrigger::Nsip, best->second};
  }
  return std::nullopt;
}

std::optional<RpzHit> RpzPolicy::match_answer(const Name& qname, const Sections& answer,
                                              const std::function<NameServers(const Name&)>& servers,
                                              size_t before) const {
  before = std::min(before, zones_.size());
  std::optional<NameServers> ns;
  for (size_t i = first_response_zone_; i < before; ++i) {
    if (auto hit = match_response(answer, i + 1); hit && hit->zone == i) return hit;
    if (i < first_ns_zone_ || !servers) continue;
    if (!ns) ns = servers(answer.answer.empty() ? qname : answer.answer.back().owner);
    if (auto hit = match_ns(ns->names, ns->addresses, i + 1); hit && hit->zone == i) return hit;
  }
  return std::nullopt;
}

RpzVerdict RpzPolicy::apply(const RpzHit& hit, const ClientQuery& q, bool tcp) const {
  const RpzPolicyZone& pz = zones_.at(hit.zone);
  pz.counters->hits[size_t(hit.rule.action)].fetch_add(1, std::memory_order_relaxed);
  RpzVerdict v;
  auto negative = [&](wire::Rcode rcode) {
    v.kind = RpzVerdict::Kind::Answer;
    v.sections.rcode = rcode;
    if (pz.ede) v.sections.ede = ExtendedError{EdeCode(*pz.ede), {}};
    // The policy zone's SOA lets the client cache the denial for its minimum (BIND does the same).
    if (pz.data->soa) v.sections.authority.push_back(*pz.data->soa);
  };
  switch (hit.rule.action) {
    case RpzAction::Passthru: v.kind = RpzVerdict::Kind::Passthru; break;
    case RpzAction::Drop: v.kind = RpzVerdict::Kind::Drop; break;
    case RpzAction::TcpOnly: v.kind = tcp ? RpzVerdict::Kind::Passthru : RpzVerdict::Kind::Truncate; break;
    case RpzAction::Nxdomain: negative(wire::Rcode::NXDomain); break;
    case RpzAction::Nodata: negative(wire::Rcode::NoError); break;
    case RpzAction::LocalData: {
      const std::vector<RRset>& sets = pz.data->local_data.at(hit.rule.data);
      const RRset* cname = nullptr;
      for (const RRset& s : sets) {
        if (s.type == RRType::CNAME) cname = &s;
        if (s.type == q.qtype || q.qtype == RRType::ANY) v.sections.answer.push_back(with_owner(s, q.qname));
      }
      if (v.sections.answer.empty() && cname && !cname->empty()) {
        RRset alias(q.qname, RRType::CNAME, cname->rclass, cname->ttl);
        auto target = wire::rdata_target(RRType::CNAME, *cname->begin());
        // "CNAME *.garden.example." puts the query name in front of the garden's name.
        if (target && target->label_count() > 0 && target->label(0) == "*") {
          auto full = q.qname.concat(target->suffix(target->label_count() - 1));
          target = full ? std::optional<Name>(*full) : std::optional<Name>(target->suffix(target->label_count() - 1));
        }
        if (target) {
          alias.add(target->wire());
          v.sections.answer.push_back(std::move(alias));
          if (q.qtype != RRType::CNAME) v.follow = *target;
        }
      }
      v.kind = RpzVerdict::Kind::Answer;
      if (pz.ede) v.sections.ede = ExtendedError{EdeCode(*pz.ede), {}};
      if (v.sections.answer.empty() && pz.data->soa) v.sections.authority.push_back(*pz.data->soa);
      break;
    }
  }
  return v;
}

}  // namespace tern::server
