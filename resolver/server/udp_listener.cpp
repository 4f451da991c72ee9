#include "resolver/server/udp_listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "resolver/server/socket_open.h"
#include "resolver/server/uv_util.h"

namespace tern::server {

std::shared_ptr<UdpListener> UdpListener::open(uv_loop_t* loop, const config::SocketAddress& addr,
                                               QueryPipeline& pipeline, Stats& stats) {
  std::shared_ptr<UdpListener> l(new UdpListener(pipeline, stats));
  int fd = open_reuseport_socket(addr, SOCK_DGRAM);
  l->handle_ = new uv_udp_t;
  // AF_UNSPEC: libuv creates no socket of its own; ours (SO_REUSEPORT, bound) comes next.
  int rc = uv_udp_init_ex(loop, l->handle_, AF_UNSPEC | UV_UDP_RECVMMSG);
  if (rc == 0) rc = uv_udp_open(l->handle_, fd);
  if (rc != 0) {
    ::close(fd);
    close_and_delete(l->handle_);
    l->handle_ = nullptr;
    throw std::runtime_error("udp " + addr.to_string() + ": " + uv_strerror(rc));
  }
  l->handle_->data = l.get();
  l->recv_buffer_.resize(kRecvBufferSize);
  l->pending_.resize(kMaxBatch);
  return l;
}

UdpListener::~UdpListener() { close(); }

void UdpListener::start() {
  if (!handle_) return;
  uv_udp_recv_start(
      handle_,
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* self = static_cast<UdpListener*>(h->data);
        *buf = uv_buf_init(self->recv_buffer_.data(), static_cast<unsigned>(self->recv_buffer_.size()));
      },
      [](uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr, unsigned flags) {
        auto* self = static_cast<UdpListener*>(h->data);
        if (nread > 0 && addr)
          self->on_datagram({reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)}, addr);
        // A batch ends with the UV_UDP_MMSG_FREE call; a datagram read without recvmmsg comes
        // alone (no MMSG_CHUNK flag). Either way, send what the batch produced now.
        if (!(flags & UV_UDP_MMSG_CHUNK)) self->flush();
      });
}

void UdpListener::stop_reading() {
  if (handle_) uv_udp_recv_stop(handle_);
}

void UdpListener::close() {
  if (!handle_) return;
  flush();
  handle_->data = nullptr;
  close_and_delete(handle_);
  handle_ = nullptr;
}

std::vector<uint8_t>& UdpListener::next_slot(const sockaddr* to) {
  if (pending_count_ == pending_.size()) flush();
  Pending& p = pending_[pending_count_];
  p.to = config::SocketAddress::from_sockaddr(to);
  p.data.clear();
  return p.data;
}

void UdpListener::on_datagram(std::span<const uint8_t> data, const sockaddr* from) {
  std::vector<uint8_t>& slot = next_slot(from);
  Outcome o = pipeline_.handle(data, from, false, slot, [this, from] {
    return [weak = weak_from_this(), client = config::SocketAddress::from_sockaddr(from)](
               std::vector<uint8_t> resp) {
      auto self = weak.lock();
      if (self && !resp.empty()) self->queue(client, std::move(resp));
    };
  });
  // Outcome::Now: the reply is in the slot. (A backend that completes synchronously goes
  // through queue(), which fills this same slot and counts it.)
  if (o == Outcome::Now) ++pending_count_;
}

void UdpListener::queue(const config::SocketAddress& to, std::vector<uint8_t> data) {
  if (!handle_) return;
  if (pending_count_ == pending_.size()) flush();
  Pending& p = pending_[pending_count_++];
  p.to = to;
  p.data = std::move(data);
}

void UdpListener::flush() {
  if (pending_count_ == 0 || !handle_) {
    pending_count_ = 0;
    return;
  }
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(handle_), &fd) != 0) {
    pending_count_ = 0;
    return;
  }
  mmsghdr msgs[kMaxBatch];
  iovec iov[kMaxBatch];
  std::memset(msgs, 0, sizeof msgs);
  for (size_t i = 0; i < pending_count_; ++i) {
    iov[i].iov_base = pending_[i].data.data();
    iov[i].iov_len = pending_[i].data.size();
    msgs[i].msg_hdr.msg_name = &pending_[i].to.storage;
    msgs[i].msg_hdr.msg_namelen = pending_[i].to.length;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  size_t sent = 0;
  while (sent < pending_count_) {
    int n = ::sendmmsg(fd, msgs + sent, static_cast<unsigned>(pending_count_ - sent), 0);
    if (n > 0) {
      sent += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // The message at `sent` failed (socket buffer full, unreachable destination): a UDP reply
    // may be lost, so count it and go on with the next one rather than queue without bound.
    bump(stats_.udp_send_failed);
    ++sent;
  }
  pending_count_ = 0;
}

}  // namespace tern::server
