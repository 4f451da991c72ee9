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
  f("tcp-accepted", s.tcp_accepted);
  f("tcp-rejected-cap", s.tcp_rejected_cap);
  f("tcp-closed-idle", s.tcp_closed_idle);
  f("tcp-closed-framing", s.tcp_closed_framing);
  f("tcp-closed-slow-reader", s.tcp_closed_slow_reader);
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
  }
  return "resolution";
}

std::string Stats::to_text() const {
  std::string out;
  each(*this, [&](const char* name, const std::atomic<uint64_t>& c) {
    out += fmt::format("{} {}\n", name, c.load(std::memory_order_relaxed));
  });
  return out;
}

}  // namespace tern::server
