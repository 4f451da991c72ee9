// fuzz-libs: tern_resolver
// Property: parse_proxy_header never reads past its input and is consistent with itself: an
// accepted header lies inside the input and under the maximum, parses the same when cut to its own
// size, and any shorter cut of it is Incomplete; a PROXY header names an IPv4 or IPv6 client.
// ProxyPolicy::admit over the same bytes, from a listed balancer and from anyone else, over UDP
// and TCP, counts each datagram exactly once and never skips more bytes than it was given.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <sys/socket.h>

#include "resolver/server/proxy_header.h"
#include "resolver/server/proxy_policy.h"

using namespace tern;
using namespace tern::server;

namespace {

void check_header(std::span<const uint8_t> in, size_t maximum) {
  auto r = parse_proxy_header(in, maximum);
  if (!r) {
    // Incomplete means "a prefix of something that could still be a header".
    if (r.error() == ProxyError::Incomplete && in.size() >= maximum) std::abort();
    return;
  }
  const ProxyHeader& h = *r;
  if (h.size < kProxyFixedSize || h.size > in.size() || h.size > maximum) std::abort();
  if (!h.local && h.source.family() != AF_INET && h.source.family() != AF_INET6) std::abort();
  auto again = parse_proxy_header(in.first(h.size), maximum);
  if (!again || again->size != h.size || again->local != h.local) std::abort();
  for (size_t cut : {size_t(0), size_t(11), size_t(15), h.size - 1}) {
    if (cut >= h.size) continue;
    auto part = parse_proxy_header(in.first(cut), maximum);
    if (part || part.error() != ProxyError::Incomplete) std::abort();
  }
}

uint64_t total(const Stats& s) {
  return s.proxy_accepted + s.proxy_not_allowed + s.proxy_malformed + s.proxy_missing;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  check_header(in, kProxyProtocolMaximumSize);
  check_header(in, kProxyFixedSize + 0xFFFF);

  static const ProxyPolicy policy({*config::Network::parse("127.0.0.5/32")}, kProxyProtocolMaximumSize);
  static const auto balancer = *config::SocketAddress::parse("127.0.0.5:4000");
  static const auto other = *config::SocketAddress::parse("127.0.0.1:4000");
  for (const auto* sender : {&balancer, &other}) {
    for (bool stream : {false, true}) {
      Stats stats;
      ProxyAdmission a = policy.admit(in, sender->sa(), stream, stats);
      if (a.verdict == ProxyVerdict::Proxied && a.header_size > size) std::abort();
      if (!stream && a.verdict == ProxyVerdict::NeedMore) std::abort();
      // A datagram is counted once when it is a header or should have been; a plain one and a
      // stream still waiting are not counted.
      const bool counted = a.verdict == ProxyVerdict::Proxied || a.verdict == ProxyVerdict::Drop;
      if (total(stats) != (counted ? 1u : 0u)) std::abort();
    }
  }
  return 0;
}
