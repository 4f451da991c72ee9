#include "resolver/server/stats.h"

#include <vector>

namespace tern::server {
namespace {

template <class S, class F>
void each(S& s, F f) {
  f(s.udp_queries);
  f(s.tcp_queries);
  f(s.dropped_unparseable);
  f(s.dropped_responses);
  f(s.udp_send_failed);
  f(s.formerr);
  f(s.notimp);
  f(s.refused);
  f(s.badvers);
  f(s.servfail);
  f(s.local_answers);
  f(s.cache_hits);
  f(s.backend_queries);
  f(s.truncated);
  f(s.prefetches);
  f(s.prefetches_dropped);
  f(s.proxy_accepted);
  f(s.proxy_not_allowed);
  f(s.proxy_malformed);
  f(s.proxy_missing);
  f(s.tcp_accepted);
  f(s.tcp_rejected_cap);
  f(s.tcp_closed_idle);
  f(s.tcp_closed_framing);
  f(s.tcp_closed_slow_reader);
  f(s.dropped_waiters);
  f(s.tcp_closed_evicted);
  f(s.tcp_closed_over_budget);
  f(s.tcp_deferred);
  f(s.tls_queries);
  f(s.tls_accepted);
  f(s.tls_handshakes);
  f(s.tls_resumed);
  f(s.tls_handshake_failed);
  f(s.tls_handshake_timeouts);
  f(s.tls_rejected_handshakes);
  f(s.tls_closed_renegotiation);
  f(s.tls_closed_protocol);
  f(s.https_queries);
  f(s.https_accepted);
  f(s.https_refused);
  f(s.https_streams_timed_out);
  f(s.https_streams_reset);
  f(s.https_not_http2);
}

}  // namespace

void Stats::add_to(Stats& total) const {
  // Same order in both walks: pair them up by index.
  std::vector<const std::atomic<uint64_t>*> mine;
  each(*this, [&](const std::atomic<uint64_t>& c) { mine.push_back(&c); });
  size_t i = 0;
  each(total, [&](std::atomic<uint64_t>& c) {
    c.fetch_add(mine[i++]->load(std::memory_order_relaxed), std::memory_order_relaxed);
  });
  auto add_array = [](const auto& from, auto& to) {
    for (size_t j = 0; j < from.size(); ++j)
      to[j].fetch_add(from[j].load(std::memory_order_relaxed), std::memory_order_relaxed);
  };
  add_array(by_qtype, total.by_qtype);
  add_array(by_rcode, total.by_rcode);
  for (size_t j = 0; j < backend_latency.size(); ++j) backend_latency[j].add_to(total.backend_latency[j]);
}

void LatencyHistogram::observe(uint64_t us) {
  buckets[net::latency_bucket(us)].fetch_add(1, std::memory_order_relaxed);
  sum_us.fetch_add(us, std::memory_order_relaxed);
}

void LatencyHistogram::add_to(LatencyHistogram& total) const {
  for (size_t b = 0; b < buckets.size(); ++b)
    total.buckets[b].fetch_add(buckets[b].load(std::memory_order_relaxed), std::memory_order_relaxed);
  total.sum_us.fetch_add(sum_us.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

namespace {
struct QtypeSlot {
  uint16_t type;
  const char* name;
};
constexpr std::array<QtypeSlot, kQtypeSlots - 1> kQtypes = {{
    {1, "A"}, {2, "NS"}, {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"}, {16, "TXT"},
    {28, "AAAA"}, {33, "SRV"}, {43, "DS"}, {48, "DNSKEY"}, {64, "SVCB"}, {65, "HTTPS"}, {255, "ANY"},
}};
}  // namespace

size_t qtype_slot(uint16_t qtype) {
  for (size_t i = 0; i < kQtypes.size(); ++i)
    if (kQtypes[i].type == qtype) return i;
  return kQtypeSlots - 1;
}

const char* qtype_slot_name(size_t slot) {
  return slot < kQtypes.size() ? kQtypes[slot].name : "other";
}

uint32_t packet_qtype(std::span<const uint8_t> packet) {
  // Header (12 bytes) with QDCOUNT >= 1, then labels up to the root label, then QTYPE.
  if (packet.size() < 12 || (packet[4] == 0 && packet[5] == 0)) return kNoQtype;
  size_t pos = 12;
  while (pos < packet.size()) {
    uint8_t len = packet[pos];
    if (len == 0) break;
    if (len & 0xc0) return kNoQtype;  // a compression pointer has no place in a query's question
    pos += 1 + size_t(len);
  }
  if (pos + 3 > packet.size()) return kNoQtype;
  return uint32_t(packet[pos + 1]) << 8 | packet[pos + 2];
}

const char* backend_source_name(BackendSource s) {
  switch (s) {
    case BackendSource::Resolution: return "resolution";
    case BackendSource::RecordCache: return "record_cache";
    case BackendSource::Stale: return "stale";
    case BackendSource::SharedCache: return "shared_cache";
  }
  return "resolution";
}

}  // namespace tern::server
