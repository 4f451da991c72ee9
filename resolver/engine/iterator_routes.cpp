// Forward and stub zones in the iterator (issue #15). FindDelegation asks route() first: a
// forward zone replaces the whole walk (its forwarders answer everything under it, RD=1); a stub
// zone stops the walk at its apex (its servers are the zone's authorities, RD=0, and referrals
// below them are followed as usual). The addresses a zone names are allowed upstreams for that
// zone whatever upstream-allow and the private-address rule say: that is where internal
// resolvers and servers live.
#include "resolver/engine/iterator.h"

namespace tern::engine {

const ConfiguredZone* Iterator::route(const Task& t, const wire::Name& start) const {
  if (!res.routes || res.routes->empty()) return nullptr;
  return res.routes->find(start, t.forward_failed ? &*t.forward_failed : nullptr);
}

bool Iterator::allowed_for(const Address& a, const wire::Name& zone) const {
  if (allowed(a)) return true;
  if (a.v6 && !engine.config_.ipv6) return false;
  return res.routes && res.routes->named_for(a, zone);
}

Delegation Iterator::configured_delegation(const ConfiguredZone& z) {
  Delegation dp;
  dp.zone = z.name;
  dp.configured = &z;
  dp.forward = z.kind == ConfiguredZone::Kind::Forward;
  // One pseudo name server holding every configured address: they have no NS names to look up,
  // and server selection (RTT, timeouts, down servers) works per address anyway.
  NameServer s;
  s.name = z.name;
  s.a_looked_up = s.aaaa_looked_up = true;
  for (const auto& a : z.addresses) {
    if (a.v6 && !engine.config_.ipv6)
      ++dp.skipped_not_allowed;
    else
      s.addresses.push_back(a);
  }
  dp.servers.push_back(std::move(s));
  return dp;
}

State Iterator::use_forward(Task& t, const ConfiguredZone& z) {
  t.dp = configured_delegation(z);
  t.have_dp = true;
  // A forwarder resolves the full name itself: minimising towards it only costs round trips.
  t.minimise = false;
  return State::SelectServer;
}

State Iterator::use_stub(Task& t, const ConfiguredZone& z) {
  if (z.prime && !t.stub_prime) {
    // The zone's own NS set, as its servers gave it in an authoritative answer to priming.
    auto ns = cache.rrset(z.name, wire::RRType::NS, t.qclass, now());
    if (ns && !ns->rrset.empty() && ns->trust >= cache::Trust::AnswerAuth) {
      // The primed NS set replaces the configured addresses (Unbound's stub-prime), unless
      // none of its addresses may be asked: then the configured ones are used as they are.
      auto primed = delegation_from_ns(ns->rrset, {});
      if (primed.has_address()) {
        t.dp = std::move(primed);
        t.dp.configured = &z;
        t.have_dp = true;
        return State::SelectServer;
      }
    }
    if (!t.stub_primed) {
      t.stub_primed = true;
      size_t idx = spawn_child(t, z.name, wire::RRType::NS, /*priming=*/false);
      res.tasks[idx]->stub_prime = true;
      res.tasks[idx]->minimise = false;
      return State::WaitChild;
    }
  }
  t.dp = configured_delegation(z);
  t.have_dp = true;
  return State::SelectServer;
}

State Iterator::on_stub_primed(Task& parent, Task&) {
  // Priming stored the NS set (AnswerAuth) and its in-zone addresses (Glue); use_stub reads them
  // back. When priming failed, the configured addresses are used as they are (stub_primed).
  parent.have_dp = false;
  return State::FindDelegation;
}

State Iterator::fall_back_to_iteration(Task& t) {
  // forward-first: every forwarder failed; resolve the name from the root (or the next
  // enclosing configured zone) instead, within what is left of the deadline.
  t.forward_failed = t.dp.zone;
  t.have_dp = false;
  t.dp = Delegation{};
  t.minimise = engine.config_.qname_minimisation && !t.priming;
  t.minimise_labels = 0;
  t.minimise_queries = 0;
  return State::FindDelegation;
}

}  // namespace tern::engine
