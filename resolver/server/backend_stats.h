// What one worker's backend and packet cache count, copied on the worker's own thread when the
// operator asks (Server::collect): the engine and transport keep plain counters, so they are
// never read from another thread while the worker writes them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "resolver/engine/engine.h"
#include "resolver/engine/failure.h"
#include "resolver/net/uv_transport.h"

namespace tern::server {

// engine::Failure's values, Internal last (keep in step with resolver/engine/failure.h).
inline constexpr size_t kFailureKinds = size_t(engine::Failure::Internal) + 1;

struct PacketCacheStats {
  uint64_t hits = 0, misses = 0, bytes = 0, entries = 0;
};

// The shared Redis cache of one worker ([cache.redis], shared_cache.h); all zero without it.
struct SharedCacheStats {
  uint64_t hits = 0;           // lookups that found a fresh, valid value
  uint64_t misses = 0;         // lookups Redis answered with no value
  uint64_t expired = 0;        // valid values past their TTL (kept for serve-stale)
  uint64_t invalid = 0;        // values rejected by the parser (garbage, another format)
  uint64_t errors = 0;         // error replies, wrong reply types, commands lost with a connection
  uint64_t timeouts = 0;       // lookups not answered within cache.redis.timeout-ms
  uint64_t skipped = 0;        // lookups and stores not sent: Redis down or max-outstanding reached
  uint64_t stores = 0;         // answers written
  uint64_t stale_answers = 0;  // expired shared values served after a resolution failed
  uint64_t connected = 0;      // workers connected to Redis now (a gauge)

  void add(const SharedCacheStats& o);
};

struct BackendStats {
  engine::EngineStats engine;
  net::TransportStats transport;
  std::array<uint64_t, kFailureKinds> failures{};  // resolutions that failed, by reason
  uint64_t resolutions_in_flight = 0;
  uint64_t upstream_in_flight = 0;
  PacketCacheStats packet_cache;
  uint64_t tcp_connections_open = 0;  // client TCP connections (the worker's TcpServer)
  uint64_t tls_connections_open = 0;  // of which DNS over TLS
  net::RttHistogram upstream_rtt;
  SharedCacheStats shared_cache;

  void add(const BackendStats& other);
};

}  // namespace tern::server
