#include "echo_libuv.h"

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace tern::bench {
namespace {

constexpr size_t kMaxBatch = 64;
constexpr size_t kRecvSlots = 20;  // libuv takes 64 KiB per datagram slot, at most 20 per call
constexpr size_t kSlot = 64 * 1024;
constexpr size_t kMaxDatagram = 4096;

struct Echo {
  uv_udp_t handle{};
  uv_timer_t stop_check{};
  const std::atomic<bool>* stop = nullptr;
  std::vector<char> recv_buffer = std::vector<char>(kRecvSlots * kSlot);
  std::vector<uint8_t> replies = std::vector<uint8_t>(kMaxBatch * kMaxDatagram);
  sockaddr_storage peers[kMaxBatch]{};
  iovec iov[kMaxBatch]{};
  mmsghdr out[kMaxBatch]{};
  size_t pending = 0;

  void flush() {
    int fd = -1;
    uv_fileno(reinterpret_cast<uv_handle_t*>(&handle), &fd);
    for (size_t sent = 0; sent < pending;) {
      int n = sendmmsg(fd, out + sent, static_cast<unsigned>(pending - sent), 0);
      if (n <= 0) break;  // a full send buffer drops the rest, as ternd's front end does
      sent += static_cast<size_t>(n);
    }
    pending = 0;
  }

  void queue(const char* data, size_t length, const sockaddr* from) {
    if (length < 12 || length > kMaxDatagram || (data[2] & 0x80) != 0) return;
    if (pending == kMaxBatch) flush();
    uint8_t* reply = replies.data() + pending * kMaxDatagram;
    std::memcpy(reply, data, length);
    reply[2] |= 0x80;
    std::memcpy(&peers[pending], from, sizeof(sockaddr_in));
    iov[pending] = {reply, length};
    out[pending].msg_hdr = msghdr{};
    out[pending].msg_hdr.msg_name = &peers[pending];
    out[pending].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    out[pending].msg_hdr.msg_iov = &iov[pending];
    out[pending].msg_hdr.msg_iovlen = 1;
    ++pending;
  }
};

}  // namespace

int serve_with_libuv(int fd, const std::atomic<bool>& stop) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  Echo echo;
  echo.stop = &stop;
  // AF_UNSPEC: with a family, libuv opens a socket of its own and uv_udp_open then fails (EBUSY).
  int rc = uv_udp_init_ex(&loop, &echo.handle, AF_UNSPEC | UV_UDP_RECVMMSG);
  if (rc == 0) rc = uv_udp_open(&echo.handle, fd);
  if (rc != 0) return rc;
  echo.handle.data = &echo;
  uv_udp_recv_start(
      &echo.handle,
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* self = static_cast<Echo*>(h->data);
        *buf = uv_buf_init(self->recv_buffer.data(), static_cast<unsigned>(self->recv_buffer.size()));
      },
      [](uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr, unsigned flags) {
        auto* self = static_cast<Echo*>(h->data);
        if (nread > 0 && addr) self->queue(buf->base, static_cast<size_t>(nread), addr);
        if (!(flags & UV_UDP_MMSG_CHUNK)) self->flush();  // the batch is over
      });
  // The stop flag is polled: the loop has no other reason to wake when idle.
  uv_timer_init(&loop, &echo.stop_check);
  echo.stop_check.data = &echo;
  uv_timer_start(
      &echo.stop_check,
      [](uv_timer_t* t) {
        auto* self = static_cast<Echo*>(t->data);
        if (self->stop->load()) uv_stop(t->loop);
      },
      100, 100);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&echo.handle), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&echo.stop_check), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);  // runs the close callbacks
  uv_loop_close(&loop);
  return 0;
}

}  // namespace tern::bench
