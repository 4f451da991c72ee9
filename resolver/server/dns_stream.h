// One client connection carrying DNS over a byte stream (RFC 7766; RFC 7858 over TLS): 2-byte
// framing (net/tcp_frame_reader.h), pipelined queries answered out of order as each finishes, the
// idle timeout (and, before a TLS handshake is done, the handshake timeout), the connection's
// share of the worker's write budget and the messages it may take per loop iteration. The same
// for every transport: the bytes come and go through a StreamTransport (stream_transport.h),
// plain TCP or TLS. Owned by its TcpServer's set until the transport and the timer are closed;
// asynchronous completions hold a weak_ptr.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "resolver/net/tcp_frame_reader.h"
#include "resolver/server/doh_session.h"
#include "resolver/server/stream_transport.h"
#include "resolver/server/tcp_server.h"

namespace tern::server {

class DnsStream : public std::enable_shared_from_this<DnsStream>, private StreamEvents {
 public:
  // `https`: the stream carries DNS over HTTPS (an HTTP/2 session, doh_session.h) instead of
  // 2-byte framing; the queries, the in-flight cap, the budgets and the timers are the same.
  DnsStream(TcpServer& server, std::unique_ptr<StreamTransport> transport, bool https = false);
  bool accept(uv_stream_t* listener);  // false: the connection is already closing
  void start();
  void stop_reading();
  void resume();  // takes up the frames held back when the loop iteration's budget ran out
  void close();
  bool busy() const {
    return inflight_ > 0 || write_bytes_ > 0 || (doh_ && doh_->open_streams() > 0);
  }
  int fileno() const { return transport_->fileno(); }
  StreamKind kind() const { return transport_->kind(); }

 private:
  // StreamEvents
  bool may_read() override;
  void on_stream_ready() override;
  void on_stream_data(std::span<const uint8_t> bytes) override;
  void on_stream_eof() override;
  void on_stream_error(StreamError kind) override;
  void on_stream_written(size_t held_bytes, bool ok) override;
  void on_stream_closed() override;

  void defer();  // waits for the next loop iteration: reads nothing until TcpServer resumes it
  void process();
  void send(std::vector<uint8_t> message);
  // Hands `a` then `b` to the transport, charged to the write budget; false: closing.
  bool write_out(std::span<const uint8_t> a, std::span<const uint8_t> b);
  // DNS over HTTPS: the next query waiting, the answer to one, and the session's bytes out.
  bool has_query() const { return doh_ ? !doh_queue_.empty() : frames_.has_message(); }
  void doh_answer(int32_t stream, std::span<const uint8_t> response);
  void doh_flush();
  void doh_report();
  void on_timer();
  void restart_timer();
  // The connection's first bytes against the PROXY policy; false: wait for more, or closing.
  bool take_proxy_header(std::span<const uint8_t> bytes);
  void update_reading();
  void maybe_finish_after_eof();
  void end_handshake();
  void on_handle_closed();
  size_t open_connections() const { return server_.lru_.size(); }

  TcpServer& server_;
  std::unique_ptr<StreamTransport> transport_;
  uv_timer_t timer_{};
  int open_handles_ = 0;
  std::shared_ptr<DnsStream> self_;  // keeps this alive until both close callbacks ran
  // The client the pipeline sees: the socket's peer, or the source in its PROXY v2 header.
  config::SocketAddress peer_;
  bool proxy_checked_ = false;     // the PROXY policy has ruled on the first bytes
  std::vector<uint8_t> proxy_in_;  // the first bytes, until the PROXY policy has ruled
  net::TcpFrameReader frames_;     // received bytes not yet handed to the pipeline
  std::vector<uint8_t> out_;       // scratch for immediate answers
  uint32_t inflight_ = 0;
  size_t write_bytes_ = 0;         // bytes the transport holds for us (not yet taken by the kernel)
  bool ready_ = false;             // the transport carries DNS (TLS: the handshake is done)
  bool handshaking_ = false;       // counted in the server's handshakes in progress
  bool reading_ = false;
  bool eof_ = false;
  bool closing_ = false;
  bool processing_ = false;
  bool stopped_ = false;           // the server is shutting down: read nothing more
  bool deferred_ = false;          // input left for the next loop iteration (TcpServer::defer)
  bool listed_ = false;            // in the server's LRU list at lru_pos_ (open, not closing)
  TcpServer::Lru::iterator lru_pos_;
  // DNS over HTTPS (https listeners): the session, made when TLS is up, replaces frames_.
  bool https_ = false;
  std::unique_ptr<DohSession> doh_;
  struct DohQuery {
    int32_t stream;
    std::vector<uint8_t> message;
  };
  std::deque<DohQuery> doh_queue_;  // complete requests not yet handed to the pipeline
  DohCounters doh_reported_;        // the session's counters already added to the Stats
  std::vector<uint8_t> doh_out_;    // scratch for the session's output
};

}  // namespace tern::server
