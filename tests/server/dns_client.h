// Blocking DNS clients for socket tests (UDP and TCP), every call bounded by a timeout.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern::test {

inline sockaddr_in v4(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

inline bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

class UdpClient {
 public:
  explicit UdpClient(const std::string& bind_ip = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in b = v4(bind_ip, 0);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&b), sizeof b);
  }
  ~UdpClient() { ::close(fd_); }
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  void send(const std::string& ip, uint16_t port, const std::vector<uint8_t>& msg) {
    sockaddr_in to = v4(ip, port);
    ::sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  std::optional<std::vector<uint8_t>> receive(int timeout_ms) {
    if (!wait_readable(fd_, timeout_ms)) return std::nullopt;
    std::vector<uint8_t> buf(65535);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(size_t(n));
    return buf;
  }
  std::optional<std::vector<uint8_t>> exchange(const std::string& ip, uint16_t port,
                                               const std::vector<uint8_t>& msg, int timeout_ms = 2000) {
    send(ip, port, msg);
    return receive(timeout_ms);
  }

 private:
  int fd_;
};

class TcpClient {
 public:
  TcpClient(const std::string& ip, uint16_t port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in to = v4(ip, port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~TcpClient() { ::close(fd_); }
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  bool send_raw(const std::vector<uint8_t>& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  bool send_frame(const std::vector<uint8_t>& msg) {
    std::vector<uint8_t> f{uint8_t(msg.size() >> 8), uint8_t(msg.size())};
    f.insert(f.end(), msg.begin(), msg.end());
    return send_raw(f);
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // The next framed message, or nullopt on timeout / close.
  std::optional<std::vector<uint8_t>> read_frame(int timeout_ms = 2000) {
    uint8_t len[2];
    if (!read_exact(len, 2, timeout_ms)) return std::nullopt;
    std::vector<uint8_t> msg(size_t(len[0]) << 8 | len[1]);
    if (!read_exact(msg.data(), msg.size(), timeout_ms)) return std::nullopt;
    return msg;
  }
  // True when the server closed the connection within the timeout (data before the close is
  // discarded).
  bool closed_by_peer(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    uint8_t buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(
                         deadline - std::chrono::steady_clock::now()).count());
      if (!wait_readable(fd_, std::max(left, 1))) continue;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  bool read_exact(uint8_t* p, size_t n, int timeout_ms) {
    size_t got = 0;
    while (got < n) {
      if (!wait_readable(fd_, timeout_ms)) return false;
      ssize_t r = ::recv(fd_, p + got, n - got, 0);
      if (r <= 0) return false;
      got += size_t(r);
    }
    return true;
  }
  int fd_;
  bool connected_ = false;
};

}  // namespace tern::test
