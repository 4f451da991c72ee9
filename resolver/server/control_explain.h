// The control commands that explain a name: `lookup NAME [TYPE]` (what the shared caches hold for
// it and the delegation a resolution would start from, engine/cache_report.h) and
// `trace NAME [TYPE]` (resolve it once and print every step, engine/trace.h). Kept apart from
// control.cpp's cache commands; ternd's control handler asks run_explain_command first.
#pragma once

#include <uv.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cache/cache_limits.h"
#include "resolver/engine/engine_config.h"
#include "resolver/server/engine_backend.h"

namespace tern::cache {
class Caches;
}

namespace tern::server {

// A trace's scratch caches: small, it is one resolution.
inline constexpr size_t kTraceCacheBytes = size_t(4) << 20;

struct ExplainContext {
  engine::EngineConfig engine;  // as the workers run it (upstream-allow, limits, root hints)
  // The transport, clock and random source of the trace's engine, on the loop given.
  std::function<EngineParts(uv_loop_t*)> parts;
};

// nullopt when `line` is neither lookup nor trace (the caller tries its other commands).
// Otherwise the reply text ("error: ..." for bad input), ending in '\n'.
//
// trace runs on an engine of its own with empty caches (so it starts from the root hints and
// neither reads nor changes what the workers cached: no answer, RTT or lame mark of the trace
// reaches them), on a private loop run by the calling thread until the answer comes: the control
// thread is busy for at most resolver.resolve-deadline-ms. The workers are not involved.
std::optional<std::string> run_explain_command(std::string_view line, cache::Caches& caches,
                                               const ExplainContext& ctx);

}  // namespace tern::server
