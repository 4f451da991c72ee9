#include "resolver/server/response.h"

#include <algorithm>
#include <limits>

#include "wire/message_builder.h"

namespace tern::server {

size_t udp_response_limit(const ClientQuery& q, uint16_t cap) {
  if (!q.edns) return 512;
  return std::clamp<size_t>(q.edns->udp_size, 512, std::max<size_t>(cap, 512));
}

std::vector<uint8_t> build_response(const ClientQuery& q, const Sections& s, size_t max_size,
                                    uint16_t our_udp_size, bool ede_text) {
  wire::MessageBuilder b(max_size);
  wire::Header h;
  h.id = q.header.id;
  h.qr = true;
  h.opcode = q.header.opcode;
  h.aa = s.authoritative;
  h.rd = q.header.rd;
  h.ra = true;
  h.cd = q.header.cd;
  // RFC 6840 §5.7 / RFC 4035 §3.2.3: AD only for secure data, and only to a client that showed it
  // understands it (DO or AD in the query).
  h.ad = s.secure && (q.dnssec_ok() || q.header.ad);
  uint16_t rcode = static_cast<uint16_t>(s.rcode);
  h.rcode = uint8_t(rcode & 0x0f);
  b.set_header(h);
  if (q.edns) {
    wire::Edns e;
    e.udp_size = our_udp_size;
    e.version = 0;
    e.ext_rcode_high = uint8_t(rcode >> 4);
    e.do_bit = q.edns->do_bit;  // RFC 3225 §3: copy DO into the response
    if (s.ede) e.options.push_back(ede_option(*s.ede, ede_text));  // RFC 8914
    b.set_edns(e);
  }
  if (q.has_question) b.add_question(q.qname, q.qtype, q.qclass);
  // Once an RRset does not fit, stop: the client retries over TCP for the whole answer. A DO
  // client gets each RRset's RRSIGs right after it (RFC 4035 §3.1.1).
  const bool dnssec_ok = q.dnssec_ok();
  auto add = [&](wire::Section section, const wire::RRset& rr) {
    if (b.add_rrset(section, rr) != wire::MessageBuilder::Added::Ok) return false;
    if (dnssec_ok && rr.rrsigs && !rr.rrsigs->empty()) {
      wire::RRset sigs = *rr.rrsigs;
      sigs.ttl = rr.ttl;
      if (b.add_rrset(section, sigs) != wire::MessageBuilder::Added::Ok) return false;
    }
    return true;
  };
  bool truncated = false;
  for (const auto& rr : s.answer) {
    if (!add(wire::Section::Answer, rr)) {
      truncated = true;
      break;
    }
  }
  if (!truncated) {
    for (const auto& rr : s.authority) {
      if (!dnssec_ok && (rr.type == wire::RRType::NSEC || rr.type == wire::RRType::NSEC3)) continue;
      if (!add(wire::Section::Authority, rr)) {
        truncated = true;
        break;
      }
    }
  }
  if (!truncated) {
    for (const auto& rr : s.additional) {
      if (b.add_rrset(wire::Section::Additional, rr) != wire::MessageBuilder::Added::Ok) break;
    }
  }
  if (truncated) b.set_tc();
  return b.finish();
}

std::vector<uint8_t> build_error(const ClientQuery& q, wire::Rcode rcode, size_t max_size,
                                 uint16_t our_udp_size) {
  Sections s;
  s.rcode = rcode;
  return build_response(q, s, max_size, our_udp_size);
}

uint32_t min_ttl(const Sections& s) {
  uint32_t m = std::numeric_limits<uint32_t>::max();
  for (const auto& rr : s.answer) m = std::min(m, rr.ttl);
  for (const auto& rr : s.authority) m = std::min(m, rr.ttl);
  return m == std::numeric_limits<uint32_t>::max() ? 0 : m;
}

}  // namespace tern::server
