// The operator's control channel: a unix socket on the main thread's loop. One command line per
// connection ("flush example.com", "flush example.com A", "flush-subtree example.com", "flush-all",
// "dump", "stats"), answered with text, then the connection closes. See docs/operations.md.
#pragma once

#include <uv.h>

#include <functional>
#include <string>
#include <string_view>

namespace tern::cache {
class Caches;
}

namespace tern::server {

class Server;

// Runs one command against the caches and the server; returns the reply text ("ok ..." or
// "error: ..."), always ending in '\n'.
std::string run_control_command(std::string_view line, cache::Caches& caches, Server& server);

class ControlServer {
 public:
  using Handler = std::function<std::string(std::string_view line)>;
  // Listens on `path` (an existing socket file is replaced); throws std::runtime_error.
  ControlServer(uv_loop_t* loop, std::string path, Handler handler);
  ~ControlServer();
  void close();

 private:
  void on_connection();

  uv_loop_t* loop_;
  std::string path_;
  Handler handler_;
  uv_pipe_t* pipe_ = nullptr;
};

// The client side: `ternd control PATH COMMAND...`. Prints the reply; returns the exit code.
int control_client(const std::string& path, const std::string& command);

}  // namespace tern::server
