// PacketKey: what a query's bytes say about which cached response may answer it, read straight
// from the packet on the hit path (no MessageView, no allocation). Only plain queries are
// cacheable: QUERY opcode, one question with an uncompressed name, no answer/authority records,
// at most one OPT record (version 0, no EDNS Client Subnet option, no COOKIE of a length RFC 7873
// forbids) and nothing after it. Anything else returns nullopt and takes the full path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tern::cache {

// The flags that change an answer, packed into PacketKey::flags.
namespace packet_flag {
constexpr uint16_t kRd = 1 << 0;
constexpr uint16_t kCd = 1 << 1;
constexpr uint16_t kAd = 1 << 2;  // RFC 6840 §5.7: AD in a query asks for AD in the answer
constexpr uint16_t kDo = 1 << 3;
constexpr uint16_t kEdns = 1 << 4;
constexpr uint16_t kTcp = 1 << 5;
constexpr int kSizeClassShift = 6;  // 2 bits: EDNS UDP size class
}  // namespace packet_flag

// EDNS UDP payload size classes: a response built for a smaller buffer may be truncated, so it
// must not answer a client that announced a bigger one. 0: < 1232, 1: 1232..4095, 2: >= 4096.
constexpr uint16_t edns_size_class(uint16_t udp_size) {
  return udp_size < 1232 ? 0 : udp_size < 4096 ? 1 : 2;
}

struct PacketKey {
  uint16_t id = 0;
  uint16_t flags = 0;      // packet_flag bits
  uint16_t qname_end = 0;  // offset just past the question name (the name starts at 12)
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  std::span<const uint8_t> qname() const;  // valid while the packet is
  std::span<const uint8_t> packet;
};

// Parses the cacheable shape described above; `tcp` says which transport the query came over.
std::optional<PacketKey> packet_key(std::span<const uint8_t> query, bool tcp = false);

}  // namespace tern::cache
