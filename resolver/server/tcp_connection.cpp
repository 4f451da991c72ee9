#include "resolver/server/tcp_connection.h"

#include <algorithm>
#include <cstring>

namespace tern::server {
namespace {

// Input buffer capacity an idle connection may keep after a burst (a few queries' worth).
constexpr size_t kKeepInputCapacity = 4096;

struct WriteRequest {
  uv_write_t req;
  std::vector<uint8_t> data;
  size_t accounted = 0;  // bytes of `data`, counted in the connection's write_bytes_
  TcpConnection* conn;
};

}  // namespace

TcpConnection::TcpConnection(TcpServer& server) : server_(server) {}

int TcpConnection::fileno() const {
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return -1;
  return fd;
}

bool TcpConnection::accept(uv_stream_t* listener) {
  self_ = shared_from_this();
  lru_pos_ = server_.enlist(this);
  listed_ = true;
  uv_tcp_init(server_.loop_, &tcp_);
  tcp_.data = this;
  ++open_handles_;
  uv_timer_init(server_.loop_, &timer_);
  timer_.data = this;
  ++open_handles_;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_)) != 0) {
    close();
    return false;
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    peer_ = config::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
  return true;
}

void TcpConnection::start() {
  uv_tcp_nodelay(&tcp_, 1);
  restart_idle_timer();
  update_reading();
}

void TcpConnection::restart_idle_timer() {
  if (closing_) return;
  if (listed_) server_.touch(lru_pos_);
  // Shorter as slots fill (tcp_limits.h), so idle connections give way to new ones sooner.
  uint32_t timeout = tcp_idle_timeout_ms(server_.settings_.idle_timeout_ms, open_connections(),
                                         server_.settings_.max_connections);
  uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<TcpConnection*>(t->data)->on_idle(); },
                 timeout, 0);
}

void TcpConnection::on_idle() {
  // RFC 7766 §6.2.3: idle means no query outstanding. An unfinished query always completes
  // (the engine has a deadline), so wait for it.
  if (inflight_ > 0) {
    restart_idle_timer();
    return;
  }
  bump(server_.stats_.tcp_closed_idle);
  close();
}

void TcpConnection::update_reading() {
  if (closing_) return;
  bool want = !eof_ && !stopped_ && inflight_ < server_.settings_.max_inflight &&
              write_bytes_ <= server_.write_budget_.share(open_connections()) / 2;
  if (want == reading_) return;
  reading_ = want;
  if (!want) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&tcp_),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* c = static_cast<TcpConnection*>(h->data);
        // This iteration's TCP budget is spent, or this connection still holds messages it may
        // not handle before the next iteration: read nothing (libuv reports UV_ENOBUFS). The
        // socket stays in the poll set (level-triggered), so the next iteration comes back to
        // it without a read_stop/read_start pair per connection per iteration: with a thousand
        // flooding clients, those epoll_ctl calls were most of the loop's time.
        if (c->deferred_ || c->server_.iteration_.spent()) {
          *buf = uv_buf_init(nullptr, 0);
          return;
        }
        auto& rb = c->server_.read_buffer_;
        *buf = uv_buf_init(rb.data(), static_cast<unsigned>(std::min(rb.size(), kTcpReadChunk)));
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        static_cast<TcpConnection*>(s->data)->on_read(nread, buf);
      });
}

void TcpConnection::stop_reading() {
  stopped_ = true;
  update_reading();
}

void TcpConnection::defer() {
  if (deferred_) return;
  deferred_ = true;
  server_.defer(weak_from_this());
}

void TcpConnection::resume() {
  if (!deferred_ || closing_) return;
  deferred_ = false;
  process();
}

void TcpConnection::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (closing_) return;
  if (nread == UV_ENOBUFS) return;  // see the allocation callback: the data waits in the kernel
  if (nread < 0) {
    if (nread != UV_EOF) {
      close();
      return;
    }
    // Half close: answer what is in flight, then close (RFC 7766 §6.2.4).
    eof_ = true;
    update_reading();
    if (!in_.empty()) {
      // The client stopped in the middle of a message: nothing more can complete it.
      bump(server_.stats_.tcp_closed_framing);
      in_.clear();
    }
    maybe_finish_after_eof();
    return;
  }
  in_.insert(in_.end(), buf->base, buf->base + nread);
  if (!proxy_checked_ && !take_proxy_header()) return;
  process();
}

bool TcpConnection::take_proxy_header() {
  // Over TCP a balancer sends the header once, before the first length prefix (dnsdist,
  // HAProxy), so it is decided once per connection, on the first bytes.
  const ProxyPolicy& proxy = server_.pipeline_.proxy();
  if (proxy.concerns(in_)) {
    ProxyAdmission a = proxy.admit(in_, peer_.sa(), true, server_.stats_);
    switch (a.verdict) {
      case ProxyVerdict::NeedMore: return false;  // bounded: the header's size is capped
      case ProxyVerdict::Drop: close(); return false;
      case ProxyVerdict::Proxied:
        peer_ = a.client;
        in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(a.header_size));
        break;
      case ProxyVerdict::Plain: break;
    }
  }
  proxy_checked_ = true;
  return true;
}

void TcpConnection::process() {
  if (processing_) return;  // a synchronous completion re-entered: the outer loop continues
  processing_ = true;
  auto keep = shared_from_this();
  size_t pos = 0;
  while (!closing_ && inflight_ < server_.settings_.max_inflight && in_.size() - pos >= 2) {
    size_t len = size_t(in_[pos]) << 8 | in_[pos + 1];
    if (len == 0) {
      // A zero length can never frame a DNS message: the stream is out of step.
      bump(server_.stats_.tcp_closed_framing);
      close();
      break;
    }
    if (in_.size() - pos < 2 + len) break;
    if (server_.write_budget_.over(write_bytes_, open_connections())) {
      // The client has not read its share of answers: build it no more, and let it go.
      bump(server_.stats_.tcp_closed_slow_reader);
      close();
      break;
    }
    if (!server_.iteration_.take()) {
      // This loop iteration's TCP budget is spent: the rest waits for the next one, after UDP.
      defer();
      break;
    }
    std::span<const uint8_t> msg(in_.data() + pos + 2, len);
    pos += 2 + len;
    restart_idle_timer();
    ++inflight_;
    out_.clear();
    Outcome o = server_.pipeline_.handle(msg, peer_.sa(), true, out_, [this] {
      return [weak = weak_from_this()](std::vector<uint8_t> r) {
        auto c = weak.lock();
        if (!c || c->closing_) return;
        --c->inflight_;
        if (!r.empty()) c->send(std::move(r));
        c->update_reading();
        c->process();  // frames held back by the in-flight cap
        c->maybe_finish_after_eof();
      };
    });
    if (o != Outcome::Later) {
      --inflight_;
      if (o == Outcome::Now) send(std::move(out_));
    }
  }
  if (!closing_) in_.erase(in_.begin(), in_.begin() + std::ptrdiff_t(pos));
  // A burst leaves a large buffer behind; an idle connection should not keep it.
  if (in_.empty() && in_.capacity() > kKeepInputCapacity) std::vector<uint8_t>().swap(in_);
  processing_ = false;
  update_reading();
}

void TcpConnection::send(std::vector<uint8_t> message) {
  if (closing_) return;
  if (message.size() > 65535) return;  // cannot be framed; the builder never makes one
  uint8_t prefix[2] = {uint8_t(message.size() >> 8), uint8_t(message.size())};
  const size_t total = message.size() + 2;
  size_t written = 0;
  if (write_bytes_ == 0) {
    // Nothing queued: try to write at once and skip the request for the common case.
    uv_buf_t b[2] = {uv_buf_init(reinterpret_cast<char*>(prefix), 2),
                     uv_buf_init(reinterpret_cast<char*>(message.data()), unsigned(message.size()))};
    int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), b, 2);
    if (n == int(total)) {
      restart_idle_timer();
      return;
    }
    if (n > 0) {
      written = size_t(n);
    } else if (n != UV_EAGAIN) {
      close();
      return;
    }
  }
  const size_t remaining = total - written;
  auto& budget = server_.write_budget_;
  if (!budget.may_queue(write_bytes_, remaining, open_connections())) {
    // The client does not read what it asked for (past its share), or the worker's clients
    // together hold the whole TCP budget: it may not hold more of our memory.
    bump(write_bytes_ + remaining > budget.share(open_connections())
             ? server_.stats_.tcp_closed_slow_reader
             : server_.stats_.tcp_closed_over_budget);
    close();
    return;
  }
  if (written < 2) queued_.insert(queued_.end(), prefix + written, prefix + 2);
  size_t from = written > 2 ? written - 2 : 0;
  queued_.insert(queued_.end(), message.begin() + std::ptrdiff_t(from), message.end());
  write_bytes_ += remaining;
  budget.take(remaining);
  if (!writing_) flush_queued();
  update_reading();
}

void TcpConnection::flush_queued() {
  // One request for everything queued while the previous write was in flight: a client that
  // reads slowly costs the bytes of its answers, not a request per answer.
  auto* w = new WriteRequest;
  w->conn = this;
  w->data.swap(queued_);
  w->accounted = w->data.size();
  w->req.data = w;
  writing_ = true;
  uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(w->data.data()), unsigned(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, [](uv_write_t* req, int status) {
    auto* wr = static_cast<WriteRequest*>(req->data);
    size_t bytes = wr->accounted;
    TcpConnection* c = wr->conn;
    delete wr;
    c->on_write_done(bytes, status);
  });
  if (rc != 0) {
    writing_ = false;
    write_bytes_ -= std::min(write_bytes_, w->accounted);
    server_.write_budget_.give_back(w->accounted);
    delete w;
    close();
  }
}

void TcpConnection::on_write_done(size_t bytes, int status) {
  writing_ = false;
  write_bytes_ -= std::min(write_bytes_, bytes);
  server_.write_budget_.give_back(bytes);
  if (closing_) return;
  if (status != 0) {
    close();
    return;
  }
  if (!queued_.empty()) flush_queued();
  restart_idle_timer();
  update_reading();
  maybe_finish_after_eof();
}

void TcpConnection::maybe_finish_after_eof() {
  if (eof_ && !closing_ && inflight_ == 0 && write_bytes_ == 0) close();
}

void TcpConnection::close() {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  // Queued answers will never be written: their bytes go back to the budget now (the write in
  // flight, if any, gives back its own when libuv cancels it).
  write_bytes_ -= std::min(write_bytes_, queued_.size());
  server_.write_budget_.give_back(queued_.size());
  std::vector<uint8_t>().swap(queued_);
  if (listed_) {
    server_.unlist(lru_pos_);
    listed_ = false;
  }
  auto on_close = [](uv_handle_t* h) { static_cast<TcpConnection*>(h->data)->on_handle_closed(); };
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
}

void TcpConnection::on_handle_closed() {
  if (--open_handles_ > 0) return;
  // Last callback: drop the server's reference and our own; `this` may be freed after this.
  auto keep = std::move(self_);
  server_.forget(this);
}

}  // namespace tern::server
