// State HandleResponse: check the response is for the query we sent, then act on what it means
// (response_classifier.h): answer, chain to follow, negative answer, referral to follow, or a
// server to give up on. Caches only what classification kept (in bailiwick), ranked by trust.
#include <algorithm>

#include "resolver/engine/iterator.h"
#include "wire/message_view.h"

namespace tern::engine {

namespace {

void advance_minimisation(Task& t) {
  size_t n = t.qname.label_count();
  size_t remaining = n > t.minimise_labels ? n - t.minimise_labels : 0;
  size_t step = 1;
  if (t.minimise_queries >= kMinimiseOneLab) {
    size_t left = kMaxMinimiseCount > t.minimise_queries ? kMaxMinimiseCount - t.minimise_queries : 1;
    step = std::max<size_t>(1, (remaining + left - 1) / left);
  }
  t.minimise_labels += step;
}

}  // namespace

State Iterator::on_handle_response(Task& t) {
  const auto& cfg = engine.config_;
  auto& stats = engine.stats_;
  const auto n = now();
  const auto m = mono();
  auto& attempt = t.dp.attempt(t.server);
  if (!t.response) return State::SelectServer;
  if (!t.response->ok()) {
    if (t.response->error() == TransportError::Spoofed && t.protocol == Protocol::Udp) {
      // Near misses (resolver/net/exchange.cpp): the same server over TCP, which an off-path
      // attacker cannot answer for it. Not a failure of the server.
      t.protocol = Protocol::Tcp;
      return State::SendQuery;
    }
    // Servers that drop minimised queries exist (RFC 9156 §2.3): the next try asks the full name.
    if (!(t.sent_qname == t.qname)) t.minimise = false;
    ++attempt.attempts;  // only failed exchanges count: a server that answers may be asked again
    const TransportError err = t.response->error();
    attempt.timed_out = err == TransportError::Timeout;
    attempt.last_end = attempt.timed_out ? ServerAttempt::End::Timeout
                       : err == TransportError::Unreachable || err == TransportError::ConnectionFailed
                           ? ServerAttempt::End::Network
                           : ServerAttempt::End::Other;
    if (tracing()) trace(t, TraceStep::Kind::NoReply, std::string(to_string(err)), true);
    if (attempt.timed_out)
      cache.record_timeout(t.server, t.sent_exponent, m);
    else
      attempt.done = true;
    if (t.protocol != Protocol::Udp) attempt.done = true;
    return State::SelectServer;
  }
  const auto& bytes = t.response->value();
  auto msg = wire::MessageView::parse(bytes);
  if (!msg || !response_matches(*msg, t.query_id, t.sent_qname, t.sent_qtype, t.qclass)) {
    // Not an answer to our question (spoofed, misdirected or garbage): nothing of it is used.
    ++stats.rejected_responses;
    ++attempt.attempts;
    attempt.timed_out = false;
    attempt.last_end = ServerAttempt::End::Other;
    if (tracing())
      trace(t, TraceStep::Kind::Rejected,
            msg ? "not an answer to the query sent (ID or question differs)" : "unparsable", true);
    return State::SelectServer;
  }
  const auto rtt = std::chrono::duration_cast<std::chrono::milliseconds>(m - t.sent_at);
  cache.record_rtt(t.server, rtt, m);

  if (msg->header().tc) {
    if (t.protocol == Protocol::Udp) {
      t.protocol = Protocol::Tcp;  // RFC 7766 §5: same server, over TCP
      return State::SendQuery;
    }
    attempt.done = true;
    attempt.last_end = ServerAttempt::End::Other;
    return State::SelectServer;
  }

  AskedQuestion asked{t.dp.zone, t.sent_qname, t.sent_qtype, t.qclass, t.priming || t.stub_prime};
  asked.recursive = t.dp.forward;  // a forwarder: AA=0 is normal, a referral is an error
  auto c = classify_response(*msg, asked);
  stats.scrubbed_records += c.scrubbed;
  if (tracing()) {
    const auto& h = msg->header();
    trace(t, TraceStep::Kind::Reply,
          cat(wire::rcode_to_text(wire::Rcode(h.rcode)), h.aa ? " aa" : "", h.tc ? " tc" : "",
              " -> ", to_string(c.kind)),
          true, rtt);
    if (c.scrubbed > 0)
      trace(t, TraceStep::Kind::Scrubbed,
            cat(std::to_string(c.scrubbed), " records dropped: owner outside ", t.dp.zone.to_text(),
                " (the bailiwick of the server asked) or not asked for"),
            true);
  }
  const bool minimised = !(t.sent_qname == t.qname);
  // One piece of lameness evidence for (server, zone); true when it marks the server lame.
  auto lame_evidence = [&](Task& task) {
    bool marked = cache.lame_evidence(task.server, task.dp.zone, m, cfg.max_lame_ttl);
    if (tracing())
      trace(task, TraceStep::Kind::Lame,
            cat("not authoritative for ", task.dp.zone.to_text(),
                marked ? ": marked lame" : ": lame evidence, next server"),
            true);
    return marked;
  };
  auto fall_back_to_full_name = [&] {
    // RFC 9156 §2.3 relaxed mode: this server does not answer minimised queries well.
    t.minimise = false;
    return State::SendQuery;
  };

  switch (c.kind) {
    case ResponseKind::FormErr:
      if (t.edns) {
        // RFC 6891 §7: an EDNS-unaware server; remembered for this address.
        cache.set_edns_unsupported(t.server, m);
        t.edns = false;
        return State::SendQuery;
      }
      if (minimised) return fall_back_to_full_name();
      attempt.done = true;
      attempt.last_end = ServerAttempt::End::Other;
      return State::SelectServer;
    case ResponseKind::Refused:
      if (minimised) return fall_back_to_full_name();
      // One REFUSED (maybe spoofed) is evidence, not a verdict: the server is left for this
      // question; lame for the zone only after repeated evidence (ServerStateCache::record_lame).
      if (!t.dp.forward && lame_evidence(t)) ++stats.lame_marks;
      attempt.done = true;
      attempt.last_end = ServerAttempt::End::Lame;
      return State::SelectServer;
    case ResponseKind::ServerFailure:
      if (minimised) return fall_back_to_full_name();
      attempt.done = true;
      attempt.last_end = ServerAttempt::End::Other;
      return State::SelectServer;
    case ResponseKind::Malformed:
      ++stats.rejected_responses;
      attempt.done = true;
      attempt.last_end = ServerAttempt::End::Other;
      return State::SelectServer;
    case ResponseKind::Lame:
      // RFC 9156 §2.3: some servers answer minimised queries oddly; the full name decides.
      if (minimised) return fall_back_to_full_name();
      if (!t.dp.forward && lame_evidence(t)) ++stats.lame_marks;
      attempt.done = true;
      attempt.last_end = ServerAttempt::End::Lame;
      return State::SelectServer;
    case ResponseKind::Referral: {
      if (++res.referrals > cfg.max_referral_depth) return fail(t, Failure::ReferralDepth);
      cache.store(*c.referral_ns, cache::Trust::AuthorityNonAuth, n);
      for (const auto& g : c.glue) {
        cache.store(g, cache::Trust::Glue, n);
        cache.store_parent_glue(g, n);
        if (t.parent && g.owner == t.qname && g.type == t.qtype) t.parent_side_glue.push_back(g);
      }
      t.dp = delegation_from_ns(*c.referral_ns, c.glue);
      t.have_dp = true;
      if (tracing()) {
        std::string to = cat("to ", t.dp.zone.to_text(), ":");
        for (const auto& s : t.dp.servers) {
          to += cat(" ", s.name.to_text());
          for (const auto& a : s.addresses) to += cat(" ", a.host_to_string());
        }
        trace(t, TraceStep::Kind::Referral, std::move(to));
      }
      return State::SelectServer;
    }
    case ResponseKind::Answer:
    case ResponseKind::NoData:
    case ResponseKind::NxDomain:
    case ResponseKind::YxDomain:
    case ResponseKind::PartialChain: break;
  }

  if (minimised) {
    // The minimised name exists and is no zone cut of another server: one label more. NXDOMAIN
    // or a chain for a minimised name are answered by asking the full name (relaxed mode: some
    // servers answer NXDOMAIN for empty non-terminals).
    if (c.chain.empty() && (c.kind == ResponseKind::Answer || c.kind == ResponseKind::NoData)) {
      advance_minimisation(t);
      return State::SendQuery;
    }
    return fall_back_to_full_name();
  }

  // DNSSEC: the response is validated before anything of it is stored (iterator_validate.cpp).
  // A DNSKEY fetched for a parent's validation is validated there, against the DS.
  if (needs_validation(t)) {
    t.pending = std::move(c);
    return State::Validate;
  }
  return act_on_response(t, c);
}

State Iterator::act_on_response(Task& t, Classified& c) {
  const auto n = now();
  const auto trust = c.aa ? cache::Trust::AnswerAuth : cache::Trust::AnswerNonAuth;
  for (size_t i = 0; i < c.chain.size(); ++i) {
    // CNAMEs synthesised from a DNAME are ours, not the server's: not cached.
    bool synthesised = i > 0 && c.chain[i - 1].type == wire::RRType::DNAME;
    if (!synthesised) cache.store(c.chain[i], trust, n);
  }
  if (c.kind == ResponseKind::YxDomain) {
    if (c.chain.size() > 1) {
      if (auto done = follow_chain(t, {c.chain.begin(), c.chain.end() - 1}, c.final_name)) return *done;
    }
    return finish_answer(t, TaskResult::Kind::YxDomain, {c.chain.back()}, std::nullopt);
  }
  if (!c.chain.empty()) {
    if (auto done = follow_chain(t, c.chain, c.final_name)) return *done;
  }

  switch (c.kind) {
    case ResponseKind::Answer:
      for (const auto& a : c.answer) cache.store(a, trust, n);
      if (t.priming || t.stub_prime) {
        for (const auto& g : c.glue) cache.store(g, cache::Trust::Glue, n);
        if (t.priming) res.root_addrs = c.glue;
      }
      for (const auto& p : c.proof) cache.store(p, cache::Trust::AuthorityNonAuth, n);
      {
        auto st = finish_answer(t, TaskResult::Kind::Answer, std::move(c.answer), std::nullopt);
        t.result.proof = std::move(c.proof);  // a wildcard answer's proof
        return st;
      }
    case ResponseKind::NxDomain:
    case ResponseKind::NoData: {
      const bool nx = c.kind == ResponseKind::NxDomain;
      if (c.soa && nx) cache.store_nxdomain(t.qname, t.qclass, *c.soa, n, c.proof);
      if (c.soa && !nx) cache.store_nodata(t.qname, t.qtype, t.qclass, *c.soa, n, c.proof);
      // The classifier calls an answer without SOA NODATA only when it is authoritative: kept a
      // few seconds so the same question does not go upstream again at once (RFC 2308 §5 has no
      // TTL for it; see cache::kNoSoaNegativeTtl).
      if (!c.soa && !nx && c.aa) cache.store_nodata_without_soa(t.qname, t.qtype, t.qclass, n);
      // The zone's NS set an authoritative server put beside the SOA goes to the client with it
      // (and into the cache, so the cached denial shows it too).
      if (c.zone_ns && c.aa) cache.store(*c.zone_ns, cache::Trust::AuthorityAuth, n);
      // The proof goes to the RRset cache too, so the answer cache can hand it to DO clients.
      for (const auto& p : c.proof) cache.store(p, cache::Trust::AuthorityAuth, n);
      auto st = finish_answer(t, nx ? TaskResult::Kind::NxDomain : TaskResult::Kind::NoData, {},
                              std::move(c.soa));
      if (c.aa) t.result.zone_ns = std::move(c.zone_ns);
      t.result.proof = std::move(c.proof);
      return st;
    }
    default:
      // A chain whose last name this server did not answer: resolve that name from the top.
      return State::Init;
  }
}

}  // namespace tern::engine
