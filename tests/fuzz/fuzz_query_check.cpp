// fuzz-libs: tern_resolver
//
// Property: the front end's first look at a client message (resolver/server/query_check.h)
// never crashes, never answers a response or a packet shorter than a header, answers a refused
// client with REFUSED and nothing else, and lets through only a plain QUERY for one IN question
// whose name is the one the packet carries.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "resolver/server/query_check.h"
#include "wire/message_view.h"

using namespace tern;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool allowed = (data[0] & 1) == 0;
  std::span<const uint8_t> packet(data + 1, size - 1);
  auto c = server::check_query(packet, allowed);
  auto header = wire::parse_header(packet);
  if (!header || header->qr) {
    if (c.verdict != server::Verdict::Drop) std::abort();
    return 0;
  }
  if (c.verdict == server::Verdict::Drop) std::abort();
  if (!allowed && (c.verdict != server::Verdict::Reply || c.rcode != wire::Rcode::Refused))
    std::abort();
  if (c.verdict == server::Verdict::Reply && c.rcode == wire::Rcode::NoError) std::abort();
  if (c.verdict == server::Verdict::Proceed) {
    auto m = wire::MessageView::parse(packet);
    if (!m || m->header().qdcount != 1 || header->opcode != wire::Opcode::Query) std::abort();
    if (!c.query.has_question || !m->qname().equals(c.query.qname)) std::abort();
    if (c.query.qclass != wire::RRClass::IN || c.query.qtype != m->qtype()) std::abort();
  }
  return 0;
}
