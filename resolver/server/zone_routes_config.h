// The engine's forward/stub zone table (engine::ZoneRoutes) from the configuration's
// [[forward-zone]] and [[stub-zone]] tables. Built at start-up and again on SIGHUP.
#pragma once

#include "resolver/config/config.h"
#include "resolver/engine/zone_routes.h"
#include "resolver/net/uv_transport.h"

namespace tern::server {

// Null when no zone is configured. The config parser has checked every name and address.
engine::ZoneRoutesPtr make_zone_routes(const config::Config& cfg);
// The DNS-over-TLS forwarders of the table, for the upstream transport.
std::vector<net::TlsPeer> tls_peers(const engine::ZoneRoutesPtr& routes);

}  // namespace tern::server
