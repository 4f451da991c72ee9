// What the upstream transport defends against forged answers with, and where its queries leave
// from. Every limit is a named constant here and a `[resolver]` key (docs/configuration.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "resolver/engine/world.h"

namespace tern::net {

// 0x20 (draft-vixie-dnsext-dns0x20): the case of every letter of an upstream UDP query name is
// drawn at random and the answer must echo it exactly. Unbound's use-caps-for-id (off there by
// default), Knot Resolver (on). On here.
inline constexpr bool kCaseRandomisation = true;
// A near miss is a datagram from the server's address and port for an outstanding query with the
// wrong ID or the wrong case. Past this many, no UDP answer is accepted for the query any more
// and it is asked again over TCP (PowerDNS spoof-nearmiss-max = 1). 0 turns the rule off.
inline constexpr uint32_t kNearMissLimit = 1;
// Unwanted replies (every dropped datagram: wrong source, ID, case or question) per worker before
// a warning is logged and the count starts again (Unbound unwanted-reply-threshold = 10 million).
// 0 turns the warning off.
inline constexpr uint64_t kUnwantedReplyThreshold = 10'000'000;
// Upstream UDP source ports are drawn uniformly from this range (16 bits less 1024) instead of
// the kernel's ephemeral range (32768-60999 on Linux: 14.8 bits).
inline constexpr uint16_t kOutgoingPortLow = 1024;
inline constexpr uint16_t kOutgoingPortHigh = 65535;
// Ports drawn before the transport gives up and lets the kernel choose (a port in use by another
// socket fails to bind; with 64K ports this almost never takes more than one try).
inline constexpr int kPortBindAttempts = 16;
// Servers remembered as not preserving the query name's case (per worker; the oldest is
// forgotten first and learned again when it next answers in the wrong case).
inline constexpr size_t kMaxCaseInsensitiveServers = 4096;

struct TransportConfig {
  bool case_randomisation = kCaseRandomisation;
  uint32_t near_miss_limit = kNearMissLimit;
  uint64_t unwanted_reply_threshold = kUnwantedReplyThreshold;
  uint16_t port_low = kOutgoingPortLow;
  uint16_t port_high = kOutgoingPortHigh;
  int port_bind_attempts = kPortBindAttempts;
  size_t case_memory_size = kMaxCaseInsensitiveServers;
  // Source addresses for upstream queries (port ignored); one is drawn per query among those of
  // the server's family. None of a family: the kernel chooses.
  std::vector<engine::Address> outgoing;
  // Called with a warning line (unwanted-reply threshold reached). May be empty.
  std::function<void(const std::string&)> warn;
};

}  // namespace tern::net
