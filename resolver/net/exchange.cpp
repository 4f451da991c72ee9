#include "resolver/net/exchange.h"

#include <cstring>

#include "resolver/net/uv_transport.h"

namespace tern::net {

socklen_t to_sockaddr(const engine::Address& a, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (a.v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&out);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(a.port);
    std::memcpy(&s6->sin6_addr, a.bytes.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&out);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(a.port);
  std::memcpy(&s4->sin_addr, a.bytes.data(), 4);
  return sizeof(sockaddr_in);
}

bool same_endpoint(const sockaddr* sa, const engine::Address& a) {
  if (!sa) return false;
  if (sa->sa_family == AF_INET && !a.v6) {
    auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
    return ntohs(s4->sin_port) == a.port && std::memcmp(&s4->sin_addr, a.bytes.data(), 4) == 0;
  }
  if (sa->sa_family == AF_INET6 && a.v6) {
    auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return ntohs(s6->sin6_port) == a.port && std::memcmp(&s6->sin6_addr, a.bytes.data(), 16) == 0;
  }
  return false;
}

Exchange::Exchange(UvTransport& owner, engine::Address server, std::vector<uint8_t> query,
                   QueryIdentity identity, engine::TransportDone done)
    : owner_(owner),
      server_(server),
      query_(std::move(query)),
      identity_(std::move(identity)),
      done_(std::move(done)) {}

void Exchange::start(std::chrono::milliseconds delay) {
  uv_timer_init(owner_.loop(), &timer_);
  timer_.data = this;
  ++open_handles_;
  if (!start_io()) {
    failed_at_start_ = true;
    delay = std::chrono::milliseconds(0);  // report from the loop, not from inside send()
  }
  uv_timer_start(
      &timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<Exchange*>(t->data);
        if (self->failed_at_start_) {
          ++self->owner_.mutable_stats().errors;
          self->finish(tern::fail(self->fail_error_));
        } else {
          ++self->owner_.mutable_stats().timeouts;
          self->finish(tern::fail(engine::TransportError::Timeout));
        }
      },
      uint64_t(std::max<int64_t>(0, delay.count())), 0);
}

void Exchange::finish(engine::TransportResult result) {
  if (finished_) return;
  finished_ = true;
  auto done = std::move(done_);
  owner_.forget(this);
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_handle_closed);
  close_io();
  // `this` stays alive until the close callbacks run on the loop, after this returns.
  if (done) done(std::move(result));
}

void Exchange::abandon() {
  if (finished_) return;
  finished_ = true;
  done_ = nullptr;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_handle_closed);
  close_io();
}

void Exchange::on_handle_closed(uv_handle_t* h) { static_cast<Exchange*>(h->data)->handle_closed(); }

void Exchange::handle_closed() {
  if (--open_handles_ == 0) delete this;
}

bool Exchange::offer(std::span<const uint8_t> message) {
  auto& stats = owner_.mutable_stats();
  switch (filter_response(identity_, message)) {
    case FilterVerdict::Accept:
      ++stats.accepted;
      finish(std::vector<uint8_t>(message.begin(), message.end()));
      return true;
    case FilterVerdict::WrongId: ++stats.dropped_wrong_id; return false;
    case FilterVerdict::WrongQuestion:
    case FilterVerdict::NotResponse:
    case FilterVerdict::Unparsable: ++stats.dropped_wrong_question; return false;
  }
  return false;
}

// ---- UDP ----------------------------------------------------------------------------------

bool UdpExchange::start_io() {
  if (int rc = uv_udp_init_ex(owner_.loop(), &udp_, server_.v6 ? AF_INET6 : AF_INET); rc != 0) {
    owner_.socket_failed(rc);  // socket() itself: typically out of file descriptors
    return false;
  }
  udp_.data = this;
  udp_open_ = true;
  ++open_handles_;
  // Port 0: the kernel picks a random ephemeral port for every socket (RFC 5452 §9.2 asks for
  // source-port randomisation; Linux randomises ephemeral ports).
  sockaddr_storage local{};
  engine::Address any;
  any.v6 = server_.v6;
  any.port = 0;
  to_sockaddr(any, local);
  if (uv_udp_bind(&udp_, reinterpret_cast<const sockaddr*>(&local), 0) != 0) return false;
  sockaddr_storage remote{};
  to_sockaddr(server_, remote);
  // Connected: the kernel delivers only datagrams from the server's address and port, and ICMP
  // unreachables come back as errors instead of silence.
  if (uv_udp_connect(&udp_, reinterpret_cast<const sockaddr*>(&remote)) != 0) return false;
  if (uv_udp_recv_start(&udp_, on_alloc, on_recv) != 0) return false;
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(query_.data()), unsigned(query_.size()));
  send_req_.data = this;
  if (uv_udp_send(&send_req_, &udp_, &buf, 1, nullptr, on_sent) != 0) return false;
  ++owner_.mutable_stats().udp_sent;
  return true;
}

void UdpExchange::close_io() {
  if (!udp_open_) return;
  udp_open_ = false;
  uv_udp_recv_stop(&udp_);
  uv_close(reinterpret_cast<uv_handle_t*>(&udp_), on_handle_closed);
}

void UdpExchange::on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* self = static_cast<UdpExchange*>(h->data);
  auto shared = self->owner_.udp_recv_buffer();
  *buf = uv_buf_init(reinterpret_cast<char*>(shared.data()), unsigned(shared.size()));
}

void UdpExchange::on_recv(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                          unsigned flags) {
  auto* self = static_cast<UdpExchange*>(h->data);
  if (self->finished_) return;
  if (nread < 0) {
    ++self->owner_.mutable_stats().errors;
    self->finish(tern::fail(engine::TransportError::Unreachable));
    return;
  }
  if (nread == 0 && !addr) return;  // nothing more to read right now
  if (flags & UV_UDP_PARTIAL) {
    ++self->owner_.mutable_stats().dropped_wrong_question;
    return;
  }
  if (!same_endpoint(addr, self->server_)) {
    ++self->owner_.mutable_stats().dropped_wrong_source;
    return;
  }
  self->offer({reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)});
}

void UdpExchange::on_sent(uv_udp_send_t* req, int status) {
  auto* self = static_cast<UdpExchange*>(req->data);
  if (status == 0 || status == UV_ECANCELED || self->finished_) return;
  ++self->owner_.mutable_stats().errors;
  self->finish(tern::fail(engine::TransportError::Unreachable));
}

// ---- TCP ----------------------------------------------------------------------------------

bool TcpExchange::start_io() {
  fail_error_ = engine::TransportError::ConnectionFailed;
  if (uv_tcp_init(owner_.loop(), &tcp_) != 0) return false;
  tcp_.data = this;
  tcp_open_ = true;
  ++open_handles_;
  sockaddr_storage remote{};
  to_sockaddr(server_, remote);
  connect_req_.data = this;
  if (int rc = uv_tcp_connect(&connect_req_, &tcp_, reinterpret_cast<const sockaddr*>(&remote), on_connect);
      rc != 0) {
    if (rc == UV_EMFILE || rc == UV_ENFILE) owner_.socket_failed(rc);  // socket() in connect
    return false;
  }
  framed_.reserve(query_.size() + 2);
  framed_.push_back(uint8_t(query_.size() >> 8));
  framed_.push_back(uint8_t(query_.size()));
  framed_.insert(framed_.end(), query_.begin(), query_.end());
  ++owner_.mutable_stats().tcp_sent;
  return true;
}

void TcpExchange::close_io() {
  if (!tcp_open_) return;
  tcp_open_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_handle_closed);
}

void TcpExchange::on_connect(uv_connect_t* req, int status) {
  auto* self = static_cast<TcpExchange*>(req->data);
  if (self->finished_) return;
  if (status != 0) {
    ++self->owner_.mutable_stats().errors;
    self->finish(tern::fail(engine::TransportError::ConnectionFailed));
    return;
  }
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(self->framed_.data()), unsigned(self->framed_.size()));
  self->write_req_.data = self;
  auto* stream = reinterpret_cast<uv_stream_t*>(&self->tcp_);
  if (uv_write(&self->write_req_, stream, &buf, 1, on_write) != 0 ||
      uv_read_start(stream, on_alloc, on_read) != 0) {
    ++self->owner_.mutable_stats().errors;
    self->finish(tern::fail(engine::TransportError::ConnectionFailed));
  }
}

void TcpExchange::on_write(uv_write_t* req, int status) {
  auto* self = static_cast<TcpExchange*>(req->data);
  if (status == 0 || status == UV_ECANCELED || self->finished_) return;
  ++self->owner_.mutable_stats().errors;
  self->finish(tern::fail(engine::TransportError::ConnectionFailed));
}

void TcpExchange::on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* self = static_cast<TcpExchange*>(h->data);
  self->read_buf_.resize(16384);
  *buf = uv_buf_init(reinterpret_cast<char*>(self->read_buf_.data()), unsigned(self->read_buf_.size()));
}

void TcpExchange::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<TcpExchange*>(s->data);
  if (self->finished_) return;
  if (nread < 0) {
    ++self->owner_.mutable_stats().errors;
    self->finish(tern::fail(engine::TransportError::ConnectionFailed));
    return;
  }
  auto* p = reinterpret_cast<const uint8_t*>(buf->base);
  self->received_.insert(self->received_.end(), p, p + nread);
  if (self->received_.size() < 2) return;
  size_t len = size_t(self->received_[0]) << 8 | self->received_[1];
  if (self->received_.size() < 2 + len) return;
  // One query per connection: the first complete message is the answer or the exchange failed.
  if (!self->offer(std::span<const uint8_t>(self->received_).subspan(2, len))) {
    ++self->owner_.mutable_stats().errors;
    self->finish(tern::fail(engine::TransportError::Malformed));
  }
}

}  // namespace tern::net
