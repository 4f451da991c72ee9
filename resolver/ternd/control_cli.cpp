#include "resolver/ternd/control_cli.h"

#include <cstdio>
#include <filesystem>

#include <toml++/toml.h>

#include "resolver/config/config.h"
#include "resolver/server/control.h"

#ifndef TERN_DEFAULT_CONFIG
#define TERN_DEFAULT_CONFIG "/etc/tern/ternd.toml"
#endif

namespace tern::ternd {

const char* default_config_file() { return TERN_DEFAULT_CONFIG; }

ControlInvocation parse_control_args(const std::vector<std::string>& args) {
  ControlInvocation out;
  std::string config_file, socket;
  bool config_given = false, read_only = false;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string& into) {
      if (i + 1 >= args.size()) {
        out.error = flag + ": needs a value";
        return false;
      }
      into = args[++i];
      return true;
    };
    if (a == "--config" || a == "-c") {
      if (!value(a, config_file)) return out;
      config_given = true;
    } else if (a.rfind("--config=", 0) == 0) {
      config_file = a.substr(9);
      config_given = true;
    } else if (a == "--socket" || a == "-s") {
      if (!value(a, socket)) return out;
    } else if (a.rfind("--socket=", 0) == 0) {
      socket = a.substr(9);
    } else if (a == "--read-only") {
      read_only = true;
    } else if (a.rfind("--", 0) == 0) {
      out.error = a + ": unknown option (--config FILE, --socket PATH, --read-only)";
      return out;
    } else {
      break;
    }
  }
  // The old form: ternd control PATH COMMAND...
  if (socket.empty() && !config_given && i + 1 < args.size() && args[i].find('/') != std::string::npos)
    socket = args[i++];
  for (; i < args.size(); ++i) {
    if (!out.command.empty()) out.command += ' ';
    out.command += args[i];
  }
  if (out.command.empty()) {
    out.error = "no command (try: ternd control help)";
    return out;
  }
  if (!socket.empty()) {
    out.socket = socket;
    return out;
  }
  if (!config_given) config_file = default_config_file();
  std::error_code ec;
  if (!config_given && !std::filesystem::exists(config_file, ec)) {
    out.socket = read_only ? "" : kDefaultControlSocket;
    if (out.socket.empty())
      out.error = std::string("no configuration file ") + config_file +
                  " to name the read-only socket; give --config FILE or --socket PATH";
    return out;
  }
  // Only the socket paths are read, and unknown or wrong keys elsewhere are not this command's
  // business: `ternd control reload` must still reach a daemon whose file has just been broken,
  // to hear the daemon say what is wrong with it.
  config::Config cfg = config::default_config();
  try {
    toml::table doc = toml::parse_file(config_file);
    if (auto v = doc["server"]["control-socket"].value<std::string>()) cfg.server.control_socket = *v;
    if (auto v = doc["server"]["control-socket-read-only"].value<std::string>())
      cfg.server.control_socket_read_only = *v;
  } catch (const toml::parse_error& e) {
    out.error = config_file + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description());
    return out;
  }
  out.socket = read_only ? cfg.server.control_socket_read_only : cfg.server.control_socket;
  if (out.socket.empty()) {
    if (read_only)
      out.error = config_file + " sets no server.control-socket-read-only; give --socket PATH";
    else
      out.socket = kDefaultControlSocket;
  }
  return out;
}

int control_main(const std::vector<std::string>& args) {
  ControlInvocation inv = parse_control_args(args);
  if (!inv.error.empty()) {
    std::fprintf(stderr,
                 "ternd control: %s\n"
                 "usage: ternd control [--config FILE | --socket PATH] [--read-only] COMMAND...\n",
                 inv.error.c_str());
    return 2;
  }
  return server::control_client(inv.socket, inv.command);
}

}  // namespace tern::ternd
