// Who may put a PROXY v2 header (proxy_header.h) in front of a query, and what becomes of one
// that has or lacks it: server.proxy-protocol-from names the balancers. As in PowerDNS Recursor
// (proxy-protocol-from):
//   - from a listed balancer, a valid header makes its source the client the ACL, the query log,
//     the counters and the per-client limits see (replies still go to the balancer); a LOCAL
//     header (a health check) leaves the balancer itself as the client;
//   - from a listed balancer, a message without a header is not accepted (dropped; over TCP the
//     connection is closed), and a malformed or oversized header the same;
//   - a header from anyone else is dropped.
// Each outcome is counted in Stats (proxy-*). Immutable: a reload builds a new one, like the Acl.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <vector>

#include "resolver/config/address.h"
#include "resolver/server/proxy_header.h"
#include "resolver/server/stats.h"

namespace tern::server {

enum class ProxyVerdict : uint8_t {
  Plain,     // no header and none expected: serve the message from its sender
  Proxied,   // skip `header_size` bytes; the client is `client`
  NeedMore,  // (stream only) a header has begun or is expected: wait for more bytes
  Drop,      // counted; drop the datagram or close the connection
};

struct ProxyAdmission {
  ProxyVerdict verdict = ProxyVerdict::Plain;
  size_t header_size = 0;
  config::SocketAddress client;  // Proxied: the inner source, or the sender for LOCAL
};

class ProxyPolicy {
 public:
  ProxyPolicy() = default;
  ProxyPolicy(std::vector<config::Network> from, size_t maximum_size)
      : from_(std::move(from)), maximum_size_(maximum_size) {}

  // False for nearly every datagram when no balancer is listed: then admit() has nothing to do
  // and the packet-cache hit path pays one byte compare. A DNS query never starts with the
  // signature's 0x0D 0x0A 0x0D 0x0A (ID 0x0D0A, then an IQUERY opcode with TC set).
  bool concerns(std::span<const uint8_t> data) const {
    return !from_.empty() || (!data.empty() && data[0] == kProxySignature[0]);
  }

  // Decides for one UDP datagram (stream = false) or for the first bytes of a TCP connection
  // (stream = true: an incomplete header waits for more) from `sender`, counting in `stats`.
  ProxyAdmission admit(std::span<const uint8_t> data, const sockaddr* sender, bool stream,
                       Stats& stats) const;

  bool from_balancer(const sockaddr* sender) const;

 private:
  std::vector<config::Network> from_;
  size_t maximum_size_ = kProxyProtocolMaximumSize;
};

}  // namespace tern::server
