#include "resolver/server/tcp_server.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "resolver/server/socket_open.h"
#include "resolver/server/tcp_connection.h"
#include "resolver/server/uv_util.h"

namespace tern::server {

namespace {

uint64_t descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  return r.rlim_cur;
}

}  // namespace

TcpServer::TcpServer(uv_loop_t* loop, TcpSettings settings, QueryPipeline& pipeline, Stats& stats,
                     config::Log& log)
    : loop_(loop),
      settings_(settings),
      pipeline_(pipeline),
      stats_(stats),
      log_(log),
      fd_limit_(descriptor_limit()),
      read_buffer_(65536),
      write_budget_(settings.write_budget, settings.max_write_buffer),
      iteration_(settings.messages_per_iteration) {
  check_ = new uv_check_t;
  uv_check_init(loop_, check_);
  check_->data = this;
  uv_check_start(check_, [](uv_check_t* c) { static_cast<TcpServer*>(c->data)->iteration_.new_iteration(); });
  uv_unref(reinterpret_cast<uv_handle_t*>(check_));
  idle_ = new uv_idle_t;
  uv_idle_init(loop_, idle_);
  idle_->data = this;
}

TcpServer::~TcpServer() {
  stop_accepting();
  close_all();
}

void TcpServer::close_loop_handles() {
  deferred_.clear();
  if (check_) close_and_delete(check_);
  if (idle_) close_and_delete(idle_);
  check_ = nullptr;
  idle_ = nullptr;
}

void TcpServer::defer(std::weak_ptr<TcpConnection> c) {
  bump(stats_.tcp_deferred);
  deferred_.push_back(std::move(c));
  if (idle_ && !uv_is_active(reinterpret_cast<uv_handle_t*>(idle_)))
    uv_idle_start(idle_, [](uv_idle_t* i) { static_cast<TcpServer*>(i->data)->resume_deferred(); });
}

void TcpServer::resume_deferred() {
  std::vector<std::weak_ptr<TcpConnection>> now;
  now.swap(deferred_);
  if (idle_) uv_idle_stop(idle_);
  // In arrival order; whoever runs out of budget again goes back on the list (and restarts idle).
  for (auto& weak : now)
    if (auto c = weak.lock()) c->resume();
}

bool TcpServer::evict_oldest_idle() {
  for (TcpConnection* c : lru_) {
    if (c->busy()) continue;
    bump(stats_.tcp_closed_evicted);
    c->close();  // leaves lru_
    return true;
  }
  return false;
}

void TcpServer::listen(const config::SocketAddress& addr) {
  int fd = open_reuseport_socket(addr, SOCK_STREAM);
  auto* h = new uv_tcp_t;
  int rc = uv_tcp_init(loop_, h);
  if (rc == 0) rc = uv_tcp_open(h, fd);
  if (rc != 0) {
    ::close(fd);
    close_and_delete(h);
    throw std::runtime_error("tcp " + addr.to_string() + ": " + uv_strerror(rc));
  }
  h->data = this;
  rc = uv_listen(reinterpret_cast<uv_stream_t*>(h), 1024, [](uv_stream_t* l, int status) {
    if (!l->data) return;
    if (status == 0)
      static_cast<TcpServer*>(l->data)->on_connection(l);
    else
      static_cast<TcpServer*>(l->data)->accept_failed(status);
  });
  if (rc != 0) {
    close_and_delete(h);
    throw std::runtime_error("listen " + addr.to_string() + ": " + uv_strerror(rc));
  }
  listeners_.push_back(h);
}

void TcpServer::on_connection(uv_stream_t* listener) {
  // Full: the connection idle the longest makes room (Unbound does the same), so connections
  // that only sit there cannot keep new clients out for a whole idle timeout.
  if (!stopping_ && lru_.size() >= settings_.max_connections) evict_oldest_idle();
  auto c = std::make_shared<TcpConnection>(*this);
  connections_.insert(c);
  if (!c->accept(listener)) return;
  check_descriptor_headroom(c->fileno());
  if (stopping_ || lru_.size() > settings_.max_connections) {
    // Over the cap with every connection busy: accept and close at once, so the client sees a
    // clean close rather than a backlog that never drains.
    bump(stats_.tcp_rejected_cap);
    c->close();
    return;
  }
  bump(stats_.tcp_accepted);
  c->start();
}

// libuv has already accepted and closed what was waiting (its reserve-descriptor trick), so those
// clients see a closed connection; without this line nothing would say why.
void TcpServer::accept_failed(int status) {
  bool out_of_fds = status == UV_EMFILE || status == UV_ENFILE;
  log_.warn_limited(accept_warnings_, "tcp: cannot accept a connection: {}{}", uv_strerror(status),
                    out_of_fds ? std::string("; ") + config::fd_limit_advice() : std::string());
}

// The kernel hands out the lowest free descriptor, so an accepted socket numbered within
// kDescriptorHeadroom of the limit means nearly every descriptor is in use. Past the limit libuv
// accepts and closes waiting connections itself (its reserve-descriptor trick) without telling
// us, so this is where running out becomes visible.
void TcpServer::check_descriptor_headroom(int fd) {
  if (fd < 0 || uint64_t(fd) + kDescriptorHeadroom < fd_limit_) return;
  log_.warn_limited(accept_warnings_,
                    "tcp: running out of file descriptors (a new connection got descriptor {} of a "
                    "limit of {}); past the limit new connections are closed at once and upstream "
                    "queries fail; {}",
                    fd, fd_limit_, config::fd_limit_advice());
}

void TcpServer::forget(TcpConnection* c) {
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == c) {
      connections_.erase(it);
      return;
    }
  }
}

void TcpServer::stop_accepting() {
  stopping_ = true;
  for (uv_tcp_t* l : listeners_) {
    l->data = nullptr;
    close_and_delete(l);
  }
  listeners_.clear();
  for (const auto& c : connections_) c->stop_reading();
}

void TcpServer::close_all() {
  // close() may erase from the set when nothing is open: iterate over a copy.
  std::vector<std::shared_ptr<TcpConnection>> all(connections_.begin(), connections_.end());
  for (auto& c : all) c->close();
  close_loop_handles();
}

bool TcpServer::busy() const {
  for (const auto& c : connections_)
    if (c->busy()) return true;
  return false;
}

}  // namespace tern::server
