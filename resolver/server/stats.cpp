#include "resolver/server/stats.h"

#include <fmt/format.h>

#include <vector>

namespace tern::server {
namespace {

template <class S, class F>
void each(S& s, F f) {
  f("udp-queries", s.udp_queries);
  f("tcp-queries", s.tcp_queries);
  f("dropped-unparseable", s.dropped_unparseable);
  f("dropped-responses", s.dropped_responses);
  f("udp-send-failed", s.udp_send_failed);
  f("formerr", s.formerr);
  f("notimp", s.notimp);
  f("refused", s.refused);
  f("badvers", s.badvers);
  f("servfail", s.servfail);
  f("local-answers", s.local_answers);
  f("cache-hits", s.cache_hits);
  f("backend-queries", s.backend_queries);
  f("truncated", s.truncated);
  f("prefetches", s.prefetches);
  f("prefetches-dropped", s.prefetches_dropped);
  f("proxy-accepted", s.proxy_accepted);
  f("proxy-dropped-not-allowed", s.proxy_not_allowed);
  f("proxy-dropped-malformed", s.proxy_malformed);
  f("proxy-dropped-missing", s.proxy_missing);
  f("tcp-accepted", s.tcp_accepted);
  f("tcp-rejected-cap", s.tcp_rejected_cap);
  f("tcp-closed-idle", s.tcp_closed_idle);
  f("tcp-closed-framing", s.tcp_closed_framing);
  f("tcp-closed-slow-reader", s.tcp_closed_slow_reader);
  f("upstream-queries", s.upstream_queries);
  f("servers-down-failures", s.servers_down);
  f("failure-cache-answers", s.failure_cache_answers);
  f("fetch-limited", s.fetch_limited);
  f("server-probes", s.server_probes);
  f("lame-marks", s.lame_marks);
  f("dropped-waiters", s.dropped_waiters);
  f("tcp-closed-evicted", s.tcp_closed_evicted);
  f("tcp-closed-over-budget", s.tcp_closed_over_budget);
  f("tcp-deferred", s.tcp_deferred);
}

}  // namespace

void Stats::add_to(Stats& total) const {
  // Same order in both walks: pair them up by index.
  std::vector<const std::atomic<uint64_t>*> mine;
  each(*this, [&](const char*, const std::atomic<uint64_t>& c) { mine.push_back(&c); });
  size_t i = 0;
  each(total, [&](const char*, std::atomic<uint64_t>& c) {
    c.fetch_add(mine[i++]->load(std::memory_order_relaxed), std::memory_order_relaxed);
  });
}

std::string Stats::to_text() const {
  std::string out;
  each(*this, [&](const char* name, const std::atomic<uint64_t>& c) {
    out += fmt::format("{} {}\n", name, c.load(std::memory_order_relaxed));
  });
  return out;
}

}  // namespace tern::server
