// One UDP socket of one worker: batched receive (UV_UDP_RECVMMSG), batched send (sendmmsg on the
// socket's fd, flushed at the end of each receive batch and once per loop iteration).
#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/stats.h"

namespace tern::server {

class UdpListener : public std::enable_shared_from_this<UdpListener> {
 public:
  // Opens and binds a SO_REUSEPORT socket on `loop`; throws std::runtime_error naming the address.
  static std::shared_ptr<UdpListener> open(uv_loop_t* loop, const config::SocketAddress& addr,
                                           QueryPipeline& pipeline, Stats& stats);
  ~UdpListener();

  void start();
  void stop_reading();
  void close();
  void flush();  // sends every queued reply
  // Queues one reply to `to` (used by asynchronous completions).
  void queue(const config::SocketAddress& to, std::vector<uint8_t> data);

 private:
  UdpListener(QueryPipeline& pipeline, Stats& stats) : pipeline_(pipeline), stats_(stats) {}
  void on_datagram(std::span<const uint8_t> data, const sockaddr* from);
  std::vector<uint8_t>& next_slot(const sockaddr* to);

  struct Pending {
    config::SocketAddress to;
    std::vector<uint8_t> data;  // capacity kept across batches
  };
  static constexpr size_t kMaxBatch = 64;
  // recvmmsg splits the buffer into 64 KiB slots (UV__UDP_DGRAM_MAXSIZE), at most 20 per call.
  static constexpr size_t kRecvSlots = 20;
  static constexpr size_t kRecvBufferSize = kRecvSlots * 64 * 1024;

  QueryPipeline& pipeline_;
  Stats& stats_;
  uv_udp_t* handle_ = nullptr;  // freed by its close callback
  std::vector<char> recv_buffer_;
  std::vector<Pending> pending_;
  size_t pending_count_ = 0;
  std::vector<uint8_t> scratch_;
};

}  // namespace tern::server
