#include "resolver/server/query_check.h"

namespace tern::server {
namespace {

Checked reply(ClientQuery q, wire::Rcode rcode) {
  Checked c;
  c.verdict = Verdict::Reply;
  c.rcode = rcode;
  c.query = std::move(q);
  return c;
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
  ClientQuery q;
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
    if (auto e = msg->edns()) q.edns = e->to_edns();
  }

  // A refused client learns nothing else about how we would have treated its message.
  if (!allowed) return reply(std::move(q), wire::Rcode::Refused);
  if (header->opcode != wire::Opcode::Query) return reply(std::move(q), wire::Rcode::NotImp);
  if (!msg) {
    q.has_question = false;
    q.edns.reset();
    return reply(std::move(q), wire::Rcode::FormErr);
  }
  if (header->qdcount != 1 || !q.has_question) {
    // RFC 9619: a QUERY carries exactly one question. Echo none of them.
    q.has_question = false;
    return reply(std::move(q), wire::Rcode::FormErr);
  }
  // RFC 6891 §6.1.3: an unknown EDNS version gets BADVERS (the answer says version 0).
  if (q.edns && q.edns->version > 0) return reply(std::move(q), wire::Rcode::BadVers);
  // A query with answers or authority records is not a plain query (no updates, no prereqs).
  if (header->ancount != 0 || header->nscount != 0) return reply(std::move(q), wire::Rcode::FormErr);
  switch (q.qtype) {
    case wire::RRType::AXFR:
    case wire::RRType::IXFR:
      return reply(std::move(q), wire::Rcode::Refused);  // a recursive resolver transfers nothing
    case wire::RRType::OPT:
      return reply(std::move(q), wire::Rcode::FormErr);  // a meta-type, never a question
    default:
      break;
  }
  uint16_t t = static_cast<uint16_t>(q.qtype);
  if (t == 253 || t == 254) return reply(std::move(q), wire::Rcode::NotImp);  // MAILB / MAILA
  if (q.qclass != wire::RRClass::IN) return reply(std::move(q), wire::Rcode::Refused);

  out.verdict = Verdict::Proceed;
  out.query = std::move(q);
  return out;
}

}  // namespace tern::server
