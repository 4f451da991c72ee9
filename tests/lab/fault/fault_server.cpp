#include "fault_server.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>

#include "fault_responder.h"

namespace tern::lab {
namespace {

constexpr size_t kMaxTcpConnections = 64;
constexpr int kTcpReadTimeoutMs = 1000;

sockaddr_in sockaddr_for(const Ipv4& ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  std::memcpy(&sa.sin_addr, ip.data(), 4);
  return sa;
}

// A bound socket or -1 with errno set.
int bound_socket(int type, const Ipv4& ip, uint16_t port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa = sockaddr_for(ip, port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      (type == SOCK_STREAM && listen(fd, 16) != 0)) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

bool read_exact(int fd, uint8_t* out, size_t n) {
  while (n > 0) {
    ssize_t got = recv(fd, out, n, 0);
    if (got <= 0) return false;
    out += got;
    n -= size_t(got);
  }
  return true;
}

}  // namespace

FaultServer::FaultServer(std::vector<FaultSpec> specs) : specs_(std::move(specs)) {}

FaultServer::~FaultServer() {
  for (const auto& s : sockets_) close(s.fd);
}

std::string FaultServer::open() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) return std::string("signalfd: ") + std::strerror(errno);
  sockets_.push_back({sfd, Kind::Signal, 0});
  for (size_t i = 0; i < specs_.size(); ++i) {
    const auto& spec = specs_[i];
    struct Want {
      int type;
      uint16_t port;
      Kind kind;
    };
    std::vector<Want> wants = {{SOCK_DGRAM, 53, Kind::Udp}, {SOCK_STREAM, 53, Kind::TcpListen}};
    if (spec.other_port) wants.push_back({SOCK_DGRAM, spec.other_port, Kind::UdpOther});
    for (const auto& w : wants) {
      int fd = bound_socket(w.type, spec.address, w.port);
      if (fd < 0) {
        return spec.address_text + ":" + std::to_string(w.port) +
               (w.type == SOCK_DGRAM ? "/udp: " : "/tcp: ") + std::strerror(errno);
      }
      sockets_.push_back({fd, w.kind, i});
    }
  }
  return {};
}

int FaultServer::other_port_fd(size_t spec) const {
  for (const auto& s : sockets_)
    if (s.kind == Kind::UdpOther && s.spec == spec) return s.fd;
  return -1;
}

int FaultServer::poll_timeout_ms() const {
  if (pending_.empty()) return -1;
  auto next = std::min_element(pending_.begin(), pending_.end(),
                               [](const Pending& a, const Pending& b) { return a.due < b.due; });
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next->due - std::chrono::steady_clock::now());
  return int(std::max<int64_t>(0, ms.count() + 1));
}

void FaultServer::send_due() {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(pending_, [&](const Pending& p) {
    if (p.due > now) return false;
    sendto(p.fd, p.bytes.data(), p.bytes.size(), 0, reinterpret_cast<const sockaddr*>(&p.to), sizeof p.to);
    return true;
  });
}

void FaultServer::on_udp(const Socket& s) {
  uint8_t buf[65535];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  ssize_t n = recvfrom(s.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
  if (n <= 0 || s.kind != Kind::Udp) return;  // the other-port socket only sends
  auto now = std::chrono::steady_clock::now();
  for (auto& r : respond(specs_[s.spec], {buf, size_t(n)}, Via::Udp)) {
    int fd = r.from_other_port ? other_port_fd(s.spec) : s.fd;
    if (fd < 0) continue;
    pending_.push_back({now + std::chrono::milliseconds(r.delay_ms), fd, from, std::move(r.bytes)});
  }
  send_due();
}

void FaultServer::on_accept(const Socket& s) {
  int fd = accept4(s.fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  size_t open_conns = std::count_if(sockets_.begin(), sockets_.end(),
                                    [](const Socket& x) { return x.kind == Kind::TcpConn; });
  if (open_conns >= kMaxTcpConnections) {
    close(fd);
    return;
  }
  timeval tv{kTcpReadTimeoutMs / 1000, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockets_.push_back({fd, Kind::TcpConn, s.spec});
}

bool FaultServer::on_tcp(const Socket& s) {
  uint8_t head[2];
  if (!read_exact(s.fd, head, 2)) return false;
  std::vector<uint8_t> query(size_t(head[0]) << 8 | head[1]);
  if (!read_exact(s.fd, query.data(), query.size())) return false;
  // Over TCP there is no other source port to forge from; delays are not played either.
  for (auto& r : respond(specs_[s.spec], query, Via::Tcp)) {
    if (r.from_other_port) continue;
    std::vector<uint8_t> framed = {uint8_t(r.bytes.size() >> 8), uint8_t(r.bytes.size())};
    framed.insert(framed.end(), r.bytes.begin(), r.bytes.end());
    if (send(s.fd, framed.data(), framed.size(), MSG_NOSIGNAL) != ssize_t(framed.size())) return false;
  }
  return true;
}

void FaultServer::run() {
  for (;;) {
    std::vector<pollfd> fds;
    for (const auto& s : sockets_) fds.push_back({s.fd, POLLIN, 0});
    int ready = poll(fds.data(), fds.size(), poll_timeout_ms());
    if (ready < 0 && errno != EINTR) return;
    send_due();
    std::vector<int> closing;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const Socket s = sockets_[i];
      switch (s.kind) {
        case Kind::Signal:
          return;
        case Kind::Udp:
        case Kind::UdpOther:
          on_udp(s);
          break;
        case Kind::TcpListen:
          on_accept(s);
          break;
        case Kind::TcpConn:
          if (!on_tcp(s)) closing.push_back(s.fd);
          break;
      }
    }
    for (int fd : closing) {
      close(fd);
      std::erase_if(sockets_, [fd](const Socket& s) { return s.fd == fd; });
    }
  }
}

}  // namespace tern::lab
