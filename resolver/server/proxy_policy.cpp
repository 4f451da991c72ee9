#include "resolver/server/proxy_policy.h"

namespace tern::server {

bool ProxyPolicy::from_balancer(const sockaddr* sender) const {
  auto a = config::address_of(sender);
  if (!a) return false;
  for (const auto& n : from_)
    if (n.contains(*a)) return true;
  return false;
}

ProxyAdmission ProxyPolicy::admit(std::span<const uint8_t> data, const sockaddr* sender,
                                  bool stream, Stats& stats) const {
  ProxyAdmission out;
  auto parsed = parse_proxy_header(data, maximum_size_);
  const bool incomplete = !parsed && parsed.error() == ProxyError::Incomplete;
  if (!from_balancer(sender)) {
    if (!parsed && parsed.error() == ProxyError::NotProxy) return out;  // Plain
    // The start of a signature from a TCP client: wait until it is a header or is not.
    if (stream && incomplete && data.size() < kProxySignature.size()) {
      out.verdict = ProxyVerdict::NeedMore;
      return out;
    }
    // Anyone else's header is dropped whatever its shape: only a listed balancer may speak for
    // a client.
    bump(stats.proxy_not_allowed);
    out.verdict = ProxyVerdict::Drop;
    return out;
  }
  if (stream && incomplete) {
    out.verdict = ProxyVerdict::NeedMore;
    return out;
  }
  if (!parsed) {
    bump(parsed.error() == ProxyError::NotProxy ? stats.proxy_missing : stats.proxy_malformed);
    out.verdict = ProxyVerdict::Drop;
    return out;
  }
  bump(stats.proxy_accepted);
  out.verdict = ProxyVerdict::Proxied;
  out.header_size = parsed->size;
  out.client = parsed->local ? config::SocketAddress::from_sockaddr(sender) : parsed->source;
  return out;
}

}  // namespace tern::server
