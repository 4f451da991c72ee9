#include "resolver/server/tcp_transport.h"

#include <algorithm>

#include "resolver/server/tcp_limits.h"

namespace tern::server {
namespace {

struct WriteRequest {
  uv_write_t req;
  std::vector<uint8_t> data;
  size_t counted = 0;  // bytes of `data` the session counts as held
};

uv_stream_t* as_stream(uv_tcp_t* t) { return reinterpret_cast<uv_stream_t*>(t); }

}  // namespace

TcpTransport::TcpTransport(uv_loop_t* loop, std::span<char> read_buffer)
    : loop_(loop), read_buffer_(read_buffer) {}

int TcpTransport::fileno() const {
  uv_os_fd_t fd = -1;
  if (!initialised_ || uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return -1;
  return fd;
}

bool TcpTransport::accept(uv_stream_t* listener, StreamEvents& events) {
  events_ = &events;
  uv_tcp_init(loop_, &tcp_);
  tcp_.data = this;
  initialised_ = true;
  if (uv_accept(listener, as_stream(&tcp_)) != 0) return false;
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    peer_ = config::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
  return true;
}

void TcpTransport::start() {
  uv_tcp_nodelay(&tcp_, 1);
  on_started();
}

void TcpTransport::set_reading(bool on) {
  if (closing_ || on == reading_) return;
  reading_ = on;
  if (!on) {
    uv_read_stop(as_stream(&tcp_));
    return;
  }
  uv_read_start(
      as_stream(&tcp_),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* t = static_cast<TcpTransport*>(h->data);
        // The session may not take more in this loop iteration (its fairness budget): read
        // nothing (libuv reports UV_ENOBUFS). The socket stays in the poll set (level-triggered),
        // so the next iteration comes back to it without a read_stop/read_start pair per
        // connection per iteration: with a thousand flooding clients, those epoll_ctl calls were
        // most of the loop's time.
        if (!t->events_->may_read()) {
          *buf = uv_buf_init(nullptr, 0);
          return;
        }
        *buf = uv_buf_init(t->read_buffer_.data(),
                           unsigned(std::min(t->read_buffer_.size(), kTcpReadChunk)));
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* t = static_cast<TcpTransport*>(s->data);
        if (t->closing_ || nread == UV_ENOBUFS) return;  // ENOBUFS: the data waits in the kernel
        if (nread == UV_EOF) {
          t->reading_ = false;
          uv_read_stop(s);
          t->on_eof();
          return;
        }
        if (nread < 0) {
          t->events_->on_stream_error(StreamError::Io);
          return;
        }
        t->on_bytes({reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)});
      });
}

StreamWrite TcpTransport::write(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return write_raw(a, b, true);
}

StreamWrite TcpTransport::write_raw(std::span<const uint8_t> a, std::span<const uint8_t> b,
                                    bool counted) {
  if (closing_) return {false, 0};
  const size_t total = a.size() + b.size();
  if (total == 0) return {};
  size_t written = 0;
  if (unflushed_ == 0) {
    // Nothing queued: try to write at once and skip the request for the common case.
    uv_buf_t bufs[2] = {uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(a.data())), unsigned(a.size())),
                        uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(b.data())), unsigned(b.size()))};
    int n = uv_try_write(as_stream(&tcp_), bufs, 2);
    if (n == int(total)) return {};
    if (n > 0) written = size_t(n);
    else if (n != UV_EAGAIN) return {false, 0};
  }
  const size_t remaining = total - written;
  if (written < a.size()) queued_.insert(queued_.end(), a.begin() + std::ptrdiff_t(written), a.end());
  size_t from_b = written > a.size() ? written - a.size() : 0;
  queued_.insert(queued_.end(), b.begin() + std::ptrdiff_t(from_b), b.end());
  unflushed_ += remaining;
  if (counted) queued_counted_ += remaining;
  // Not writing: the queue was empty, so a failed flush drops only these bytes, which the
  // session has not counted yet.
  if (!writing_ && flush_queued()) return {false, 0};
  return {true, counted ? remaining : 0};
}

std::optional<size_t> TcpTransport::flush_queued() {
  auto* w = new WriteRequest;
  w->data.swap(queued_);
  w->counted = queued_counted_;
  queued_counted_ = 0;
  w->req.data = w;
  writing_ = true;
  uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(w->data.data()), unsigned(w->data.size()));
  tcp_.data = this;
  int rc = uv_write(&w->req, as_stream(&tcp_), &b, 1, [](uv_write_t* req, int status) {
    auto* wr = static_cast<WriteRequest*>(req->data);
    auto* t = static_cast<TcpTransport*>(req->handle->data);
    size_t bytes = wr->data.size(), counted = wr->counted;
    delete wr;
    t->unflushed_ -= std::min(t->unflushed_, bytes);
    t->on_write_done(counted, status);
  });
  if (rc != 0) {
    writing_ = false;
    unflushed_ -= std::min(unflushed_, w->data.size());
    size_t counted = w->counted;
    delete w;
    return counted;
  }
  return std::nullopt;
}

void TcpTransport::on_write_done(size_t counted, int status) {
  writing_ = false;
  if (closing_) {
    if (counted) events_->on_stream_written(counted, false);
    return;
  }
  std::optional<size_t> dropped;
  if (status == 0 && !queued_.empty()) dropped = flush_queued();
  // Reported after the next flush started, so the session sees the socket busy or free as it is.
  events_->on_stream_written(counted, status == 0);
  if (dropped) events_->on_stream_written(*dropped, false);  // given back even when closing
  if ((status != 0 || dropped) && !closing_) events_->on_stream_error(StreamError::Io);
}

void TcpTransport::try_write_only(std::span<const uint8_t> bytes) {
  if (closing_ || unflushed_ != 0 || bytes.empty()) return;
  uv_buf_t b = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(bytes.data())), unsigned(bytes.size()));
  uv_try_write(as_stream(&tcp_), &b, 1);
}

void TcpTransport::close() {
  if (closing_) return;
  if (initialised_ && events_) before_close();
  closing_ = true;
  reading_ = false;
  // Queued bytes will never be written: the session gets their count back now (the write in
  // flight, if any, reports its own when libuv cancels it).
  size_t counted = queued_counted_;
  queued_counted_ = 0;
  unflushed_ -= std::min(unflushed_, queued_.size());
  std::vector<uint8_t>().swap(queued_);
  if (counted && events_) events_->on_stream_written(counted, false);
  if (!initialised_) {
    if (events_) events_->on_stream_closed();
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) {
    auto* t = static_cast<TcpTransport*>(h->data);
    if (t->events_) t->events_->on_stream_closed();
  });
}

}  // namespace tern::server
