// What answers a checked query that neither the local zones nor the packet cache could: in ternd
// the resolution engine (EngineBackend); in the front end's tests, a scripted stand-in.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <sys/socket.h>

#include "resolver/net/uv_transport.h"
#include "resolver/server/client_query.h"
#include "resolver/server/stats.h"

namespace tern::server {

class Backend {
 public:
  virtual ~Backend() = default;
  // `done` is called exactly once, possibly from inside resolve(), always on the worker's loop.
  // `done` receives the sections and whether they may go into the packet cache; Sections::dropped
  // set means no reply goes out. `client` is a UDP client's address (for the per-address wait
  // limit and the discard timeout), nullptr for TCP.
  using Done = std::function<void(const Sections&, bool cacheable)>;
  virtual void resolve(const ClientQuery& q, const sockaddr* client, Done done) = 0;
  // Refreshes `q` in the background without answering it from a cache that is about to expire
  // (the packet cache asked: its entry is in the last 10% of its TTL). `done` gets the fresh
  // answer, at most once (not when the backend is destroyed first); counted in in_flight().
  virtual void prefetch(const ClientQuery& q, Done done) = 0;
  virtual size_t in_flight() const = 0;
  // Where the backend may publish counters of its own (the worker's Stats, on the worker's
  // thread). Backends without counters ignore it.
  virtual void attach_stats(Stats*) {}
  // The upstream transport's counters for `ternd control stats`; none for a scripted backend.
  virtual std::shared_ptr<const net::TransportStats> upstream_stats() const { return nullptr; }
};

}  // namespace tern::server
