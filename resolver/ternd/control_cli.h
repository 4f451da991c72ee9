// `ternd control [--config FILE | --socket PATH] [--read-only] COMMAND...`: finds the control
// socket and sends one command. Without --socket the path comes from the configuration file
// (--config FILE, default kDefaultConfigFile): server.control-socket, or with --read-only
// server.control-socket-read-only; a file without one falls back to kDefaultControlSocket (where
// the systemd unit puts it with --control). The old form `ternd control PATH COMMAND...` (a first
// word containing '/') still works.
#pragma once

#include <string>
#include <vector>

namespace tern::ternd {

// The installed configuration file (SYSCONFDIR/tern/ternd.toml, set by CMake).
const char* default_config_file();
// Where the systemd unit asks ternd to put its control socket.
inline constexpr const char* kDefaultControlSocket = "/run/tern/control.sock";

// Which socket and which command; or an error message (exit 2).
struct ControlInvocation {
  std::string socket;
  std::string command;
  std::string error;
};
ControlInvocation parse_control_args(const std::vector<std::string>& args);

// args: what follows "control" on the command line. Returns the exit code.
int control_main(const std::vector<std::string>& args);

}  // namespace tern::ternd
