#include "resolver/server/socket_open.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tern::server {

int open_reuseport_socket(const config::SocketAddress& addr, int type) {
  int fd = ::socket(addr.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  auto fail = [&](const char* what) {
    std::string msg = std::string(what) + " " + addr.to_string() + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(msg);
  };
  if (fd < 0) fail("socket");
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) fail("SO_REUSEADDR");
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) fail("SO_REUSEPORT");
  if (addr.family() == AF_INET6 && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
    fail("IPV6_V6ONLY");
  if (type == SOCK_DGRAM) {
    // The default buffers (about 200 KiB, a few hundred small datagrams) overflow whenever the
    // worker loses its CPU for one scheduler slice (about 4 ms) at 100k+ queries/s, and every
    // datagram dropped then costs a client a retry timeout. Ask for 4 MiB each, as the echo
    // ceiling in bench/echo does; the kernel caps the request at net.core.[rw]mem_max, so a
    // smaller result is not an error.
    int buffer = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  }
  if (type == SOCK_DGRAM && is_wildcard(addr)) {
    // Bound to every address, the socket must learn which one each query was sent to, so the
    // reply can leave from it (reply_source.h).
    bool v4 = addr.family() == AF_INET;
    if (::setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_PKTINFO : IPV6_RECVPKTINFO, &one,
                     sizeof one) != 0)
      fail(v4 ? "IP_PKTINFO" : "IPV6_RECVPKTINFO");
  }
  if (::bind(fd, addr.sa(), addr.length) != 0) fail("bind");
  return fd;
}

void refuse_if_served(const config::SocketAddress& addr, bool udp) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    if (type == SOCK_DGRAM && !udp) continue;
    int fd = ::socket(addr.family(), type | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;  // the real open reports it
    int one = 1;
    // TCP: SO_REUSEADDR so connections of an earlier run still in TIME_WAIT do not count; a
    // listening socket still conflicts. No SO_REUSEPORT: that is what would let this bind join
    // another process's group instead of failing.
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (addr.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int rc = ::bind(fd, addr.sa(), addr.length);
    int err = errno;
    ::close(fd);
    if (rc != 0 && err == EADDRINUSE) {
      throw std::runtime_error(addr.to_string() + (type == SOCK_DGRAM ? " (UDP)" : " (TCP)") +
                               " is already in use by another process (another ternd?); refusing "
                               "to start, so the two do not split the queries between them");
    }
  }
}

bool is_wildcard(const config::SocketAddress& addr) {
  if (addr.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&addr.storage)->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  if (addr.family() == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6*>(&addr.storage)->sin6_addr;
    return IN6_IS_ADDR_UNSPECIFIED(&a);
  }
  return false;
}

}  // namespace tern::server
