#include "resolver/server/any_answer.h"

#include <algorithm>
#include <limits>

namespace tern::server {

void shorten_any_answer(const ClientQuery& q, Sections& s) {
  if (q.qtype != wire::RRType::ANY || s.rcode != wire::Rcode::NoError || s.answer.empty()) return;
  uint32_t ttl = std::numeric_limits<uint32_t>::max();
  for (const auto& rr : s.answer) {
    // A chain is the answer to ANY at an alias (RFC 1034 §3.6.2): the client follows it.
    if (rr.type == wire::RRType::CNAME || rr.type == wire::RRType::DNAME) return;
    ttl = std::min(ttl, rr.ttl);
  }
  // RFC 8482 §4.2: CPU "RFC8482", OS empty.
  static constexpr uint8_t kHinfo[] = {7, 'R', 'F', 'C', '8', '4', '8', '2', 0};
  wire::RRset hinfo(q.qname, wire::RRType::HINFO, q.qclass, ttl);
  hinfo.add(kHinfo);
  s.answer.clear();
  s.answer.push_back(std::move(hinfo));
  s.authority.clear();
  s.additional.clear();
}

}  // namespace tern::server
