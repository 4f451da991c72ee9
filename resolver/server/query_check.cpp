#include "resolver/server/query_check.h"

#include <optional>

namespace tern::server {
namespace {

constexpr uint16_t kFirstMetaType = 128;  // RFC 6895 §3.1: 128-255 are meta-types and QTYPEs
constexpr uint16_t kTsig = 250;           // TKEY is 249
constexpr uint16_t kMailB = 253;
constexpr uint16_t kMailA = 254;

// The query is filled in place in `out` (no moves of ClientQuery: GCC 12 reports a false
// maybe-uninitialized on moving its optional<Edns> in Release builds).
Checked& reply(Checked& out, wire::Rcode rcode) {
  out.verdict = Verdict::Reply;
  out.rcode = rcode;
  return out;
}

// The rcode for a QTYPE no resolver may send upstream; nullopt for the types that are resolved.
std::optional<wire::Rcode> qtype_rcode(wire::RRType type) {
  switch (type) {
    case wire::RRType::AXFR:
    case wire::RRType::IXFR:
      return wire::Rcode::Refused;  // a recursive resolver transfers nothing (as Unbound)
    case wire::RRType::OPT:
      return wire::Rcode::FormErr;  // a pseudo-record, never a question
    default:
      break;
  }
  uint16_t t = static_cast<uint16_t>(type);
  if (t == kMailB || t == kMailA) return wire::Rcode::NotImp;  // obsolete mail QTYPEs, not served
  // TYPE0 is reserved (RFC 6895 §3.1); 128-250 are meta-types: NXNAME (128, RFC 9824: it marks
  // a compact denial and is never asked for; a query for it is FORMERR), TKEY (249) and TSIG
  // (250) belong to a transaction, not to a name, and the unassigned rest of the meta range has
  // no data to ask for. None goes upstream (Unbound answers TKEY, TSIG and 128-248 FORMERR too).
  if (t == 0 || (t >= kFirstMetaType && t <= kTsig)) return wire::Rcode::FormErr;
  return std::nullopt;
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
  // RFC 7873 §5.2.2: a COOKIE option of a length no cookie can have is FORMERR.
  if (auto e = msg->edns()) {
    for (const auto& o : e->options())
      if (o.code == wire::kEdnsCookie && !wire::cookie_length_ok(o.data.size()))
        return reply(out, wire::Rcode::FormErr);
  }
  if (auto rcode = qtype_rcode(q.qtype)) return reply(out, *rcode);
  if (q.qclass != wire::RRClass::IN) return reply(out, wire::Rcode::Refused);

  out.verdict = Verdict::Proceed;
  return out;
}

}  // namespace tern::server
