#include "resolver/server/reply_source.h"

#include <cstring>

namespace tern::server {

ReplySource ReplySource::from_control(const msghdr& received) {
  ReplySource s;
  // CMSG_NXTHDR takes a non-const msghdr; the walk only reads.
  auto& m = const_cast<msghdr&>(received);
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      s.family = AF_INET;
      s.v4 = info.ipi_addr;  // the header's destination address: what the client asked
      s.ifindex = unsigned(info.ipi_ifindex);
      return s;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      s.family = AF_INET6;
      s.v6 = info.ipi6_addr;
      s.ifindex = info.ipi6_ifindex;
      return s;
    }
  }
  return s;
}

void ReplySource::to_control(msghdr& msg, uint8_t* buffer) const {
  if (family == 0) {
    msg.msg_control = nullptr;
    msg.msg_controllen = 0;
    return;
  }
  std::memset(buffer, 0, kControlSize);
  msg.msg_control = buffer;
  msg.msg_controllen = kControlSize;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (family == AF_INET) {
    // ipi_spec_dst chooses the source address; ifindex 0 lets the routing table pick the way out.
    in_pktinfo info{};
    info.ipi_spec_dst = v4;
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    msg.msg_controllen = CMSG_SPACE(sizeof info);
  } else {
    // The interface as well: a link-local address means nothing without it.
    in6_pktinfo info{};
    info.ipi6_addr = v6;
    info.ipi6_ifindex = ifindex;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    msg.msg_controllen = CMSG_SPACE(sizeof info);
  }
}

}  // namespace tern::server
