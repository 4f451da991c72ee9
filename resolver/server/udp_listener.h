// One UDP socket of one worker. libuv only says when the socket is readable (uv_poll); the
// listener drains it with recvmmsg, 32 datagrams a call, and answers each batch with one sendmmsg
// (flushed at the end of each receive batch and once per loop iteration for replies that
// complete later). Why not uv_udp with UV_UDP_RECVMMSG: libuv reads at most 20 datagrams a call
// into 64 KiB slots and runs a callback per datagram; the bench's libuv echo server paid ~0.2 us
// more CPU per query than the same echo on raw recvmmsg/sendmmsg (docs/benchmarks.md).
#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/server/query_pipeline.h"
#include "resolver/server/reply_source.h"
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
  // Queues one reply to `to`, from `source` (used by asynchronous completions).
  void queue(const config::SocketAddress& to, const ReplySource& source, std::vector<uint8_t> data);

 private:
  UdpListener(QueryPipeline& pipeline, Stats& stats) : pipeline_(pipeline), stats_(stats) {}
  void on_readable();
  void on_datagram(std::span<const uint8_t> data, const sockaddr* from, const ReplySource& source);
  // Hands one DNS message to the pipeline as coming from `client`, answering to `from`.
  void serve(std::span<const uint8_t> data, const sockaddr* from, const sockaddr* client,
             const ReplySource& source);
  std::vector<uint8_t>& next_slot(const sockaddr* to, const ReplySource& source);

  struct Pending {
    config::SocketAddress to;
    ReplySource source;         // set only on a wildcard socket
    std::vector<uint8_t> data;  // capacity kept across batches
  };
  // Datagrams per recvmmsg and per sendmmsg. 32 beat both 20 (libuv's) and 64 with dnsperf and
  // tern_loadgen alike: a bigger batch holds every reply of the batch back longer, so a client
  // with a bounded number of queries in flight idles.
  static constexpr size_t kMaxBatch = 32;
  // A receive slot. A DNS query over UDP is a question and an OPT record: a few hundred octets
  // even with padding or cookies. A bigger datagram arrives cut (MSG_TRUNC) and is dropped and
  // counted as unparseable rather than answered from a partial message.
  static constexpr size_t kSlotSize = 4096;
  // recvmmsg calls per readable event before going back to the loop, so TCP clients and timers
  // on the same loop are not starved by a flood of datagrams.
  static constexpr int kMaxReadsPerEvent = 16;

  QueryPipeline& pipeline_;
  Stats& stats_;
  int fd_ = -1;                   // ours: closed by close()
  bool wildcard_ = false;         // bound to 0.0.0.0 or ::: replies name their source
  uv_poll_t* poll_ = nullptr;     // freed by its close callback
  std::vector<uint8_t> recv_buffer_;  // kMaxBatch slots of kSlotSize
  std::vector<Pending> pending_;
  size_t pending_count_ = 0;
  std::vector<uint8_t> scratch_;
};

}  // namespace tern::server
