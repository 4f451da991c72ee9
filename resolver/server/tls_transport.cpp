#include "resolver/server/tls_transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace tern::server {
namespace {

void on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL*, void* arg) {
  // Record headers only (SSL3_RT_HEADER): buf[0] is the record's content type.
  if (write_p || content_type != SSL3_RT_HEADER || len < 1) return;
  static_cast<TlsTransport*>(arg)->saw_record(static_cast<const uint8_t*>(buf)[0]);
}

}  // namespace

TlsTransport::TlsTransport(uv_loop_t* loop, std::span<char> read_buffer,
                           std::shared_ptr<const TlsContext> context)
    : TcpTransport(loop, read_buffer), context_(std::move(context)), read_buffer_(read_buffer) {}

TlsTransport::~TlsTransport() {
  if (ssl_) SSL_free(ssl_);  // frees both BIOs
}

bool TlsTransport::resumed() const { return ssl_ && SSL_session_reused(ssl_) == 1; }

void TlsTransport::saw_record(int content_type) {
  // After a TLS 1.2 handshake a client sends only application data and alerts: a handshake
  // record is a renegotiation (TLS 1.3 encrypts the record type, and has no renegotiation).
  if (content_type == SSL3_RT_HANDSHAKE && established_ && SSL_version(ssl_) <= TLS1_2_VERSION)
    renegotiation_ = true;
}

void TlsTransport::on_started() {
  ssl_ = context_ ? context_->new_ssl() : nullptr;
  rbio_ = BIO_new(BIO_s_mem());
  wbio_ = BIO_new(BIO_s_mem());
  if (!ssl_ || !rbio_ || !wbio_) {
    BIO_free(rbio_);  // BIO_free(nullptr) does nothing
    BIO_free(wbio_);
    rbio_ = wbio_ = nullptr;
    events_->on_stream_error(StreamError::Io);
    return;
  }
  // A memory BIO with nothing in it says "retry", not end of file.
  BIO_set_mem_eof_return(rbio_, -1);
  BIO_set_mem_eof_return(wbio_, -1);
  SSL_set_bio(ssl_, rbio_, wbio_);
  SSL_set_accept_state(ssl_);
  SSL_set_msg_callback(ssl_, on_message);
  SSL_set_msg_callback_arg(ssl_, this);
}

void TlsTransport::on_bytes(std::span<const uint8_t> bytes) {
  if (!ssl_ || closing()) return;
  if (BIO_write(rbio_, bytes.data(), int(bytes.size())) != int(bytes.size())) {
    events_->on_stream_error(StreamError::Io);
    return;
  }
  if (!established_) {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    int err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, rc);
    // The server's flight (or an alert) goes out whatever happened.
    StreamWrite w = flush_output(false);
    if (closing()) return;
    if (!w.ok) {
      events_->on_stream_error(StreamError::Io);
      return;
    }
    if (err == SSL_ERROR_WANT_READ) return;
    if (err != SSL_ERROR_NONE) {
      ERR_clear_error();
      events_->on_stream_error(StreamError::Handshake);
      return;
    }
    established_ = true;
    const unsigned char* proto = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_, &proto, &len);
    alpn_.assign(reinterpret_cast<const char*>(proto), proto ? len : 0);
    events_->on_stream_ready();
    if (closing()) return;
  }
  read_plaintext();
}

void TlsTransport::read_plaintext() {
  // Everything decryptable now goes up at once, so OpenSSL never holds plaintext we would have to
  // come back for; bounded by the ciphertext one read brought.
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_, read_buffer_.data(), int(read_buffer_.size()));
    if (renegotiation_) {
      flush_output(false);
      events_->on_stream_error(StreamError::Renegotiation);
      return;
    }
    if (n > 0) {
      events_->on_stream_data({reinterpret_cast<const uint8_t*>(read_buffer_.data()), size_t(n)});
      if (closing()) return;
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    StreamWrite w = flush_output(false);  // session tickets, key updates, alerts
    if (closing()) return;
    if (!w.ok) {
      events_->on_stream_error(StreamError::Io);
      return;
    }
    if (err == SSL_ERROR_WANT_READ) return;
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) {
      events_->on_stream_eof();  // close_notify: the client sends no more
      return;
    }
    events_->on_stream_error(StreamError::Protocol);
    return;
  }
}

StreamWrite TlsTransport::write(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (!established_ || closing()) return {false, 0};
  // One record for the length prefix and the message.
  scratch_.assign(a.begin(), a.end());
  scratch_.insert(scratch_.end(), b.begin(), b.end());
  ERR_clear_error();
  if (SSL_write(ssl_, scratch_.data(), int(scratch_.size())) != int(scratch_.size())) {
    ERR_clear_error();
    return {false, 0};
  }
  return flush_output(true);
}

StreamWrite TlsTransport::flush_output(bool counted) {
  if (!wbio_) return {};
  size_t pending = BIO_ctrl_pending(wbio_);
  if (pending == 0) return {};
  scratch_.resize(pending);
  int n = BIO_read(wbio_, scratch_.data(), int(pending));
  if (n <= 0) return {};
  return write_raw({scratch_.data(), size_t(n)}, {}, counted);
}

void TlsTransport::before_close() {
  // close_notify, best effort: a closing connection queues nothing more.
  if (!ssl_ || !established_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
  if (size_t pending = BIO_ctrl_pending(wbio_)) {
    scratch_.resize(pending);
    int n = BIO_read(wbio_, scratch_.data(), int(pending));
    if (n > 0) try_write_only({scratch_.data(), size_t(n)});
  }
}

}  // namespace tern::server
