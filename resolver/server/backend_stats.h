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

  void add(const BackendStats& other);
};

}  // namespace tern::server
