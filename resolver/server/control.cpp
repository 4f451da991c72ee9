#include "resolver/server/control.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cache/caches.h"
#include "resolver/server/metrics.h"
#include "resolver/server/server.h"
#include "resolver/server/uv_util.h"
#include "wire/name.h"

namespace tern::server {

std::vector<std::string> split_control_words(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

namespace {

// A connection reads at most this much before the command must be complete.
constexpr size_t kMaxCommand = 4096;

struct ControlConnection {
  uv_pipe_t pipe;
  std::string input;
  std::string reply;
  uv_write_t write;
  ControlServer::Handler* handler;
};

void close_connection(ControlConnection* c) {
  uv_close(reinterpret_cast<uv_handle_t*>(&c->pipe),
           [](uv_handle_t* h) { delete static_cast<ControlConnection*>(h->data); });
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw std::runtime_error(fmt::format("control socket {}: {}", path, why));
}

bool make_unix_address(const std::string& path, sockaddr_un& addr) {
  addr = sockaddr_un{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  return true;
}

// A socket file left at `path`: a live server answers a connect (refuse to start: taking it over
// would cut that server off from its operator); a refused connect means its owner is gone.
bool someone_listens(const std::string& path, const sockaddr_un& addr) {
  // Non-blocking: a wedged server with a full backlog answers EAGAIN instead of hanging us.
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) refuse(path, fmt::format("socket: {}", std::strerror(errno)));
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN) return true;
  if (err == ECONNREFUSED) return false;
  refuse(path, fmt::format("cannot tell whether another process uses it: {}", std::strerror(err)));
}

}  // namespace

BoundSocket bind_control_socket(const std::string& path) {
  sockaddr_un addr;
  if (!make_unix_address(path, addr))
    refuse(path, fmt::format("the path must be 1 to {} bytes long", sizeof addr.sun_path - 1));
  // libuv reports a missing directory as "permission denied"; say what is wrong.
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    refuse(path, errno == ENOENT ? fmt::format("directory {} does not exist", dir)
                                 : fmt::format("directory {}: {}", dir, std::strerror(errno)));
  if (!S_ISDIR(st.st_mode)) refuse(path, fmt::format("{} is not a directory", dir));
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) refuse(path, "a file that is not a socket is in the way; not replacing it");
    if (someone_listens(path, addr))
      refuse(path, "another running ternd (or other program) is listening on it; refusing to start "
                   "(stop that one, or give this one another --control path)");
    ::unlink(path.c_str());  // stale: its server is gone
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) refuse(path, fmt::format("socket: {}", std::strerror(errno)));
  // Owner and group may connect (mode 0660), whatever the process umask says. The umask is the
  // only way to set a unix socket's mode at creation (fchmod on the fd does not reach the file,
  // chmod afterwards leaves a window); start-up runs this before any worker thread exists.
  mode_t old_mask = ::umask(kControlSocketUmask);
  int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old_mask);
  if (rc != 0) {
    ::close(fd);
    refuse(path, fmt::format("bind: {}", std::strerror(err)));
  }
  if (::lstat(path.c_str(), &st) != 0) {
    err = errno;
    ::close(fd);
    refuse(path, fmt::format("stat after bind: {}", std::strerror(err)));
  }
  return BoundSocket{fd, st.st_ino, st.st_dev};
}

std::string run_control_command(std::string_view line, cache::Caches& caches, Server& server) {
  auto words = split_control_words(line);
  if (words.empty()) return "error: empty command\n";
  const std::string& cmd = words[0];
  auto name_arg = [&](size_t i) -> std::optional<wire::Name> {
    if (words.size() <= i) return std::nullopt;
    auto n = wire::Name::from_text(words[i]);
    if (!n) return std::nullopt;
    return *n;
  };
  if (cmd == "flush" && (words.size() == 2 || words.size() == 3)) {
    auto name = name_arg(1);
    if (!name) return "error: not a domain name: " + words[1] + "\n";
    cache::FlushCount n;
    if (words.size() == 3) {
      auto type = wire::type_from_text(words[2]);
      if (!type) return "error: not a type: " + words[2] + "\n";
      n = caches.flush_name_type(*name, *type);
    } else {
      n = caches.flush_name(*name);
    }
    server.clear_packet_caches();
    return "ok flushed " + std::to_string(n.rrsets) + " rrsets, " + std::to_string(n.negative) +
           " negative entries\n";
  }
  if (cmd == "flush-subtree" && words.size() == 2) {
    auto name = name_arg(1);
    if (!name) return "error: not a domain name: " + words[1] + "\n";
    auto n = caches.flush_subtree(*name);
    server.clear_packet_caches();
    return "ok flushed " + std::to_string(n.rrsets) + " rrsets, " + std::to_string(n.negative) +
           " negative entries\n";
  }
  if (cmd == "flush-all" && words.size() == 1) {
    caches.flush_all();
    server.clear_packet_caches();
    return "ok flushed everything\n";
  }
  if (cmd == "dump" && words.size() == 1) {
    std::ostringstream out;
    auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    caches.dump(out, now);
    return out.str() + "; end of dump\n";
  }
  if (cmd == "stats" && words.size() == 1) {
    // The metrics endpoint's samples, from the same collection (metrics.h).
    return to_sample_lines(collect_metrics(server, caches));
  }
  return "error: unknown command '" + (cmd.size() > 64 ? cmd.substr(0, 64) + "..." : cmd) + "' or wrong arguments (try: help)\n";
}

ControlServer::ControlServer(uv_loop_t* loop, std::string path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler)) {
  // Everything that can fail happens on a plain fd before any libuv handle exists, so a refusal
  // leaves nothing behind for a loop that will never run.
  BoundSocket bound = bind_control_socket(path_);
  inode_ = bound.inode;
  device_ = bound.device;
  pipe_ = new uv_pipe_t;
  uv_pipe_init(loop_, pipe_, 0);
  pipe_->data = this;
  int rc = uv_pipe_open(pipe_, bound.fd);
  if (rc != 0) ::close(bound.fd);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(pipe_), 16, [](uv_stream_t* s, int status) {
      if (status == 0 && s->data) static_cast<ControlServer*>(s->data)->on_connection();
    });
  if (rc != 0) {
    close();
    throw std::runtime_error("control socket " + path_ + ": " + uv_strerror(rc));
  }
}

ControlServer::~ControlServer() { close(); }

void ControlServer::close() {
  if (!pipe_) return;
  pipe_->data = nullptr;
  close_and_delete(pipe_);
  pipe_ = nullptr;
  // Only the file this server created: if another process has since put its own socket at the
  // path, deleting it would cut that process off from its operator.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && st.st_ino == inode_ && st.st_dev == device_)
    ::unlink(path_.c_str());
}

void ControlServer::on_connection() {
  auto* c = new ControlConnection;
  c->handler = &handler_;
  uv_pipe_init(loop_, &c->pipe, 0);
  c->pipe.data = c;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(pipe_), reinterpret_cast<uv_stream_t*>(&c->pipe)) != 0) {
    close_connection(c);
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->pipe),
      [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
        *buf = uv_buf_init(new char[suggested], static_cast<unsigned>(suggested));
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* c = static_cast<ControlConnection*>(s->data);
        if (nread > 0) c->input.append(buf->base, size_t(nread));
        delete[] buf->base;
        bool complete = c->input.find('\n') != std::string::npos || nread == UV_EOF;
        if (nread < 0 && nread != UV_EOF) {
          close_connection(c);
          return;
        }
        if (c->input.size() > kMaxCommand) {
          close_connection(c);
          return;
        }
        if (!complete) return;
        uv_read_stop(s);
        c->reply = (*c->handler)(c->input.substr(0, c->input.find('\n')));
        uv_buf_t out = uv_buf_init(c->reply.data(), static_cast<unsigned>(c->reply.size()));
        c->write.data = c;
        if (uv_write(&c->write, s, &out, 1, [](uv_write_t* w, int) {
              close_connection(static_cast<ControlConnection*>(w->data));
            }) != 0)
          close_connection(c);
      });
}

int control_client(const std::string& path, const std::string& command) {
  sockaddr_un addr;
  if (!make_unix_address(path, addr)) {
    std::fprintf(stderr, "ternd control: bad socket path %s\n", path.c_str());
    return 2;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::fprintf(stderr, "ternd control: socket: %s\n", std::strerror(errno));
    return 2;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "ternd control: cannot connect to %s: %s\n", path.c_str(), std::strerror(errno));
    ::close(fd);
    return 2;
  }
  std::string line = command + "\n";
  if (::write(fd, line.data(), line.size()) != ssize_t(line.size())) {
    ::close(fd);
    return 2;
  }
  std::string reply;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) reply.append(buf, size_t(n));
  ::close(fd);
  std::fwrite(reply.data(), 1, reply.size(), stdout);
  return reply.rfind("error", 0) == 0 ? 1 : 0;
}

}  // namespace tern::server
