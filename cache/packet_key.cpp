#include "cache/packet_key.h"

#include "wire/edns.h"

namespace tern::cache {
namespace {

constexpr size_t kHeader = 12;
constexpr uint16_t kTypeOpt = 41;
constexpr uint16_t kOptionEcs = 8;

uint16_t read16(std::span<const uint8_t> p, size_t off) {
  return uint16_t(uint16_t(p[off]) << 8 | p[off + 1]);
}

}  // namespace

std::span<const uint8_t> PacketKey::qname() const {
  return packet.subspan(kHeader, qname_end - kHeader);
}

std::optional<PacketKey> packet_key(std::span<const uint8_t> q, bool tcp) {
  if (q.size() < kHeader + 5 || q.size() > 65535) return std::nullopt;
  if ((q[2] & 0x80) != 0 || ((q[2] >> 3) & 0x0f) != 0) return std::nullopt;  // a response / not QUERY
  if (read16(q, 4) != 1 || read16(q, 6) != 0 || read16(q, 8) != 0) return std::nullopt;
  uint16_t arcount = read16(q, 10);
  if (arcount > 1) return std::nullopt;

  PacketKey key;
  key.packet = q;
  key.id = read16(q, 0);
  size_t off = kHeader;
  for (;;) {
    if (off >= q.size()) return std::nullopt;
    uint8_t len = q[off];
    if (len == 0) break;
    if (len > 63) return std::nullopt;  // compression or reserved label types: full path
    off += size_t(len) + 1;
    if (off - kHeader >= 255) return std::nullopt;
  }
  ++off;
  key.qname_end = uint16_t(off);
  if (off + 4 > q.size()) return std::nullopt;
  key.qtype = read16(q, off);
  key.qclass = read16(q, off + 2);
  off += 4;

  if (q[2] & 0x01) key.flags |= packet_flag::kRd;
  if (q[3] & 0x10) key.flags |= packet_flag::kCd;
  if (q[3] & 0x20) key.flags |= packet_flag::kAd;
  if (tcp) key.flags |= packet_flag::kTcp;

  if (arcount == 1) {
    // OPT: root owner, type 41, class = UDP size, TTL = ext-rcode / version / DO, RDATA options.
    if (off + 11 > q.size() || q[off] != 0 || read16(q, off + 1) != kTypeOpt) return std::nullopt;
    uint16_t udp_size = read16(q, off + 3);
    if (q[off + 6] != 0) return std::nullopt;  // EDNS version other than 0: BADVERS path
    bool do_bit = (q[off + 7] & 0x80) != 0;
    uint16_t rdlen = read16(q, off + 9);
    off += 11;
    if (off + rdlen != q.size()) return std::nullopt;
    for (size_t o = off; o < q.size();) {
      if (o + 4 > q.size()) return std::nullopt;
      uint16_t code = read16(q, o);
      uint16_t len = read16(q, o + 2);
      if (code == kOptionEcs) return std::nullopt;  // the answer depends on the client subnet
      // A malformed cookie gets FORMERR from the query checks, never a cached answer.
      if (code == wire::kEdnsCookie && !wire::cookie_length_ok(len)) return std::nullopt;
      o += 4 + size_t(len);
      if (o > q.size()) return std::nullopt;
    }
    off = q.size();
    key.flags |= packet_flag::kEdns;
    if (do_bit) key.flags |= packet_flag::kDo;
    key.flags |= uint16_t(edns_size_class(udp_size) << packet_flag::kSizeClassShift);
  }
  if (off != q.size()) return std::nullopt;
  return key;
}

}  // namespace tern::cache
