#include "resolver/server/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cache/caches.h"
#include "resolver/engine/failure.h"
#include "resolver/server/server.h"
#include "wire/rr_type.h"

namespace tern::server {
namespace {

using Type = MetricFamily::Type;

uint64_t load(const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); }
uint64_t load(uint64_t c) { return c; }

std::string label(std::string_view name, std::string_view value) {
  return fmt::format("{}=\"{}\"", name, escape_label(value));
}

// Builds the list in order; each family is begun with its name, help and type, then samples.
struct Builder {
  std::vector<MetricFamily> out;

  Builder& family(std::string name, std::string help, Type type) {
    out.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    return *this;
  }
  Builder& sample(double value, std::string labels = {}) {
    out.back().samples.push_back(MetricSample{"", std::move(labels), value});
    return *this;
  }
  // A histogram from non-cumulative buckets in microseconds (net::kLatencyBoundsUs), exported
  // in seconds. H is LatencyHistogram (atomic counts) or net::RttHistogram (plain).
  template <class H>
  void histogram(const H& h, const std::string& labels) {
    auto& samples = out.back().samples;
    std::string sep = labels.empty() ? "" : ",";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < h.buckets.size(); ++b) {
      cumulative += load(h.buckets[b]);
      std::string le = b < net::kLatencyBoundsUs.size()
                           ? fmt::format("{}", net::kLatencyBoundsUs[b] / 1e6)
                           : "+Inf";
      samples.push_back({"_bucket", labels + sep + label("le", le), double(cumulative)});
    }
    samples.push_back({"_sum", labels, double(load(h.sum_us)) / 1e6});
    samples.push_back({"_count", labels, double(cumulative)});
  }
};

uint64_t histogram_count(const LatencyHistogram& h) {
  uint64_t n = 0;
  for (const auto& b : h.buckets) n += load(b);
  return n;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::Counter: return "counter";
    case Type::Gauge: return "gauge";
    case Type::Histogram: return "histogram";
  }
  return "untyped";
}

std::string format_value(double v) {
  // Whole numbers (every counter) print without a fraction or exponent.
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.007199254740992e15)
    return fmt::format("{}", int64_t(v));
  return fmt::format("{}", v);
}

void append_samples(std::string& out, const MetricFamily& f) {
  for (const auto& s : f.samples) {
    out += f.name;
    out += s.suffix;
    if (!s.labels.empty()) {
      out += '{';
      out += s.labels;
      out += '}';
    }
    out += ' ';
    out += format_value(s.value);
    out += '\n';
  }
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string to_prometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, type_name(f.type));
    append_samples(out, f);
  }
  return out;
}

std::string to_sample_lines(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) append_samples(out, f);
  return out;
}

std::vector<MetricFamily> collect_metrics(const Server& server, const cache::Caches& caches) {
  ServerSnapshot snap;
  server.collect(snap);
  const Stats& s = snap.front;
  const BackendStats& b = snap.backend;
  Builder m;

  // --- clients -------------------------------------------------------------------------------
  m.family("tern_queries_total", "Client queries received, by transport.", Type::Counter)
      .sample(double(load(s.udp_queries)), label("transport", "udp"))
      // The pipeline counts every stream query as TCP; the DNS-over-TLS part is counted apart.
      .sample(double(load(s.tcp_queries) -
                     std::min(load(s.tcp_queries), load(s.tls_queries) + load(s.https_queries))),
              label("transport", "tcp"))
      .sample(double(load(s.tls_queries)), label("transport", "tls"))
      .sample(double(load(s.https_queries)), label("transport", "https"));
  m.family("tern_queries_by_qtype_total", "Client queries with a question, by question type.",
           Type::Counter);
  for (size_t i = 0; i < kQtypeSlots; ++i) m.sample(double(load(s.by_qtype[i])), label("qtype", qtype_slot_name(i)));
  m.family("tern_responses_total", "Responses sent to clients, by rcode.", Type::Counter);
  for (size_t i = 0; i < kRcodeSlots; ++i) {
    wire::Rcode r = i == kRcodeSlots - 1 ? wire::Rcode::BadVers : wire::Rcode(i);
    m.sample(double(load(s.by_rcode[i])), label("rcode", wire::rcode_to_text(r)));
  }
  m.family("tern_answers_total", "Responses to queries that passed the checks, by where the answer came from.",
           Type::Counter)
      .sample(double(load(s.cache_hits)), label("source", "packet_cache"))
      .sample(double(load(s.local_answers)), label("source", "local"));
  for (size_t i = 0; i < kBackendSources; ++i)
    m.sample(double(histogram_count(s.backend_latency[i])),
             label("source", backend_source_name(BackendSource(i))));
  m.family("tern_answer_duration_seconds",
           "Time from a query's arrival to the backend's answer, by source (packet-cache and local "
           "answers are sent at once and not timed).",
           Type::Histogram);
  for (size_t i = 0; i < kBackendSources; ++i)
    m.histogram(s.backend_latency[i], label("source", backend_source_name(BackendSource(i))));
  m.family("tern_queries_dropped_total", "Client messages dropped without a response, by reason.", Type::Counter)
      .sample(double(load(s.dropped_unparseable)), label("reason", "unparseable"))
      .sample(double(load(s.dropped_responses)), label("reason", "response"))
      .sample(double(load(s.dropped_waiters)), label("reason", "waiter_limit"));
  m.family("tern_queries_rejected_total",
           "Queries answered with an error by the checks before any lookup, by rcode (FORMERR: "
           "malformed; NOTIMP: opcode; REFUSED: not allowed or RD=0; BADVERS: EDNS version).",
           Type::Counter)
      .sample(double(load(s.formerr)), label("rcode", "FORMERR"))
      .sample(double(load(s.notimp)), label("rcode", "NOTIMP"))
      .sample(double(load(s.refused)), label("rcode", "REFUSED"))
      .sample(double(load(s.badvers)), label("rcode", "BADVERS"));
  m.family("tern_backend_servfails_total", "Backend answers sent as SERVFAIL.", Type::Counter)
      .sample(double(load(s.servfail)));
  m.family("tern_backend_queries_total", "Client queries handed to the resolution engine.", Type::Counter)
      .sample(double(load(s.backend_queries)));
  m.family("tern_truncated_responses_total", "UDP responses sent truncated (TC=1).", Type::Counter)
      .sample(double(load(s.truncated)));
  m.family("tern_udp_send_failures_total", "UDP responses the kernel did not take.", Type::Counter)
      .sample(double(load(s.udp_send_failed)));
  m.family("tern_prefetches_total", "Background refreshes of nearly expired answers started by the engine.",
           Type::Counter)
      .sample(double(b.engine.prefetches));
  m.family("tern_packet_cache_prefetches_total",
           "Refreshes asked by packet-cache hits in the last 10% of their TTL and started.", Type::Counter)
      .sample(double(load(s.prefetches)));
  m.family("tern_prefetches_dropped_total",
           "Refreshes asked by packet-cache hits and dropped at the per-worker limit.", Type::Counter)
      .sample(double(load(s.prefetches_dropped)));

  // --- TCP from clients ----------------------------------------------------------------------
  m.family("tern_tcp_connections_accepted_total", "Client TCP connections accepted.", Type::Counter)
      .sample(double(load(s.tcp_accepted)));
  m.family("tern_tcp_connections_open", "Client TCP connections open.", Type::Gauge)
      .sample(double(b.tcp_connections_open));
  m.family("tern_tcp_connections_refused_total",
           "Client TCP connections closed at once: the worker was at tcp-max-connections.", Type::Counter)
      .sample(double(load(s.tcp_rejected_cap)));
  m.family("tern_tcp_connections_closed_total", "Client TCP connections closed by Tern, by reason.", Type::Counter)
      .sample(double(load(s.tcp_closed_idle)), label("reason", "idle"))
      .sample(double(load(s.tcp_closed_framing)), label("reason", "framing"))
      .sample(double(load(s.tcp_closed_slow_reader)), label("reason", "slow_reader"))
      .sample(double(load(s.tcp_closed_evicted)), label("reason", "evicted"))
      .sample(double(load(s.tcp_closed_over_budget)), label("reason", "over_budget"));
  m.family("tern_tcp_reads_deferred_total",
           "Client TCP reads put off to the next loop iteration (tcp-messages-per-iteration reached).",
           Type::Counter)
      .sample(double(load(s.tcp_deferred)));

  // --- DNS over TLS from clients (TCP's slots and budgets, plus the handshake) ---------------
  m.family("tern_tls_connections_accepted_total", "Client DNS-over-TLS connections accepted.", Type::Counter)
      .sample(double(load(s.tls_accepted)));
  m.family("tern_tls_connections_open",
           "Client DNS-over-TLS connections open (also counted in tern_tcp_connections_open).", Type::Gauge)
      .sample(double(b.tls_connections_open));
  m.family("tern_tls_handshakes_total", "Client TLS handshakes, by result.", Type::Counter)
      .sample(double(load(s.tls_handshakes)), label("result", "full"))
      .sample(double(load(s.tls_resumed)), label("result", "resumed"))
      .sample(double(load(s.tls_handshake_failed)), label("result", "failed"))
      .sample(double(load(s.tls_handshake_timeouts)), label("result", "timeout"))
      .sample(double(load(s.tls_rejected_handshakes)), label("result", "refused"));
  m.family("tern_tls_connections_closed_total", "Client TLS connections closed for a TLS reason.", Type::Counter)
      .sample(double(load(s.tls_closed_renegotiation)), label("reason", "renegotiation"))
      .sample(double(load(s.tls_closed_protocol)), label("reason", "protocol"));

  // --- DNS over HTTPS from clients (TLS connections with HTTP/2 on top) ----------------------
  m.family("tern_https_connections_accepted_total",
           "Client DNS-over-HTTPS connections accepted (their handshakes are in tern_tls_handshakes_total).",
           Type::Counter)
      .sample(double(load(s.https_accepted)));
  m.family("tern_https_refused_total",
           "DNS-over-HTTPS requests answered with an HTTP error (400, 404, 405, 413, 415) by ternd itself.",
           Type::Counter)
      .sample(double(load(s.https_refused)));
  m.family("tern_https_streams_timed_out_total",
           "DNS-over-HTTPS requests that did not arrive complete within server.https-stream-timeout-ms (408).",
           Type::Counter)
      .sample(double(load(s.https_streams_timed_out)));
  m.family("tern_https_streams_reset_total",
           "DNS-over-HTTPS streams reset for headers over server.https-max-header-bytes.", Type::Counter)
      .sample(double(load(s.https_streams_reset)));
  m.family("tern_https_not_http2_total",
           "DNS-over-HTTPS connections that did not speak HTTP/2 (answered 505 and closed).", Type::Counter)
      .sample(double(load(s.https_not_http2)));

  // --- PROXY v2 from load balancers ----------------------------------------------------------
  m.family("tern_proxy_headers_accepted_total",
           "PROXY v2 headers accepted (per UDP datagram, per TCP connection).", Type::Counter)
      .sample(double(load(s.proxy_accepted)));
  m.family("tern_proxy_dropped_total",
           "Datagrams and TCP connections dropped for their PROXY v2 header, by reason.", Type::Counter)
      .sample(double(load(s.proxy_not_allowed)), label("reason", "not_allowed"))
      .sample(double(load(s.proxy_malformed)), label("reason", "malformed"))
      .sample(double(load(s.proxy_missing)), label("reason", "missing"));

  // --- resolution ----------------------------------------------------------------------------
  m.family("tern_resolutions_total", "Resolutions started (merged questions count once).", Type::Counter)
      .sample(double(b.engine.resolutions));
  m.family("tern_resolutions_merged_total", "Questions attached to an identical resolution already in flight.",
           Type::Counter)
      .sample(double(b.engine.merged));
  m.family("tern_resolutions_in_flight", "Resolutions in flight.", Type::Gauge)
      .sample(double(b.resolutions_in_flight));
  m.family("tern_resolution_failures_total", "Resolutions that failed (the client got SERVFAIL), by reason.",
           Type::Counter);
  for (size_t i = 0; i < kFailureKinds; ++i)
    m.sample(double(b.failures[i]), label("reason", engine::to_string(engine::Failure(i))));
  m.family("tern_waiters_dropped_total",
           "Clients not attached to a resolution in flight (no reply sent), by the limit that shed them.",
           Type::Counter)
      .sample(double(b.engine.waiters_over_query_cap), label("limit", "max_waiters_per_query"))
      .sample(double(b.engine.waiters_over_wait_limit), label("limit", "wait_limit"))
      .sample(double(b.engine.waiters_discarded), label("limit", "discard_timeout"));
  m.family("tern_failure_cache_answers_total",
           "Questions answered SERVFAIL from the failure cache (RFC 9520) without a resolution.",
           Type::Counter)
      .sample(double(b.engine.failure_cache_answers));
  m.family("tern_upstream_skipped_total",
           "Resolution steps failed at once without sending, by reason (every server of the zone "
           "down; fetches-per-zone or fetches-per-server reached).",
           Type::Counter)
      .sample(double(b.engine.servers_down_failures), label("reason", "servers_down"))
      .sample(double(b.engine.fetch_limited), label("reason", "fetch_limit"));
  m.family("tern_upstream_probes_total", "Queries sent to a down server whose backoff was over.", Type::Counter)
      .sample(double(b.engine.server_probes));
  m.family("tern_lame_marks_total", "Servers marked lame for a zone after repeated evidence.", Type::Counter)
      .sample(double(b.engine.lame_marks));
  m.family("tern_engine_servfails_total", "Resolutions the engine answered SERVFAIL.", Type::Counter)
      .sample(double(b.engine.servfails));
  m.family("tern_stale_answers_total", "Answers served from expired data after upstreams failed (RFC 8767).",
           Type::Counter)
      .sample(double(b.engine.stale_answers));

  // --- upstream ------------------------------------------------------------------------------
  m.family("tern_upstream_queries_total", "Queries sent to authoritative servers, by transport.", Type::Counter)
      .sample(double(b.transport.udp_sent), label("transport", "udp"))
      .sample(double(b.transport.tcp_sent), label("transport", "tcp"));
  m.family("tern_engine_upstream_queries_total",
           "Queries the engine handed to the transport (the sum of tern_upstream_queries_total, "
           "counted by the engine).",
           Type::Counter)
      .sample(double(b.engine.upstream_queries));
  m.family("tern_upstream_responses_total", "Upstream responses accepted (source, ID and question matched).",
           Type::Counter)
      .sample(double(b.transport.accepted));
  m.family("tern_upstream_timeouts_total", "Upstream queries that timed out.", Type::Counter)
      .sample(double(b.transport.timeouts));
  m.family("tern_upstream_errors_total",
           "Upstream queries that failed (unreachable, connection failures, bad framing).", Type::Counter)
      .sample(double(b.transport.errors));
  m.family("tern_upstream_near_misses_total",
           "Upstream datagrams dropped while an answer was awaited (possible spoofing), by reason.",
           Type::Counter)
      .sample(double(b.transport.dropped_wrong_source), label("reason", "wrong_source"))
      .sample(double(b.transport.dropped_wrong_id), label("reason", "wrong_id"))
      .sample(double(b.transport.dropped_wrong_case), label("reason", "wrong_case"))
      .sample(double(b.transport.dropped_wrong_question), label("reason", "wrong_question"));
  m.family("tern_upstream_near_miss_tcp_retries_total",
           "Upstream UDP queries given up after near misses and asked again over TCP.", Type::Counter)
      .sample(double(b.transport.near_miss_tcp_retries));
  m.family("tern_upstream_case_insensitive_servers_total",
           "Servers learned not to keep the query's 0x20 case (asked without it since).", Type::Counter)
      .sample(double(b.transport.case_insensitive_servers));
  m.family("tern_upstream_unwanted_reply_warnings_total", "Times unwanted-reply-threshold was reached.",
           Type::Counter)
      .sample(double(b.transport.unwanted_reply_warnings));
  m.family("tern_upstream_port_bind_retries_total",
           "Drawn upstream source ports that were in use and drawn again.", Type::Counter)
      .sample(double(b.transport.port_bind_retries));
  m.family("tern_upstream_rejected_responses_total", "Upstream responses the engine rejected as unusable.",
           Type::Counter)
      .sample(double(b.engine.rejected_responses));
  m.family("tern_upstream_scrubbed_records_total",
           "Records dropped from upstream responses as out of bailiwick or unsolicited.", Type::Counter)
      .sample(double(b.engine.scrubbed_records));
  m.family("tern_upstream_in_flight", "Upstream queries in flight.", Type::Gauge)
      .sample(double(b.upstream_in_flight));
  m.family("tern_upstream_rtt_seconds", "Round trip of accepted upstream responses, from sending the query.",
           Type::Histogram);
  m.histogram(b.upstream_rtt, "");

  // --- caches --------------------------------------------------------------------------------
  m.family("tern_cache_hits_total", "Cache hits, by cache layer.", Type::Counter)
      .sample(double(b.packet_cache.hits), label("layer", "packet"))
      .sample(double(b.engine.answer_cache_hits), label("layer", "answer"))
      .sample(double(b.engine.cache_answers - std::min(b.engine.cache_answers, b.engine.answer_cache_hits)),
              label("layer", "rrset"));
  m.family("tern_answer_cache_stores_total", "Finished answers the answer cache accepted.", Type::Counter)
      .sample(double(b.engine.answers_stored));
  m.family("tern_stale_answer_cache_hits_total", "Stale answers served by the answer cache's stale lookup.",
           Type::Counter)
      .sample(double(b.engine.stale_answer_cache_hits));
  m.family("tern_cache_misses_total", "Packet-cache lookups that missed.", Type::Counter)
      .sample(double(b.packet_cache.misses), label("layer", "packet"));
  m.family("tern_cache_bytes", "Accounted bytes held, by cache layer.", Type::Gauge)
      .sample(double(caches.rrsets().memory_bytes()), label("layer", "rrset"))
      .sample(double(caches.parent_glue().memory_bytes()), label("layer", "parent_glue"))
      .sample(double(caches.negative().memory_bytes()), label("layer", "negative"))
      .sample(double(caches.answers().memory_bytes()), label("layer", "answer"))
      .sample(double(b.packet_cache.bytes), label("layer", "packet"));
  m.family("tern_cache_entries", "Entries held, by cache layer.", Type::Gauge)
      .sample(double(caches.rrsets().size()), label("layer", "rrset"))
      .sample(double(caches.parent_glue().size()), label("layer", "parent_glue"))
      .sample(double(caches.negative().size()), label("layer", "negative"))
      .sample(double(caches.answers().size()), label("layer", "answer"))
      .sample(double(b.packet_cache.entries), label("layer", "packet"));
  m.family("tern_cache_evictions_total", "Entries evicted to stay within the byte budget, by cache layer.",
           Type::Counter)
      .sample(double(caches.rrsets().evictions()), label("layer", "rrset"))
      .sample(double(caches.parent_glue().evictions()), label("layer", "parent_glue"))
      .sample(double(caches.negative().evictions()), label("layer", "negative"))
      .sample(double(caches.answers().evictions()), label("layer", "answer"));

  // --- the shared Redis cache ([cache.redis]; all zero without it) ---------------------------
  const SharedCacheStats& r = b.shared_cache;
  m.family("tern_redis_hits_total", "Shared-cache lookups answered by Redis with a fresh, valid value.",
           Type::Counter)
      .sample(double(r.hits));
  m.family("tern_redis_misses_total", "Shared-cache lookups Redis answered with no value.", Type::Counter)
      .sample(double(r.misses));
  m.family("tern_redis_expired_total", "Shared values found past their TTL (kept for serve-stale).",
           Type::Counter)
      .sample(double(r.expired));
  m.family("tern_redis_invalid_values_total", "Shared values rejected by the parser and re-resolved.",
           Type::Counter)
      .sample(double(r.invalid));
  m.family("tern_redis_errors_total",
           "Redis error replies, replies of the wrong type and commands lost with a connection.",
           Type::Counter)
      .sample(double(r.errors));
  m.family("tern_redis_timeouts_total", "Shared-cache lookups not answered within cache.redis.timeout-ms.",
           Type::Counter)
      .sample(double(r.timeouts));
  m.family("tern_redis_skipped_total",
           "Shared-cache lookups and stores not sent: Redis down or cache.redis.max-outstanding reached.",
           Type::Counter)
      .sample(double(r.skipped));
  m.family("tern_redis_stores_total", "Resolved answers written to the shared cache.", Type::Counter)
      .sample(double(r.stores));
  m.family("tern_redis_stale_answers_total",
           "Expired shared values served because the resolution failed (serve-stale).", Type::Counter)
      .sample(double(r.stale_answers));
  m.family("tern_redis_connected", "Workers connected to Redis now.", Type::Gauge)
      .sample(double(r.connected));

  // --- the process ---------------------------------------------------------------------------
  m.family("tern_workers", "Worker threads.", Type::Gauge).sample(double(snap.workers));
  m.family("tern_workers_reporting",
           "Worker threads whose engine counters are in this scrape (fewer when one did not answer in time).",
           Type::Gauge)
      .sample(double(snap.answered));
  // --- response policy zones (rpz_policy.h) -------------------------------------------------
  auto rpz = server.rpz_stats()->all();
  m.family("tern_rpz_hits_total", "Queries a response policy zone rewrote or passed, by zone and action.",
           Type::Counter);
  for (const auto& [zone, c] : rpz)
    for (size_t a = 0; a < kRpzActionCount; ++a)
      m.sample(double(load(c->hits[a])), label("zone", zone) + "," + label("action", to_string(RpzAction(a))));
  m.family("tern_rpz_rules", "Rules of each response policy zone in force.", Type::Gauge);
  for (const auto& [zone, c] : rpz) m.sample(double(load(c->rules)), label("zone", zone));
  m.family("tern_rpz_loads_total", "Policy zone file loads, by zone and result (a failed one leaves the previous rules in force).",
           Type::Counter);
  for (const auto& [zone, c] : rpz) {
    m.sample(double(load(c->loads)), label("zone", zone) + "," + label("result", "ok"));
    m.sample(double(load(c->load_failures)), label("zone", zone) + "," + label("result", "failed"));
  }
  return std::move(m.out);
}

}  // namespace tern::server
