// TLS over TCP under the stream seam (stream_transport.h), for DNS over TLS (RFC 7858) and the
// DNS-over-HTTPS layer: OpenSSL 3 on memory BIOs, so libuv keeps the socket and OpenSSL never
// touches it. Ciphertext read from the socket goes into the read BIO; the handshake, then
// SSL_read, turn it into plaintext for the session (on_stream_data); what the session writes goes
// through SSL_write, and the write BIO's ciphertext is written to the socket by TcpTransport.
//
// For the layer above: on_stream_ready() comes when the handshake is done, alpn() then names the
// protocol the client and the listener agreed on (TlsSettings::alpn; empty when the client
// offered no ALPN), resumed() whether the client resumed a session with a ticket. A handshake
// that fails (garbage instead of a ClientHello, no common version) is on_stream_error(Handshake);
// a TLS 1.2 client that tries to renegotiate is on_stream_error(Renegotiation) (OpenSSL refuses
// it; we also close, as nginx does). The handshake timeout is the session's (DnsStream's timer).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "resolver/server/tcp_transport.h"
#include "resolver/server/tls_context.h"

typedef struct bio_st BIO;

namespace tern::server {

class TlsTransport : public TcpTransport {
 public:
  TlsTransport(uv_loop_t* loop, std::span<char> read_buffer, std::shared_ptr<const TlsContext> context);
  ~TlsTransport() override;
  StreamKind kind() const override { return StreamKind::Tls; }
  StreamWrite write(std::span<const uint8_t> a, std::span<const uint8_t> b) override;
  bool ready() const override { return established_; }
  std::string_view alpn() const override { return alpn_; }
  bool resumed() const override;

  // Called by OpenSSL's message callback for every record header it reads.
  void saw_record(int content_type);

 protected:
  void on_started() override;
  void on_bytes(std::span<const uint8_t> bytes) override;
  void before_close() override;

 private:
  // Moves the write BIO's ciphertext to the socket; `counted`: it is the session's answer.
  StreamWrite flush_output(bool counted);
  void read_plaintext();

  std::shared_ptr<const TlsContext> context_;  // the SSL object refers to its SSL_CTX
  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  bool established_ = false;
  bool renegotiation_ = false;
  std::string alpn_;
  std::vector<uint8_t> scratch_;  // plaintext of one write; ciphertext out of the write BIO
  std::span<char> read_buffer_;
};

}  // namespace tern::server
