// UvTransport: the engine's Transport on a libuv loop (one per worker thread).
//  - UDP: every query from a fresh socket bound to a source port drawn uniformly from
//    outgoing-port-range by the kernel's CSPRNG (and to an outgoing-address when configured),
//    connected to the server so the kernel drops datagrams from any other address or port; the
//    receive path checks the source again, then ID and question (response_filter.h). Anything
//    else is dropped and counted and the exchange keeps waiting until its deadline.
//  - 0x20: the query name's letters get a random case and the answer must echo it exactly; the
//    engine's own case is written back into the accepted answer (qname_case.h). Servers seen not
//    to preserve case are asked without it (case_memory.h).
//  - Near misses (wrong ID or case from the server's address and port): past near-miss-limit, or
//    at once for a right ID in the wrong case, the UDP socket is closed (no forged datagram can
//    be accepted for the query any more) and the exchange ends with TransportError::Spoofed; the
//    engine asks the same server again over TCP.
//  - TCP: connect, 2-byte length framing (RFC 1035 §4.2.2), one query per connection, connect
//    and read bounded by the same deadline.
//  - Deadlines are uv timers. `done` is always called from the loop, never inside send().
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resolver/config/log.h"
#include "resolver/engine/world.h"
#include "resolver/net/case_memory.h"
#include "resolver/net/latency_histogram.h"
#include "resolver/net/system_clock.h"
#include "resolver/net/transport_config.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace tern::net {

// Written by the worker's loop thread only and copied there when the operator asks
// (server/backend_stats.h): plain counters, nothing shared with another thread.
struct TransportStats {
  uint64_t udp_sent = 0;
  uint64_t tcp_sent = 0;
  uint64_t accepted = 0;
  uint64_t dropped_wrong_source = 0;    // datagram from another address/port
  uint64_t dropped_wrong_id = 0;        // near miss
  uint64_t dropped_wrong_case = 0;      // near miss: right ID, 0x20 case not echoed
  uint64_t dropped_wrong_question = 0;  // also not-a-response and unparsable
  uint64_t near_miss_tcp_retries = 0;   // UDP exchanges ended Spoofed: TCP next
  uint64_t case_insensitive_servers = 0;  // servers learned not to preserve case
  uint64_t unwanted_reply_warnings = 0;   // unwanted-reply-threshold reached
  uint64_t port_bind_retries = 0;  // drawn source port was in use; drew again
  uint64_t timeouts = 0;
  uint64_t errors = 0;  // unreachable, connection failures, bad framing
};

class Exchange;
class TlsUpstream;

// A DNS-over-TLS server (a [[forward-zone]] with tls = true): the name its certificate must
// carry and the CA file to check it with ("" = the system store).
struct TlsPeer {
  engine::Address server;
  std::string name;
  std::string ca_file;
};

class UvTransport : public engine::Transport {
 public:
  // `log` (may be null) hears about sockets that cannot be opened, at most once per
  // log.warning-interval (Log::warn_limited).
  explicit UvTransport(uv_loop_t* loop, TransportConfig config = {}, config::Log* log = nullptr);
  // Closes every exchange in flight without calling its `done` (the engine goes first). The
  // loop must run once more for libuv to finish closing the handles.
  ~UvTransport() override;
  UvTransport(const UvTransport&) = delete;
  UvTransport& operator=(const UvTransport&) = delete;

  void send(const engine::Address& server, engine::Protocol protocol, std::vector<uint8_t> query,
            engine::MonoInstant deadline, engine::TransportDone done) override;

  // The servers asked over TLS (engine::Protocol::Tls). Connections to peers that stay are kept.
  void set_tls_peers(const std::vector<TlsPeer>& peers);

  const TransportStats& stats() const { return stats_; }
  // Round trips of accepted responses, send to answer (loop thread only).
  const RttHistogram& rtt() const { return rtt_; }
  RttHistogram& mutable_rtt() { return rtt_; }
  size_t in_flight() const { return active_.size(); }
  const CaseMemory& case_memory() const { return case_memory_; }

  // For the exchanges.
  uv_loop_t* loop() const { return loop_; }
  const TransportConfig& config() const { return config_; }
  TransportStats& mutable_stats() { return stats_; }
  CaseMemory& mutable_case_memory() { return case_memory_; }
  void adopt(Exchange* e) { active_.insert(e); }
  void forget(Exchange* e) { active_.erase(e); }
  // A dropped datagram of any kind; logs a warning every unwanted-reply-threshold of them.
  void count_unwanted();
  // A source port drawn uniformly from the configured range.
  uint16_t draw_port();
  // A configured outgoing address of the server's family (port 0), or nullptr: kernel's choice.
  const engine::Address* draw_outgoing(bool v6);
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
  config::WarningLimiter socket_warnings_;  // "cannot open a socket", for log_->warn_limited
  TransportConfig config_;
  SecureRandom random_;  // ports, outgoing addresses, 0x20 case bits
  CaseMemory case_memory_;
  std::unordered_set<Exchange*> active_;
  TransportStats stats_;
  RttHistogram rtt_;
  uint64_t unwanted_since_warning_ = 0;
  std::vector<uint8_t> udp_recv_buf_ = std::vector<uint8_t>(65536);
  // DNS over TLS: one connection per peer, one client context per CA file.
  std::vector<TlsPeer> tls_peers_;
  std::unordered_map<std::string, std::unique_ptr<TlsUpstream>> tls_upstreams_;  // by server + name
  std::unordered_map<std::string, SSL_CTX*> tls_contexts_;                       // by CA file
  TlsUpstream& tls_upstream(const engine::Address& server);
};

}  // namespace tern::net
