#pragma once
// Log-linear latency histogram: 32 sub-buckets per power of two, so any percentile is within
// about 3% of the true value, in a fixed 15 KiB whatever the run length.

#include <array>
#include <bit>
#include <cstdint>

namespace tern::bench {

class LatencyHistogram {
 public:
  void record(uint64_t nanoseconds) {
    ++counts_[index_of(nanoseconds)];
    ++count_;
    sum_ += nanoseconds;
    if (nanoseconds > max_) max_ = nanoseconds;
  }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }

  // Upper edge of the bucket holding the q-quantile (0 < q <= 1): never under-reports.
  uint64_t quantile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(count_));
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        uint64_t edge = upper_edge(i);
        return edge < max_ ? edge : max_;
      }
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 5;  // 32 sub-buckets per octave
  static constexpr size_t kBuckets = (64 - kSubBits + 1) * (1u << kSubBits);

  static size_t index_of(uint64_t v) {
    if (v < (1u << kSubBits)) return static_cast<size_t>(v);
    int octave = 63 - std::countl_zero(v);  // >= kSubBits
    uint64_t sub = (v >> (octave - kSubBits)) & ((1u << kSubBits) - 1);
    return static_cast<size_t>(octave - kSubBits + 1) * (1u << kSubBits) + static_cast<size_t>(sub);
  }

  static uint64_t upper_edge(size_t index) {
    if (index < (1u << kSubBits)) return index;
    size_t octave = index / (1u << kSubBits) + kSubBits - 1;
    uint64_t sub = index % (1u << kSubBits);
    uint64_t base = (uint64_t{1} << octave) | (sub << (octave - kSubBits));
    return base + (uint64_t{1} << (octave - kSubBits)) - 1;
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace tern::bench
