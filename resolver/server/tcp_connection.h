// One client TCP connection (RFC 7766). Owned by its TcpServer's set until both of its handles
// (socket and idle timer) are closed; asynchronous completions hold a weak_ptr.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "resolver/server/tcp_server.h"

namespace tern::server {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(TcpServer& server);
  bool accept(uv_stream_t* listener);  // false: the connection is already closing
  void start();
  void stop_reading();
  void resume();  // takes up the frames held back when the loop iteration's budget ran out
  void close();
  bool busy() const { return inflight_ > 0 || write_bytes_ > 0; }
  int fileno() const;  // the accepted socket's descriptor, -1 when there is none

 private:
  void on_read(ssize_t nread, const uv_buf_t* buf);
  void defer();  // waits for the next loop iteration: reads nothing until TcpServer resumes it
  void process();
  void send(std::vector<uint8_t> message);
  void flush_queued();  // hands queued_ to one uv_write
  void on_write_done(size_t bytes, int status);
  void on_idle();
  void restart_idle_timer();
  // The connection's first bytes against the PROXY policy; false: wait for more, or closing.
  bool take_proxy_header();
  void update_reading();
  void maybe_finish_after_eof();
  void on_handle_closed();
  size_t open_connections() const { return server_.lru_.size(); }

  TcpServer& server_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  int open_handles_ = 0;
  std::shared_ptr<TcpConnection> self_;  // keeps this alive until both close callbacks ran
  // The client the pipeline sees: the socket's peer, or the source in its PROXY v2 header.
  config::SocketAddress peer_;
  bool proxy_checked_ = false;     // the PROXY policy has ruled on the first bytes
  std::vector<uint8_t> in_;        // received bytes not yet framed
  std::vector<uint8_t> out_;       // scratch for immediate answers
  uint32_t inflight_ = 0;
  size_t write_bytes_ = 0;         // bytes not yet taken by the kernel: in the write + queued_
  std::vector<uint8_t> queued_;    // framed answers waiting for the write in flight to finish
  bool writing_ = false;           // a uv_write is in flight
  bool reading_ = false;
  bool eof_ = false;
  bool closing_ = false;
  bool processing_ = false;
  bool stopped_ = false;           // the server is shutting down: read nothing more
  bool deferred_ = false;          // input left for the next loop iteration (TcpServer::defer)
  bool listed_ = false;            // in the server's LRU list at lru_pos_ (open, not closing)
  TcpServer::Lru::iterator lru_pos_;
};

}  // namespace tern::server
