// The production pieces of one worker's engine: the libuv transport on that worker's loop, the
// wall clock and the kernel's CSPRNG (all from resolver/net/).
#pragma once

#include <uv.h>

#include "resolver/config/log.h"
#include "resolver/net/transport_config.h"
#include "resolver/server/engine_backend.h"

namespace tern::ternd {

// `log` hears about upstream sockets that cannot be opened (may be null).
server::EngineParts make_engine_parts(uv_loop_t* loop, const net::TransportConfig& transport,
                                      config::Log* log);

}  // namespace tern::ternd
