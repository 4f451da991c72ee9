// Per-worker counters. Written by one worker thread only, read by the control channel from
// another: relaxed atomics, summed on demand.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace tern::server {

struct Stats {
  std::atomic<uint64_t> udp_queries{0}, tcp_queries{0};
  std::atomic<uint64_t> dropped_unparseable{0}, dropped_responses{0}, udp_send_failed{0};
  std::atomic<uint64_t> formerr{0}, notimp{0}, refused{0}, badvers{0}, servfail{0};
  std::atomic<uint64_t> local_answers{0}, cache_hits{0}, backend_queries{0}, truncated{0};
  std::atomic<uint64_t> prefetches{0}, prefetches_dropped{0};  // asked by packet-cache hits
  // PROXY v2 headers (proxy_policy.h): per UDP datagram, per TCP connection.
  std::atomic<uint64_t> proxy_accepted{0}, proxy_not_allowed{0}, proxy_malformed{0}, proxy_missing{0};
  std::atomic<uint64_t> tcp_accepted{0}, tcp_rejected_cap{0}, tcp_closed_idle{0};
  std::atomic<uint64_t> tcp_closed_framing{0}, tcp_closed_slow_reader{0};
  // The engine's own counters (engine::EngineStats), published by the backend on the worker.
  std::atomic<uint64_t> upstream_queries{0}, servers_down{0}, failure_cache_answers{0};
  std::atomic<uint64_t> fetch_limited{0}, server_probes{0}, lame_marks{0};
  std::atomic<uint64_t> dropped_waiters{0};  // the backend shed the query (waiter caps, discard)
  std::atomic<uint64_t> tcp_closed_evicted{0};     // oldest idle connection closed for a new one
  std::atomic<uint64_t> tcp_closed_over_budget{0};  // unread output passed the TCP write budget
  std::atomic<uint64_t> tcp_deferred{0};  // reads put off to the next loop iteration (fairness)

  void add_to(Stats& total) const;
  std::string to_text() const;  // "name value" lines
};

inline void bump(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

}  // namespace tern::server
