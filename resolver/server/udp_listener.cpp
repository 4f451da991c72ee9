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
  int fd = open_reuseport_socket(addr, SOCK_DGRAM);  // non-blocking, bound
  l->poll_ = new uv_poll_t;
  int rc = uv_poll_init_socket(loop, l->poll_, fd);
  if (rc != 0) {
    ::close(fd);
    delete l->poll_;  // never initialised: nothing for the loop to close
    l->poll_ = nullptr;
    throw std::runtime_error("udp " + addr.to_string() + ": " + uv_strerror(rc));
  }
  l->fd_ = fd;
  l->wildcard_ = is_wildcard(addr);
  l->poll_->data = l.get();
  l->recv_buffer_.resize(kMaxBatch * kSlotSize);
  l->pending_.resize(kMaxBatch);
  return l;
}

UdpListener::~UdpListener() { close(); }

void UdpListener::start() {
  if (!poll_) return;
  uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* h, int status, int events) {
    auto* self = static_cast<UdpListener*>(h->data);
    if (self && status == 0 && (events & UV_READABLE)) self->on_readable();
  });
}

void UdpListener::on_readable() {
  mmsghdr msgs[kMaxBatch];
  iovec iov[kMaxBatch];
  sockaddr_storage from[kMaxBatch];
  alignas(cmsghdr) uint8_t control[kMaxBatch][ReplySource::kControlSize];
  for (int reads = 0; reads < kMaxReadsPerEvent && poll_; ++reads) {
    for (size_t i = 0; i < kMaxBatch; ++i) {
      iov[i].iov_base = recv_buffer_.data() + i * kSlotSize;
      iov[i].iov_len = kSlotSize;
      msgs[i].msg_hdr = msghdr{};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      if (wildcard_) {
        msgs[i].msg_hdr.msg_control = control[i];
        msgs[i].msg_hdr.msg_controllen = sizeof control[i];
      }
      msgs[i].msg_len = 0;
    }
    int n = ::recvmmsg(fd_, msgs, kMaxBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: drained. Anything else (an ICMP error queued on the socket, ENOMEM) is the
      // kernel's news about one datagram, not a reason to stop serving: the next event retries.
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        bump(stats_.dropped_unparseable);
        continue;
      }
      ReplySource source = wildcard_ ? ReplySource::from_control(msgs[i].msg_hdr) : ReplySource{};
      on_datagram({static_cast<const uint8_t*>(iov[i].iov_base), msgs[i].msg_len},
                  reinterpret_cast<const sockaddr*>(&from[i]), source);
    }
    flush();
    if (size_t(n) < kMaxBatch) break;  // the queue is empty (or nearly): back to the loop
  }
}

void UdpListener::stop_reading() {
  if (poll_) uv_poll_stop(poll_);
}

void UdpListener::close() {
  if (!poll_) return;
  flush();
  poll_->data = nullptr;
  // uv_close stops the poll at once, so the descriptor can be closed right after.
  close_and_delete(poll_);
  poll_ = nullptr;
  ::close(fd_);
  fd_ = -1;
}

std::vector<uint8_t>& UdpListener::next_slot(const sockaddr* to, const ReplySource& source) {
  if (pending_count_ == pending_.size()) flush();
  Pending& p = pending_[pending_count_];
  p.to = config::SocketAddress::from_sockaddr(to);
  p.source = source;
  p.data.clear();
  return p.data;
}

void UdpListener::on_datagram(std::span<const uint8_t> data, const sockaddr* from,
                              const ReplySource& source) {
  // PROXY v2 (proxy_policy.h): only a datagram from a listed balancer, or one that starts like
  // the signature, pays for more than one byte compare here.
  const ProxyPolicy& proxy = pipeline_.proxy();
  if (proxy.concerns(data)) [[unlikely]] {
    ProxyAdmission a = proxy.admit(data, from, false, stats_);
    if (a.verdict == ProxyVerdict::Drop) return;
    if (a.verdict == ProxyVerdict::Proxied) {
      // The pipeline sees the client inside the header; the reply goes back to the balancer.
      serve(data.subspan(a.header_size), from, a.client.sa(), source);
      return;
    }
  }
  serve(data, from, from, source);
}

void UdpListener::serve(std::span<const uint8_t> data, const sockaddr* from,
                        const sockaddr* client, const ReplySource& source) {
  std::vector<uint8_t>& slot = next_slot(from, source);
  Outcome o = pipeline_.handle(data, client, false, slot, [this, from, &source] {
    return [weak = weak_from_this(), to = config::SocketAddress::from_sockaddr(from),
            source](std::vector<uint8_t> resp) {
      auto self = weak.lock();
      if (self && !resp.empty()) self->queue(to, source, std::move(resp));
    };
  });
  // Outcome::Now: the reply is in the slot. (A backend that completes synchronously goes
  // through queue(), which fills this same slot and counts it.)
  if (o == Outcome::Now) ++pending_count_;
}

void UdpListener::queue(const config::SocketAddress& to, const ReplySource& source,
                        std::vector<uint8_t> data) {
  if (!poll_) return;
  if (pending_count_ == pending_.size()) flush();
  Pending& p = pending_[pending_count_++];
  p.to = to;
  p.source = source;
  p.data = std::move(data);
}

void UdpListener::flush() {
  if (pending_count_ == 0 || !poll_) {
    pending_count_ = 0;
    return;
  }
  mmsghdr msgs[kMaxBatch];
  iovec iov[kMaxBatch];
  alignas(cmsghdr) uint8_t control[kMaxBatch][ReplySource::kControlSize];
  std::memset(msgs, 0, sizeof msgs);
  for (size_t i = 0; i < pending_count_; ++i) {
    iov[i].iov_base = pending_[i].data.data();
    iov[i].iov_len = pending_[i].data.size();
    msgs[i].msg_hdr.msg_name = &pending_[i].to.storage;
    msgs[i].msg_hdr.msg_namelen = pending_[i].to.length;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (wildcard_) pending_[i].source.to_control(msgs[i].msg_hdr, control[i]);
  }
  size_t sent = 0;
  while (sent < pending_count_) {
    int n = ::sendmmsg(fd_, msgs + sent, static_cast<unsigned>(pending_count_ - sent), 0);
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
