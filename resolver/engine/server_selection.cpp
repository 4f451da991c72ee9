#include "resolver/engine/server_selection.h"

#include <algorithm>

namespace tern::engine {

namespace {

std::chrono::seconds backoff(const cache::ServerInfo& info, const EngineConfig& cfg) {
  uint32_t doublings = std::min<uint32_t>(info.consecutive_timeouts - cfg.timeouts_before_down, 16);
  auto b = cfg.infra_backoff_base * (int64_t(1) << doublings);
  return std::min(b, std::max(cfg.infra_backoff_base, cfg.infra_backoff_max));
}

bool counted_down(const cache::ServerInfo& info, const EngineConfig& cfg) {
  return cfg.timeouts_before_down > 0 && info.consecutive_timeouts >= cfg.timeouts_before_down;
}

}  // namespace

bool server_down(const cache::ServerInfo& info, const EngineConfig& cfg, MonoInstant now) {
  return counted_down(info, cfg) && now < info.last_timeout + backoff(info, cfg);
}

bool server_probe_due(const cache::ServerInfo& info, const EngineConfig& cfg, MonoInstant now) {
  return counted_down(info, cfg) && now >= info.last_timeout + backoff(info, cfg);
}

std::optional<ServerChoice> choose_server(const Delegation& dp, CacheAccess& cache,
                                          const EngineConfig& cfg, const FetchCounts& fetches,
                                          MonoInstant now, SelectionSkips* skips) {
  using std::chrono::milliseconds;
  SelectionSkips local;
  SelectionSkips& skip = skips ? *skips : local;
  skip = SelectionSkips{};
  // Two passes: without the lame servers, then (nothing else left) with them.
  for (bool allow_lame : {false, true}) {
    std::optional<ServerChoice> best;
    milliseconds best_score{};
    bool saw_lame = false;
    for (const auto& s : dp.servers) {
      for (const auto& a : s.addresses) {
        const auto* attempt = dp.find_attempt(a);
        uint32_t attempts = attempt ? attempt->attempts : 0;
        if (attempt && (attempt->done || attempts >= cfg.max_attempts_per_server)) continue;
        if (cache.lame(a, dp.zone, now)) {
          saw_lame = true;
          if (!allow_lame) continue;
        }
        auto info = cache.server(a, now);
        if (server_down(info, cfg, now)) {
          ++skip.down;
          continue;
        }
        auto quota = FetchCounts::server_quota(cfg.fetches_per_server, info.consecutive_timeouts);
        if (fetches.server_full(a, quota)) {
          ++skip.busy;
          continue;
        }
        bool probe = server_probe_due(info, cfg, now);
        // A server already asked in this resolution goes behind every fresh one, a probe behind
        // every other.
        auto score = info.selection_rtt + attempts * milliseconds(100000) +
                     (probe ? milliseconds(1000000) : milliseconds(0));
        if (!best || score < best_score) {
          best = ServerChoice{a, probe, info.last_timeout, info.consecutive_timeouts};
          best_score = score;
        }
      }
    }
    if (best || !saw_lame) return best;
    skip = SelectionSkips{};
  }
  return std::nullopt;
}

std::chrono::milliseconds server_timeout(const cache::ServerInfo& info, const EngineConfig& cfg) {
  using std::chrono::milliseconds;
  milliseconds base = info.has_rtt ? info.srtt + 4 * info.rttvar : cfg.initial_timeout;
  bool good_history = info.has_rtt && info.samples >= kGoodRttSamples && info.consecutive_timeouts == 0;
  milliseconds floor = good_history ? cfg.min_timeout : cfg.initial_timeout;
  milliseconds ceiling = std::max(floor, cfg.max_timeout);
  uint32_t doublings = std::min<uint32_t>(info.consecutive_timeouts, 16);
  milliseconds t = std::min(base * (int64_t(1) << doublings), ceiling);
  return std::clamp(t, floor, ceiling);
}

}  // namespace tern::engine
