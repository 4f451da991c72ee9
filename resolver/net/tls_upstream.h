// TlsUpstream: DNS over TLS to one forwarder (RFC 7858), one per (server, name) per worker. One
// TCP connection, reused for every query to that server and pipelined (RFC 7766 §6.2.1: many
// queries outstanding, answers in any order, matched by ID and question); closed after
// kTlsIdleTimeout without a query. TLS is OpenSSL 3 over memory BIOs: libuv moves the bytes,
// OpenSSL never touches the socket. The certificate must chain to the CA file (or the system
// store) and carry `name`; a failed handshake or check fails every query waiting on the
// connection (TransportError::ConnectionFailed) -- there is no fallback to cleartext.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "resolver/engine/world.h"
#include "resolver/net/response_filter.h"
#include "resolver/net/tcp_frame_reader.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct bio_st BIO;

namespace tern::net {

// An idle DoT connection is closed after this long (RFC 7766 §6.2.3 leaves it to the client;
// Unbound's tcp-idle-timeout default is 30 s, servers often close sooner).
inline constexpr std::chrono::milliseconds kTlsIdleTimeout{10000};
// Queries waiting on or outstanding over one connection; more fail at once (a forwarder that
// stalls must not hold unbounded memory).
inline constexpr size_t kTlsMaxPending = 1024;

class UvTransport;

class TlsUpstream {
 public:
  TlsUpstream(UvTransport& owner, engine::Address server, std::string name, SSL_CTX* ctx);
  // Closes the connection; queries still waiting are dropped without their callbacks (the
  // engine goes first, as for the other exchanges).
  ~TlsUpstream();
  TlsUpstream(const TlsUpstream&) = delete;
  TlsUpstream& operator=(const TlsUpstream&) = delete;

  void send(std::vector<uint8_t> query, QueryIdentity identity, std::chrono::milliseconds delay,
            engine::TransportDone done);
  size_t pending() const { return queries_.size(); }

 private:
  struct Query {
    QueryIdentity identity;
    std::vector<uint8_t> framed;  // 2-byte length + message
    uint64_t deadline_ms = 0;     // uv_now() time
    bool written = false;
    engine::TransportDone done;
  };
  enum class State : uint8_t { Closed, Connecting, Handshaking, Ready };

  void connect();
  void fail_all(engine::TransportError e);
  void close_connection();
  void handshake();
  void write_ready_queries();
  void flush_tls();  // ciphertext OpenSSL produced -> the socket
  void read_tls();   // plaintext from OpenSSL -> frames -> answers
  void on_message(std::span<const uint8_t> message);
  void finish(size_t index, engine::TransportResult result);
  void arm_timer();
  void on_timer();

  UvTransport& owner_;
  engine::Address server_;
  std::string name_;
  SSL_CTX* ctx_;
  State state_ = State::Closed;
  uv_tcp_t* tcp_ = nullptr;  // the current connection's handle (freed in its close callback)
  uv_timer_t* timer_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* net_in_ = nullptr;   // bytes from the socket, read by OpenSSL
  BIO* net_out_ = nullptr;  // bytes OpenSSL wants sent
  TcpFrameReader reader_;
  std::deque<Query> queries_;
  uint64_t idle_since_ms_ = 0;
  // Callbacks of handles and requests check it: a connection replaced or an object gone.
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
};

// A client SSL_CTX that verifies the peer against `ca_file`, or the system store when empty.
// nullptr when the CA file cannot be read. Freed with free_tls_context().
SSL_CTX* make_tls_context(const std::string& ca_file, std::string* error);
void free_tls_context(SSL_CTX* ctx);

}  // namespace tern::net
