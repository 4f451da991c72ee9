#include "resolver/server/backend_stats.h"

namespace tern::server {

// A counter added to EngineStats or TransportStats must be summed in add() below and exported in
// metrics.cpp; these fail the build until the counts here are updated with them.
static_assert(sizeof(engine::EngineStats) == 20 * sizeof(uint64_t), "sum and export the new engine counter");
static_assert(sizeof(net::TransportStats) == 13 * sizeof(uint64_t), "sum and export the new transport counter");

void BackendStats::add(const BackendStats& o) {
  // Field by field: a counter added to EngineStats or TransportStats is exported once it is
  // named here and in metrics.cpp.
  engine.resolutions += o.engine.resolutions;
  engine.merged += o.engine.merged;
  engine.cache_answers += o.engine.cache_answers;
  engine.answer_cache_hits += o.engine.answer_cache_hits;
  engine.answers_stored += o.engine.answers_stored;
  engine.upstream_queries += o.engine.upstream_queries;
  engine.rejected_responses += o.engine.rejected_responses;
  engine.scrubbed_records += o.engine.scrubbed_records;
  engine.servfails += o.engine.servfails;
  engine.stale_answers += o.engine.stale_answers;
  engine.stale_answer_cache_hits += o.engine.stale_answer_cache_hits;
  engine.prefetches += o.engine.prefetches;
  engine.failure_cache_answers += o.engine.failure_cache_answers;
  engine.servers_down_failures += o.engine.servers_down_failures;
  engine.fetch_limited += o.engine.fetch_limited;
  engine.server_probes += o.engine.server_probes;
  engine.lame_marks += o.engine.lame_marks;
  engine.waiters_over_query_cap += o.engine.waiters_over_query_cap;
  engine.waiters_over_wait_limit += o.engine.waiters_over_wait_limit;
  engine.waiters_discarded += o.engine.waiters_discarded;
  transport.udp_sent += o.transport.udp_sent;
  transport.tcp_sent += o.transport.tcp_sent;
  transport.accepted += o.transport.accepted;
  transport.dropped_wrong_source += o.transport.dropped_wrong_source;
  transport.dropped_wrong_id += o.transport.dropped_wrong_id;
  transport.dropped_wrong_case += o.transport.dropped_wrong_case;
  transport.dropped_wrong_question += o.transport.dropped_wrong_question;
  transport.near_miss_tcp_retries += o.transport.near_miss_tcp_retries;
  transport.case_insensitive_servers += o.transport.case_insensitive_servers;
  transport.unwanted_reply_warnings += o.transport.unwanted_reply_warnings;
  transport.port_bind_retries += o.transport.port_bind_retries;
  transport.timeouts += o.transport.timeouts;
  transport.errors += o.transport.errors;
  for (size_t i = 0; i < failures.size(); ++i) failures[i] += o.failures[i];
  resolutions_in_flight += o.resolutions_in_flight;
  upstream_in_flight += o.upstream_in_flight;
  upstream_rtt.add(o.upstream_rtt);
  tcp_connections_open += o.tcp_connections_open;
  tls_connections_open += o.tls_connections_open;
  packet_cache.hits += o.packet_cache.hits;
  packet_cache.misses += o.packet_cache.misses;
  packet_cache.bytes += o.packet_cache.bytes;
  packet_cache.entries += o.packet_cache.entries;
}

}  // namespace tern::server
