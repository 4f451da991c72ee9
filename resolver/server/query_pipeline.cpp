#include "resolver/server/query_pipeline.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "resolver/config/address.h"
#include "resolver/server/any_answer.h"
#include "resolver/server/query_check.h"
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
      ede_text_(settings_.ede_text_allow) {}

void QueryPipeline::log_servfail(const sockaddr* client, const ClientQuery& q, const Sections& s) {
  auto held_back = servfail_lines_.admit(std::chrono::steady_clock::now(), kServfailLogInterval);
  if (!held_back) return;
  log_.info("servfail {} {} {} from {}: {}{}", q.qname.to_text(), wire::type_to_text(q.qtype),
            wire::class_to_text(q.qclass), config::SocketAddress::from_sockaddr(client).to_string(),
            s.why ? describe(*s.why) : std::string("no reason recorded"),
            *held_back ? fmt::format(" ({} more since the last line)", *held_back) : std::string());
}

void QueryPipeline::log_query(const sockaddr* client, const ClientQuery& q, wire::Rcode rcode,
                              std::string_view source) const {
  if (!log_.query_log()) return;
  log_.query("{} {} {} {} {}", config::SocketAddress::from_sockaddr(client).to_string(),
             q.has_question ? q.qname.to_text() : std::string("-"), wire::type_to_text(q.qtype),
             wire::rcode_to_text(rcode), source);
}

Outcome QueryPipeline::answer_now(std::span<const uint8_t> packet, const sockaddr* client,
                                  bool tcp, std::vector<uint8_t>& out, Checked& c) {
  bump(tcp ? stats_.tcp_queries : stats_.udp_queries);
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
  // Worker::set_local_policy; see docs/architecture.md, "Local data").
  if (allowed && cache_) {
    bool prefetch_due = false;
    if (cache_->lookup(packet, tcp, out, settings_.max_prefetches > 0 ? &prefetch_due : nullptr)) {
      bump(stats_.cache_hits);
      count_rcode(wire::Rcode(out.size() > 3 ? out[3] & 0x0f : 0));
      if (prefetch_due || log_.query_log()) {
        c = check_query(packet, allowed);
        log_query(client, c.query, wire::Rcode(out.size() > 3 ? out[3] & 0x0f : 0), "cache");
        // The client has its answer in `out`; the refresh replaces the entry for the next ones.
        if (prefetch_due && c.verdict == Verdict::Proceed) prefetch(c.query, packet, tcp);
      }
      return Outcome::Now;
    }
  }

  c = check_query(packet, allowed);
  if (c.verdict == Verdict::Drop) {
    bump(c.drop_reason == DropReason::IsResponse ? stats_.dropped_responses
                                                 : stats_.dropped_unparseable);
    return Outcome::Drop;
  }
  const ClientQuery& q = c.query;
  size_t limit = tcp ? kTcpResponseLimit : udp_response_limit(q, settings_.udp_max_payload);
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
    log_query(client, q, c.rcode, "check");
    return Outcome::Now;
  }

  LocalDecision local = policy_->decide(q);
  if (local.kind == LocalDecision::Kind::Drop) {
    bump(stats_.local_answers);
    log_query(client, q, wire::Rcode::Refused, "local-deny");
    return Outcome::Drop;
  }
  if (local.kind == LocalDecision::Kind::Answer) {
    bump(stats_.local_answers);
    out = build_response(q, local.sections, limit, settings_.udp_max_payload,
                         local.sections.ede && ede_text_.allows(client));
    count_rcode(local.sections.rcode);
    log_query(client, q, local.sections.rcode, "local");
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
    log_query(client, q, wire::Rcode::Refused, "no-rd");
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
                            const sockaddr* client, bool tcp, Later later) {
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
  backend_.resolve(q, tcp ? nullptr : client,
                   [this, q, tcp, client_addr, started, query_copy = std::move(query_copy),
                    generation = policy_generation_,
                    later = std::move(later)](const Sections& s, bool cacheable) {
    if (s.dropped) {
      // Shed by a waiter cap: no response is built, and the client gets nothing (as Unbound's
      // wait-limit and discard-timeout do); it retries or has gone.
      bump(stats_.dropped_waiters);
      later({});
      return;
    }
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
    log_query(client_addr.sa(), q, s.rcode, "resolve");
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
                        generation = policy_generation_](const Sections& s, bool cacheable) {
    --prefetches_in_flight_;
    respond(q, query_copy, tcp, s, cacheable, generation);
  });
}

}  // namespace tern::server
