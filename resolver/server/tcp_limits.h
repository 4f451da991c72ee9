// The TCP front end's resource policy, apart from the sockets it governs (so the stream layer that
// will carry TLS too can reuse it): the memory budget for replies a client has not read, the idle
// timeout that shrinks as connection slots fill, and the work done per loop iteration. Pure
// arithmetic; tests/server/tcp_limits_test.cpp checks it without sockets.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::server {

// RFC 7766 §6.2.3 suggests seconds; Unbound's tcp-idle-timeout is 30 s, ours 10 s.
constexpr uint32_t kTcpIdleTimeoutMs = 10000;
// As slots fill the idle timeout shrinks (Unbound's setup_tcp_handler): past half full to 1% of
// the configured value, past 65% to 0.2%, past 80% to nothing -- but never below this floor, so a
// client that just connected has time to send its query.
constexpr uint32_t kTcpMinIdleTimeoutMs = 200;
// Replies queued for one client (unread by it) never need to exceed one largest message plus its
// length prefix before a client that reads catches up: the least share a connection gets.
constexpr size_t kTcpMinWriteShare = 2 + 65535;
// Default TCP write budget, as a fraction of the cache budget: cache + TCP stays a known multiple
// of what the operator set (64 MiB cache -> 16 MiB). Unbound's counterpart, stream-wait-size, is a
// fixed 4 MiB.
constexpr uint32_t kTcpWriteBudgetCacheDivisor = 4;
constexpr uint32_t kTcpMinWriteBudgetMib = 4;
// DNS messages one worker takes from TCP connections per loop iteration. The rest wait for the
// next iteration, after the UDP socket has had its turn: TCP clients with deep pipelines cannot
// starve UDP (the UDP side reads at most 16 x 32 datagrams per wake-up).
constexpr uint32_t kTcpMessagesPerIteration = 256;
// Bytes one read takes from a TCP connection. Unprocessed input stays in the connection's buffer
// until its messages are handled, and reading stops while some wait (for the next iteration, or
// for the client to read its answers): so this, not the 64 KiB a read could take, is what a
// client that floods queries holds of our memory (a message larger than this still arrives,
// over several reads).
constexpr size_t kTcpReadChunk = 16 * 1024;

// The idle timeout for a connection when `open` of `max_connections` slots are in use.
uint32_t tcp_idle_timeout_ms(uint32_t configured_ms, size_t open, size_t max_connections);

// The write budget of one worker: bytes of replies queued to its TCP clients and not yet taken
// by the kernel. A connection may hold at most its share (the budget split over the open
// connections, at least kTcpMinWriteShare, at most the per-connection cap); a reply that would
// take it past its share, or the worker past the budget, closes the connection instead.
class TcpWriteBudget {
 public:
  TcpWriteBudget(size_t budget_bytes, size_t per_connection_cap)
      : budget_(budget_bytes), cap_(per_connection_cap) {}

  size_t share(size_t open_connections) const;
  // May a connection holding `held` bytes queue `more`?
  bool may_queue(size_t held, size_t more, size_t open_connections) const {
    return held + more <= share(open_connections) && used_ + more <= budget_;
  }
  // A connection that holds this much already gets no new answer built: it is closed.
  bool over(size_t held, size_t open_connections) const {
    return held >= share(open_connections);
  }
  void take(size_t bytes) { used_ += bytes; }
  void give_back(size_t bytes) { used_ -= bytes < used_ ? bytes : used_; }
  size_t used() const { return used_; }
  size_t budget() const { return budget_; }

 private:
  size_t budget_;
  size_t cap_;
  size_t used_ = 0;
};

// How many DNS messages TCP may still take in this loop iteration.
class TcpIterationBudget {
 public:
  explicit TcpIterationBudget(uint32_t per_iteration) : per_iteration_(per_iteration), left_(per_iteration) {}
  bool take() {
    if (left_ == 0) return false;
    --left_;
    return true;
  }
  bool spent() const { return left_ == 0; }
  void new_iteration() { left_ = per_iteration_; }

 private:
  uint32_t per_iteration_;
  uint32_t left_;
};

}  // namespace tern::server
