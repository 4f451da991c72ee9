// Latency histograms with Prometheus-style bucket bounds, one definition of the bounds for every
// latency Tern exports (client answers in resolver/server/stats.h, upstream round trips here).
// Buckets are counted non-cumulatively and made cumulative when exported.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tern::net {

// Upper bounds in microseconds: 0.5 ms .. 5 s; one more bucket holds everything above.
inline constexpr std::array<uint32_t, 13> kLatencyBoundsUs = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000};

inline size_t latency_bucket(uint64_t us) {
  size_t b = 0;
  while (b < kLatencyBoundsUs.size() && us > kLatencyBoundsUs[b]) ++b;
  return b;
}

// Written and read on one thread (the worker's, which copies it for the metrics).
struct RttHistogram {
  std::array<uint64_t, kLatencyBoundsUs.size() + 1> buckets{};
  uint64_t sum_us = 0;

  void observe(uint64_t us) {
    ++buckets[latency_bucket(us)];
    sum_us += us;
  }
  void add(const RttHistogram& o) {
    for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += o.buckets[i];
    sum_us += o.sum_us;
  }
};

}  // namespace tern::net
