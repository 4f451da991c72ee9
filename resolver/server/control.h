// The operator's control channel: a unix socket on the main thread's loop. One command line per
// connection ("flush example.com", "flush example.com A", "flush-subtree example.com", "flush-all",
// "dump", "stats"), answered with text, then the connection closes. See docs/operations.md.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::cache {
class Caches;
}

namespace tern::server {

class Server;

// The control socket file is created with mode 0660: its owner and group may connect.
constexpr mode_t kControlSocketUmask = 0117;

// A bound (not yet listening) unix socket and the identity of the file it created.
struct BoundSocket {
  int fd;
  ino_t inode;
  dev_t device;
};

// Binds a unix stream socket at `path`, mode 0660. A stale socket file (nobody accepts on it) is
// replaced; a live one, a file that is not a socket, a missing directory or a path too long are
// refused with a std::runtime_error naming the path and the reason.
BoundSocket bind_control_socket(const std::string& path);

// Runs one command against the caches and the server; returns the reply text ("ok ..." or
// "error: ..."), always ending in '\n'.
std::string run_control_command(std::string_view line, cache::Caches& caches, Server& server);

// A control line split on blanks: what every command handler (control_commands.h,
// control_explain.h, the cache commands here) reads its arguments from.
std::vector<std::string> split_control_words(std::string_view line);

class ControlServer {
 public:
  using Handler = std::function<std::string(std::string_view line)>;
  // Listens on `path` (bind_control_socket: a stale socket file is replaced, a live one refused);
  // throws std::runtime_error. Closing removes the file only while it is still the one created.
  ControlServer(uv_loop_t* loop, std::string path, Handler handler);
  ~ControlServer();
  void close();

 private:
  void on_connection();

  uv_loop_t* loop_;
  std::string path_;
  Handler handler_;
  uv_pipe_t* pipe_ = nullptr;
  ino_t inode_ = 0;
  dev_t device_ = 0;
};

// The client side: `ternd control PATH COMMAND...`. Prints the reply; returns the exit code.
int control_client(const std::string& path, const std::string& command);

}  // namespace tern::server
