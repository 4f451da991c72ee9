#include "tests/support/sim_network.h"

#include <stdexcept>

#include "wire/message_builder.h"
#include "wire/message_view.h"

namespace tern::testsupport {

wire::ParsedRR rr(std::string_view text) {
  auto parsed = wire::rr_from_text(text, wire::Name());
  if (!parsed) throw std::invalid_argument("bad record in test: " + std::string(text));
  return std::move(*parsed);
}

SimReply& SimReply::with_question(std::string_view name, wire::RRType type) {
  copy_query = false;
  question_name = wire::Name::from_text(name).value();
  question_type = type;
  return *this;
}

std::string SentQuery::to_string() const {
  return server.to_string() + (protocol == Protocol::Tcp ? " tcp " : " udp ") + qname.to_text() +
         " " + wire::type_to_text(qtype) + (edns ? "" : " noedns");
}

SimRange& SimNetwork::add_range(SimRange range) {
  ranges_.push_back(std::move(range));
  return ranges_.back();
}

SimEntry& SimNetwork::on(const Address& server, std::string_view qname, wire::RRType qtype,
                         SimReply reply) {
  SimRange r;
  r.addresses.push_back(server);
  SimEntry e;
  e.qname = wire::Name::from_text(qname).value();
  e.qtype = qtype;
  e.reply = std::move(reply);
  r.entries.push_back(std::move(e));
  return add_range(std::move(r)).entries.back();
}

SimEntry& SimNetwork::on_subdomain(const Address& server, std::string_view qname, SimReply reply) {
  auto& e = on(server, qname, wire::RRType::A, std::move(reply));
  e.match.qname = false;
  e.match.qtype = false;
  e.match.subdomain = true;
  return e;
}

SimEntry& SimNetwork::on_any(const Address& server, SimReply reply) {
  auto& e = on(server, ".", wire::RRType::A, std::move(reply));
  e.match.qname = false;
  e.match.qtype = false;
  return e;
}

SimEntry* SimNetwork::match(const Address& server, Protocol protocol, const SentQuery& q) {
  for (auto& range : ranges_) {
    if (step_ < range.from_step || step_ > range.to_step) continue;
    bool here = false;
    for (const auto& a : range.addresses) here = here || a == server;
    if (!here) continue;
    for (auto& e : range.entries) {
      if (e.max_uses && e.uses >= *e.max_uses) continue;
      if (e.match.qname && !(e.qname == q.qname)) continue;
      if (e.match.qtype && e.qtype != q.qtype) continue;
      if (e.match.subdomain && !q.qname.is_subdomain_of(e.qname)) continue;
      if (e.match.protocol && *e.match.protocol != protocol) continue;
      if (e.match.edns && *e.match.edns != q.edns) continue;
      return &e;
    }
  }
  return nullptr;
}

std::vector<uint8_t> SimNetwork::build_reply(const SimEntry& entry, std::span<const uint8_t> query) {
  const auto& r = entry.reply;
  auto q = wire::MessageView::parse(query);
  uint16_t qid = q ? q->header().id : 0;
  if (r.raw) {
    auto bytes = *r.raw;
    if (r.copy_id && bytes.size() >= 2) {
      bytes[0] = uint8_t(qid >> 8);
      bytes[1] = uint8_t(qid);
    }
    return bytes;
  }
  wire::MessageBuilder b(65535);
  wire::Header h;
  h.id = r.copy_id ? qid : r.id;
  h.qr = r.qr;
  h.aa = r.aa;
  h.tc = r.tc;
  h.rd = r.rd;
  h.ra = r.ra;
  h.ad = r.ad;
  h.cd = r.cd;
  h.rcode = uint8_t(uint16_t(r.rcode) & 0xf);
  b.set_header(h);
  if (r.edns && q && q->edns()) {
    wire::Edns edns;
    edns.ext_rcode_high = uint8_t(uint16_t(r.rcode) >> 4);
    b.set_edns(edns);
  }
  if (!r.no_question) {
    if (r.copy_query && q && q->has_question()) {
      b.add_question(q->qname().to_name().value(), q->qtype(), q->qclass());
    } else {
      b.add_question(r.question_name.value_or(entry.qname), r.question_type.value_or(entry.qtype),
                     wire::RRClass::IN);
    }
  }
  auto put = [&](wire::Section s, const std::vector<wire::ParsedRR>& rrs) {
    for (const auto& x : rrs) b.add_record(s, x.owner, x.type, x.rclass, x.ttl, x.rdata);
  };
  put(wire::Section::Answer, r.answer);
  put(wire::Section::Authority, r.authority);
  put(wire::Section::Additional, r.additional);
  return b.finish();
}

void SimNetwork::send(const Address& server, Protocol protocol, std::vector<uint8_t> query,
                      engine::MonoInstant deadline, engine::TransportDone done) {
  SentQuery sq;
  sq.server = server;
  sq.protocol = protocol;
  sq.at = clock_.now();
  if (auto m = wire::MessageView::parse(query); m && m->has_question()) {
    sq.qname = m->qname().to_name().value();
    sq.qtype = m->qtype();
    sq.id = m->header().id;
    sq.rd = m->header().rd;
    sq.edns = m->edns().has_value();
  }
  sq.packet = query;
  sent_.push_back(sq);
  ++outstanding_;
  auto finish = [this, done = std::move(done)](engine::TransportResult r) mutable {
    --outstanding_;
    done(std::move(r));
  };
  SimEntry* e = match(server, protocol, sq);
  if (!e) ++unmatched_;
  if (!e || e->reply.drop) {
    if (e) ++e->uses;
    clock_.schedule(deadline, [finish]() mutable {
      finish(tern::fail(engine::TransportError::Timeout));
    });
    return;
  }
  ++e->uses;
  if (e->reply.error) {
    auto error = *e->reply.error;
    clock_.schedule(std::min(deadline, clock_.mono() + e->reply.delay),
                    [finish, error]() mutable { finish(tern::fail(error)); });
    return;
  }
  auto bytes = build_reply(*e, query);
  auto at = clock_.mono() + e->reply.delay;
  if (at > deadline) {
    clock_.schedule(deadline, [finish]() mutable {
      finish(tern::fail(engine::TransportError::Timeout));
    });
    return;
  }
  clock_.schedule(at, [finish, bytes = std::move(bytes)]() mutable { finish(std::move(bytes)); });
}

std::vector<std::string> SimNetwork::sent_text() const {
  std::vector<std::string> out;
  for (const auto& s : sent_) out.push_back(s.to_string());
  return out;
}

}  // namespace tern::testsupport
