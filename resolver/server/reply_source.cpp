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

namespace {

// One control message carrying `info`, as the whole of `msg`'s control data.
template <class Info>
void put_control(msghdr& msg, uint8_t* buffer, int level, int type, const Info& info) {
  msg.msg_control = buffer;
  msg.msg_controllen = CMSG_SPACE(sizeof info);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(sizeof info);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
}

}  // namespace

void ReplySource::to_control(msghdr& msg, uint8_t* buffer) const {
  std::memset(buffer, 0, kControlSize);
  if (family == AF_INET) {
    // ipi_spec_dst chooses the source address; ifindex 0 lets the routing table pick the way out.
    in_pktinfo info{};
    info.ipi_spec_dst = v4;
    put_control(msg, buffer, IPPROTO_IP, IP_PKTINFO, info);
  } else if (family == AF_INET6) {
    // The interface as well: a link-local address means nothing without it.
    in6_pktinfo info{};
    info.ipi6_addr = v6;
    info.ipi6_ifindex = ifindex;
    put_control(msg, buffer, IPPROTO_IPV6, IPV6_PKTINFO, info);
  } else {
    msg.msg_control = nullptr;
    msg.msg_controllen = 0;
  }
}

}  // namespace tern::server
