#include "resolver/server/tcp_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "resolver/server/socket_open.h"
#include "resolver/server/tcp_connection.h"
#include "resolver/server/uv_util.h"

namespace tern::server {

TcpServer::TcpServer(uv_loop_t* loop, TcpSettings settings, QueryPipeline& pipeline, Stats& stats)
    : loop_(loop), settings_(settings), pipeline_(pipeline), stats_(stats), read_buffer_(65536) {}

TcpServer::~TcpServer() {
  stop_accepting();
  close_all();
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
    if (status == 0 && l->data) static_cast<TcpServer*>(l->data)->on_connection(l);
  });
  if (rc != 0) {
    close_and_delete(h);
    throw std::runtime_error("listen " + addr.to_string() + ": " + uv_strerror(rc));
  }
  listeners_.push_back(h);
}

void TcpServer::on_connection(uv_stream_t* listener) {
  auto c = std::make_shared<TcpConnection>(*this);
  connections_.insert(c);
  if (!c->accept(listener)) return;
  if (stopping_ || connections_.size() > settings_.max_connections) {
    // Over the cap: accept and close at once, so the client sees a clean close rather than a
    // backlog that never drains.
    bump(stats_.tcp_rejected_cap);
    c->close();
    return;
  }
  bump(stats_.tcp_accepted);
  c->start();
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
}

bool TcpServer::busy() const {
  for (const auto& c : connections_)
    if (c->busy()) return true;
  return false;
}

}  // namespace tern::server
