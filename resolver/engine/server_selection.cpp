#include "resolver/engine/server_selection.h"

#include <algorithm>

namespace tern::engine {

std::optional<Address> choose_server(const Delegation& dp, CacheAccess& cache,
                                     const EngineConfig& cfg, MonoInstant now) {
  std::optional<Address> best;
  std::chrono::milliseconds best_score{};
  for (const auto& s : dp.servers) {
    for (const auto& a : s.addresses) {
      const auto* attempt = dp.find_attempt(a);
      uint32_t attempts = attempt ? attempt->attempts : 0;
      if (attempt && (attempt->done || attempts >= cfg.max_attempts_per_server)) continue;
      if (cache.lame(a, dp.zone, now)) continue;
      auto info = cache.server(a, now);
      // A server already asked in this resolution goes behind every fresh one, a backed-off
      // server behind every other.
      auto score = info.selection_rtt + attempts * std::chrono::milliseconds(100000) +
                   (info.backed_off ? std::chrono::milliseconds(1000000) : std::chrono::milliseconds(0));
      if (!best || score < best_score) {
        best = a;
        best_score = score;
      }
    }
  }
  return best;
}

std::chrono::milliseconds server_timeout(const Address& a, CacheAccess& cache,
                                         const EngineConfig& cfg, MonoInstant now) {
  auto info = cache.server(a, now);
  auto t = info.known || info.consecutive_timeouts > 0 ? info.timeout : cfg.initial_timeout;
  return std::clamp(t, kMinTimeout, std::max(kMinTimeout, cfg.max_timeout));
}

}  // namespace tern::engine
