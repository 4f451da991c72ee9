#include "resolver/server/tcp_limits.h"

#include <algorithm>

namespace tern::server {

uint32_t tcp_idle_timeout_ms(uint32_t configured_ms, size_t open, size_t max_connections) {
  if (max_connections == 0) return configured_ms;
  // Compared in integers: open / max > 1/2, 65/100, 80/100.
  uint64_t timeout = configured_ms;
  if (open * 100 > max_connections * 80) timeout = 0;
  else if (open * 100 > max_connections * 65) timeout = configured_ms / 500;
  else if (open * 2 > max_connections) timeout = configured_ms / 100;
  return uint32_t(std::max<uint64_t>(std::min<uint64_t>(timeout, configured_ms),
                                     std::min(kTcpMinIdleTimeoutMs, configured_ms)));
}

size_t TcpWriteBudget::share(size_t open_connections) const {
  size_t fair = budget_ / std::max<size_t>(open_connections, 1);
  return std::min(cap_, std::max(fair, kTcpMinWriteShare));
}

}  // namespace tern::server
