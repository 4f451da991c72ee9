#include "resolver/net/exchange.h"

#include <cstring>

#include "resolver/net/qname_case.h"
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
  started_ns_ = uv_hrtime();
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

void Exchange::accept(std::span<const uint8_t> message) {
  ++owner_.mutable_stats().accepted;
  owner_.mutable_rtt().observe((uv_hrtime() - started_ns_) / 1000);
  std::vector<uint8_t> answer(message.begin(), message.end());
  // Only an answer with its question: a FORMERR/NOTIMP may come back with none (the filter lets
  // it through for the engine's EDNS fallback), and then there is nothing to restore.
  const bool has_question = answer.size() >= 6 && (answer[4] != 0 || answer[5] != 0);
  if (!original_qname_.empty() && has_question)
    restore_qname_everywhere(answer, identity_.qname_wire, original_qname_);
  finish(std::move(answer));
}

bool Exchange::offer(std::span<const uint8_t> message, bool over_tcp) {
  auto& stats = owner_.mutable_stats();
  switch (filter_response(identity_, message)) {
    case FilterVerdict::Accept: accept(message); return true;
    case FilterVerdict::WrongCase:
      if (over_tcp) {
        // Nobody off-path can answer on our TCP connection: the server itself does not keep the
        // case. Take the answer and stop randomising for this server.
        if (owner_.mutable_case_memory().remember_insensitive(server_)) ++stats.case_insensitive_servers;
        accept(message);
        return true;
      }
      ++stats.dropped_wrong_case;
      owner_.count_unwanted();
      on_near_miss(/*right_id=*/true);
      return false;
    case FilterVerdict::WrongId:
      ++stats.dropped_wrong_id;
      owner_.count_unwanted();
      on_near_miss(/*right_id=*/false);
      return false;
    case FilterVerdict::WrongQuestion:
    case FilterVerdict::NotResponse:
    case FilterVerdict::Unparsable:
      ++stats.dropped_wrong_question;
      owner_.count_unwanted();
      return false;
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
  if (!bind_source()) return false;
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

bool UdpExchange::bind_source() {
  // The source port is drawn from the whole configured range by the CSPRNG, not left to the
  // kernel, whose ephemeral range holds 14.8 bits (RFC 5452 §9.2, §10).
  const engine::Address* chosen = owner_.draw_outgoing(server_.v6);
  engine::Address local = chosen ? *chosen : engine::Address{};
  local.v6 = server_.v6;
  sockaddr_storage ss{};
  for (int attempt = 0; attempt < owner_.config().port_bind_attempts; ++attempt) {
    local.port = owner_.draw_port();
    to_sockaddr(local, ss);
    int rc = uv_udp_bind(&udp_, reinterpret_cast<const sockaddr*>(&ss), 0);
    if (rc == 0) return true;
    if (rc != UV_EADDRINUSE && rc != UV_EACCES) return false;  // e.g. an outgoing-address not ours
    ++owner_.mutable_stats().port_bind_retries;
  }
  local.port = 0;  // the range is crowded: the kernel's choice rather than no query
  to_sockaddr(local, ss);
  return uv_udp_bind(&udp_, reinterpret_cast<const sockaddr*>(&ss), 0) == 0;
}

void UdpExchange::on_near_miss(bool right_id) {
  ++near_misses_;
  // The right ID in the wrong case is a forgery that hit the ID or a server that does not keep
  // the case; only TCP tells them apart, so that one ends the UDP exchange at once. Closing the
  // socket means no datagram is accepted for this query any more; the engine asks again over
  // TCP (TransportError::Spoofed).
  const uint32_t limit = owner_.config().near_miss_limit;
  if (right_id || (limit != 0 && near_misses_ > limit)) {
    ++owner_.mutable_stats().near_miss_tcp_retries;
    finish(tern::fail(engine::TransportError::Spoofed));
  }
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
    self->owner_.count_unwanted();
    return;
  }
  self->offer({reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)}, /*over_tcp=*/false);
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
  if (const engine::Address* chosen = owner_.draw_outgoing(server_.v6)) {
    engine::Address local = *chosen;
    local.port = 0;  // TCP cannot be blindly injected into; the kernel's port is enough
    sockaddr_storage ss{};
    to_sockaddr(local, ss);
    if (uv_tcp_bind(&tcp_, reinterpret_cast<const sockaddr*>(&ss), 0) != 0) return false;
  }
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
  self->reader_.feed({reinterpret_cast<const uint8_t*>(buf->base), size_t(nread)});
  auto message = self->reader_.next();
  if (!message) return;
  // One query per connection: the first complete message is the answer or the exchange failed.
  if (!self->offer(*message, /*over_tcp=*/true)) {
    ++self->owner_.mutable_stats().errors;
    self->finish(tern::fail(engine::TransportError::Malformed));
  }
}

}  // namespace tern::net
