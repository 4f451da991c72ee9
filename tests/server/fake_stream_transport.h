// A StreamTransport with no socket, for DnsStream tests and the fuzz target: the test plays the
// kernel. Bytes the client "sends" wait in `pending_in` until the session reads (set_reading and
// may_read allow it) and pump() delivers them; answers are appended to `written`; with
// `kernel_full` the transport holds what the session writes until drain().
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "resolver/server/stream_transport.h"

namespace tern::server::test {

struct FakeStreamState {
  StreamEvents* events = nullptr;
  std::vector<uint8_t> pending_in;  // sent by the client, not yet read by the session
  std::vector<uint8_t> written;     // everything the session wrote, in order
  size_t held = 0;
  bool kernel_full = false;
  bool reading = false;
  bool ready = true;  // false: a handshake that never finishes
  StreamKind kind = StreamKind::Tcp;  // Tls: counted as a TLS connection (handshake cap)
  bool eof = false;   // the client's FIN, delivered once pending_in is read
  bool eof_sent = false;
  bool closed = false;  // close() was called; events is gone after it

  bool open() const { return events && !closed; }
  // Hands the session what it will take now; returns true if anything happened.
  bool pump(size_t chunk = 4096) {
    bool any = false;
    while (open() && reading && !pending_in.empty() && events->may_read()) {
      size_t n = std::min(chunk, pending_in.size());
      std::vector<uint8_t> piece(pending_in.begin(), pending_in.begin() + long(n));
      pending_in.erase(pending_in.begin(), pending_in.begin() + long(n));
      events->on_stream_data(piece);
      any = true;
    }
    if (open() && eof && !eof_sent && pending_in.empty() && reading) {
      eof_sent = true;
      events->on_stream_eof();
      any = true;
    }
    return any;
  }
  void drain() {
    if (!open() || held == 0) return;
    size_t n = std::exchange(held, 0);
    events->on_stream_written(n, true);
  }
};

class FakeStreamTransport : public StreamTransport {
 public:
  explicit FakeStreamTransport(std::shared_ptr<FakeStreamState> s) : s_(std::move(s)) {
    peer_ = *config::SocketAddress::parse("127.0.0.1:5353");
  }
  StreamKind kind() const override { return s_->kind; }
  bool accept(uv_stream_t*, StreamEvents& events) override {
    s_->events = &events;
    return true;
  }
  void start() override {
    if (s_->ready) s_->events->on_stream_ready();
  }
  void set_reading(bool on) override { s_->reading = on; }
  StreamWrite write(std::span<const uint8_t> a, std::span<const uint8_t> b) override {
    if (s_->closed) return {false, 0};
    s_->written.insert(s_->written.end(), a.begin(), a.end());
    s_->written.insert(s_->written.end(), b.begin(), b.end());
    if (!s_->kernel_full) return {};
    s_->held += a.size() + b.size();
    return {true, a.size() + b.size()};
  }
  void close() override {
    if (s_->closed) return;
    s_->closed = true;
    s_->reading = false;
    StreamEvents* e = s_->events;
    if (size_t n = std::exchange(s_->held, 0)) e->on_stream_written(n, false);
    e->on_stream_closed();
  }
  bool ready() const override { return s_->ready; }
  int fileno() const override { return -1; }

 private:
  std::shared_ptr<FakeStreamState> s_;
};

}  // namespace tern::server::test
