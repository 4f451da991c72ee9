// What answers a checked query that neither the local zones nor the packet cache could: in ternd
// the resolution engine (EngineBackend); in the front end's tests, a scripted stand-in.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <sys/socket.h>

#include "resolver/server/backend_stats.h"
#include "resolver/server/client_query.h"
#include "wire/name.h"
#include "wire/rrset.h"

namespace tern::engine {
class ZoneRoutes;
}

namespace tern::server {

// The name servers of the zone an answer came from, as the backend knows them: their names and
// their address sets (A/AAAA). For RPZ NSDNAME / NSIP triggers (rpz_policy.h).
struct NameServers {
  std::vector<wire::Name> names;
  std::vector<wire::RRset> addresses;
};

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
  // The name servers of the closest enclosing zone of `name` the backend holds a delegation for
  // (worker thread only). Stand-ins know none.
  virtual NameServers name_servers(const wire::Name& /*name*/) { return {}; }
  // Adds this backend's counters (worker thread only). Test stand-ins count nothing.
  virtual void add_stats(BackendStats&) const {}
  // Forward and stub zones for questions from now on (SIGHUP; worker thread only).
  virtual void set_zone_routes(std::shared_ptr<const engine::ZoneRoutes>) {}
};

}  // namespace tern::server
