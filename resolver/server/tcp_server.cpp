#include "resolver/server/tcp_server.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "resolver/server/socket_open.h"
#include "resolver/server/dns_stream.h"
#include "resolver/server/tcp_transport.h"
#include "resolver/server/tls_transport.h"
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

void TcpServer::defer(std::weak_ptr<DnsStream> c) {
  bump(stats_.tcp_deferred);
  deferred_.push_back(std::move(c));
  if (idle_ && !uv_is_active(reinterpret_cast<uv_handle_t*>(idle_)))
    uv_idle_start(idle_, [](uv_idle_t* i) { static_cast<TcpServer*>(i->data)->resume_deferred(); });
}

void TcpServer::resume_deferred() {
  std::vector<std::weak_ptr<DnsStream>> now;
  now.swap(deferred_);
  if (idle_) uv_idle_stop(idle_);
  // In arrival order; whoever runs out of budget again goes back on the list (and restarts idle).
  for (auto& weak : now)
    if (auto c = weak.lock()) c->resume();
}

bool TcpServer::evict_oldest_idle() {
  for (DnsStream* c : lru_) {
    if (c->busy()) continue;
    bump(stats_.tcp_closed_evicted);
    c->close();  // leaves lru_
    return true;
  }
  return false;
}

void TcpServer::listen(const config::SocketAddress& addr, StreamKind kind, StreamService service) {
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
  auto on_tcp = [](uv_stream_t* l, int status) {
    if (!l->data) return;
    if (status == 0)
      static_cast<TcpServer*>(l->data)->on_connection(l, StreamKind::Tcp, StreamService::Dns);
    else
      static_cast<TcpServer*>(l->data)->accept_failed(status);
  };
  auto on_tls = [](uv_stream_t* l, int status) {
    if (!l->data) return;
    if (status == 0)
      static_cast<TcpServer*>(l->data)->on_connection(l, StreamKind::Tls, StreamService::Dns);
    else
      static_cast<TcpServer*>(l->data)->accept_failed(status);
  };
  auto on_https = [](uv_stream_t* l, int status) {
    if (!l->data) return;
    if (status == 0)
      static_cast<TcpServer*>(l->data)->on_connection(l, StreamKind::Tls, StreamService::Https);
    else
      static_cast<TcpServer*>(l->data)->accept_failed(status);
  };
  rc = uv_listen(reinterpret_cast<uv_stream_t*>(h), 1024,
                 service == StreamService::Https ? on_https : kind == StreamKind::Tls ? on_tls : on_tcp);
  if (rc != 0) {
    close_and_delete(h);
    throw std::runtime_error("listen " + addr.to_string() + ": " + uv_strerror(rc));
  }
  listeners_.push_back(h);
}

void TcpServer::on_connection(uv_stream_t* listener, StreamKind kind, StreamService service) {
  // Full: the connection idle the longest makes room (Unbound does the same), so connections
  // that only sit there cannot keep new clients out for a whole idle timeout. TCP and TLS share
  // the slots.
  std::span<char> rb(read_buffer_);
  const bool https = service == StreamService::Https;
  if (kind == StreamKind::Tls)
    admit(std::make_unique<TlsTransport>(loop_, rb, https ? https_tls_ : tls_), listener, https);
  else
    admit(std::make_unique<TcpTransport>(loop_, rb), listener, https);
}

void TcpServer::admit(std::unique_ptr<StreamTransport> t, uv_stream_t* listener, bool https) {
  if (!stopping_ && lru_.size() >= settings_.max_connections) evict_oldest_idle();
  const StreamKind kind = t->kind();
  auto c = std::make_shared<DnsStream>(*this, std::move(t), https);
  connections_.insert(c);
  if (!c->accept(listener)) return;
  check_descriptor_headroom(c->fileno());
  if (kind == StreamKind::Tls && handshakes_ >= settings_.tls_max_handshakes) {
    // Too many clients in the middle of a handshake (slow or stalled ones): a new one is turned
    // away rather than letting handshakes hold every slot and their memory.
    bump(stats_.tls_rejected_handshakes);
    c->close();
    return;
  }
  if (stopping_ || lru_.size() > settings_.max_connections) {
    // Over the cap with every connection busy: accept and close at once, so the client sees a
    // clean close rather than a backlog that never drains.
    bump(stats_.tcp_rejected_cap);
    c->close();
    return;
  }
  bump(kind == StreamKind::Tls ? stats_.tls_accepted : stats_.tcp_accepted);
  if (https) bump(stats_.https_accepted);
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

void TcpServer::forget(DnsStream* c) {
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
  std::vector<std::shared_ptr<DnsStream>> all(connections_.begin(), connections_.end());
  for (auto& c : all) c->close();
  close_loop_handles();
}

size_t TcpServer::connections(StreamKind kind) const {
  size_t n = 0;
  for (const auto& c : connections_) n += c->kind() == kind;
  return n;
}

bool TcpServer::busy() const {
  for (const auto& c : connections_)
    if (c->busy()) return true;
  return false;
}

}  // namespace tern::server
