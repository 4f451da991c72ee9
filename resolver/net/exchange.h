// Exchange: one query to one server and the wait for its answer, UDP or TCP. Owns its uv handles;
// deletes itself when the last handle's close callback has run (STYLE.md §6).
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "resolver/engine/world.h"
#include "resolver/net/response_filter.h"
#include "resolver/net/tcp_frame_reader.h"

namespace tern::net {

class UvTransport;

class Exchange {
 public:
  Exchange(UvTransport& owner, engine::Address server, std::vector<uint8_t> query,
           QueryIdentity identity, engine::TransportDone done);
  virtual ~Exchange() = default;

  // Starts the exchange; `delay` is how long until the deadline. Failures are reported through
  // the timer (never synchronously).
  void start(std::chrono::milliseconds delay);
  // Closes everything without calling `done` (transport teardown).
  void abandon();
  // The question name as the engine wrote it, when 0x20 changed its case in `query`: written
  // back into the accepted answer. Empty: the query went out as the engine wrote it.
  void set_original_qname(std::vector<uint8_t> wire) { original_qname_ = std::move(wire); }

 protected:
  virtual bool start_io() = 0;     // false: failed at once (reported as `fail_error_`)
  virtual void close_io() = 0;     // uv_close the protocol's handles (each calls handle_closed)
  void finish(engine::TransportResult result);
  void handle_closed();
  static void on_handle_closed(uv_handle_t* h);
  // Checks a received message; true when it is the answer (and finishes the exchange).
  bool offer(std::span<const uint8_t> message, bool over_tcp);
  // A near miss (wrong ID, or right ID in the wrong case) for this query. UDP acts on it.
  virtual void on_near_miss(bool right_id) { (void)right_id; }
  // Finishes with `message`, the engine's question name case restored.
  void accept(std::span<const uint8_t> message);

  UvTransport& owner_;
  engine::Address server_;
  std::vector<uint8_t> query_;
  QueryIdentity identity_;
  engine::TransportDone done_;
  std::vector<uint8_t> original_qname_;
  uv_timer_t timer_{};
  int open_handles_ = 0;
  bool finished_ = false;
  engine::TransportError fail_error_ = engine::TransportError::Unreachable;
  bool failed_at_start_ = false;
  uint64_t started_ns_ = 0;  // uv_hrtime() when sent, for the round-trip histogram
};

// Fills a sockaddr for `a`; returns its length.
socklen_t to_sockaddr(const engine::Address& a, sockaddr_storage& out);
// True when `sa` is exactly `a` (family, address, port).
bool same_endpoint(const sockaddr* sa, const engine::Address& a);

class UdpExchange : public Exchange {
 public:
  using Exchange::Exchange;

 private:
  bool start_io() override;
  void close_io() override;
  bool bind_source();
  void on_near_miss(bool right_id) override;
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_recv(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                      unsigned flags);
  static void on_sent(uv_udp_send_t* req, int status);

  uv_udp_t udp_{};
  uv_udp_send_t send_req_{};
  bool udp_open_ = false;
  uint32_t near_misses_ = 0;
};

class TcpExchange : public Exchange {
 public:
  using Exchange::Exchange;

 private:
  bool start_io() override;
  void close_io() override;
  static void on_connect(uv_connect_t* req, int status);
  static void on_write(uv_write_t* req, int status);
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);

  uv_tcp_t tcp_{};
  uv_connect_t connect_req_{};
  uv_write_t write_req_{};
  std::vector<uint8_t> framed_;    // 2-byte length + query, owned until the write completes
  TcpFrameReader reader_;          // bytes read so far, framed
  std::vector<uint8_t> read_buf_;
  bool tcp_open_ = false;
};

}  // namespace tern::net
