#include "resolver/server/query_check.h"

namespace tern::server {
namespace {

// The query is filled in place in `out` (no moves of ClientQuery: GCC 12 reports a false
// maybe-uninitialized on moving its optional<Edns> in Release builds).
Checked& reply(Checked& out, wire::Rcode rcode) {
  out.verdict = Verdict::Reply;
  out.rcode = rcode;
  return out;
}

}  // namespace

Checked check_query(std::span<const uint8_t> packet, bool allowed) {
  Checked out;
  auto header = wire::parse_header(packet);
  if (!header) {
    out.drop_reason = DropReason::ShortHeader;
    return out;
  }
  // Never answer a response: that is how reflection loops between two servers start.
  if (header->qr) {
    out.drop_reason = DropReason::IsResponse;
    return out;
  }
  ClientQuery& q = out.query;
  q.header = *header;

  auto msg = wire::MessageView::parse(packet);
  if (msg && msg->has_question()) {
    auto name = msg->qname().to_name();
    if (name) {
      q.has_question = true;
      q.qname = *name;
      q.qtype = msg->qtype();
      q.qclass = msg->qclass();
    }
  }
  if (msg) {
    if (auto e = msg->edns()) q.edns = ClientEdns{e->udp_size(), e->version(), e->do_bit()};
  }

  // A refused client learns nothing else about how we would have treated its message.
  if (!allowed) return reply(out, wire::Rcode::Refused);
  if (header->opcode != wire::Opcode::Query) return reply(out, wire::Rcode::NotImp);
  if (!msg) {
    q.has_question = false;
    q.edns.reset();
    return reply(out, wire::Rcode::FormErr);
  }
  if (header->qdcount != 1 || !q.has_question) {
    // RFC 9619: a QUERY carries exactly one question. Echo none of them.
    q.has_question = false;
    return reply(out, wire::Rcode::FormErr);
  }
  // RFC 6891 §6.1.3: an unknown EDNS version gets BADVERS (the answer says version 0).
  if (q.edns && q.edns->version > 0) return reply(out, wire::Rcode::BadVers);
  // A query with answers or authority records is not a plain query (no updates, no prereqs).
  if (header->ancount != 0 || header->nscount != 0) return reply(out, wire::Rcode::FormErr);
  switch (q.qtype) {
    case wire::RRType::AXFR:
    case wire::RRType::IXFR:
      return reply(out, wire::Rcode::Refused);  // a recursive resolver transfers nothing
    case wire::RRType::OPT:
      return reply(out, wire::Rcode::FormErr);  // a meta-type, never a question
    default:
      break;
  }
  uint16_t t = static_cast<uint16_t>(q.qtype);
  if (t == 253 || t == 254) return reply(out, wire::Rcode::NotImp);  // MAILB / MAILA
  if (q.qclass != wire::RRClass::IN) return reply(out, wire::Rcode::Refused);

  out.verdict = Verdict::Proceed;
  return out;
}

}  // namespace tern::server
