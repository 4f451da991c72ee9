#include "resolver/engine/answer_ttl.h"

#include <algorithm>

#include "cache/negative_cache.h"

namespace tern::engine {

void clamp_fresh_ttls(std::vector<wire::RRset>& answer, std::vector<wire::RRset>& authority,
                      std::vector<wire::RRset>& additional, const cache::CacheLimits& limits) {
  for (auto* section : {&answer, &additional})
    for (auto& rr : *section) rr.ttl = cache::clamp_ttl(rr.ttl, limits);
  for (auto& rr : authority) {
    auto negative = rr.type == wire::RRType::SOA ? cache::NegativeCache::negative_ttl(rr)
                                                 : std::nullopt;
    rr.ttl = negative ? cache::clamp_negative_ttl(*negative, limits)
                      : cache::clamp_ttl(rr.ttl, limits);
  }
}

void cap_stale_ttls(std::vector<wire::RRset>& answer, std::vector<wire::RRset>& authority,
                    std::vector<wire::RRset>& additional, const cache::CacheLimits& limits) {
  for (auto* section : {&answer, &authority, &additional})
    for (auto& rr : *section) rr.ttl = std::min(rr.ttl, limits.max_ttl);
}

}  // namespace tern::engine
