// State SelectServer: the next address to ask, or (when no address is left) a glueless child
// query for a name server's address, bounded per delegation (NXNSAttack). Also what a parent does
// when its child query is done.
#include "resolver/engine/iterator.h"
#include "resolver/engine/server_selection.h"

namespace tern::engine {

namespace {

bool ancestor_asks(const Resolution& res, const Task& t, const wire::Name& qname,
                   wire::RRType qtype) {
  const Task* cur = &t;
  for (;;) {
    if (cur->qname == qname && cur->qtype == qtype) return true;
    if (!cur->parent) return false;
    cur = res.tasks[*cur->parent].get();
  }
}

// Every server of the delegation was tried and failed: lame (or REFUSED) everywhere says the
// delegation is broken (EDE 20), network errors everywhere that the path is (EDE 23); anything
// else, timeouts above all, that no authority could be reached (EDE 22).
Failure every_server_failed(const Delegation& dp) {
  bool lame = true, network = true;
  for (const auto& a : dp.tried) {
    lame = lame && a.last_end == ServerAttempt::End::Lame;
    network = network && a.last_end == ServerAttempt::End::Network;
  }
  if (lame) return Failure::AllServersLame;
  if (network) return Failure::NetworkError;
  return Failure::AllServersFailed;
}

}  // namespace

State Iterator::on_select_server(Task& t) {
  if (!t.have_dp) return State::FindDelegation;
  auto& dp = t.dp;
  const auto& cfg = engine.config_;
  // fetches-per-zone: a zone with this many queries outstanding gets no more from this thread.
  if (engine.fetches_.zone_full(dp.zone, cfg.fetches_per_zone)) {
    ++engine.stats_.fetch_limited;
    return fail(t, Failure::FetchLimit);
  }
  SelectionSkips skips;
  bool probed_elsewhere = false;
  for (;;) {
    auto choice = choose_server(dp, cache, cfg, engine.fetches_, mono(), &skips);
    if (!choice) break;
    // A probe of a down server: only the first query to see its backoff over sends one.
    if (choice->probe && !cache.claim_probe(choice->address, choice->seen_last_timeout, mono())) {
      dp.attempt(choice->address).done = true;  // another query probes it; not this one
      probed_elsewhere = true;
      continue;
    }
    if (choice->probe) ++engine.stats_.server_probes;
    t.server = choice->address;
    t.sent_exponent = choice->exponent;
    t.protocol = Protocol::Udp;
    // DNS over TLS to a forwarder that is configured for it: every query, never cleartext.
    if (dp.forward && dp.configured && dp.configured->tls) t.protocol = Protocol::Tls;
    t.edns = !cache.edns_unsupported(choice->address, mono());
    return State::SendQuery;
  }
  // Every address failed: the parent-side glue remembered from earlier referrals, once.
  if (!dp.parent_side_added) {
    dp.parent_side_added = true;
    bool added = false;
    for (auto& s : dp.servers) {
      for (const auto& a : s.parent_side) {
        bool known = false;
        for (const auto& x : s.addresses) known = known || x == a;
        if (!known) {
          s.addresses.push_back(a);
          added = true;
        }
      }
    }
    if (added) return State::SelectServer;
  }
  // No address left to try: find one more through a name server name without glue.
  // A records of every name first, AAAA only after (most servers are reachable over IPv4).
  bool depth_blocked = false;
  for (auto qtype : {wire::RRType::A, wire::RRType::AAAA}) {
    if (qtype == wire::RRType::AAAA && !cfg.ipv6) break;
    for (auto& s : dp.servers) {
      // A server with an address was tried already through it; a name inside the delegated
      // zone can only be resolved through this very delegation.
      if (!s.addresses.empty() || s.name.is_subdomain_of(dp.zone)) continue;
      bool& looked_up = qtype == wire::RRType::A ? s.a_looked_up : s.aaaa_looked_up;
      if (looked_up) continue;
      if (ancestor_asks(res, t, s.name, qtype)) {
        looked_up = true;  // it would need the very question that needs it
        continue;
      }
      if (t.depth + 1 > cfg.max_subquery_depth) {
        depth_blocked = true;
        continue;
      }
      if (dp.glueless_lookups >= cfg.max_glueless_per_delegation)
        return fail(t, Failure::GluelessLimit);
      looked_up = true;
      ++dp.glueless_lookups;
      t.child_ns = s.name;
      spawn_child(t, s.name, qtype, /*priming=*/false);
      return State::WaitChild;
    }
  }
  if (depth_blocked) return fail(t, Failure::SubqueryDepth);
  // Every server used up, no address left to look up: servers that only timed out get another
  // round while the deadline and the query budget allow (their timeouts have doubled meanwhile).
  // Not for priming: when it fails the hints themselves are asked (on_child_done).
  // forward-first: no second round for forwarders that timed out; iteration gets the time left.
  const bool forward_first = dp.forward && dp.configured && dp.configured->first;
  bool again = false;
  for (auto& a : dp.tried) {
    if (t.priming || forward_first) break;
    if (!a.done && a.timed_out && a.attempts >= cfg.max_attempts_per_server) {
      a.attempts = 0;
      again = true;
    }
  }
  if (again) {
    ++dp.rounds;
    if (choose_server(dp, cache, cfg, engine.fetches_, mono(), &skips)) return State::SelectServer;
  }
  if (forward_first) return fall_back_to_iteration(t);
  if (skips.down > 0 || probed_elsewhere) {
    ++engine.stats_.servers_down_failures;
    return fail(t, Failure::ServersDown);
  }
  if (skips.busy > 0) {
    ++engine.stats_.fetch_limited;
    return fail(t, Failure::FetchLimit);
  }
  if (!dp.tried.empty()) return fail(t, every_server_failed(dp));
  if (dp.skipped_not_allowed > 0) return fail(t, Failure::NotAllowed);
  return fail(t, Failure::NoUsableServers);
}

State Iterator::on_child_done(Task& parent, Task& child) {
  const auto& r = child.result;
  if (child.stub_prime) return on_stub_primed(parent, child);
  if (child.priming) {
    if (r.kind == TaskResult::Kind::Answer) {
      for (const auto& s : r.answer)
        if (s.type == wire::RRType::NS && s.owner.is_root()) res.root_ns = s;
    }
    // Priming failed: FindDelegation goes on with the hints themselves (res.primed is set), as
    // Unbound and Knot do; only when they fail too does the question fail.
    return State::FindDelegation;
  }
  if (r.kind == TaskResult::Kind::NxDomain) {
    // The name does not exist: no other type of it needs asking.
    if (auto* ns = parent.dp.find(parent.child_ns)) ns->a_looked_up = ns->aaaa_looked_up = true;
  }
  std::vector<wire::RRset> found;
  if (r.kind == TaskResult::Kind::Answer) found = r.answer;
  // The parent side's addresses after the child side's: used when those fail.
  for (const auto& g : child.parent_side_glue) found.push_back(g);
  if (!found.empty()) {
    if (auto* ns = parent.dp.find(parent.child_ns)) {
      for (const auto& set : found) {
        if (set.type != wire::RRType::A && set.type != wire::RRType::AAAA) continue;
        for (const auto& a : addresses_of(set, engine.config_.upstream_port)) {
          if (!allowed_for(a, parent.dp.zone)) {
            ++parent.dp.skipped_not_allowed;
            continue;
          }
          bool dup = false;
          for (const auto& x : ns->addresses) dup = dup || x == a;
          if (!dup) ns->addresses.push_back(a);
        }
      }
    }
  }
  return State::SelectServer;
}

}  // namespace tern::engine
