// tern_echo — a UDP "DNS server" that answers each query with the query itself, QR set.
//
// It is the ceiling the benchmark compares ternd with: the kernel's UDP path plus the batched
// receive/send a resolver front end uses (recvmmsg/sendmmsg, one SO_REUSEPORT socket per worker
// thread), and nothing else. Whatever QPS a load generator gets from this server on one core is
// the most any resolver can get on that core with that load generator.
//
//   tern_echo --listen 127.0.0.1:5300 [--threads N] [--max-seconds S] [--libuv]
//
// --libuv serves through a libuv loop the way ternd's front end does (echo_libuv.h); without it,
// each thread calls recvmmsg/sendmmsg directly: the kernel's ceiling.
//
// Stops on SIGTERM/SIGINT, or by itself after --max-seconds (default 900) so a forgotten
// benchmark never keeps a core busy.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "echo_libuv.h"

namespace {

constexpr int kBatch = 64;          // datagrams per recvmmsg/sendmmsg call
constexpr int kMaxDatagram = 4096;  // larger queries are not DNS benchmark traffic
constexpr int kDnsHeader = 12;

struct Options {
  sockaddr_in listen{};
  int threads = 1;
  int max_seconds = 900;
  bool libuv = false;
};

bool parse_int(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

bool parse_listen(std::string_view text, sockaddr_in& out) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string host(text.substr(0, colon));
  int port = 0;
  if (!parse_int(text.substr(colon + 1), port) || port > 65535) return false;
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "tern_echo: %s\nusage: tern_echo --listen ADDR:PORT [--threads N] [--max-seconds S] [--libuv]\n", why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool have_listen = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--libuv") {
      options.libuv = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    std::string_view value = argv[++i];
    if (arg == "--listen") {
      if (!parse_listen(value, options.listen)) usage("bad --listen (IPv4 ADDR:PORT)");
      have_listen = true;
    } else if (arg == "--threads") {
      if (!parse_int(value, options.threads) || options.threads > 256) usage("bad --threads");
    } else if (arg == "--max-seconds") {
      if (!parse_int(value, options.max_seconds)) usage("bad --max-seconds");
    } else {
      usage("unknown option");
    }
  }
  if (!have_listen) usage("--listen is required");
  return options;
}

// One socket per thread, all bound to the same address with SO_REUSEPORT, as a multi-threaded
// resolver front end does. A receive timeout lets the worker notice the stop flag.
int open_socket(const sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  int buffer = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  timeval timeout{0, 100'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

struct Batch {
  std::vector<uint8_t> buffers = std::vector<uint8_t>(size_t{kBatch} * kMaxDatagram);
  iovec iov[kBatch]{};
  sockaddr_in peers[kBatch]{};
  mmsghdr in[kBatch]{};
  mmsghdr out[kBatch]{};

  void reset() {
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = {buffers.data() + static_cast<size_t>(i) * kMaxDatagram, kMaxDatagram};
      in[i].msg_hdr = msghdr{};
      in[i].msg_hdr.msg_name = &peers[i];
      in[i].msg_hdr.msg_namelen = sizeof peers[i];
      in[i].msg_hdr.msg_iov = &iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
  }
};

void serve(int fd, const std::atomic<bool>& stop) {
  Batch batch;
  while (!stop.load(std::memory_order_relaxed)) {
    batch.reset();
    // MSG_WAITFORONE: block for the first datagram, then take whatever else is queued.
    int received = recvmmsg(fd, batch.in, kBatch, MSG_WAITFORONE, nullptr);
    if (received <= 0) continue;  // timeout (stop check) or EINTR
    int replies = 0;
    for (int i = 0; i < received; ++i) {
      auto* packet = static_cast<uint8_t*>(batch.iov[i].iov_base);
      unsigned length = batch.in[i].msg_len;
      if (length < kDnsHeader || (packet[2] & 0x80) != 0) continue;  // not a query: drop
      packet[2] |= 0x80;                                                 // QR: this is a response
      mmsghdr& reply = batch.out[replies++];
      reply.msg_hdr = msghdr{};
      reply.msg_hdr.msg_name = &batch.peers[i];
      reply.msg_hdr.msg_namelen = batch.in[i].msg_hdr.msg_namelen;
      batch.iov[i].iov_len = length;
      reply.msg_hdr.msg_iov = &batch.iov[i];
      reply.msg_hdr.msg_iovlen = 1;
    }
    for (int sent = 0; sent < replies;) {
      int n = sendmmsg(fd, batch.out + sent, static_cast<unsigned>(replies - sent), 0);
      if (n <= 0) break;  // a full send buffer drops the rest, as a real server would
      sent += n;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);

  // Signals are taken synchronously by the main thread; workers never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<int> sockets;
  for (int i = 0; i < options.threads; ++i) {
    int fd = open_socket(options.listen);
    if (fd < 0) {
      std::fprintf(stderr, "tern_echo: cannot bind: %s\n", std::strerror(errno));
      return 1;
    }
    sockets.push_back(fd);
  }

  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int fd : sockets) {
    if (options.libuv) {
      workers.emplace_back([fd, &stop] {
        if (int rc = tern::bench::serve_with_libuv(fd, stop); rc != 0)
          std::fprintf(stderr, "tern_echo: libuv: %s\n", uv_strerror(rc));
      });
    } else {
      workers.emplace_back(serve, fd, std::cref(stop));
    }
  }
  std::fprintf(stderr, "tern_echo: serving with %d thread(s)%s\n", options.threads,
               options.libuv ? " through libuv" : "");

  timespec limit{options.max_seconds, 0};
  int signal = sigtimedwait(&signals, nullptr, &limit);
  if (signal < 0) std::fprintf(stderr, "tern_echo: --max-seconds reached, stopping\n");
  stop.store(true);
  for (auto& worker : workers) worker.join();
  if (!options.libuv) {
    for (int fd : sockets) close(fd);  // libuv closed its own with the handle
  }
  return 0;
}
