#include "resolver/ternd/engine_parts.h"

#include "resolver/net/system_clock.h"
#include "resolver/net/uv_transport.h"

namespace tern::ternd {

server::EngineParts make_engine_parts(uv_loop_t* loop, const net::TransportConfig& transport,
                                      config::Log* log) {
  server::EngineParts p;
  p.transport = std::make_unique<net::UvTransport>(loop, transport, log);
  p.clock = std::make_unique<net::SystemClock>();
  p.random = std::make_unique<net::SecureRandom>();
  return p;
}

}  // namespace tern::ternd
