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

namespace tern::server {

struct EngineParts {
  std::unique_ptr<engine::Transport> transport;
  std::unique_ptr<engine::Clock> clock;
  std::unique_ptr<engine::Random> random;
};

class EngineBackend : public Backend {
 public:
  // Throws std::invalid_argument when the root hints cannot be parsed (a start-up error).
  EngineBackend(EngineParts parts, engine::EngineConfig config, cache::Caches& caches);
  ~EngineBackend() override;

  void resolve(const ClientQuery& q, const sockaddr* client, Done done) override;
  void prefetch(const ClientQuery& q, Done done) override;
  size_t in_flight() const override { return engine_->in_flight(); }
  void add_stats(BackendStats& s) const override;
  void set_zone_routes(engine::ZoneRoutesPtr routes) override;

 private:
  EngineParts parts_;
  std::unique_ptr<engine::Engine> engine_;
  std::array<uint64_t, kFailureKinds> failures_{};  // Answer::failure, counted per reason

  void count(const engine::Answer& a);
};

// Throws config::ConfigError for an upstream-allow entry the engine cannot take.
engine::EngineConfig engine_config(const config::Config& cfg, std::string root_hints_text);
cache::CacheLimits cache_limits(const config::Config& cfg);
// The upstream transport's defences and source addresses; warnings go to `log`.
net::TransportConfig transport_config(const config::Config& cfg, config::Log& log);

}  // namespace tern::server
