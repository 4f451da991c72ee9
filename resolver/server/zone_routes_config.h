// The engine's forward/stub zone table (engine::ZoneRoutes) from the configuration's
// [[forward-zone]] and [[stub-zone]] tables. Built at start-up and again on SIGHUP.
#pragma once

#include "resolver/config/config.h"
#include "resolver/engine/zone_routes.h"

namespace tern::server {

// Null when no zone is configured. The config parser has checked every name and address.
engine::ZoneRoutesPtr make_zone_routes(const config::Config& cfg);

}  // namespace tern::server
