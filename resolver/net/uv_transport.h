// UvTransport: the engine's Transport on a libuv loop (one per worker thread).
//  - UDP: every query from a fresh socket bound to an ephemeral port the kernel picks at random,
//    connected to the server so the kernel drops datagrams from any other address or port; the
//    receive path checks the source again, then ID and question (response_filter.h). Anything
//    else is dropped and counted and the exchange keeps waiting until its deadline.
//  - TCP: connect, 2-byte length framing (RFC 1035 §4.2.2), one query per connection, connect
//    and read bounded by the same deadline.
//  - Deadlines are uv timers. `done` is always called from the loop, never inside send().
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_set>
#include <vector>

#include "resolver/config/log.h"
#include "resolver/config/log_throttle.h"
#include "resolver/engine/world.h"

namespace tern::net {

struct TransportStats {
  uint64_t udp_sent = 0;
  uint64_t tcp_sent = 0;
  uint64_t accepted = 0;
  uint64_t dropped_wrong_source = 0;  // datagram from another address/port
  uint64_t dropped_wrong_id = 0;
  uint64_t dropped_wrong_question = 0;  // also not-a-response and unparsable
  uint64_t timeouts = 0;
  uint64_t errors = 0;  // unreachable, connection failures, bad framing
};

class Exchange;

class UvTransport : public engine::Transport {
 public:
  // `log` (may be null) hears about sockets that cannot be opened, at most once per
  // config::kResourceWarningInterval.
  explicit UvTransport(uv_loop_t* loop, config::Log* log = nullptr);
  // Closes every exchange in flight without calling its `done` (the engine goes first). The
  // loop must run once more for libuv to finish closing the handles.
  ~UvTransport() override;
  UvTransport(const UvTransport&) = delete;
  UvTransport& operator=(const UvTransport&) = delete;

  void send(const engine::Address& server, engine::Protocol protocol, std::vector<uint8_t> query,
            engine::Instant deadline, engine::TransportDone done) override;

  const TransportStats& stats() const { return stats_; }
  size_t in_flight() const { return active_.size(); }

  // For the exchanges.
  uv_loop_t* loop() const { return loop_; }
  TransportStats& mutable_stats() { return stats_; }
  void forget(Exchange* e) { active_.erase(e); }
  // A socket for a query could not be opened (libuv error code): the query fails at once, and
  // the log says why (typically out of file descriptors).
  void socket_failed(int uv_error);
  // One receive buffer for every UDP exchange of this loop: libuv hands a datagram to on_recv
  // right after filling the buffer and the exchange copies what it keeps, so nothing outlives
  // the callback. A 64 KiB buffer per exchange cost a zero-filled allocation and its page
  // faults on every cache miss.
  std::span<uint8_t> udp_recv_buffer() { return udp_recv_buf_; }

 private:
  uv_loop_t* loop_;
  config::Log* log_;
  config::LogThrottle socket_warnings_;
  std::unordered_set<Exchange*> active_;
  TransportStats stats_;
  std::vector<uint8_t> udp_recv_buf_ = std::vector<uint8_t>(65536);
};

}  // namespace tern::net
