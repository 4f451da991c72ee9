// Plain TCP under the stream seam (stream_transport.h): one accepted uv_tcp_t, reads handed up as
// they come, writes tried at once and otherwise queued (one uv_write for everything queued while
// the previous one is in flight, so a client that reads slowly costs the bytes of its answers,
// not a request per answer). TlsTransport reuses it for its ciphertext.
#pragma once

#include <uv.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "resolver/server/stream_transport.h"

namespace tern::server {

class TcpTransport : public StreamTransport {
 public:
  // `read_buffer`: the worker's buffer for reads, handled synchronously (at most `read_chunk`
  // bytes of it are used per read).
  TcpTransport(uv_loop_t* loop, std::span<char> read_buffer);
  StreamKind kind() const override { return StreamKind::Tcp; }
  bool accept(uv_stream_t* listener, StreamEvents& events) override;
  void start() override;
  void set_reading(bool on) override;
  StreamWrite write(std::span<const uint8_t> a, std::span<const uint8_t> b) override;
  void close() override;
  bool ready() const override { return true; }
  int fileno() const override;

 protected:
  // Hooks for a transport that transforms the bytes (TLS).
  virtual void on_started() { events_->on_stream_ready(); }
  virtual void on_bytes(std::span<const uint8_t> bytes) { events_->on_stream_data(bytes); }
  virtual void on_eof() { events_->on_stream_eof(); }
  virtual void before_close() {}
  // Writes raw bytes to the socket; `counted`: the bytes are reported held / written to the
  // session (its answers), otherwise they are the transport's own (TLS handshake).
  StreamWrite write_raw(std::span<const uint8_t> a, std::span<const uint8_t> b, bool counted);
  // Best effort, never queued (a closing connection's last words, such as close_notify).
  void try_write_only(std::span<const uint8_t> bytes);
  bool closing() const { return closing_; }

  StreamEvents* events_ = nullptr;

 private:
  // Hands queued_ to one uv_write. On failure nothing is reported: returns the session's bytes
  // that were dropped (the caller reports them), or nullopt when the write started.
  std::optional<size_t> flush_queued();
  void on_write_done(size_t counted, int status);

  uv_loop_t* loop_;
  std::span<char> read_buffer_;
  uv_tcp_t tcp_{};
  bool initialised_ = false;
  bool reading_ = false;
  bool writing_ = false;   // a uv_write is in flight
  bool closing_ = false;
  std::vector<uint8_t> queued_;  // bytes waiting for the write in flight to finish
  size_t queued_counted_ = 0;    // of which the session's
  size_t unflushed_ = 0;         // bytes queued or in flight (the socket is not free for try_write)
};

}  // namespace tern::server
