// The address a datagram was sent to, for a UDP socket bound to a wildcard address (0.0.0.0 or
// ::): the reply must leave from that same address, or the client drops it as coming from a
// stranger. The kernel reports it per datagram (IP_PKTINFO / IPV6_RECVPKTINFO, set by
// open_reuseport_socket) and takes it back per reply as the source; a socket bound to one address
// needs none of this.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace tern::server {

struct ReplySource {
  int family = 0;  // AF_INET, AF_INET6, or 0: none (the socket's bound address is the source)
  unsigned ifindex = 0;
  in_addr v4{};
  in6_addr v6{};

  // Room for the one control message either way, in a recvmmsg/sendmmsg control buffer.
  static constexpr size_t kControlSize = CMSG_SPACE(sizeof(in6_pktinfo));

  // From a received message's control data; none when it carries no packet info.
  static ReplySource from_control(const msghdr& received);
  // Sets `msg`'s control data to this source, written into `buffer` (kControlSize bytes, aligned
  // for cmsghdr). Leaves `msg` without control data when there is no source.
  void to_control(msghdr& msg, uint8_t* buffer) const;
};

}  // namespace tern::server
