// Per-worker counters. Written by one worker thread only, read by the control channel from
// another: relaxed atomics, summed on demand.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "resolver/net/latency_histogram.h"

namespace tern::server {

// The question types counted apart; every other type is counted as "other". Slot names are the
// types' mnemonics (labels of tern_queries_total).
inline constexpr size_t kQtypeSlots = 15;
size_t qtype_slot(uint16_t qtype);
const char* qtype_slot_name(size_t slot);
// The question type of a query (or response) read from its bytes: the first question's type,
// its name uncompressed as in any query; nullopt-like kNoQtype when there is none.
inline constexpr uint32_t kNoQtype = 0x10000;
uint32_t packet_qtype(std::span<const uint8_t> packet);

// Responses by rcode: 0..15 from the header, slot 16 for BADVERS (extended, RFC 6891).
inline constexpr size_t kRcodeSlots = 17;

// Where an answer the backend gave came from (tern_answers_total's source label, with
// "packet_cache" and "local" counted by the pipeline itself).
// SharedCache: the shared second-level cache on Redis ([cache.redis], shared_cache.h).
enum class BackendSource : uint8_t { Resolution, RecordCache, Stale, SharedCache };
inline constexpr size_t kBackendSources = 4;
// "resolution", "record_cache", "stale", "shared_cache"
const char* backend_source_name(BackendSource s);

// A latency histogram (bounds: net/latency_histogram.h) written by one worker and read by the
// metrics from another: relaxed atomics.
// Buckets are kept non-cumulative and made cumulative when exported.
struct LatencyHistogram {
  static constexpr auto kBoundsUs = net::kLatencyBoundsUs;
  std::array<std::atomic<uint64_t>, kBoundsUs.size() + 1> buckets{};  // last: above every bound
  std::atomic<uint64_t> sum_us{0};

  void observe(uint64_t us);
  void add_to(LatencyHistogram& total) const;
};

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
  std::atomic<uint64_t> dropped_waiters{0};  // the backend shed the query (waiter caps, discard)
  std::atomic<uint64_t> tcp_closed_evicted{0};     // oldest idle connection closed for a new one
  std::atomic<uint64_t> tcp_closed_over_budget{0};  // unread output passed the TCP write budget
  std::atomic<uint64_t> tcp_deferred{0};  // reads put off to the next loop iteration (fairness)
  // DNS over TLS (tls_transport.h). tcp_queries counts TLS queries too; tls_queries is their part.
  std::atomic<uint64_t> tls_queries{0}, tls_accepted{0}, tls_handshakes{0}, tls_resumed{0};
  std::atomic<uint64_t> tls_handshake_failed{0}, tls_handshake_timeouts{0}, tls_rejected_handshakes{0};
  std::atomic<uint64_t> tls_closed_renegotiation{0}, tls_closed_protocol{0};
  // DNS over HTTPS (doh_session.h), over TLS: tcp_queries counts these queries too, and
  // tls_accepted/tls_handshakes their connections; https_queries is their part of tcp_queries.
  std::atomic<uint64_t> https_queries{0}, https_accepted{0}, https_refused{0};
  std::atomic<uint64_t> https_streams_timed_out{0}, https_streams_reset{0}, https_not_http2{0};

  // For the metrics endpoint (docs/operations.md "Monitoring"): queries by question type,
  // responses by rcode, backend answers by source with their latency.
  std::array<std::atomic<uint64_t>, kQtypeSlots> by_qtype{};
  std::array<std::atomic<uint64_t>, kRcodeSlots> by_rcode{};
  std::array<LatencyHistogram, kBackendSources> backend_latency{};

  // The engine's and transport's counters are not here: they stay plain on the worker's thread
  // and are copied there when collected (backend_stats.h). Exported by metrics.cpp, which must
  // name every field added here.
  void add_to(Stats& total) const;
};

inline void bump(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

}  // namespace tern::server
