// States FindDelegation and Prime: where to start asking. The closest enclosing zone cut whose NS
// set is cached; with no root NS set at all, prime from the root hints first (RFC 8109).
#include "resolver/engine/iterator.h"
#include "wire/rdata.h"

namespace tern::engine {

namespace {

void add_unique(std::vector<Address>& v, const Address& a) {
  for (const auto& x : v)
    if (x == a) return;
  v.push_back(a);
}

}  // namespace

Delegation Iterator::delegation_from_ns(const wire::RRset& ns, const std::vector<wire::RRset>& glue) {
  Delegation dp;
  dp.zone = ns.owner;
  const auto port = engine.config_.upstream_port;
  for (const auto& target : ns_targets(ns)) {
    if (dp.find(target)) continue;
    NameServer s;
    s.name = target;
    auto take = [&](const wire::RRset& set) {
      for (const auto& a : addresses_of(set, port)) {
        if (allowed_for(a, dp.zone))
          add_unique(s.addresses, a);
        else
          ++dp.skipped_not_allowed;
      }
      if (set.type == wire::RRType::A) s.a_looked_up = true;
      if (set.type == wire::RRType::AAAA) s.aaaa_looked_up = true;
    };
    for (const auto& g : glue)
      if (g.owner == target) take(g);
    // Addresses already known (any trust: this only decides where to send, never what to answer).
    if (auto a = cache.rrset(target, wire::RRType::A, ns.rclass, now())) take(a->rrset);
    if (engine.config_.ipv6)
      if (auto a = cache.rrset(target, wire::RRType::AAAA, ns.rclass, now())) take(a->rrset);
    if (s.addresses.empty()) {
      // An NS name that is an alias (RFC 2181 §10.3 forbids it, the world does it): use the
      // addresses of its cached target.
      auto alias = cache.rrset(target, wire::RRType::CNAME, ns.rclass, now());
      if (alias && !alias->rrset.empty()) {
        if (auto to = wire::rdata_target(wire::RRType::CNAME, *alias->rrset.begin())) {
          if (auto a = cache.rrset(*to, wire::RRType::A, ns.rclass, now())) take(a->rrset);
          if (engine.config_.ipv6)
            if (auto a = cache.rrset(*to, wire::RRType::AAAA, ns.rclass, now())) take(a->rrset);
        }
      }
    }
    // The parent side's addresses, for when the child side's fail.
    for (auto type : {wire::RRType::A, wire::RRType::AAAA}) {
      if (type == wire::RRType::AAAA && !engine.config_.ipv6) break;
      auto set = cache.parent_glue(target, type, ns.rclass, now());
      if (!set) continue;
      for (const auto& a : addresses_of(*set, port)) {
        bool known = false;
        for (const auto& x : s.addresses) known = known || x == a;
        if (!known && allowed_for(a, dp.zone)) add_unique(s.parent_side, a);
      }
    }
    if (!engine.config_.ipv6) s.aaaa_looked_up = true;
    dp.servers.push_back(std::move(s));
  }
  return dp;
}

void Iterator::add_hint_addresses(Delegation& dp) {
  if (!dp.zone.is_root()) return;
  const auto port = engine.config_.upstream_port;
  for (auto& s : dp.servers) {
    if (!s.addresses.empty()) continue;
    std::vector<Address> found;
    for (const auto& set : res.root_addrs)
      if (set.owner == s.name)
        for (const auto& a : addresses_of(set, port)) found.push_back(a);
    if (found.empty()) found = hint_addresses(engine.hints_, s.name, port);
    for (const auto& a : found) {
      if (allowed(a))
        add_unique(s.addresses, a);
      else
        ++dp.skipped_not_allowed;
    }
    // The hints are the last word on root server addresses: never look them up glueless (that
    // would need the root itself).
    s.a_looked_up = s.aaaa_looked_up = true;
  }
}

State Iterator::on_find_delegation(Task& t) {
  auto found = [&](const char* from) {
    if (tracing()) {
      std::string servers = from;
      for (const auto& s : t.dp.servers) {
        servers += cat(" ", s.name.to_text());
        for (const auto& a : s.addresses) servers += cat(" ", a.host_to_string());
      }
      trace(t, TraceStep::Kind::Delegation, std::move(servers));
    }
    return State::SelectServer;
  };
  auto use_hints = [&] {
    t.dp = delegation_from_ns(engine.hints_.ns, engine.hints_.addrs);
    t.dp.from_hints = true;
    add_hint_addresses(t.dp);
    t.have_dp = true;
    return found("root hints:");
  };
  if (t.priming) return use_hints();
  wire::Name zone = t.qname;
  // DS lives in the parent zone (RFC 4035 §3.1.4.1): start above the name.
  if (t.qtype == wire::RRType::DS && !zone.is_root()) zone = zone.parent();
  // A forward zone answers for everything under it; a stub zone ends the walk at its apex
  // (iterator_routes.cpp).
  const ConfiguredZone* configured = route(t, zone);
  if (configured && configured->kind == ConfiguredZone::Kind::Forward) return use_forward(t, *configured);
  for (;;) {
    if (configured && zone == configured->name) return use_stub(t, *configured);
    auto ns = cache.rrset(zone, wire::RRType::NS, t.qclass, now());
    if (ns && !ns->rrset.empty()) {
      t.dp = delegation_from_ns(ns->rrset, {});
      add_hint_addresses(t.dp);
      t.have_dp = true;
      return found("cached NS:");
    }
    if (zone.is_root()) break;
    zone = zone.parent();
  }
  if (res.root_ns) {
    t.dp = delegation_from_ns(*res.root_ns, res.root_addrs);
    add_hint_addresses(t.dp);
    t.have_dp = true;
    return found("primed root NS:");
  }
  // Priming ran and left nothing usable: ask the hinted servers directly rather than fail.
  if (res.primed) return use_hints();
  return State::Prime;
}

State Iterator::on_prime(Task& t) {
  res.primed = true;
  spawn_child(t, wire::Name(), wire::RRType::NS, /*priming=*/true);
  return State::WaitChild;
}

}  // namespace tern::engine
