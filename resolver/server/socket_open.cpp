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
  if (::bind(fd, addr.sa(), addr.length) != 0) fail("bind");
  return fd;
}

}  // namespace tern::server
