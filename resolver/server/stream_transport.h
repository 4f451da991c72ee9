// The byte-stream seam of the client-facing TCP front end. A session layer (DnsStream: RFC 7766
// framing, pipelining, idle timeouts, budgets; later DNS-over-HTTPS) sits on a StreamTransport
// that carries bytes to and from one client: plain TCP (tcp_transport.h) or TLS over TCP
// (tls_transport.h). The session never sees a socket or a TLS object; the transport never sees a
// DNS message.
//
// Contract (all on the worker's loop thread):
// - The TcpServer makes the transport; the session hands it its StreamEvents with accept() and
//   starts it with start(). From accept() on, the transport calls those events until
//   on_stream_closed() (which close() always leads to, even after a failed accept).
// - on_stream_ready(): the stream carries application bytes now. Plain TCP: at once, inside
//   start(). TLS: when the handshake is done; alpn() then names the negotiated protocol ("dot",
//   "h2", ...; empty when the client offered none). Before it, no data arrives and write() must
//   not be called.
// - on_stream_data(bytes): application bytes (plaintext for TLS), valid only during the call.
// - on_stream_eof(): the client finished sending (FIN, or TLS close_notify). Writing still works.
// - on_stream_error(kind): the stream cannot go on; the session closes it. Counted by kind.
// - write(a, b): the bytes of a then b, in order. The result says how many bytes the transport
//   holds because the kernel did not take them yet ("held": ciphertext for TLS); exactly those
//   come back through on_stream_written(n, ok) when written or dropped (after close() too), so
//   the session can charge them to the worker's write budget. Bytes the transport writes on its
//   own (handshake, alerts, session tickets) are not counted: one handshake flight per connection,
//   and handshakes in progress are capped.
// - set_reading(false) stops taking bytes from the kernel; may_read() is asked before every read
//   (the per-iteration fairness budget) and a false leaves the bytes in the kernel.
// - close(): idempotent; ends with on_stream_closed() from libuv's close callback, after which
//   the transport touches nothing of the session.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "resolver/config/address.h"

namespace tern::server {

enum class StreamError : uint8_t {
  Io,            // the socket failed (reset, write error)
  Handshake,     // TLS: the handshake failed (garbage instead of a ClientHello, no shared version)
  Renegotiation, // TLS 1.2: the client asked to renegotiate
  Protocol,      // TLS: a bad record after the handshake
};

class StreamEvents {
 public:
  virtual bool may_read() = 0;
  virtual void on_stream_ready() = 0;
  virtual void on_stream_data(std::span<const uint8_t> bytes) = 0;
  virtual void on_stream_eof() = 0;
  virtual void on_stream_error(StreamError kind) = 0;
  virtual void on_stream_written(size_t held_bytes, bool ok) = 0;
  virtual void on_stream_closed() = 0;

 protected:
  ~StreamEvents() = default;
};

struct StreamWrite {
  bool ok = true;   // false: the stream failed; the session closes it
  size_t held = 0;  // bytes the transport keeps until on_stream_written
};

enum class StreamKind : uint8_t { Tcp, Tls };

class StreamTransport {
 public:
  virtual ~StreamTransport() = default;
  virtual StreamKind kind() const = 0;
  // Takes the connection waiting on `listener`; false: nothing to take (the transport must still
  // be closed).
  virtual bool accept(uv_stream_t* listener, StreamEvents& events) = 0;
  virtual void start() = 0;
  virtual void set_reading(bool on) = 0;
  virtual StreamWrite write(std::span<const uint8_t> a, std::span<const uint8_t> b) = 0;
  virtual void close() = 0;
  virtual bool ready() const = 0;
  virtual std::string_view alpn() const { return {}; }
  virtual bool resumed() const { return false; }  // TLS: an abbreviated (resumed) handshake
  const config::SocketAddress& peer() const { return peer_; }
  virtual int fileno() const = 0;

 protected:
  config::SocketAddress peer_;
};

}  // namespace tern::server
