#include "resolver/server/query_pipeline.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "resolver/config/address.h"
#include "resolver/server/any_answer.h"
#include "resolver/server/query_check.h"
#include "resolver/server/query_log_line.h"
#include "resolver/server/response.h"

namespace tern::server {

QueryPipeline::QueryPipeline(PipelineSettings settings, std::shared_ptr<const LocalPolicy> policy,
                             Backend& backend, HitCache* cache, Stats& stats, config::Log& log)
    : settings_(settings),
      policy_(std::move(policy)),
      backend_(backend),
      cache_(cache),
      stats_(stats),
      log_(log),
      acl_(std::make_shared<Acl>()),
      proxy_(std::make_shared<ProxyPolicy>()),
      ede_text_(settings_.ede_text_allow),
      query_log_(log.query_sink().make_writer()) {}

void QueryPipeline::log_servfail(const sockaddr* client, const ClientQuery& q, const Sections& s) {
  auto held_back = servfail_lines_.admit(std::chrono::steady_clock::now(), kServfailLogInterval);
  if (!held_back) return;
  log_.info("servfail {} {} {} from {}: {}{}", q.qname.to_text(), wire::type_to_text(q.qtype),
            wire::class_to_text(q.qclass), config::SocketAddress::from_sockaddr(client).to_string(),
            s.why ? describe(*s.why) : std::string("no reason recorded"),
            *held_back ? fmt::format(" ({} more since the last line)", *held_back) : std::string());
}

void QueryPipeline::log_query(const sockaddr* client, const ClientQuery& q, wire::Rcode rcode,
                              std::string_view source, bool tcp,
                              std::chrono::steady_clock::time_point started,
                              std::optional<uint16_t> ede) const {
  if (!log_.query_log()) return;
  auto now = std::chrono::steady_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - started).count();
  config::SocketAddress addr = config::SocketAddress::from_sockaddr(client);
  QueryLogEntry e{&addr, tcp, &q, rcode, source, uint64_t(std::max<int64_t>(us, 0)), ede};
  query_log_->append(format_query_line(e), std::chrono::system_clock::now());
}

bool QueryPipeline::answer_from_cache(std::span<const uint8_t> packet, const sockaddr* client,
                                      bool tcp, std::vector<uint8_t>& out, Checked& c,
                                      bool allowed, std::chrono::steady_clock::time_point arrived) {
  bool prefetch_due = false;
  if (!cache_->lookup(packet, tcp, out, settings_.max_prefetches > 0 ? &prefetch_due : nullptr)) return false;
  bump(stats_.cache_hits);
  count_rcode(wire::Rcode(out.size() > 3 ? out[3] & 0x0f : 0));
  if (prefetch_due || log_.query_log()) {
    c = check_query(packet, allowed);
    log_query(client, c.query, wire::Rcode(out.size() > 3 ? out[3] & 0x0f : 0), "packet_cache", tcp,
              arrived);
    // The client has its answer in `out`; the refresh replaces the entry for the next ones.
    if (prefetch_due && c.verdict == Verdict::Proceed) prefetch(c.query, packet, tcp);
  }
  return true;
}

bool QueryPipeline::answer_rpz(const RpzVerdict& v, const ClientQuery& q, const sockaddr* client,
                               size_t limit, std::vector<uint8_t>& out, Outcome& outcome, bool tcp,
                               std::chrono::steady_clock::time_point arrived) {
  switch (v.kind) {
    case RpzVerdict::Kind::Passthru:
      return false;
    case RpzVerdict::Kind::Drop:
      log_query(client, q, wire::Rcode::Refused, "rpz-drop", tcp, arrived);
      outcome = Outcome::Drop;
      return true;
    case RpzVerdict::Kind::Truncate:
      // TCP-only over UDP: an empty answer with TC=1 sends the client to TCP, where the query is
      // answered normally (a forged source cannot complete the handshake).
      out = build_error(q, wire::Rcode::NoError, limit, settings_.udp_max_payload);
      if (out.size() > 2) out[2] |= 0x02;
      bump(stats_.truncated);
      count_rcode(wire::Rcode::NoError);
      log_query(client, q, wire::Rcode::NoError, "rpz-tcp-only", tcp, arrived);
      outcome = Outcome::Now;
      return true;
    case RpzVerdict::Kind::Answer:
      out = build_response(q, v.sections, limit, settings_.udp_max_payload);
      count_rcode(v.sections.rcode);
      log_query(client, q, v.sections.rcode, "rpz", tcp, arrived);
      outcome = Outcome::Now;
      return true;
  }
  return false;
}

Outcome QueryPipeline::answer_now(std::span<const uint8_t> packet, const sockaddr* client,
                                  bool tcp, std::vector<uint8_t>& out, Checked& c,
                                  RpzPending& rpz) {
  bump(tcp ? stats_.tcp_queries : stats_.udp_queries);
  // Only with the query log on: its latency field; a clock read per hit costs otherwise.
  const auto arrived = log_.query_log() ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  if (uint32_t qtype = packet_qtype(packet); qtype != kNoQtype) bump(stats_.by_qtype[qtype_slot(uint16_t(qtype))]);
  const bool allowed = acl_->allows(client);
  // The packet cache first, straight from the packet's bytes, before the full check: it keys
  // only plain queries (QR 0, QUERY, one uncompressed question, no answer or authority records,
  // at most an OPT of version 0, nothing after it: cache/packet_key.h) and holds only answers to
  // queries that passed check_query, with the flags that matter (RD among them) in the key. So a
  // hit is a query check_query would have let through; what it cannot know is the client, hence
  // the ACL first. Parsing the message and building its ClientQuery was a quarter of a hit's user
  // time; it runs now only for the query log and the rare prefetch. The cache also comes before
  // the local policy: it only ever holds answers the backend gave, and a name the policy answers
  // never reaches the backend, so the order changes no answer — as long as the policy is the
  // same for every client and the cache is cleared when the policy changes (reload:
  // Worker::set_local_policy; see docs/architecture.md, "Local data"). The same holds for a
  // response policy without client-IP triggers (the cache holds only answers no policy zone
  // touched); with them, the policy is asked first and the cache only for a query it lets by.
  const bool rpz_first = rpz_ && rpz_->client_dependent();
  if (allowed && cache_ && !rpz_first && answer_from_cache(packet, client, tcp, out, c, allowed, arrived))
    return Outcome::Now;

  c = check_query(packet, allowed);
  if (c.verdict == Verdict::Drop) {
    bump(c.drop_reason == DropReason::IsResponse ? stats_.dropped_responses
                                                 : stats_.dropped_unparseable);
    return Outcome::Drop;
  }
  const ClientQuery& q = c.query;
  size_t limit = tcp ? kTcpResponseLimit : udp_response_limit(q, settings_.udp_max_payload);
  // CHAOS TXT for the server's identity or version, when the operator shows them (identity.h);
  // every other non-IN query stays REFUSED below.
  if (c.verdict == Verdict::Reply && c.rcode == wire::Rcode::Refused && allowed && q.qclass == wire::RRClass::CH) {
    if (auto s = identity_answer(q, settings_.identity)) {
      bump(stats_.local_answers);
      out = build_response(q, *s, limit, settings_.udp_max_payload);
      count_rcode(s->rcode);
      log_query(client, q, s->rcode, "local", tcp, arrived);
      return Outcome::Now;
    }
  }
  if (c.verdict == Verdict::Reply) {
    switch (c.rcode) {
      case wire::Rcode::FormErr: bump(stats_.formerr); break;
      case wire::Rcode::NotImp: bump(stats_.notimp); break;
      case wire::Rcode::Refused: bump(stats_.refused); break;
      case wire::Rcode::BadVers: bump(stats_.badvers); break;
      default: break;
    }
    out = build_error(q, c.rcode, limit, settings_.udp_max_payload);
    count_rcode(c.rcode);
    log_query(client, q, c.rcode, "check", tcp, arrived);
    return Outcome::Now;
  }

  // The response policy before the local zones: a blocked name is blocked whoever serves it.
  if (rpz_) {
    std::optional<RpzHit> hit = rpz_->match_query(q.qname, client);
    if (hit) {
      rpz.policy = rpz_;
      rpz.check_before = hit->zone;
      if (rpz_->response_triggers_before(hit->zone) && q.header.rd) {
        // An earlier zone's response-IP trigger takes precedence if the answer matches it:
        // resolve first, apply this hit after (BIND's qname-wait-recurse). Not for RD=0, which
        // is not resolved at all.
        rpz.hit = hit;
        return Outcome::Later;
      }
      RpzVerdict v = rpz_->apply(*hit, q, tcp);
      if (v.kind == RpzVerdict::Kind::Answer && v.follow && q.header.rd) {
        // A walled garden: the CNAME, then the garden's answer from the backend.
        rpz.prefix = std::move(v.sections);
        rpz.follow = std::move(v.follow);
        return Outcome::Later;
      }
      Outcome outcome = Outcome::Now;
      if (answer_rpz(v, q, client, limit, out, outcome, tcp, arrived)) return outcome;
      // PASSTHRU: resolved normally; later zones' response triggers no longer apply, and the
      // answer is not stored where a client this zone does not pass could find it.
    } else {
      if (rpz_->response_triggers_before(SIZE_MAX)) rpz.policy = rpz_;
      if (rpz_first && allowed && cache_ && answer_from_cache(packet, client, tcp, out, c, allowed, arrived))
        return Outcome::Now;
    }
  }

  LocalDecision local = policy_->decide(q);
  if (local.kind == LocalDecision::Kind::Drop) {
    bump(stats_.local_answers);
    log_query(client, q, wire::Rcode::Refused, "local-deny", tcp, arrived);
    return Outcome::Drop;
  }
  if (local.kind == LocalDecision::Kind::Answer) {
    bump(stats_.local_answers);
    out = build_response(q, local.sections, limit, settings_.udp_max_payload,
                         local.sections.ede && ede_text_.allows(client));
    count_rcode(local.sections.rcode);
    log_query(client, q, local.sections.rcode, "local", tcp, arrived);
    return Outcome::Now;
  }

  // RD=0 asks us not to recurse: all a resolver could give is what its cache holds, and that is
  // how cache snooping works (which names clients here resolved, and when). Unbound's `allow`
  // and PowerDNS Recursor 5's default (allow-no-rd: no) refuse it; so do we, except for the
  // locally served zones above, which are ours to answer.
  if (!q.header.rd) {
    bump(stats_.refused);
    out = build_error(q, wire::Rcode::Refused, limit, settings_.udp_max_payload);
    count_rcode(wire::Rcode::Refused);
    log_query(client, q, wire::Rcode::Refused, "no-rd", tcp, arrived);
    return Outcome::Now;
  }

  return Outcome::Later;
}

std::vector<uint8_t> QueryPipeline::respond(const ClientQuery& q,
                                            const std::vector<uint8_t>& query_copy, bool tcp,
                                             const Sections& resolved, bool cacheable,
                                             uint64_t generation, bool ede_text) {
  size_t limit = tcp ? kTcpResponseLimit : udp_response_limit(q, settings_.udp_max_payload);
  // The copy only for ANY: every other answer is sent as the backend gave it.
  std::optional<Sections> shortened;
  if (q.qtype == wire::RRType::ANY) shorten_any_answer(q, shortened.emplace(resolved));
  const Sections& s = shortened ? *shortened : resolved;
  // EXTRA-TEXT is for this client only: such a response is not replayed to others.
  ede_text = ede_text && s.ede && !s.ede->text.empty() && q.edns;
  if (ede_text) cacheable = false;
  std::vector<uint8_t> response = build_response(q, s, limit, settings_.udp_max_payload, ede_text);
  bool truncated = response.size() > 2 && (response[2] & 0x02);
  uint32_t ttl = min_ttl(s);
  // Only complete answers: a truncated one would send the next client to TCP for nothing.
  // Not when the local policy changed since the query arrived: the name may be local now.
  if (generation != policy_generation_) cacheable = false;
  if (cache_ && cacheable && ttl > 0 && !truncated) cache_->insert(query_copy, response, tcp, ttl);
  return response;
}

void QueryPipeline::resolve(const ClientQuery& q, std::span<const uint8_t> packet,
                            const sockaddr* client, bool tcp, RpzPending rpz, Later later) {
  bump(stats_.backend_queries);
  // The packet is only valid during this call: keep a copy for the cache insert.
  std::vector<uint8_t> query_copy;
  if (cache_) query_copy.assign(packet.begin(), packet.end());
  config::SocketAddress client_addr = config::SocketAddress::from_sockaddr(client);
  // Only the backend's answers are timed: a packet-cache hit or a local answer is sent from the
  // receive callback itself, and a clock read per hit would cost more than it tells.
  auto started = std::chrono::steady_clock::now();
  // Only a UDP client's address can be forged: the backend's wait limit and discard timeout are
  // for those (engine.h).
  // A walled garden's target is what the backend is asked; the client's question is answered.
  ClientQuery asked = q;
  if (rpz.follow) asked.qname = *rpz.follow;
  backend_.resolve(asked, tcp ? nullptr : client,
                   [this, q, tcp, client_addr, started, query_copy = std::move(query_copy),
                    generation = policy_generation_, rpz = std::move(rpz),
                    later = std::move(later)](const Sections& resolved, bool cacheable) {
    if (resolved.dropped) {
      // Shed by a waiter cap: no response is built, and the client gets nothing (as Unbound's
      // wait-limit and discard-timeout do); it retries or has gone.
      bump(stats_.dropped_waiters);
      later({});
      return;
    }
    std::optional<Sections> rewritten;
    if (rpz.policy) {
      // Only an answer no policy zone touched may be replayed to other clients.
      cacheable = cacheable && !rpz.hit && !rpz.prefix && rpz.check_before == SIZE_MAX;
      std::optional<RpzHit> hit;
      if (!rpz.prefix && rpz.policy->response_triggers_before(rpz.check_before))
        hit = rpz.policy->match_answer(q.qname, resolved,
                                       [this](const wire::Name& n) { return backend_.name_servers(n); },
                                       rpz.check_before);
      if (!hit) hit = rpz.hit;
      if (hit) {
        cacheable = false;
        RpzVerdict v = rpz.policy->apply(*hit, q, tcp);
        if (v.kind != RpzVerdict::Kind::Passthru) {
          size_t limit = tcp ? kTcpResponseLimit : udp_response_limit(q, settings_.udp_max_payload);
          std::vector<uint8_t> out;
          Outcome outcome = Outcome::Now;
          answer_rpz(v, q, client_addr.sa(), limit, out, outcome, tcp, started);
          later(outcome == Outcome::Drop ? std::vector<uint8_t>() : std::move(out));
          return;
        }
      }
      if (rpz.prefix) {
        rewritten = *rpz.prefix;
        rewritten->rcode = resolved.rcode;
        for (const auto& set : resolved.answer) rewritten->answer.push_back(set);
        rewritten->authority = resolved.authority;
      }
    }
    const Sections& s = rewritten ? *rewritten : resolved;
    std::vector<uint8_t> response = respond(q, query_copy, tcp, s, cacheable, generation,
                                            s.ede && ede_text_.allows(client_addr.sa()));
    if (response.size() > 2 && (response[2] & 0x02)) bump(stats_.truncated);
    if (s.rcode == wire::Rcode::ServFail) {
      bump(stats_.servfail);
      if (log_.log_servfail()) log_servfail(client_addr.sa(), q, s);
    }
    count_rcode(s.rcode);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started).count();
    stats_.backend_latency[size_t(s.source)].observe(uint64_t(std::max<int64_t>(us, 0)));
    log_query(client_addr.sa(), q, s.rcode, rewritten ? "rpz" : backend_source_name(s.source), tcp,
              started, s.ede ? std::optional<uint16_t>(uint16_t(s.ede->code)) : std::nullopt);
    later(std::move(response));
  });
}

void QueryPipeline::count_rcode(wire::Rcode r) {
  bump(stats_.by_rcode[r == wire::Rcode::BadVers ? kRcodeSlots - 1 : size_t(uint16_t(r) & 0x0f)]);
}

void QueryPipeline::prefetch(const ClientQuery& q, std::span<const uint8_t> packet, bool tcp) {
  // The entry asked once and will not ask again: a dropped prefetch means this entry expires and
  // the next query after that goes to the backend as a normal miss.
  if (prefetches_in_flight_ >= settings_.max_prefetches) {
    bump(stats_.prefetches_dropped);
    return;
  }
  ++prefetches_in_flight_;
  bump(stats_.prefetches);
  // The refreshed response is stored under the same key (the hit's query, its flags and
  // transport) through the miss path's insert, so the next hits see the fresh TTL.
  std::vector<uint8_t> query_copy(packet.begin(), packet.end());
  backend_.prefetch(q, [this, q, tcp, query_copy = std::move(query_copy),
                        generation = policy_generation_, rpz = rpz_](const Sections& s, bool cacheable) {
    --prefetches_in_flight_;
    // A refreshed answer that now matches a response-IP trigger is not stored; the next query
    // after the entry expires meets the policy on the miss path.
    if (rpz && rpz->response_triggers_before(SIZE_MAX) &&
        rpz->match_answer(q.qname, s, [this](const wire::Name& n) { return backend_.name_servers(n); }, SIZE_MAX))
      return;
    respond(q, query_copy, tcp, s, cacheable, generation);
  });
}

}  // namespace tern::server
