// The production Backend: the resolution engine of one worker, with its upstream transport,
// clock and random source on that worker's loop. Also maps the configuration onto EngineConfig
// and cache::CacheLimits.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "cache/cache_limits.h"
#include "resolver/config/config.h"
#include "resolver/config/log.h"
#include "resolver/engine/engine.h"
#include "resolver/net/transport_config.h"
#include "resolver/server/backend.h"
#include "resolver/server/shared_cache.h"

namespace tern::server {

struct EngineParts {
  std::unique_ptr<engine::Transport> transport;
  std::unique_ptr<engine::Clock> clock;
  std::unique_ptr<engine::Random> random;
};

class EngineBackend : public Backend {
 public:
  // Throws std::invalid_argument when the root hints cannot be parsed (a start-up error).
  // `shared`: the shared Redis cache, asked after the engine's own caches missed (may be null).
  EngineBackend(EngineParts parts, engine::EngineConfig config, cache::Caches& caches,
                std::unique_ptr<SharedCache> shared = nullptr);
  ~EngineBackend() override;

  void resolve(const ClientQuery& q, const sockaddr* client, Done done) override;
  void prefetch(const ClientQuery& q, Done done) override;
  // Questions waiting for Redis count too: a stopping worker lets them finish.
  size_t in_flight() const override {
    return engine_->in_flight() + (shared_ ? shared_->pending() : 0);
  }
  NameServers name_servers(const wire::Name& name) override;
  void add_stats(BackendStats& s) const override;
  void set_zone_routes(engine::ZoneRoutesPtr routes) override;

 private:
  EngineParts parts_;
  cache::Caches& caches_;
  std::unique_ptr<engine::Engine> engine_;
  std::array<uint64_t, kFailureKinds> failures_{};  // Answer::failure, counted per reason
  std::unique_ptr<SharedCache> shared_;

  void count(const engine::Answer& a);
  // Resolves with the engine. `store`: write the answer to the shared cache (when it is a fresh
  // resolution's). `shared_stale`: the shared cache's expired copy, sent if the resolution fails.
  void resolve_with_engine(const engine::Query& eq, std::optional<engine::Address> client, Done done,
                           bool store, std::optional<Sections> shared_stale);
  uint64_t now_unix() const;
};

// Throws config::ConfigError for an upstream-allow entry the engine cannot take.
engine::EngineConfig engine_config(const config::Config& cfg, std::string root_hints_text);
// The [dnssec] table as the engine takes it: anchor files read and parsed (a bad file is a
// ConfigError, so --check-config reports it).
engine::DnssecConfig dnssec_config(const config::Config& cfg);
cache::CacheLimits cache_limits(const config::Config& cfg);
// The upstream transport's defences and source addresses; warnings go to `log`.
net::TransportConfig transport_config(const config::Config& cfg, config::Log& log);

}  // namespace tern::server
