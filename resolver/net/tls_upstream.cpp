#include "resolver/net/tls_upstream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>

#include "resolver/net/exchange.h"
#include "resolver/net/uv_transport.h"

namespace tern::net {

namespace {

// What the libuv handle and its requests point at. It outlives the TlsUpstream when the handle
// closes after it (freed in the close callback); `self` is null once the connection is dropped.
struct Link {
  TlsUpstream* self;
  std::array<char, 16384> read_buf;
};

struct WriteReq {
  uv_write_t req;
  std::vector<uint8_t> bytes;  // owned until the write completes
};

}  // namespace

SSL_CTX* make_tls_context(const std::string& ca_file, std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    if (error) *error = "cannot create a TLS context";
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);  // RFC 8310 §9: TLS 1.2 or later
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                           : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (ok != 1) {
    if (error) {
      *error = "cannot read the CA certificates in '";
      *error += ca_file;
      *error += '\'';
    }
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

void free_tls_context(SSL_CTX* ctx) { SSL_CTX_free(ctx); }

TlsUpstream::TlsUpstream(UvTransport& owner, engine::Address server, std::string name, SSL_CTX* ctx)
    : owner_(owner), server_(server), name_(std::move(name)), ctx_(ctx) {
  timer_ = new uv_timer_t;
  uv_timer_init(owner_.loop(), timer_);
  timer_->data = this;
}

TlsUpstream::~TlsUpstream() {
  queries_.clear();
  close_connection();
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

void TlsUpstream::send(std::vector<uint8_t> query, QueryIdentity identity,
                       std::chrono::milliseconds delay, engine::TransportDone done) {
  const uint64_t now = uv_now(owner_.loop());
  Query q;
  q.identity = std::move(identity);
  q.deadline_ms = now + uint64_t(std::max<int64_t>(0, delay.count()));
  q.framed.reserve(query.size() + 2);
  q.framed.push_back(uint8_t(query.size() >> 8));
  q.framed.push_back(uint8_t(query.size()));
  q.framed.insert(q.framed.end(), query.begin(), query.end());
  q.done = std::move(done);
  bool refuse = !ctx_ || queries_.size() >= kTlsMaxPending;
  // Pipelined answers are matched by ID: a second query with an ID still outstanding waits for
  // nothing and fails (the engine asks again with a fresh ID).
  for (const auto& other : queries_) refuse = refuse || other.identity.id == q.identity.id;
  if (refuse) q.deadline_ms = 0;  // failed from the timer: never from inside send()
  queries_.push_back(std::move(q));
  ++owner_.mutable_stats().tcp_sent;
  if (!refuse) {
    if (state_ == State::Closed) connect();
    else if (state_ == State::Ready) write_ready_queries();
  }
  arm_timer();
}

void TlsUpstream::connect() {
  sockaddr_storage sa;
  to_sockaddr(server_, sa);
  tcp_ = new uv_tcp_t;
  auto* link = new Link{this, {}};
  uv_tcp_init(owner_.loop(), tcp_);
  tcp_->data = link;
  auto* req = new uv_connect_t;
  req->data = link;
  state_ = State::Connecting;
  int rc = uv_tcp_connect(req, tcp_, reinterpret_cast<const sockaddr*>(&sa), [](uv_connect_t* r, int status) {
    auto* l = static_cast<Link*>(r->data);
    delete r;
    if (!l->self) return;
    TlsUpstream& self = *l->self;
    if (status < 0) {
      self.fail_all(engine::TransportError::ConnectionFailed);
      return;
    }
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(self.tcp_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* lk = static_cast<Link*>(h->data);
          *buf = uv_buf_init(lk->read_buf.data(), unsigned(lk->read_buf.size()));
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
          auto* lk = static_cast<Link*>(s->data);
          if (!lk->self || nread == 0) return;
          TlsUpstream& up = *lk->self;
          if (nread < 0) {
            up.fail_all(engine::TransportError::ConnectionFailed);
            return;
          }
          BIO_write(up.net_in_, buf->base, int(nread));
          if (up.state_ == State::Handshaking) up.handshake();
          else if (up.state_ == State::Ready) up.read_tls();
        });
    self.ssl_ = SSL_new(self.ctx_);
    self.net_in_ = BIO_new(BIO_s_mem());
    self.net_out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(self.ssl_, self.net_in_, self.net_out_);  // the SSL owns both BIOs now
    SSL_set_connect_state(self.ssl_);
    SSL_set_tlsext_host_name(self.ssl_, self.name_.c_str());
    // The certificate must name tls-name (checked by OpenSSL during the handshake).
    SSL_set_hostflags(self.ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(self.ssl_, self.name_.c_str());
    self.state_ = State::Handshaking;
    self.handshake();
  });
  if (rc < 0) {
    delete req;
    for (auto& q : queries_) q.deadline_ms = 0;  // reported from the timer
    close_connection();
  }
}

void TlsUpstream::handshake() {
  int r = SSL_do_handshake(ssl_);
  flush_tls();
  if (r == 1) {
    state_ = State::Ready;
    write_ready_queries();
    read_tls();
    return;
  }
  int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
  // A certificate that does not chain to the CA or does not carry the name, or any other
  // handshake failure: the forwarder fails. Never a retry in cleartext.
  ERR_clear_error();
  ++owner_.mutable_stats().errors;
  fail_all(engine::TransportError::ConnectionFailed);
}

void TlsUpstream::write_ready_queries() {
  for (auto& q : queries_) {
    if (q.written || q.deadline_ms == 0) continue;
    if (SSL_write(ssl_, q.framed.data(), int(q.framed.size())) <= 0) {
      ERR_clear_error();
      fail_all(engine::TransportError::ConnectionFailed);
      return;
    }
    q.written = true;
  }
  flush_tls();
}

void TlsUpstream::flush_tls() {
  while (tcp_ && BIO_ctrl_pending(net_out_) > 0) {
    auto* w = new WriteReq;
    w->bytes.resize(BIO_ctrl_pending(net_out_));
    int n = BIO_read(net_out_, w->bytes.data(), int(w->bytes.size()));
    if (n <= 0) {
      delete w;
      return;
    }
    w->bytes.resize(size_t(n));
    uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(w->bytes.data()), unsigned(n));
    int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(tcp_), &buf, 1,
                      [](uv_write_t* req, int) { delete reinterpret_cast<WriteReq*>(req); });
    if (rc < 0) {
      delete w;
      return;  // the read side sees the broken connection
    }
  }
}

void TlsUpstream::read_tls() {
  std::array<uint8_t, 16384> plain;
  for (;;) {
    if (!ssl_) return;
    int n = SSL_read(ssl_, plain.data(), int(plain.size()));
    if (n > 0) {
      reader_.feed({plain.data(), size_t(n)});
      while (auto m = reader_.next()) {
        std::vector<uint8_t> message(m->begin(), m->end());
        on_message(message);
        if (!ssl_) return;
      }
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ) {
      flush_tls();  // a TLS 1.3 key update or ticket may want an answer
      return;
    }
    ERR_clear_error();
    fail_all(engine::TransportError::ConnectionFailed);  // closed by the server, or broken
    return;
  }
}

void TlsUpstream::on_message(std::span<const uint8_t> message) {
  for (size_t i = 0; i < queries_.size(); ++i) {
    const auto& q = queries_[i];
    if (!q.written || q.deadline_ms == 0) continue;
    if (filter_response(q.identity, message) != FilterVerdict::Accept) continue;
    ++owner_.mutable_stats().accepted;
    finish(i, std::vector<uint8_t>(message.begin(), message.end()));
    return;
  }
  owner_.count_unwanted();  // late (the query timed out) or not an answer to anything asked
}

void TlsUpstream::finish(size_t index, engine::TransportResult result) {
  auto done = std::move(queries_[index].done);
  queries_.erase(queries_.begin() + long(index));
  if (queries_.empty()) idle_since_ms_ = uv_now(owner_.loop());
  arm_timer();
  if (done) done(std::move(result));
}

void TlsUpstream::fail_all(engine::TransportError e) {
  close_connection();
  auto failed = std::move(queries_);
  queries_.clear();
  arm_timer();
  for (auto& q : failed)
    if (q.done) q.done(tern::fail(e));
}

void TlsUpstream::close_connection() {
  if (tcp_) {
    static_cast<Link*>(tcp_->data)->self = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(tcp_), [](uv_handle_t* h) {
      delete static_cast<Link*>(h->data);
      delete reinterpret_cast<uv_tcp_t*>(h);
    });
    tcp_ = nullptr;
  }
  if (ssl_) SSL_free(ssl_);  // frees both BIOs
  ssl_ = nullptr;
  net_in_ = net_out_ = nullptr;
  reader_ = TcpFrameReader{};
  state_ = State::Closed;
}

void TlsUpstream::arm_timer() {
  uint64_t next = UINT64_MAX;
  for (const auto& q : queries_) next = std::min(next, q.deadline_ms);
  if (queries_.empty() && state_ != State::Closed) next = idle_since_ms_ + uint64_t(kTlsIdleTimeout.count());
  if (next == UINT64_MAX) {
    uv_timer_stop(timer_);
    return;
  }
  uint64_t now = uv_now(owner_.loop());
  uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<TlsUpstream*>(t->data)->on_timer(); },
                 next > now ? next - now : 0, 0);
}

void TlsUpstream::on_timer() {
  const uint64_t now = uv_now(owner_.loop());
  for (;;) {
    size_t i = 0;
    while (i < queries_.size() && queries_[i].deadline_ms > now) ++i;
    if (i == queries_.size()) break;
    bool refused = queries_[i].deadline_ms == 0;
    ++(refused ? owner_.mutable_stats().errors : owner_.mutable_stats().timeouts);
    finish(i, tern::fail(refused ? engine::TransportError::ConnectionFailed
                                 : engine::TransportError::Timeout));
  }
  if (queries_.empty() && state_ != State::Closed &&
      now >= idle_since_ms_ + uint64_t(kTlsIdleTimeout.count()))
    close_connection();
  arm_timer();
}

}  // namespace tern::net
