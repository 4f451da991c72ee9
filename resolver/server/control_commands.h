// The daemon-level control commands (issue #16 "Control"): status, reload, set-log-level,
// flush-negative, flush-bogus, list-local-zones, list-forwards, cache-save, cache-load, help —
// beside the cache commands of control.cpp (flush*, dump, stats). Which commands a read-only
// control socket accepts is decided here too. See docs/operations.md, "Control".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/config/config.h"

namespace tern::cache {
class Caches;
}

namespace tern::server {

class Server;
class LocalPolicy;

// What the daemon-level commands reach. Owned by main; every member outlives the control servers.
struct ControlContext {
  cache::Caches& caches;
  Server& server;
  config::Log& log;
  std::string version;                            // "0.1.0 (abc1234)"
  std::chrono::steady_clock::time_point started;  // for the uptime
  // The running configuration (what the last reload applied) and the running local policy.
  std::function<const config::Config&()> config;
  std::function<std::shared_ptr<const LocalPolicy>()> local_policy;
  // The same as SIGHUP; returns the report ("ok reloaded: ..." or "error: ...").
  std::function<std::string()> reload;
};

// Runs `line` if it is one of this file's commands; nullopt otherwise (run_control_command then).
std::optional<std::string> run_daemon_command(std::string_view line, ControlContext& ctx);

// True for the commands a read-only socket accepts: they show state and change nothing.
bool is_read_only_command(std::string_view line);

// The handler of a read-only socket: refuses every other command with a clear error.
std::string read_only_refusal(std::string_view line);

// The text of `help`: every command, one a line, with its arguments and what it does.
std::string control_help();

// `list-forwards`: the configured forward and stub zones, a line each ("none configured").
std::string list_forwards(const config::Config& cfg);

}  // namespace tern::server
