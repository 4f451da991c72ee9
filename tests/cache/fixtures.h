// Builders for cache tests: names, RRsets, SOA sets and hand-assembled DNS packets, so every test
// states its data in a line and the packet tests know exactly where each TTL sits.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cache/time.h"
#include "wire/name.h"
#include "wire/rr_type.h"
#include "wire/rrset.h"

namespace tern::cache::test {

inline wire::Name name(std::string_view text) { return wire::Name::from_text(text).value(); }

// A fixed, readable epoch: every test counts seconds from here.
inline Instant t0() { return Instant(std::chrono::seconds(1'700'000'000)); }
inline Instant at(double seconds) {
  return t0() + std::chrono::milliseconds(int64_t(seconds * 1000));
}

// The monotonic clock the server-state and failure caches take, counted the same way.
inline MonoInstant mono_at(double seconds) {
  return MonoInstant(std::chrono::seconds(5000)) + std::chrono::milliseconds(int64_t(seconds * 1000));
}

inline std::vector<uint8_t> ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

inline wire::RRset a_rrset(std::string_view owner, uint32_t ttl,
                           std::initializer_list<std::vector<uint8_t>> addrs) {
  wire::RRset s(name(owner), wire::RRType::A, wire::RRClass::IN, ttl);
  for (const auto& a : addrs) s.add(a);
  return s;
}

inline void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}
inline void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
inline void put_name(std::vector<uint8_t>& out, const wire::Name& n) {
  out.insert(out.end(), n.wire().begin(), n.wire().end());
}

inline std::vector<uint8_t> soa_rdata(std::string_view zone, uint32_t minimum) {
  std::vector<uint8_t> r;
  put_name(r, name(std::string("ns1.") + std::string(zone)));
  put_name(r, name(std::string("hostmaster.") + std::string(zone)));
  put32(r, 2024010101);
  put32(r, 7200);
  put32(r, 3600);
  put32(r, 1209600);
  put32(r, minimum);
  return r;
}

inline wire::RRset soa_rrset(std::string_view zone, uint32_t ttl, uint32_t minimum) {
  wire::RRset s(name(zone), wire::RRType::SOA, wire::RRClass::IN, ttl);
  s.add(soa_rdata(zone, minimum));
  return s;
}

// Packets, uncompressed. Flags: RD etc. given as raw header bytes 2 and 3.
struct Rr {
  std::string owner;
  uint16_t type;
  uint32_t ttl;
  std::vector<uint8_t> rdata;
};

struct QueryOpts {
  uint16_t id = 0x1234;
  bool rd = true;
  bool cd = false;
  bool edns = true;
  bool do_bit = false;
  uint16_t udp_size = 1232;
  std::vector<uint8_t> options;  // raw EDNS option bytes
};

// opts([](QueryOpts& o) { o.cd = true; }): one changed field, the rest default.
template <class F>
QueryOpts opts(F change) {
  QueryOpts o;
  change(o);
  return o;
}

inline void put_opt(std::vector<uint8_t>& p, uint16_t udp_size, bool do_bit,
                    const std::vector<uint8_t>& options) {
  p.push_back(0);
  put16(p, 41);
  put16(p, udp_size);
  put32(p, do_bit ? 0x8000u : 0u);
  put16(p, uint16_t(options.size()));
  p.insert(p.end(), options.begin(), options.end());
}

inline std::vector<uint8_t> query(std::string_view qname, uint16_t qtype, const QueryOpts& o = {}) {
  std::vector<uint8_t> p;
  put16(p, o.id);
  p.push_back(o.rd ? 0x01 : 0x00);
  p.push_back(o.cd ? 0x10 : 0x00);
  put16(p, 1);
  put16(p, 0);
  put16(p, 0);
  put16(p, o.edns ? 1 : 0);
  put_name(p, name(qname));
  put16(p, qtype);
  put16(p, 1);
  if (o.edns) put_opt(p, o.udp_size, o.do_bit, o.options);
  return p;
}

// A response to `q` (its header and question copied, QR RA set) with the given sections.
inline std::vector<uint8_t> response(const std::vector<uint8_t>& q, uint8_t rcode,
                                     const std::vector<Rr>& answer,
                                     const std::vector<Rr>& authority = {},
                                     bool edns = true) {
  // Question = bytes from 12 up to the end of the question (the fixture's queries have one).
  size_t qend = 12;
  while (q[qend] != 0) qend += size_t(q[qend]) + 1;
  qend += 5;
  std::vector<uint8_t> p(q.begin(), q.begin() + long(qend));
  p[2] = uint8_t(0x80 | (q[2] & 0x01));  // QR, RD copied
  p[3] = uint8_t(0x80 | (q[3] & 0x10) | rcode);  // RA, CD copied
  p[6] = 0;
  p[7] = uint8_t(answer.size());
  p[8] = 0;
  p[9] = uint8_t(authority.size());
  p[10] = 0;
  p[11] = edns ? 1 : 0;
  for (const auto* section : {&answer, &authority}) {
    for (const auto& rr : *section) {
      put_name(p, name(rr.owner));
      put16(p, rr.type);
      put16(p, 1);
      put32(p, rr.ttl);
      put16(p, uint16_t(rr.rdata.size()));
      p.insert(p.end(), rr.rdata.begin(), rr.rdata.end());
    }
  }
  if (edns) put_opt(p, 1232, false, {});
  return p;
}

inline uint32_t read32_at(const std::vector<uint8_t>& p, size_t off) {
  return uint32_t(p[off]) << 24 | uint32_t(p[off + 1]) << 16 | uint32_t(p[off + 2]) << 8 | p[off + 3];
}

}  // namespace tern::cache::test
